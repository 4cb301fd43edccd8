import type { Utf8Decoder } from './utf8.ts'

/**
 * Creates the {@link Utf8Decoder} of browsers, Deno and workers: one `TextDecoder`, never in
 * `stream` mode (each call decodes whole characters only), which is the fastest route there.
 *
 * @returns the decoder
 */
export function createUtf8Decoder(): Utf8Decoder {
  // `ignoreBOM`: a BOM is text here; stripping the stream's one leading BOM is the caller's job.
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true })
  return { decode: (bytes) => decoder.decode(bytes), wasAscii: () => false }
}
