/** What the line reader needs of UTF-8: a decoder, and where a cut character starts. */

/**
 * Decodes bytes exactly as the WHATWG "UTF-8 decode without BOM" does (invalid sequences become
 * U+FFFD; a BOM is kept), each call on its own: nothing carries over from one call to the next.
 * Which native decoder does the work changes only the speed.
 */
export interface Utf8Decoder {
  decode: (bytes: Uint8Array) => string
  /** True when the last decoded text is known to be ASCII (it was checked to be, for speed). */
  wasAscii: () => boolean
}

/**
 * Where the character cut by the end of `bytes[0, length)` starts, or `length` when the bytes
 * end with a whole character (or with invalid bytes, which decode alike either way). Cutting
 * right before a byte that is not a continuation byte (10xxxxxx) never changes what a UTF-8
 * decoder outputs, so the two parts can be decoded separately; and a streaming decoder given
 * bytes up to that point holds no state afterwards.
 */
export function completeLength(bytes: Uint8Array, length: number): number {
  const stop = length > 3 ? length - 3 : 0
  for (let i = length - 1; i >= stop; i--) {
    const byte = bytes[i] as number
    if (byte < 0x80) return length
    if (byte >= 0xc0) {
      // A lead byte: 110xxxxx starts 2 bytes, 1110xxxx 3, 11110xxx 4.
      const size = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2
      return length - i < size ? i : length
    }
  }
  return length
}
