import { fc, test } from '@fast-check/vitest'
import {
  chunkedLine,
  lineContent,
  lineEnding,
  lineSize,
} from '@ssekit/test-support/line-arbitraries'
import { createRandom, cutBytes } from '@ssekit/test-support/seeded-random'
import { describe, expect } from 'vitest'
import { collect } from './decode-helpers.ts'

// The decoder's text for a line must be exactly the UTF-8 decoding of the line's bytes, however
// the network cut them. Sizes straddle every threshold the byte-to-line machinery has (the
// small-chunk buffering, buffer doubling, the 1 MiB Latin-1 path, maxLineLength) and chunk
// sizes are drawn at random up to a random maximum from 1 B to 256 KiB: fixed-size chunkings
// hide bugs that random ones find.

// `ignoreBOM`: a BOM inside a line is text; only the stream's leading one is stripped.
const decodeWhole = (bytes: Uint8Array): string =>
  new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)
const utf8 = new TextEncoder()
/** 300 runs take about 8 s here; LONG_LINE_RUNS asks for more. */
const RUNS = Number(process.env.LONG_LINE_RUNS ?? 300)

describe('a data line decodes to the UTF-8 decoding of its bytes under every chunking', () => {
  test.prop([lineSize, lineContent, lineEnding, fc.integer(), fc.integer({ min: 0, max: 7 })], {
    numRuns: RUNS,
  })(
    'one line between two small events',
    (size, content, ending, seed, maxIndex) => {
      const value = content(size)
      const { chunks } = chunkedLine(value, ending, seed, maxIndex)
      const result = collect(chunks)
      expect(result.errors).toStrictEqual([])
      expect(result.events.map((event) => event.id)).toStrictEqual(['before', 'line', 'after'])
      const data = result.events[1]?.data
      // Compared by equality, not toStrictEqual's diff of megabyte strings; on a mismatch the
      // first differing index is reported.
      const expected = decodeWhole(value)
      if (data !== expected) {
        let at = 0
        while (at < expected.length && data?.charCodeAt(at) === expected.charCodeAt(at)) at++
        expect.fail(
          `data differs at code unit ${at} of ${expected.length} (got ${data?.length}); ${chunks.length} chunks`,
        )
      }
    },
    RUNS * 400,
  )

  test.prop([fc.integer(), fc.integer({ min: 1, max: 64 })], { numRuns: 40 })(
    "'plain ascii only '.repeat(6000) in 1–64-byte chunks",
    (seed, max) => {
      const value = utf8.encode('plain ascii only '.repeat(6000))
      const stream = utf8.encode(`data: ${'plain ascii only '.repeat(6000)}\n\n`)
      const result = collect(cutBytes(stream, createRandom(seed), 1, max))
      expect(result.events).toHaveLength(1)
      expect(result.events[0]?.data === decodeWhole(value)).toBe(true)
    },
  )
})

describe('maxLineLength counts bytes, the same under every chunking', () => {
  test.prop(
    [
      fc.integer({ min: 0, max: 70_000 }),
      lineContent,
      lineEnding,
      fc.integer({ min: -4, max: 4 }),
      fc.integer(),
      fc.integer({ min: 0, max: 7 }),
    ],
    { numRuns: RUNS },
  )(
    'a line fails with LINE_TOO_LONG exactly when its bytes pass the limit',
    (size, content, ending, delta, seed, maxIndex) => {
      const value = content(size)
      const { stream, chunks } = chunkedLine(value, ending, seed, maxIndex)
      // The line is `data: ` and the value: its length in bytes, and its offset in the stream.
      const lineLength = 'data: '.length + size
      const lineOffset = utf8.encode(
        `id: before${ending}data: x${ending}${ending}id: line${ending}`,
      ).length
      const maxLineLength = Math.max(12, lineLength + delta)
      const result = collect(chunks, { maxLineLength })
      if (lineLength > maxLineLength) {
        expect(result.events.map((event) => event.id)).toStrictEqual(['before'])
        expect(result.errors.map((error) => [error.code, error.offset])).toStrictEqual([
          ['LINE_TOO_LONG', lineOffset + maxLineLength],
        ])
      } else {
        expect(result.errors).toStrictEqual([])
        expect(result.events.map((event) => event.id)).toStrictEqual(['before', 'line', 'after'])
      }
      expect(stream.length).toBeGreaterThan(lineLength)
    },
    RUNS * 400,
  )
})
