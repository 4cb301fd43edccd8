import { isSSEError, type SSEError } from '@ssekit/shared'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { createDecoder } from '../src/decoder.ts'
import { EventDecoderStream } from '../src/decoder-stream.ts'
import { collect, cutAt } from './decode-helpers.ts'

const utf8 = new TextEncoder()
const MiB = 1024 * 1024

function chunksOf(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = []
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size))
  return chunks
}

describe('limits', () => {
  const line = utf8.encode(`data: ${'x'.repeat(300)}\n\n`)
  for (const size of [1, 7, 64, 100, 1000]) {
    test(`a line past maxLineLength fails with LINE_TOO_LONG at the first byte past the limit (${size}-byte chunks)`, () => {
      const result = collect([utf8.encode('data: ok\n\n'), ...chunksOf(line, size)], {
        maxLineLength: 100,
      })
      expect(result.events).toStrictEqual([{ data: 'ok' }])
      expect(result.errors).toHaveLength(1)
      const error = result.errors[0] as SSEError
      expect(isSSEError(error, 'LINE_TOO_LONG')).toBe(true)
      expect(error.offset).toBe(10 + 100)
      expect(error.message).toContain('maxLineLength (100)')
    })
  }

  test('after a broken limit the rest of the stream is ignored until end()', () => {
    const events: unknown[] = []
    const errors: SSEError[] = []
    const decoder = createDecoder(
      { onEvent: (event) => events.push(event), onError: (error) => errors.push(error) },
      { maxLineLength: 10 },
    )
    decoder.feed('data: 0123456789\n\ndata: a\n\n')
    expect(errors.map((error) => error.code)).toStrictEqual(['LINE_TOO_LONG'])
    expect(events).toStrictEqual([])
    decoder.end()
    decoder.feed('data: b\n\n')
    expect(events).toStrictEqual([{ data: 'b' }])
  })

  test('an event whose data grows past maxEventSize fails with EVENT_TOO_LARGE and its offset', () => {
    const result = collect([`${'data: 0123456789\n'.repeat(5)}\n`], { maxEventSize: 40 })
    expect(result.events).toStrictEqual([])
    expect(result.errors.map((error) => [error.code, error.field, error.offset])).toStrictEqual([
      // Data grows 10, 21, 32, 43: the fourth 17-byte line, ending at byte 67, breaks the limit.
      ['EVENT_TOO_LARGE', 'data', 67],
    ])
  })

  test('without onError, feed throws the typed error', () => {
    const decoder = createDecoder({ onEvent: () => {} }, { maxLineLength: 4 })
    expect(() => decoder.feed('data: long\n')).toThrow(
      expect.objectContaining({ code: 'LINE_TOO_LONG' }),
    )
  })

  test('EventDecoderStream errors its stream with the typed error', async () => {
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(utf8.encode('data: a\n\n'))
        controller.enqueue(utf8.encode(`data: ${'y'.repeat(50)}`))
        controller.close()
      },
    })
    const reader = source.pipeThrough(new EventDecoderStream({ maxLineLength: 20 })).getReader()
    expect(await reader.read()).toStrictEqual({ done: false, value: { data: 'a' } })
    const failure = await reader.read().then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(isSSEError(failure, 'LINE_TOO_LONG')).toBe(true)
    expect((failure as SSEError).offset).toBe(9 + 20)
  })
})

describe('memory and time stay bounded', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  test('a 100 MB hostile line in 64 KB chunks with a 1 MiB limit fails at 1 MiB and buffers nothing more', () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x61)
    const errors: SSEError[] = []
    const decoder = createDecoder(
      { onEvent: () => {}, onError: (error) => errors.push(error) },
      { maxLineLength: MiB },
    )
    decoder.feed(utf8.encode('data: '))
    const before = process.memoryUsage().arrayBuffers
    for (let i = 0; i < 1600; i++) decoder.feed(chunk)
    expect(errors.map((error) => [error.code, error.offset])).toStrictEqual([
      ['LINE_TOO_LONG', MiB],
    ])
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(4 * MiB)
  })

  test('100 MB of lines just under a 1 MiB limit decode without error, holding about one line at a time', () => {
    const line = utf8.encode(`data: ${'z'.repeat(MiB - 100)}\n\n`)
    const chunks = chunksOf(line, 64 * 1024)
    let events = 0
    let peak = 0
    const decoder = createDecoder(
      {
        onEvent: () => {
          events++
          const usage = process.memoryUsage()
          peak = Math.max(peak, usage.arrayBuffers)
        },
      },
      { maxLineLength: MiB },
    )
    const base = process.memoryUsage().arrayBuffers
    for (let i = 0; i < 100; i++) for (const chunk of chunks) decoder.feed(chunk)
    expect(events).toBe(100)
    // The decoder's own line buffer is capped at maxLineLength bytes.
    expect(peak - base).toBeLessThan(3 * MiB)
  })

  test('a long line in tiny chunks is decoded once: decoding work is linear in its length', () => {
    const decode = vi.spyOn(TextDecoder.prototype, 'decode')
    const n = MiB / 4
    const bytes = utf8.encode(`data: ${'q'.repeat(n)}\n\n`)
    for (const size of [1, 16, 64, 4096]) {
      decode.mockClear()
      const events: unknown[] = []
      const decoder = createDecoder({ onEvent: (event) => events.push(event) })
      for (const chunk of chunksOf(bytes, size)) decoder.feed(chunk)
      expect(events).toHaveLength(1)
      const decoded = decode.mock.calls.reduce(
        (sum, [input]) => sum + ((input as Uint8Array | undefined)?.byteLength ?? 0),
        0,
      )
      // Small chunks are buffered and decoded once; larger ones are also decoded once to look for
      // line ends. Either way each byte is decoded at most twice, whatever the chunk size.
      expect(decoded).toBeLessThanOrEqual(2 * bytes.length)
    }
  })
})

test('cutAt helper keeps every byte', () => {
  expect(cutAt('abcd', [1, 3])).toStrictEqual(['a', 'bc', 'd'])
})

describe('limits on text chunks', () => {
  test('a line of astral characters fails at the character whose bytes pass the limit', () => {
    // 'data: ' is 6 bytes and each 😀 is 4 (2 code units): the second 😀 ends at byte 14 > 10.
    const result = collect(['data: 😀😀\n\n'], { maxLineLength: 10 })
    expect(result.errors.map((error) => [error.code, error.offset])).toStrictEqual([
      ['LINE_TOO_LONG', 'data: 😀'.length],
    ])
  })
})
