/**
 * The two line readers, `node-line-reader.ts` (the `node` condition) and `web-line-reader.ts`
 * (browsers), must behave alike on every stream: the same events, comments, retries and ids, and
 * the same limit error, at the same offset, from the same chunk. Here both read the same streams
 * of byte chunks and text chunks mixed, cut at random with chunk and line sizes straddling the
 * Node reader's switches (64-byte chunks, 32 KiB lines, 64 KiB chunks) under random limits, and
 * are also held to the reference decoder for streams of bytes alone.
 *
 * One difference is allowed, and checked on its own below: when a text chunk comes after bytes of
 * an unfinished line that hold invalid UTF-8, the Node reader may have counted those bytes as
 * read or as the UTF-8 size of their U+FFFDs, depending on how earlier chunks were cut; the web
 * reader always counts the U+FFFDs. The generator below keeps invalid bytes out of the middle of
 * byte chunks in mixed streams (a character cut off by a text chunk is fine: both count its U+FFFD).
 *
 * A second difference is a quirk of the Node reader, also checked below: a line past 32 KiB that
 * holds a lone surrogate from a text chunk and goes on in byte chunks has its lone surrogate
 * turned into U+FFFD there (it encodes the line's text back into bytes), where the web reader
 * keeps it, as both readers do for shorter lines. So mixed streams here never cut a surrogate
 * pair in two.
 */
import { expect, test } from 'vitest'
import { createInterpreter } from '../src/interpreter.ts'
import type { LineReader } from '../src/line-reader.ts'
import { createLineReader as createNodeLineReader } from '../src/node-line-reader.ts'
import { createLineReader as createWebLineReader } from '../src/web-line-reader.ts'
import { concatBytes } from './decode-helpers.ts'
import { createRandom } from './generators.ts'
import { referenceDecode } from './reference-decoder.ts'

type CreateLineReader = typeof createWebLineReader

/** A tenth of the corpus fuzz's inputs (FUZZ_INPUTS) for each test. */
const INPUTS = Number(process.env.FUZZ_INPUTS ?? 1_000_000) / 10
const SEED = Number(process.env.FUZZ_SEED ?? 20261203) + 13
const utf8 = new TextEncoder()

/** Pieces of text: fields, values, every line ending, characters of every UTF-8 width. */
const TEXT = [
  'data:',
  'data: ',
  'data',
  'event: ',
  'id: ',
  'id:',
  'retry: ',
  ': ',
  ':',
  'x',
  'hello',
  ' ',
  '42',
  '\n',
  '\n',
  '\n',
  '\r',
  '\r\n',
  '\n\n',
  '\uFEFF',
  'é',
  '中',
  '😀',
  '\0',
]
/** Bytes that are not valid UTF-8 on their own: cut characters and never-valid bytes. */
const INVALID = [[0x80], [0xc3], [0xe4, 0xb8], [0xf0, 0x9f, 0x98], [0xff]].map((bytes) =>
  Uint8Array.from(bytes),
)

interface Input {
  chunks: (string | Uint8Array)[]
  maxLineLength: number
  maxEventSize: number
  /** Chunk indexes after which the stream ends and a new one starts on the same reader. */
  ends: Set<number>
}

/**
 * A stream as text, cut into chunks each fed either as its text or as its UTF-8 bytes. Text
 * chunks are cut by code unit (so a surrogate pair may be split between two of them, or be cut
 * in two by a byte chunk, whose lone surrogates encode as U+FFFD); byte chunks by byte, inside
 * characters too.
 */
