import { fc, test } from '@fast-check/vitest'
import { isSSEError } from '@ssekit/shared'
import { describe, expect } from 'vitest'
import { encode, encodeBytes, encodeComment } from '../src/encode.ts'
import { decodeStream } from './wire.ts'

const RUNS = { numRuns: 300 }

/** Text over an alphabet rich in the characters that matter on the wire. */
const wireText = fc.string({
  unit: fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom('\n', '\r', '\0', ':', ' ', 'a', 'data', 'id', '\uFEFF'),
    },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 2 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 2 }) },
  ),
  maxLength: 40,
})

const lineFree = wireText.map((text) => text.replace(/[\r\n]/g, ''))
const idSafe = lineFree.map((text) => text.replaceAll('\0', ''))
/** Well-formed UTF-16 only: lone surrogates become U+FFFD in bytes, tested on their own. */
const wellFormed = (text: string) => text.replace(/[\uD800-\uDFFF]/g, 'x')

describe('refusals', () => {
  test.prop([wireText.filter((text) => /[\r\n]/.test(text))], RUNS)(
    'every event type containing CR or LF is refused with INVALID_EVENT',
    (event) => {
      expect(() => encode({ event, data: 'x' })).toThrow(
        expect.objectContaining({ code: 'INVALID_EVENT', field: 'event' }),
      )
    },
  )

  test.prop([wireText.filter((text) => /[\r\n\0]/.test(text))], RUNS)(
    'every id containing CR, LF or NUL is refused with INVALID_ID',
    (id) => {
      expect(() => encode({ id, data: 'x' })).toThrow(
        expect.objectContaining({ code: 'INVALID_ID', field: 'id' }),
      )
    },
  )

  test.prop(
    [
      fc.oneof(
        fc.double().filter((n) => !(Number.isSafeInteger(n) && n >= 0)),
        fc.integer({ max: -1 }),
        fc.constantFrom(2 ** 53, Number.MAX_VALUE),
      ),
    ],
    RUNS,
  )(
    'every retry that is not a non-negative safe integer is refused with INVALID_RETRY',
    (retry) => {
      let caught: unknown
      try {
        encode({ retry })
      } catch (error) {
        caught = error
      }
      expect(isSSEError(caught, 'INVALID_RETRY')).toBe(true)
    },
  )

  test.prop([fc.nat({ max: Number.MAX_SAFE_INTEGER })], RUNS)(
    'every non-negative safe integer retry is accepted and read back',
    (retry) => {
      expect(decodeStream(encode({ retry })).retries).toEqual([retry])
    },
  )
})

describe('data', () => {
  test.prop([wireText], RUNS)('data yields exactly one data line per line', (data) => {
    const lines = data.split(/\r\n|\r|\n/)
    const wire = encode({ data })
    expect(wire).toBe(`${lines.map((line) => `data: ${line}\n`).join('')}\n`)
  })

  test.prop([wireText.map(wellFormed)], RUNS)(
    'any data decodes back to itself with line breaks normalized to LF',
    (data) => {
      expect(decodeStream(encodeBytes({ data })).events).toEqual([
        { data: data.replace(/\r\n|\r/g, '\n') },
      ])
    },
  )

  const jsonData = fc.oneof(
    fc.array(fc.jsonValue(), { maxLength: 5 }),
    fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 5 }),
    fc.constant(null),
  )

  test.prop([jsonData], RUNS)('JSON data decodes and parses back to an equal value', (value) => {
    const [event] = decodeStream(encodeBytes({ data: value })).events
    expect(JSON.parse(event?.data ?? '')).toEqual(JSON.parse(JSON.stringify(value)))
  })
})

describe('injection', () => {
  test.prop(
    [
      fc.record(
        {
          id: idSafe.map(wellFormed),
          event: lineFree.map(wellFormed),
          data: wireText.map(wellFormed),
        },
        { requiredKeys: ['data'] },
      ),
    ],
    RUNS,
  )(
    'an accepted event always decodes to exactly that one event, never an injected field',
    (event) => {
      const decoded = decodeStream(encodeBytes(event))
      const expected: Record<string, string> = { data: event.data.replace(/\r\n|\r/g, '\n') }
      if (event.event !== undefined && event.event !== '') expected.event = event.event
      if (event.id !== undefined) expected.id = event.id
      expect(decoded.events).toEqual([expected])
      expect(decoded.retries).toEqual([])
      expect(decoded.lastEventId).toBe(event.id ?? '')
    },
  )

  test.prop([wireText.map(wellFormed)], RUNS)(
    'a comment of any text yields only comment lines and no event',
    (text) => {
      const wire = encodeComment(text)
      for (const line of wire.slice(0, -1).split('\n')) expect(line.startsWith(': ')).toBe(true)
      const decoded = decodeStream(`${wire}\n`)
      expect(decoded.events).toEqual([])
      expect(decoded.comments).toEqual(text.split(/\r\n|\r|\n/))
    },
  )
})
