/**
 * The WHATWG "Parsing an event stream" rules: a stream of UTF-8 bytes (or of text) cut anywhere
 * becomes lines ended by CRLF, LF or CR, each handed on without its line ending.
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
 *
 * What every line reader does, whatever the runtime:
 * - "One leading U+FEFF BYTE ORDER MARK character must be ignored if any are present": the
 *   first character of the stream, once, and again after `endStream`;
 * - a CR ending one chunk and an LF opening the next are one CRLF;
 * - `maxLineLength` counts a line's bytes, its line ending not counted: the bytes as read for
 *   byte chunks, the UTF-8 size of text chunks (a lone surrogate 3 bytes, as `TextEncoder`
 *   writes it), the same under every chunking. A longer line is never buffered past the limit;
 *   it fails with `LINE_TOO_LONG` at the stream offset of the first byte past the limit (for
 *   text, of the first character whose bytes end past it), after the lines before it were read;
 * - a line whose data breaks `maxEventSize` fails with `EVENT_TOO_LARGE` at the stream offset
 *   of its line ending;
 * - bytes decode exactly as `TextDecoder` decodes them (invalid sequences become U+FFFD), in
 *   linear time however the chunks cut lines and characters.
 *
 * Two readers implement this, and package.json's `#platform` picks one: `node-line-reader.ts`
 * under the `node` condition, tuned with Node's native routines, and `web-line-reader.ts`
 * elsewhere, written for size since browsers download it. Both run the same property, fuzz and
 * limit suites (web-platform.test.ts).
 */

/**
 * Where each line `text[start, end)` goes; `ascii` is true when the text is known to be ASCII.
 * It returns false when the line broke the event size limit. A plain function, not a method, so
 * the hottest call of the decoder has no object to load (BENCHMARKS.md, Decoder).
 */
export type LineHandler = (text: string, start: number, end: number, ascii: boolean) => boolean

/** How a broken limit is reported: the code and the stream offset of the first unit past it. */
export type LimitFailure = (code: 'LINE_TOO_LONG' | 'EVENT_TOO_LARGE', offset: number) => void

/** Cuts one event stream into lines. */
export interface LineReader {
  /** Reads the next chunk of UTF-8 bytes. */
  feedBytes(chunk: Uint8Array): void
  /** Reads the next chunk of already decoded text. */
  feedText(chunk: string): void
  /** Drops the unfinished line and starts over, as at the end of a stream. */
  endStream(): void
}

export { createLineReader } from '#platform'
