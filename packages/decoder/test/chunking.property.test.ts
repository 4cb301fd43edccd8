import { fc, test } from '@fast-check/vitest'
import { isSSEError } from '@ssekit/shared'
import { expect } from 'vitest'
import { createDecoder } from '../src/decoder.ts'
import { collect, concatBytes, cutAt } from './decode-helpers.ts'

/** Bytes biased towards SSE structure, so lines, fields and UTF-8 edge cases are common. */
const streamBytes = fc
  .array(
    fc.oneof(
      fc.uint8Array({ maxLength: 8 }),
      fc.constantFrom(
        ...[
          'data:',
          'data: ',
          'id:',
          'event:',
          'retry:',
          ':',
          '\n',
          '\r',
          '\r\n',
          '\n\n',
          '\uFEFF',
          'é',
          '😀',
          '\0',
        ].map((piece) => new TextEncoder().encode(piece)),
      ),
      fc.constantFrom(
        new Uint8Array([0xf0, 0x9f]),
        new Uint8Array([0xe2]),
        new Uint8Array([0xff]),
        new Uint8Array([0x80]),
      ),
    ),
    { maxLength: 60 },
  )
  .map(concatBytes)

test.prop(
  [
    streamBytes.chain((bytes) =>
      fc.tuple(
        fc.constant(bytes),
        fc
          .uniqueArray(fc.nat({ max: bytes.length }), { maxLength: 20 })
          .map((a) => a.sort((x, y) => x - y)),
        fc.nat({ max: 64 }),
      ),
    ),
  ],
  { numRuns: 1000 },
)(
  'the decoder never throws on arbitrary bytes except its own limit errors, and chunking never changes what it reports',
  ([bytes, at, limit]) => {
    const whole = collect([bytes])
    const cut = collect(cutAt(bytes, at))
    expect(cut).toStrictEqual(whole)
    // Without onError, only typed limit errors may escape feed().
    const decoder = createDecoder(
      { onEvent: () => {} },
      { maxLineLength: limit + 1, maxEventSize: limit + 1 },
    )
    try {
      for (const chunk of cutAt(bytes, at)) decoder.feed(chunk)
      decoder.end()
    } catch (error) {
      expect(isSSEError(error, 'LINE_TOO_LONG') || isSSEError(error, 'EVENT_TOO_LARGE')).toBe(true)
    }
  },
)
