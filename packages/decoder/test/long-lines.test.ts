import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { collect } from './decode-helpers.ts'

// Long lines take their own paths in the decoder: past 32 KiB a line is kept as bytes and decoded
// once; small chunks of it are searched for a line end byte by byte; and on Node a line of 1 MiB
// or more of pure ASCII becomes a string through Buffer's latin1Slice. These tests hold every one
// of those paths to the text a plain TextDecoder gives for the same bytes.

const utf8 = new TextEncoder()
const MiB = 1024 * 1024

/** The bytes `data: <value>` + `ending` + blank line, cut into `size`-byte chunks from `offset`. */
function stream(value: Uint8Array, ending: string, size: number): Uint8Array[] {
  const prefix = utf8.encode('data: ')
  const suffix = utf8.encode(`${ending}${ending}`)
  const bytes = new Uint8Array(prefix.length + value.length + suffix.length)
  bytes.set(prefix)
  bytes.set(value, prefix.length)
  bytes.set(suffix, prefix.length + value.length)
  const chunks: Uint8Array[] = []
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size))
  return chunks
}

/** `length` bytes of `fill`, with `patches` written at their offsets. */
function line(length: number, fill: number, patches: [number, number[]][] = []): Uint8Array {
  const bytes = new Uint8Array(length).fill(fill)
  for (const [at, patch] of patches) bytes.set(patch, at)
  return bytes
}

const expected = (value: Uint8Array): string => new TextDecoder().decode(value)

describe('lines of a megabyte and more', () => {
  const cases: [string, Uint8Array][] = [
    ['pure ASCII', line(MiB + 3, 0x61)],
    ['ASCII but for a character at its end', line(MiB + 9, 0x62, [[MiB + 5, [0xe4, 0xb8, 0xad]]])],
    ['ASCII but for a character at its start', line(MiB, 0x63, [[0, [0xc3, 0xa9]]])],
    ['ASCII but for one invalid byte in the middle', line(2 * MiB, 0x64, [[MiB, [0xff]]])],
    [
      'ASCII but for a 4-byte character',
      line(MiB + 1, 0x65, [[700_001, [0xf0, 0x9f, 0x98, 0x80]]]),
    ],
  ]
  for (const [name, value] of cases) {
    for (const size of [64, 300, 16 * 1024, 100_003]) {
      for (const ending of ['\n', '\r\n', '\r']) {
        test(`${name}, ${size}-byte chunks, ${JSON.stringify(ending)} line ends`, () => {
          const result = collect(stream(value, ending, size))
          expect(result.errors).toStrictEqual([])
          expect(result.events).toHaveLength(1)
          // Compared without toStrictEqual's diff of megabyte strings.
          expect(result.events[0]?.data === expected(value)).toBe(true)
        })
      }
    }
  }

  test('a long ASCII line from a view at an odd offset into a larger buffer', () => {
    // The ASCII check reads four bytes at a time where the view is aligned, and a head and a
    // tail byte by byte: both, and the string, must cover the view exactly, not its buffer.
    const backing = new Uint8Array(MiB + 64).fill(0x7a)
    const chunks = [
      utf8.encode('data: '),
      backing.subarray(3, MiB + 3 + 5),
      utf8.encode('\n'),
      // A high byte right past the view's end must not count.
      utf8.encode('\n'),
    ]
    backing[MiB + 3 + 5] = 0xff
    const result = collect(chunks)
    expect(result.events).toHaveLength(1)
    expect(result.events[0]?.data === 'z'.repeat(MiB + 5)).toBe(true)
  })

  test('events around a long line keep their own data and id', () => {
    const value = line(MiB + 17, 0x78)
    const head = utf8.encode('data: before\n\nid: 1\ndata: ')
    const tail = utf8.encode('\n\ndata: after\n\n')
    const bytes = new Uint8Array(head.length + value.length + tail.length)
    bytes.set(head)
    bytes.set(value, head.length)
    bytes.set(tail, head.length + value.length)
    for (const size of [4096, 65_536]) {
      const chunks: Uint8Array[] = []
      for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size))
      const result = collect(chunks)
      expect(result.events.map((event) => event.data.length)).toStrictEqual([6, MiB + 17, 5])
      expect(result.events[1]?.id).toBe('1')
      expect(result.events[2]?.data).toBe('after')
    }
  })
})

describe('long lines in small chunks (byte search for the line end)', () => {
  test('any 40–80 KiB line of mixed text, cut anywhere, decodes as TextDecoder decodes it', () => {
    const piece = fc.constantFrom('a', 'é', '中', '😀', ' ', '{"k":1}', '\u0000')
    fc.assert(
      fc.property(
        fc.array(piece, { minLength: 8_000, maxLength: 16_000 }),
        fc.integer({ min: 1, max: 255 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        (pieces, size, ending) => {
          const value = utf8.encode(pieces.join(''))
          const result = collect(stream(value, ending, size))
          return result.events.length === 1 && result.events[0]?.data === expected(value)
        },
      ),
      { numRuns: 25 },
    )
  })
})

describe('byte chunks and text chunks mixed', () => {
  test('a character cut off by a text chunk decodes to U+FFFD, and the next bytes decode clean', () => {
    const result = collect([
      // Non-ASCII first, so the decoder prefers ICU for what follows.
      utf8.encode('data: é中😀\n\n'),
      // A line that ends mid-character when the text chunk comes.
      concat(utf8.encode('data: a'), new Uint8Array([0xc3])),
      '\n\n',
      utf8.encode('data: ok\n\n'),
    ])
    expect(result.events.map((event) => event.data)).toStrictEqual(['é中😀', 'a\uFFFD', 'ok'])
  })

  test('a lone surrogate from a text chunk survives its line turning long through byte chunks', () => {
    // Text may hold what UTF-8 cannot (a lone surrogate): a long line is kept as bytes from
    // 32 KiB on, which must not re-encode such text (it would come back as U+FFFD).
    for (const lone of ['\uD800', '\uDFFF']) {
      // 30 KiB of text, then a 4 KiB byte chunk that takes the line past 32 KiB.
      const head = `x${lone}${'a'.repeat(30 * 1024)}`
      const tail = 'b'.repeat(4 * 1024)
      const result = collect([`data: ${head}`, utf8.encode(tail), utf8.encode(`${tail}\n\n`)])
      expect(result.events.map((event) => event.data)).toStrictEqual([`${head}${tail}${tail}`])
    }
  })
})

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}
