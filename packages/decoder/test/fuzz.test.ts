/**
 * Corpus fuzz: generated streams, cut at random, decoded by the real decoder and by the
 * reference decoder of reference-decoder.ts, which must agree on every event, comment, retry,
 * id and limit error. FUZZ_INPUTS sets how many inputs (1,000,000 by default, as in CI);
 * `pnpm fuzz` runs 20,000,000 with a new seed each time (FUZZ_SEED replays one). A failure prints the seed and input
 * number, and the input itself, so it can be replayed.
 */
import { isSSEError } from '@ssekit/shared'
import { expect, test } from 'vitest'
import { createDecoder } from '../src/decoder.ts'
import { type Collected, collect, concatBytes } from './decode-helpers.ts'
import { createRandom } from './generators.ts'
import { type ReferenceLimits, referenceDecode } from './reference-decoder.ts'

const INPUTS = Number(process.env.FUZZ_INPUTS ?? 1_000_000)
const SEED = Number(process.env.FUZZ_SEED ?? 20261203)
const utf8 = new TextEncoder()

/** The alphabet: field names and their near misses, values, line ends, UTF-8 of every width. */
const PIECES: Uint8Array[] = [
  ...[
    'data:',
    'data: ',
    'data',
    'event:',
    'event: ',
    'id:',
    'id: ',
    'retry:',
    'retry: ',
    ':',
    ': ',
    'Data:',
    'x',
    'hello',
    ' ',
    '42',
    '9007199254740993',
    '\n',
    '\n',
    '\n',
    '\r',
    '\r\n',
    '\n\n',
    '\r\n\r\n',
    '\uFEFF',
    'é',
    '中',
    '😀',
    '\0',
  ].map((piece) => utf8.encode(piece)),
  // A lone continuation byte, cut characters, never-valid bytes.
  new Uint8Array([0x80]),
  new Uint8Array([0xc3]),
  new Uint8Array([0xe4, 0xb8]),
  new Uint8Array([0xf0, 0x9f, 0x98]),
  new Uint8Array([0xff]),
]

/** One generated input: its bytes, its chunks and the limits it is decoded under. */
function generate(random: () => number) {
  const parts: Uint8Array[] = []
  // Mostly short streams; one in 50 carries a run long enough to cross the limits below.
  const count = 1 + Math.floor(random() * 40)
  if (random() < 0.05) parts.push(utf8.encode('\uFEFF'))
  for (let i = 0; i < count; i++) {
    if (random() < 0.02) {
      const run = new Uint8Array(20 + Math.floor(random() * 600)).fill(random() < 0.5 ? 0x61 : 0xc3)
      parts.push(run)
    } else {
      parts.push(PIECES[Math.floor(random() * PIECES.length)] as Uint8Array)
    }
  }
  const stream = concatBytes(parts)
  const limits: ReferenceLimits =
    random() < 0.3
      ? {
          maxLineLength: 4 + Math.floor(random() * 60),
          maxEventSize: 4 + Math.floor(random() * 100),
        }
      : { maxLineLength: 1 << 24, maxEventSize: 1 << 24 }
  const chunks: Uint8Array[] = []
  // Chunk sizes on both sides of the decoder's switches (64 B, 64 KiB) and its native searches.
  const pick = random()
  const maxChunk = pick < 0.4 ? 4 : pick < 0.8 ? 70 : 700
  for (let at = 0; at < stream.length; ) {
    const size = 1 + Math.floor(random() * maxChunk)
    chunks.push(stream.subarray(at, at + size))
    at += size
  }
  return { stream, chunks, limits }
}

/** The decoder's report in the reference's shape. */
function decoded(result: Collected) {
  const error = result.errors[0]
  return {
    events: result.events,
    comments: result.comments,
    retries: result.retries,
    ids: result.ids,
    error: error ? { code: error.code, offset: error.offset } : null,
    lastEventId: result.lastEventId,
    errorCount: result.errors.length,
  }
}

test(
  `${INPUTS.toLocaleString('en')} generated streams decode as the reference decoder decodes them`,
  () => {
    const random = createRandom(SEED)
    let limitErrors = 0
    for (let n = 0; n < INPUTS; n++) {
      const { stream, chunks, limits } = generate(random)
      const expected = referenceDecode(stream, limits)
      const actual = decoded(collect(chunks, limits))
      if (expected.error) limitErrors++
      const { errorCount, ...report } = actual
      const same = errorCount <= 1 && JSON.stringify(report) === JSON.stringify(expected)
      if (!same) {
        expect
          .soft({
            seed: SEED,
            input: n,
            stream: Array.from(stream),
            chunks: chunks.map((c) => c.length),
          })
          .toBeUndefined()
        expect(report).toStrictEqual(expected)
      }
    }
    // The generator must reach the limit paths, or their agreement means nothing.
    expect(limitErrors).toBeGreaterThan(INPUTS / 100)
  },
  Math.max(600_000, INPUTS / 10),
)

test('without onError, feed throws only typed limit errors, and only where the reference fails', () => {
  const random = createRandom(SEED + 1)
  for (let n = 0; n < Math.min(INPUTS, 50_000); n++) {
    const { stream, chunks, limits } = generate(random)
    const expected = referenceDecode(stream, limits)
    const decoder = createDecoder({ onEvent: () => {} }, limits)
    let thrown: unknown
    try {
      for (const chunk of chunks) decoder.feed(chunk)
      decoder.end()
    } catch (error) {
      thrown = error
    }
    if (thrown === undefined) {
      expect(expected.error).toBeNull()
    } else {
      expect(isSSEError(thrown, expected.error?.code)).toBe(true)
    }
  }
})