function generate(random: () => number, mixed: boolean): Input {
  let text = ''
  if (random() < 0.05) text += '\uFEFF'
  const count = 1 + Math.floor(random() * 40)
  for (let i = 0; i < count; i++) {
    const kind = random()
    if (kind < 0.001) {
      // Now and then a line past the Node reader's 32 KiB and 64 KiB switches.
      text += pickRun(random).repeat(30_000 + Math.floor(random() * 40_000))
    } else if (kind < 0.03) {
      // A run long enough to cross the small limits below.
      text += pickRun(random).repeat(20 + Math.floor(random() * 600))
    } else {
      text += TEXT[Math.floor(random() * TEXT.length)] as string
    }
  }
  const limits =
    random() < 0.4
      ? {
          maxLineLength: 4 + Math.floor(random() * 80),
          maxEventSize: 4 + Math.floor(random() * 120),
        }
      : random() < 0.5
        ? { maxLineLength: 1 << 24, maxEventSize: 1 << 24 }
        : { maxLineLength: 20_000 + Math.floor(random() * 60_000), maxEventSize: 1 << 24 }
  const pick = random()
  // Chunk sizes on both sides of the Node reader's 64-byte and 64 KiB switches; a long stream
  // in tiny chunks adds nothing but time.
  let maxChunk = pick < 0.3 ? 4 : pick < 0.6 ? 70 : pick < 0.9 ? 700 : 80_000
  if (text.length > 10_000) maxChunk = Math.max(maxChunk, 700)
  const chunks: (string | Uint8Array)[] = []
  const ends = new Set<number>()
  /** True when the last byte chunk may end inside a character: the next chunk is text. */
  let cutOff = false
  for (let at = 0; at < text.length; ) {
    let size = 1 + Math.floor(random() * maxChunk)
    // Never inside a surrogate pair: see the second allowed difference above.
    if (isHighSurrogate(text.charCodeAt(at + size - 1))) size++
    const piece = text.slice(at, at + size)
    at += size
    if (cutOff || (mixed && random() < 0.5)) {
      chunks.push(piece)
      cutOff = false
    } else {
      // Bytes, cut in two anywhere, inside characters too; in mixed streams the second part is
      // now and then dropped, so a text chunk finds a cut character (U+FFFD). Bytes-only streams
      // get invalid sequences instead.
      let bytes = utf8.encode(piece)
      if (!mixed && random() < 0.1) {
        bytes = concatBytes([bytes, INVALID[Math.floor(random() * INVALID.length)] as Uint8Array])
      }
      const cut = Math.floor(random() * (bytes.length + 1))
      if (cut > 0) chunks.push(bytes.subarray(0, cut))
      if (mixed && cut > 0 && random() < 0.1) cutOff = true
      else if (cut < bytes.length) chunks.push(bytes.subarray(cut))
    }
    if (random() < 0.01) ends.add(chunks.length - 1)
  }
  return { chunks, ends, ...limits }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff
}

/** A character to repeat: ASCII, 2 bytes or 4 bytes (a surrogate pair in text). */
function pickRun(random: () => number): string {
  const pick = random()
  return pick < 0.5 ? 'a' : pick < 0.75 ? 'é' : '😀'
}

/** Everything a reader reports for `input`, in order, with the chunk each report came from. */
function run(createLineReader: CreateLineReader, input: Input): unknown[] {
  const log: unknown[] = []
  let chunk = -1
  const interpreter = createInterpreter(
    {
      onEvent: (event) => log.push(['event', chunk, event]),
      onComment: (comment) => log.push(['comment', chunk, comment]),
      onRetry: (retry) => log.push(['retry', chunk, retry]),
      onId: (id) => log.push(['id', chunk, id]),
    },
    input.maxEventSize,
    '',
  )
  const reader: LineReader = createLineReader(
    interpreter.line,
    interpreter.dispatch,
    (code, offset) => {
      interpreter.endStream()
      log.push(['error', chunk, code, offset])
    },
    input.maxLineLength,
  )
  for (chunk = 0; chunk < input.chunks.length; chunk++) {
    const piece = input.chunks[chunk] as string | Uint8Array
    if (typeof piece === 'string') reader.feedText(piece)
    else reader.feedBytes(piece)
    if (input.ends.has(chunk)) {
      reader.endStream()
      interpreter.endStream()
      log.push(['end', chunk])
    }
  }
  return log
}

