import { latin1Slice } from './native-bytes.ts'
import { completeLength, type Utf8Decoder } from './utf8.ts'

/**
 * Lines of at least this many bytes of ASCII become strings through Node's `latin1Slice`, which
 * keeps strings of over about 1 MB (its `EXTERN_APEX`) outside V8's heap.
 */
const EXTERNAL_STRING = 1024 * 1024

/**
 * Whether `bytes` is all ASCII. It ORs four bytes at a time where the view is aligned: a quarter
 * of the loop's steps, and far cheaper than the decoding it lets us skip (BENCHMARKS.md, Decoder).
 */
function isAscii(bytes: Uint8Array): boolean {
  const length = bytes.length
  let bits = 0
  let i = 0
  const head = Math.min(length, (4 - (bytes.byteOffset & 3)) & 3)
  for (; i < head; i++) bits |= bytes[i] as number
  const words = (length - i) >> 2
  if (words > 0) {
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset + i, words)
    for (let k = 0; k < words; k++) bits |= view[k] as number
    i += words * 4
  }
  for (; i < length; i++) bits |= bytes[i] as number
  return (bits & 0x80808080) === 0
}

/**
 * Creates the Node (and Bun) {@link Utf8Decoder}: it picks the fastest native route for the
 * text it sees:
 * - Node 20's `TextDecoder` fast path for ASCII, but only on a decoder never given
 *   `stream: true` (v20.20 turns the fast path off for good after one: `kUTF8FastPath &&= !stream`);
 * - ICU, faster on multi-byte text (BENCHMARKS.md, Decoder: multi-byte), through a second
 *   decoder that is given `stream: true` only for bytes that end on a whole character, after
 *   which it holds no state;
 * - `latin1Slice` for megabyte runs of ASCII where the runtime has a native one.
 *
 * @returns the decoder
 */
export function createUtf8Decoder(): Utf8Decoder {
  // `ignoreBOM`: a BOM is text here; stripping the stream's one leading BOM is the caller's job.
  const fastDecoder = new TextDecoder('utf-8', { ignoreBOM: true })
  let icuDecoder: TextDecoder | undefined
  /** True while the last decoded bytes held non-ASCII text, so ICU should decode the next ones. */
  let preferIcu = false
  const stream = { stream: true }
  let ascii = false

  function decode(bytes: Uint8Array): string {
    const length = bytes.length
    ascii = length >= EXTERNAL_STRING && latin1Slice !== undefined && isAscii(bytes)
    if (ascii && latin1Slice !== undefined) {
      preferIcu = false
      return latin1Slice.call(bytes, 0, length)
    }
    // Bytes ending on a whole character leave the streaming ICU decoder with no state.
    if (preferIcu && completeLength(bytes, length) === length) {
      icuDecoder ??= new TextDecoder('utf-8', { ignoreBOM: true })
      const text = icuDecoder.decode(bytes, stream)
      // As many code units as bytes: ASCII again (or invalid bytes, each one U+FFFD).
      if (text.length === length) preferIcu = false
      return text
    }
    const text = fastDecoder.decode(bytes)
    preferIcu = text.length !== length
    return text
  }

  return { decode, wasAscii: () => ascii }
}
