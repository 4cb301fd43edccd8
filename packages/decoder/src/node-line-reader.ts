import { firstLineEnd, lastLineEnd } from './line-end.ts'
import type { LimitFailure, LineHandler, LineReader } from './line-reader.ts'
import { createUtf8Decoder } from './node-utf8-decoder.ts'
import { completeLength } from './utf8.ts'
import { utf8Length } from './utf8-length.ts'

/**
 * The line reader under the `node` export condition (Node, Bun, Deno), tuned for speed there:
 * the WHATWG "Parsing an event stream" rules of `line-reader.ts`, with Node's native byte
 * searches and string routines. `web-line-reader.ts` is the same reader, simply written.
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
 *
 * How bytes become text. Two facts make it safe to decode a chunk on its own, without a
 * streaming decoder: cutting the bytes right before a byte that is not a UTF-8 continuation byte
 * (10xxxxxx) never changes what a decoder outputs, and a CR or LF byte is never part of a
 * multi-byte character. So:
 * - a chunk of ordinary size is decoded at once up to its last whole character, whose cut bytes
 *   (at most 3) wait for the next chunk; its unfinished last line is kept as text;
 * - a tiny chunk, or any chunk of a line that has grown long, is searched for a line ending
 *   byte by byte and, without one, only copied into one doubling buffer: a stream of tiny chunks
 *   costs one decode per line, and a long line is decoded once, so both stay linear.
 * The unfinished line is always `lineText` (decoded, ending on a whole character) followed by
 * the bytes `pending[0, pendingLength)`; a line turning long moves its text back into bytes, so
 * it becomes one string once. Line lengths are counted in bytes as read, throughout.
 */

const LF = 10
const CR = 13
const BOM = 0xfeff
/** The size a line buffer starts at; it doubles as a long line grows. */
const INITIAL_BUFFER_SIZE = 256
/**
 * Byte chunks shorter than this are searched for a line ending and, without one, only copied:
 * decoding a handful of bytes costs more than the search (BENCHMARKS.md, Decoder: tiny-chunks).
 */
const SMALL_CHUNK = 64
/**
 * An unfinished line this long (in bytes) takes its further chunks as bytes until it ends, so it
 * becomes one string once: V8 allocates large strings slowly (see BENCHMARKS.md, Decoder).
 */
const LONG_LINE = 32 * 1024
/** A surrogate that is not half of a pair: text with one has no UTF-8 form. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
/** Chunks up to this size are copied behind the unfinished line and decoded with it at once. */
const COPY_CHUNK = 64 * 1024

/** Whether `code` is a UTF-16 high (leading) surrogate. */
const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff
/** Whether `code` is a UTF-16 low (trailing) surrogate. */
const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff

/**
 * The index of the first character of `text` whose UTF-8 bytes end past `limit` bytes (a
 * surrogate pair is one character of 4 bytes).
 */
function unitPastLimit(text: string, limit: number): number {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const pair = isHighSurrogate(text.charCodeAt(i)) && isLowSurrogate(text.charCodeAt(i + 1))
    bytes += utf8Length(text, i, pair ? i + 2 : i + 1)
    if (bytes > limit) return i
    if (pair) i++
  }
  return text.length
}

/**
 * Creates the line reader of one stream.
 *
 * @param onLine - where lines that are not blank go
 * @param onBlankLine - called for each blank line (which dispatches an event)
 * @param fail - called once when a limit breaks; the reader then ignores input until `endStream`
 * @param maxLineLength - the most bytes a line may hold, its line ending not counted
 * @returns the reader
 */
