import { describe, expect, test } from 'vitest'
import { createDecoder } from '../src/decoder.ts'
import { chunkings, collect } from './decode-helpers.ts'
import { VECTORS } from './fixtures/vectors.ts'

const utf8 = new TextEncoder()
const toBytes = (input: string | number[]): Uint8Array =>
  typeof input === 'string' ? utf8.encode(input) : Uint8Array.from(input)

/** Three 100-byte comment lines, so chunks of the padded stream reach the decoder's large-chunk path. */
const PADDING = `:${'p'.repeat(99)}\n`.repeat(3)

describe('WHATWG vectors, under every chunking', () => {
  for (const vector of VECTORS) {
    const expected = {
      events: vector.events,
      comments: vector.comments ?? [],
      retries: vector.retries ?? [],
      ids: vector.ids ?? [],
      errors: [],
      lastEventId: vector.lastEventId ?? '',
    }
    const comparable = (result: ReturnType<typeof collect>) =>
      vector.comments === undefined && vector.retries === undefined && vector.ids === undefined
        ? { ...result, comments: [], retries: [], ids: [] }
        : result

    test(`${vector.name} (bytes)`, () => {
      const bytes = toBytes(vector.input)
      for (const chunks of chunkings(bytes)) {
        const result = collect(chunks)
        expect(comparable(result), `cuts: ${chunks.map((c) => c.length)}`).toStrictEqual(expected)
      }
    })

    if (typeof vector.input === 'string') {
      const text = vector.input
      test(`${vector.name} (text)`, () => {
        for (const chunks of chunkings(text)) {
          expect(comparable(collect(chunks)), `cuts: ${chunks.map((c) => c.length)}`).toStrictEqual(
            expected,
          )
        }
      })
    }

    // A leading BOM only counts at the very start; the others also run after long lines.
    const bytes = toBytes(vector.input)
    if (
      bytes[0] !== 0xef &&
      !(typeof vector.input === 'string' && vector.input.startsWith('\u00EF'))
    ) {
      test(`${vector.name} (after long lines, large chunks)`, () => {
        const padded = new Uint8Array([...utf8.encode(PADDING), ...bytes])
        const paddedExpected = {
          ...expected,
          comments: [...Array(3).fill('p'.repeat(99)), ...expected.comments],
        }
        for (const chunks of chunkings(padded, 7, 40, 200)) {
          expect(comparable(collect(chunks)), `cuts: ${chunks.map((c) => c.length)}`).toStrictEqual(
            comparable(paddedExpected),
          )
        }
      })
    }
  }
})

describe('the decoder across streams', () => {
  test('end() discards a pending event but keeps the last event ID', () => {
    const events: unknown[] = []
    const decoder = createDecoder({ onEvent: (event) => events.push(event) })
    decoder.feed('id: 1\ndata: a\n\nid: 2\ndata: b')
    decoder.end()
    expect(events).toStrictEqual([{ id: '1', data: 'a' }])
    expect(decoder.lastEventId).toBe('1')
    decoder.feed('data: c\n\n')
    expect(events).toStrictEqual([{ id: '1', data: 'a' }, { data: 'c' }])
  })

  test('the BOM of the next stream after end() is stripped again, once', () => {
    const events: unknown[] = []
    const decoder = createDecoder({ onEvent: (event) => events.push(event) })
    decoder.feed(utf8.encode('\uFEFFdata: a\n\n'))
    decoder.end()
    decoder.feed(utf8.encode('\uFEFFdata: b\n\n\uFEFFdata: c\n\n'))
    decoder.end()
    expect(events).toStrictEqual([{ data: 'a' }, { data: 'b' }])
  })

  test('a CR ending the previous stream does not swallow the next stream’s first LF', () => {
    const events: unknown[] = []
    const decoder = createDecoder({ onEvent: (event) => events.push(event) })
    decoder.feed('data: a\r')
    decoder.end()
    // The LF is a blank line of the new stream; then `b` is dispatched.
    decoder.feed('\ndata: b\n\n')
    expect(events).toStrictEqual([{ data: 'b' }])
  })

  test('reset() forgets the last event ID and returns to the initial one', () => {
    const decoder = createDecoder({ onEvent: () => {} }, { lastEventId: 'start' })
    expect(decoder.lastEventId).toBe('start')
    decoder.feed('id: 9\n\n')
    expect(decoder.lastEventId).toBe('9')
    decoder.reset()
    expect(decoder.lastEventId).toBe('start')
  })

  test('an event dispatches as soon as its blank line arrives, even one ending in a lone CR', () => {
    const events: unknown[] = []
    const decoder = createDecoder({ onEvent: (event) => events.push(event) })
    decoder.feed(utf8.encode('data: a\r\r'))
    expect(events).toStrictEqual([{ data: 'a' }])
  })

  test('onId is called before onEvent for the same block', () => {
    const calls: string[] = []
    const decoder = createDecoder({
      onEvent: (event) => calls.push(`event ${event.data}`),
      onId: (id) => calls.push(`id ${id}`),
    })
    decoder.feed('id: 1\ndata: x\n\n')
    expect(calls).toStrictEqual(['id 1', 'event x'])
  })

  test('a character cut before a text chunk becomes U+FFFD', () => {
    const bytes = utf8.encode('data: é')
    expect(collect([bytes.subarray(0, bytes.length - 1), '\n\n']).events).toStrictEqual([
      { data: '\uFFFD' },
    ])
  })

  test('text and byte chunks may be mixed', () => {
    const result = collect(['data: a', utf8.encode('b\r'), '\ndata: c', utf8.encode('\n\n')])
    expect(result.events).toStrictEqual([{ data: 'ab\nc' }])
  })

  test('a retry beyond Number.MAX_SAFE_INTEGER is ignored', () => {
    expect(collect(['retry: 99999999999999999999\ndata: x\n\n']).retries).toStrictEqual([])
  })
})
