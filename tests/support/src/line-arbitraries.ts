/**
 * fast-check arbitraries for long-line tests: line sizes that straddle the decoder's internal
 * thresholds, line contents drawn from every kind of UTF-8 (and not-UTF-8), and random chunkings.
 *
 * @module
 */
import { fc } from '@fast-check/vitest'
import { concatBytes } from './concat-bytes.ts'
import { createRandom, cutBytes } from './seeded-random.ts'

const KiB = 1024
const MiB = 1024 * KiB

/**
 * Sizes around each threshold of the decoder's byte-to-line machinery (small chunks, buffer
 * growth, the long-line mode, Latin-1 slices of 1 MiB and more), plus 0 and several MB.
 */
const THRESHOLDS = [0, 64, 256, 4 * KiB, 32 * KiB, 64 * KiB, 256 * KiB, MiB, 3 * MiB]

/** A line size within ±300 bytes of a threshold (but not below 0), or anywhere up to 300 KiB. */
export const lineSize: fc.Arbitrary<number> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...THRESHOLDS), fc.integer({ min: -300, max: 300 }))
    .map(([threshold, delta]) => Math.max(0, threshold + delta)),
  fc.integer({ min: 0, max: 300 * KiB }),
)

const encoder = new TextEncoder()

/** Pieces of line content: ASCII, 2-, 3- and 4-byte characters, invalid bytes and JSON. */
const piece: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.constantFrom(
    ...['a', 'plain ascii only ', ' ', ':', 'é', 'ß', '中', '€', '😀', '𝄞', '\0', '\uFEFF'].map(
      (text) => encoder.encode(text),
    ),
  ),
  fc.constantFrom(
    // A lone continuation byte, a cut 2/3/4-byte character, bytes never valid in UTF-8, an
    // overlong encoding and an encoded surrogate: each decodes to U+FFFD.
    new Uint8Array([0x80]),
    new Uint8Array([0xc3]),
    new Uint8Array([0xe4, 0xb8]),
    new Uint8Array([0xf0, 0x9f, 0x98]),
    new Uint8Array([0xff]),
    new Uint8Array([0xc0, 0xaf]),
    new Uint8Array([0xed, 0xa0, 0x80]),
  ),
  fc.json({ maxDepth: 2 }).map((json) => encoder.encode(json.replace(/[\r\n]/g, ' '))),
  fc
    .string({ unit: 'grapheme', maxLength: 8 })
    .map((text) => encoder.encode(text.replace(/[\r\n]/g, ' '))),
  fc
    .uint8Array({ minLength: 1, maxLength: 6 })
    .map((bytes) => bytes.map((b) => (b === 10 || b === 13 ? 32 : b))),
)

/**
 * A recipe for a line's bytes: a random pattern of pieces, repeated to the size asked for and
 * cut there (possibly inside a character), with no CR or LF byte anywhere.
 */
export const lineContent: fc.Arbitrary<(size: number) => Uint8Array> = fc
  .array(piece, { minLength: 1, maxLength: 24 })
  .map((pieces) => {
    const pattern = concatBytes(pieces)
    const fillable = pattern.length > 0 ? pattern : encoder.encode('x')
    const make = (size: number): Uint8Array => {
      const bytes = new Uint8Array(size)
      for (let at = 0; at < size; at += fillable.length) {
        bytes.set(fillable.subarray(0, Math.min(fillable.length, size - at)), at)
      }
      return bytes
    }
    return Object.assign(make, { toString: () => `pattern(${Array.from(fillable).join(',')})` })
  })

/** LF, CRLF or CR. */
export const lineEnding: fc.Arbitrary<string> = fc.constantFrom('\n', '\r\n', '\r')

/** The largest chunk size of a random chunking, picked by index: 1 B up to 256 KiB. */
export const MAX_CHUNK_SIZES: readonly number[] = [
  1,
  16,
  64,
  300,
  4 * KiB,
  64 * KiB,
  100_003,
  256 * KiB,
]

/**
 * The stream `id: before` / `id: line` with `data: <value>` / `id: after`, each block a separate
 * event, cut into chunks of random sizes in [1, MAX_CHUNK_SIZES[maxIndex]] from `seed`.
 */
export function chunkedLine(
  value: Uint8Array,
  ending: string,
  seed: number,
  maxIndex: number,
): { stream: Uint8Array; chunks: Uint8Array[] } {
  const stream = concatBytes([
    encoder.encode(`id: before${ending}data: x${ending}${ending}id: line${ending}data: `),
    value,
    encoder.encode(`${ending}${ending}id: after${ending}data: y${ending}${ending}`),
  ])
  const max = MAX_CHUNK_SIZES[maxIndex] ?? 1
  // A one-byte chunking of a multi-megabyte line is slow to feed and adds nothing that 16 B
  // chunks do not: keep the chunk count bounded.
  const bounded = Math.max(max, Math.ceil(stream.length / 200_000))
  return { stream, chunks: cutBytes(stream, createRandom(seed), 1, bounded) }
}
