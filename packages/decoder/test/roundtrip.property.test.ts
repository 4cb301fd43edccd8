import { fc, test } from '@fast-check/vitest'
import { encode } from '@ssekit/encoder'
import type { ServerSentEvent } from '@ssekit/shared'
import { expect } from 'vitest'
import { collect, cutAt } from './decode-helpers.ts'

const utf8 = new TextEncoder()

/** Any Unicode text, astral characters included (well-formed: lone surrogates are not text). */
const text = (constraints: fc.StringConstraints = {}) =>
  fc.string({ unit: 'grapheme', ...constraints })

/** The events the wire format can represent exactly. */
const representableEvent: fc.Arbitrary<ServerSentEvent> = fc
  .record(
    {
      // Data without CR: a CR would come back as LF.
      data: text({ size: 'large' }).map((value) => value.replaceAll('\r', '')),
      event: text({ minLength: 1 }).filter((value) => !/[\r\n]/.test(value)),
      id: text().filter((value) => !/[\r\n\0]/.test(value)),
      retry: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
    },
    { requiredKeys: ['data'] },
  )
  .map((event) => ({ ...event })) // fc.record builds null-prototype objects

/** Sorted cut positions in [0, length]: any chunking, including cuts inside characters. */
const cuts = (length: number) =>
  fc
    .uniqueArray(fc.nat({ max: length }), { maxLength: 24 })
    .map((array) => array.sort((a, b) => a - b))

const withBytes = <T>(arbitrary: fc.Arbitrary<T>, toWire: (value: T) => string) =>
  arbitrary.chain((value) => {
    const bytes = utf8.encode(toWire(value))
    return fc.tuple(fc.constant(value), fc.constant(bytes), cuts(bytes.length))
  })

test.prop(
  [
    withBytes(fc.array(representableEvent, { maxLength: 8 }), (events) =>
      events.map((event) => encode(event)).join(''),
    ),
  ],
  {
    numRuns: 300,
  },
)('decode∘encode is the identity, under every chunking of the bytes', ([events, bytes, at]) => {
  const result = collect(cutAt(bytes, at))
  expect(result.errors).toStrictEqual([])
  expect(result.events).toStrictEqual(events)
})

test.prop([withBytes(fc.jsonValue(), (value) => encode({ data: JSON.stringify(value) }))], {
  numRuns: 200,
})('JSON data round-trips, whatever strings it holds (CR included)', ([value, bytes, at]) => {
  const { events } = collect(cutAt(bytes, at))
  expect(events).toHaveLength(1)
  // JSON.stringify writes -0 as 0; compare through a second serialization.
  expect(JSON.parse((events[0] as ServerSentEvent).data)).toStrictEqual(
    JSON.parse(JSON.stringify(value)),
  )
})

test.prop(
  [
    withBytes(
      fc
        .array(fc.constantFrom('a', 'é', '😀', ' ', '\r', '\n', '\r\n', ':'), { maxLength: 40 })
        .map((parts) => parts.join('')),
      (data) => encode({ data }),
    ),
  ],
  {
    numRuns: 300,
  },
)('any string data comes back with its line ends normalised to \\n', ([data, bytes, at]) => {
  const { events } = collect(cutAt(bytes, at))
  expect(events).toStrictEqual([{ data: data.replace(/\r\n|\r/g, '\n') }])
})