export function createLineReader(
  onLine: LineHandler,
  onBlankLine: () => void,
  fail: LimitFailure,
  maxLineLength: number,
): LineReader {
  // Plain functions, called directly: see LineHandler.
  const { decode: decodeUtf8, wasAscii } = createUtf8Decoder()

  // Stream state.
  /** True once the first character of this stream was seen, so only one leading BOM is stripped. */
  let started = false
  /** True when the text so far ended in CR: an LF opening the next text completes that CRLF. */
  let afterCR = false
  /** True after a broken limit: input is ignored until `endStream()`. */
  let failed = false
  /** Input units (bytes, or code units of text) read before the current chunk. */
  let consumed = 0

  // The unfinished last line: `lineText`, then the bytes `pending[0, pendingLength)`.
  /** The decoded start of the unfinished line; it ends on a whole character. */
  let lineText = ''
  /**
   * The unfinished line's bytes after `lineText`: a cut character, tiny chunks, a long line
   * (which may start with its early text encoded again, see `moveTextToBytes`).
   */
  let pending = new Uint8Array(INITIAL_BUFFER_SIZE)
  let pendingLength = 0
  /**
   * The unfinished line's size in bytes: as read, for bytes; its UTF-8 size, for text. -1 while
   * not counted, which only text chunks allow (they count once the line could pass the limit).
   */
  let lineBytes = 0
  /** The stream offset where the unfinished line starts. */
  let lineStart = 0

  // The bytes the text being scanned was decoded from, for exact error offsets.
  /** The bytes of the region being scanned, or undefined for text chunks. */
  let regionBytes: Uint8Array | undefined
  let regionFrom = 0

  function breakLimit(code: 'LINE_TOO_LONG' | 'EVENT_TOO_LARGE', offset: number): void {
    failed = true
    pendingLength = 0
    lineText = ''
    lineBytes = 0
    fail(code, offset)
  }

  /** The size in bytes of the unfinished line. */
  function unfinishedBytes(): number {
    // Only a line from text chunks is left uncounted, and it has no pending bytes.
    if (lineBytes === -1) lineBytes = utf8Length(lineText, 0, lineText.length)
    return lineBytes
  }

  /**
   * The stream offset of `text[index]`, a line ending, for the error of the line it ends. For
   * bytes, the n-th CR or LF of the text is the n-th CR or LF byte of its region (no other byte
   * decodes to either), so counting them maps the index to its byte exactly.
   */
  function offsetOf(text: string, index: number, textOffset: number): number {
    const bytes = regionBytes
    if (bytes === undefined) return textOffset + index
    let lineEnds = 0
    for (let i = 0; i < index; i++) {
      const code = text.charCodeAt(i)
      if (code === LF || code === CR) lineEnds++
    }
    let at = regionFrom
    for (;;) {
      const byte = bytes[at]
      if (byte === LF || byte === CR) {
        if (lineEnds === 0) break
        lineEnds--
      }
      at++
    }
    return textOffset + (at - regionFrom)
  }

  /**
   * For text chunks: whether the line made of `lineText` and `text[start, end)` is too long.
   * Bytes are counted only when the code units alone could pass the limit (a code unit is at
   * most 3 bytes).
   */
  function textTooLong(text: string, start: number, end: number): boolean {
    const units = lineText.length + (end - start)
    if (units > maxLineLength) return true
    if (units * 3 <= maxLineLength) return false
    return textBytes(text, start, end) > maxLineLength
  }

  /** The UTF-8 size of `lineText` + `text[start, end)`. */
  function textBytes(text: string, start: number, end: number): number {
    let bytes = unfinishedBytes() + utf8Length(text, start, end)
    // A surrogate pair cut between two chunks was counted as two lone surrogates (3 + 3 bytes).
    if (
      start < end &&
      lineText.length > 0 &&
      isHighSurrogate(lineText.charCodeAt(lineText.length - 1)) &&
      isLowSurrogate(text.charCodeAt(start))
    ) {
      bytes -= 2
    }
    return bytes
  }

  /** Fails the stream for the too-long text line `lineText` + `text[start, end)`. */
  function failTextLine(text: string, start: number, end: number, textOffset: number): void {
    const line = lineText + text.slice(start, end)
    const offset = lineText.length > 0 ? lineStart : textOffset + start
    breakLimit('LINE_TOO_LONG', offset + unitPastLimit(line, maxLineLength))
  }

  /**
   * Splits `text` into lines and hands them on; `lineText` is the start of its first line, and
   * what follows its last line ending is appended to `lineText`. Each character is looked at by
   * at most one indexOf per kind of line ending, and an unfinished line is only ever appended to
   * (V8 makes that a rope, flattened once when the line ends), so this stays linear.
   *
   * @param text - the text, starting on a whole character
   * @param textOffset - the stream offset of `text[0]`
   * @param checked - true for text decoded from bytes, whose line lengths the caller checked
   * @param ascii - true when the text is known to be ASCII
   * @returns the index where the text's unfinished last line starts (`text.length` if none)
   */
  function scan(text: string, textOffset: number, checked: boolean, ascii: boolean): number {
    const length = text.length
    if (length === 0) return 0
    let start = 0
    if (!started) {
      started = true
      // "One leading U+FEFF BYTE ORDER MARK character must be ignored if any are present."
      if (text.charCodeAt(0) === BOM) start = 1
    }
    if (afterCR) {
      afterCR = false
      // The LF of a CRLF whose CR ended the previous text.
      if (start < length && text.charCodeAt(start) === LF) start++
    }
    let lf = text.indexOf('\n', start)
    // When the text holds no CR this one search says so, and it is never repeated.
    let cr = text.indexOf('\r', start)
    while (lf !== -1 || cr !== -1) {
      let end: number
      let next: number
      // "Lines must be separated by either a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF)
      // character pair, a single U+000A LINE FEED (LF) character, or a single U+000D CARRIAGE
      // RETURN (CR) character."
      if (cr === -1 || (lf !== -1 && lf < cr)) {
        end = lf
        next = lf + 1
        lf = text.indexOf('\n', next)
      } else {
        end = cr
        next = cr + 1
        if (next < length) {
          if (text.charCodeAt(next) === LF) {
            next++
            lf = text.indexOf('\n', next)
          }
        } else {
          // A CR ends the text: the line is complete, but an LF may open the next text.
          afterCR = true
        }
        cr = text.indexOf('\r', next)
      }
      if (!checked && (lineText.length !== 0 || start < end) && textTooLong(text, start, end)) {
        failTextLine(text, start, end, textOffset)
        return length
      }
      let ok = true
      if (lineText.length !== 0) {
        const line = lineText + text.slice(start, end)
        lineText = ''
        lineBytes = 0
        ok = onLine(line, 0, line.length, false)
      } else if (start === end) {
        // Blank lines are every other line of most streams: one call less for each.
        onBlankLine()
      } else {
        ok = onLine(text, start, end, ascii)
      }
      if (!ok) {
        breakLimit('EVENT_TOO_LARGE', offsetOf(text, end, textOffset))
        return length
      }
      start = next
    }
    if (start < length) {
      if (!checked) {
        if (textTooLong(text, start, length)) {
          failTextLine(text, start, length, textOffset)
          return length
        }
        // A count already kept stays exact; a new line of text is counted only when needed.
        lineBytes = lineText.length === 0 || lineBytes === -1 ? -1 : textBytes(text, start, length)
      }
      if (lineText.length === 0) {
        lineStart = textOffset + start
        lineText = text.slice(start)
      } else {
        lineText += text.slice(start)
      }
    }
    return start
  }

  /** Decodes `bytes[from, to)`, whole lines each ending in CR or LF, and scans them. */
  function scanRegion(bytes: Uint8Array, from: number, to: number, offset: number): void {
    regionBytes = bytes
    regionFrom = from
    const text = decodeUtf8(bytes.subarray(from, to))
    scan(text, offset, true, wasAscii())
    regionBytes = undefined
  }

  /**
   * Reads `bytes[from, to)`, whole lines each ending in CR or LF; `bytes[from]` is at stream
   * offset `offset`, and the unfinished line is the start of the first line. A region longer
   * than the limit may hold a line that is too long: its lines are measured in bytes first
   * (after `checkFrom`: the caller checked the line before it), and the lines before a too-long
   * one are still read.
   */
  function readRegion(
    bytes: Uint8Array,
    from: number,
    to: number,
    offset: number,
    checkFrom: number,
  ): void {
    if (to - checkFrom > maxLineLength) {
      for (let start = checkFrom; start < to; ) {
        // The region ends with a line ending, so one is always found; `to` keeps a broken
        // invariant from looping forever.
        const found = firstLineEnd(bytes, start, to)
        const end = found === -1 ? to : found
        if (end - start > maxLineLength) {
          if (start > from) scanRegion(bytes, from, start, offset)
          if (!failed) breakLimit('LINE_TOO_LONG', offset + (start - from) + maxLineLength)
          return
        }
        start = end + 1
      }
    }
    scanRegion(bytes, from, to, offset)
  }

  /** Appends `chunk[from, to)` to the pending bytes, growing the buffer by doubling. */
  function appendPending(chunk: Uint8Array, from: number, to: number): void {
    const size = pendingLength + (to - from)
    if (size > pending.length) {
      const grown = new Uint8Array(Math.max(size, pending.length * 2))
      grown.set(pending.subarray(0, pendingLength))
      pending = grown
    }
    if (to - from < 16) {
      // A loop beats `set()`'s call overhead for the few bytes of a tiny chunk.
      for (let i = from; i < to; i++) pending[pendingLength++] = chunk[i] as number
    } else {
      pending.set(
        from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to),
        pendingLength,
      )
      pendingLength = size
    }
  }

  /** Keeps `chunk[from, to)`, more of the unfinished line, within the line limit. */
  function keepUnfinished(chunk: Uint8Array, from: number, to: number): void {
    const before = unfinishedBytes()
    if (before === 0) lineStart = consumed + from
    if (before + (to - from) > maxLineLength) {
      breakLimit('LINE_TOO_LONG', lineStart + maxLineLength)
      return
    }
    appendPending(chunk, from, to)
    lineBytes = before + (to - from)
  }

  /**
   * Moves a long line's text into the pending bytes, in front of the bytes waiting there, so the
   * whole line is decoded once when it ends. Well-formed text encodes back to the same text (a
   * U+FFFD as EF BF BD, which decodes to U+FFFD again); `lineBytes` keeps the size read.
   */
  function moveTextToBytes(): void {
    const head = new TextEncoder().encode(lineText)
    const waiting = pending.slice(0, pendingLength)
    lineText = ''
    pendingLength = 0
    appendPending(head, 0, head.length)
    appendPending(waiting, 0, waiting.length)
  }

  /**
   * A tiny chunk, a chunk of a long line, or one too large to skip the limit checks: searched
   * for line endings as bytes; without one it is only kept.
   */
  function readAsBytes(chunk: Uint8Array): void {
    const length = chunk.length
    const last = lastLineEnd(chunk, 0, length)
    if (last === -1) {
      keepUnfinished(chunk, 0, length)
      return
    }
    let from = 0
    const before = unfinishedBytes()
    if (before !== 0) {
      // The unfinished line ends in this chunk, at its first line ending, if it is not too long.
      if (
        before + last > maxLineLength &&
        before + firstLineEnd(chunk, 0, last + 1) > maxLineLength
      ) {
        breakLimit('LINE_TOO_LONG', lineStart + maxLineLength)
        return
      }
      // A small chunk is copied behind the waiting bytes whole, up to its last line ending, so
      // all is decoded in one call; from a larger one, only the rest of the unfinished line is,
      // and the chunk's other lines are decoded in place.
      const through = last < COPY_CHUNK ? last : firstLineEnd(chunk, 0, last + 1)
      // Offsets within the region are anchored at the chunk's start: the line endings are all
      // in the chunk's part, and the pending part may be text encoded again.
      const chunkAt = pendingLength
      appendPending(chunk, 0, through + 1)
      const regionLength = pendingLength
      pendingLength = 0
      lineBytes = 0
      // The first line was checked above; the others need a search only if the chunk's part of
      // the region could hold a line past the limit (rare: not a search per chunk).
      const checkFrom =
        regionLength - chunkAt > maxLineLength
          ? firstLineEnd(pending, chunkAt, regionLength) + 1
          : regionLength
      readRegion(pending, 0, regionLength, consumed - chunkAt, checkFrom)
      if (failed) return
      from = through + 1
    }
    if (from <= last) readRegion(chunk, from, last + 1, consumed + from, from)
    if (failed) return
    if (last + 1 < length) keepUnfinished(chunk, last + 1, length)
  }

  /**
   * A chunk of ordinary size while the unfinished line is short: decoded at once up to its last
   * whole character, no line of it can be too long (the caller checked the sizes), and its
   * unfinished line stays text.
   */
  function readAsText(chunk: Uint8Array): void {
    let bytes = chunk
    let length = chunk.length
    let offset = consumed
    if (pendingLength !== 0) {
      // The bytes of a cut character (or of tiny chunks) go first; their count moves from the
      // unfinished line's to this text's.
      offset = consumed - pendingLength
      lineBytes -= pendingLength
      appendPending(chunk, 0, length)
      bytes = pending
      length = pendingLength
      pendingLength = 0
    }
    const cut = completeLength(bytes, length)
    const text = decodeUtf8(bytes.subarray(0, cut))
    const hadText = lineText.length !== 0
    regionBytes = bytes
    regionFrom = 0
    const tail = scan(text, offset, true, wasAscii())
    regionBytes = undefined
    if (failed) return
    if (tail < text.length) {
      // The new unfinished text's size in bytes: its code units, when every character of the
      // text was one byte; else what follows the bytes' last line ending.
      const tailBytes =
        text.length === cut ? text.length - tail : cut - (lastLineEnd(bytes, 0, cut) + 1)
      if (hadText && tail === 0) lineBytes += tailBytes
      else {
        lineBytes = tailBytes
        lineStart = offset + cut - tailBytes
      }
    }
    // The at most 3 bytes of a character cut by the chunk's end wait for the next chunk
    // (`set` copies correctly even when both views share `pending`'s buffer).
    if (cut < length) {
      if (lineBytes === 0) lineStart = offset + cut
      pending.set(bytes.subarray(cut, length))
      pendingLength = length - cut
      lineBytes += pendingLength
    }
    // A line turning long is kept as bytes from here on. Text from a text chunk may hold a lone
    // surrogate, which has no UTF-8 form (it would come back as U+FFFD): such text stays text.
    if (lineBytes >= LONG_LINE && lineText.length !== 0 && !LONE_SURROGATE.test(lineText)) {
      moveTextToBytes()
    }
  }

  return {
    feedBytes(chunk: Uint8Array): void {
      if (failed) return
      const length = chunk.length
      if (length === 0) return
      const before = lineBytes === -1 ? unfinishedBytes() : lineBytes
      if (length < SMALL_CHUNK || before >= LONG_LINE || before + length > maxLineLength) {
        readAsBytes(chunk)
      } else {
        readAsText(chunk)
      }
      consumed += length
    },
    feedText(chunk: string): void {
      if (failed) return
      if (pendingLength !== 0) {
        // Bytes of an unfinished line from earlier byte chunks come first. A character cut off
        // here decodes to U+FFFD, as at the end of a streaming decode.
        const length = pendingLength
        pendingLength = 0
        if (lineBytes !== -1) lineBytes -= length
        const start = lineStart
        scan(decodeUtf8(pending.subarray(0, length)), consumed - length, false, false)
        if (lineText.length !== 0) lineStart = start
      }
      if (failed) return
      scan(chunk, consumed, false, false)
      consumed += chunk.length
    },
    endStream(): void {
      pendingLength = 0
      if (pending.length > INITIAL_BUFFER_SIZE) pending = new Uint8Array(INITIAL_BUFFER_SIZE)
      lineText = ''
      lineBytes = 0
      afterCR = false
      started = false
      failed = false
      consumed = 0
    },
  }
}