/** Checks that both readers report alike; returns how many limit errors they reported. */
function expectSame(input: Input, n: number): number {
  const web = run(createWebLineReader, input)
  const node = run(createNodeLineReader, input)
  if (JSON.stringify(web) !== JSON.stringify(node)) {
    expect
      .soft({
        seed: SEED,
        input: n,
        limits: [input.maxLineLength, input.maxEventSize],
        chunks: input.chunks.map((c) => (typeof c === 'string' ? c.length : `${c.length}B`)),
      })
      .toBeUndefined()
    expect(web).toStrictEqual(node)
  }
  return web.filter((entry) => (entry as unknown[])[0] === 'error').length
}

test(`${INPUTS.toLocaleString('en')} streams of byte and text chunks read alike by both line readers`, () => {
  const random = createRandom(SEED)
  for (let n = 0; n < INPUTS; n++) expectSame(generate(random, true), n)
}, 600_000)

test(`${INPUTS.toLocaleString('en')} streams of byte chunks (invalid UTF-8 too) read alike by both line readers and the reference`, () => {
  const random = createRandom(SEED + 1)
  let errors = 0
  for (let n = 0; n < INPUTS; n++) {
    const input = generate(random, false)
    input.ends.clear()
    expectSame(input, n)
    // Bytes alone: both also agree with the reference decoder on the first limit error.
    const bytes = concatBytes(input.chunks as Uint8Array[])
    const expected = referenceDecode(bytes, input)
    const web = run(createWebLineReader, input)
    const error = web.find((entry) => (entry as unknown[])[0] === 'error') as unknown[] | undefined
    expect(error ? { code: error[2], offset: error[3] } : null).toStrictEqual(expected.error)
    if (expected.error) errors++
  }
  // The generator must reach the limit paths, or the agreement means little.
  expect(errors).toBeGreaterThan(INPUTS / 50)
}, 600_000)

test('the readers may count invalid bytes of an unfinished line differently once a text chunk follows', () => {
  // 69 bytes (not a tiny chunk) with one invalid byte inside, then text. The Node reader decoded
  // the 69 bytes at once and counts the invalid byte as the 1 byte read; the web reader keeps
  // them as bytes and counts the U+FFFD (3 bytes) when the text chunk decodes them. With a
  // 75-byte limit, the line of 69 + 5 units is 74 bytes for one, 76 for the other, whose fifth
  // `b` (unit 73) passes the limit.
  const a = 'a'.repeat(32)
  const input: Input = {
    chunks: [
      concatBytes([utf8.encode(`data: ${a.slice(2)}`), Uint8Array.of(0xff), utf8.encode(a)]),
      'bbbbb\n\n',
    ],
    maxLineLength: 75,
    maxEventSize: 1 << 24,
    ends: new Set(),
  }
  expect(run(createNodeLineReader, input)).toStrictEqual([
    ['event', 1, { data: `${a.slice(2)}\uFFFD${a}bbbbb` }],
  ])
  expect(run(createWebLineReader, input)).toStrictEqual([['error', 1, 'LINE_TOO_LONG', 73]])
  // Fed as bytes alone, the same stream is 74 bytes for both.
  const bytes = { ...input, chunks: [input.chunks[0] as Uint8Array, utf8.encode('bbbbb\n\n')] }
  expect(run(createWebLineReader, bytes)).toStrictEqual(run(createNodeLineReader, bytes))
})

test('a lone surrogate of a text chunk stays in both readers on a long line that goes on in bytes', () => {
  const input: Input = {
    chunks: [`data: ${'a'.repeat(30_000)}\ud800`, utf8.encode('b'.repeat(5000)), '\n\n'],
    maxLineLength: 1 << 24,
    maxEventSize: 1 << 24,
    ends: new Set(),
  }
  const data = (log: unknown[]) =>
    ((log[0] as unknown[])[2] as { data: string }).data.slice(30_000, 30_002)
  expect(data(run(createWebLineReader, input))).toBe('\ud800b')
  // The byte chunk takes the line past 32 KiB, where the Node reader keeps a line as bytes; text
  // with a lone surrogate has no UTF-8 form, so it stays text (it came back as U+FFFD before).
  expect(data(run(createNodeLineReader, input))).toBe('\ud800b')
})
