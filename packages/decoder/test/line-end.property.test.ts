/**
 * The line-end search switches from a loop to Node's native `memchr`/`memrchr` past 64 bytes;
 * both must find what a plain loop finds, at every distance from the ends.
 */
import { fc, test } from '@fast-check/vitest'
import { expect } from 'vitest'
import { firstLineEnd, lastLineEnd } from '../src/line-end.ts'

/** Bytes with a few CR and LF at random places, in views at random offsets of a larger buffer. */
const searched = fc
  .tuple(
    fc.integer({ min: 0, max: 400 }),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom(10, 13)), { maxLength: 4 }),
    fc.nat({ max: 8 }),
    fc.nat(),
    fc.nat(),
  )
  .map(([length, ends, offset, a, b]) => {
    const buffer = new Uint8Array(length + offset + 8).fill(0x61)
    // Line ends outside the view, right next to it, must never be found.
    buffer[Math.max(0, offset - 1)] = 10
    buffer[offset + length] = 13
    const bytes = buffer.subarray(offset, offset + length)
    for (const [at, byte] of ends) if (length > 0) bytes[at % length] = byte
    const from = length === 0 ? 0 : a % (length + 1)
    const to = from + (length === 0 ? 0 : b % (length - from + 1))
    return { bytes, from, to }
  })

const isLineEnd = (byte: number | undefined): boolean => byte === 10 || byte === 13

test.prop([searched], { numRuns: 5000 })(
  'lastLineEnd finds what a backward loop finds',
  ({ bytes, from, to }) => {
    let expected = -1
    for (let i = to - 1; i >= from; i--) {
      if (isLineEnd(bytes[i])) {
        expected = i
        break
      }
    }
    expect(lastLineEnd(bytes, from, to)).toBe(expected)
  },
)

test.prop([searched], { numRuns: 5000 })(
  'firstLineEnd finds what a forward loop finds',
  ({ bytes, from, to }) => {
    let expected = -1
    for (let i = from; i < to; i++) {
      if (isLineEnd(bytes[i])) {
        expected = i
        break
      }
    }
    expect(firstLineEnd(bytes, from, to)).toBe(expected)
  },
)
