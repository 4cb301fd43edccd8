import { indexOfByte, lastIndexOfByte } from './native-bytes.ts'

/**
 * Searches bytes for a line ending. CR (0x0D) and LF (0x0A) are never part of a multi-byte
 * UTF-8 sequence, and no other byte decodes to either, so a line ends exactly where one of these
 * bytes is, whatever the text around it.
 */

const LF = 10
const CR = 13
/**
 * How far a plain loop looks before a native search takes over: most lines are shorter, and a
 * native call costs more than a loop over a few dozen bytes.
 */
const LOOP_REACH = 64

/**
 * The index of the last CR or LF in `bytes[from, to)`, or -1.
 *
 * @param bytes - the bytes
 * @param from - the first index searched
 * @param to - one past the last index searched
 * @returns the index, or -1 when there is none
 */
export function lastLineEnd(bytes: Uint8Array, from: number, to: number): number {
  const stop = lastIndexOfByte !== undefined && to - from > LOOP_REACH ? to - LOOP_REACH : from
  for (let i = to - 1; i >= stop; i--) {
    const byte = bytes[i]
    if (byte === LF || byte === CR) return i
  }
  if (stop === from || lastIndexOfByte === undefined) return -1
  const lf = lastIndexOfByte.call(bytes, LF, stop - 1)
  const cr = lastIndexOfByte.call(bytes, CR, stop - 1)
  const last = Math.max(lf, cr)
  return last >= from ? last : -1
}

/**
 * The index of the first CR or LF in `bytes[from, to)`, or -1.
 *
 * @param bytes - the bytes
 * @param from - the first index searched
 * @param to - one past the last index searched
 * @returns the index, or -1 when there is none
 */
export function firstLineEnd(bytes: Uint8Array, from: number, to: number): number {
  const stop = indexOfByte !== undefined && to - from > LOOP_REACH ? from + LOOP_REACH : to
  for (let i = from; i < stop; i++) {
    const byte = bytes[i]
    if (byte === LF || byte === CR) return i
  }
  if (stop === to || indexOfByte === undefined) return -1
  const lf = indexOfByte.call(bytes, LF, stop)
  const cr = indexOfByte.call(bytes, CR, stop)
  const first = lf === -1 || (cr !== -1 && cr < lf) ? cr : lf
  return first !== -1 && first < to ? first : -1
}
