import type { LimitFailure, LineHandler, LineReader } from './line-reader.ts'

/**
 * The line reader without the `node` condition (browsers, workers, Deno without it): the rules
 * of `line-reader.ts`, written for size, since every page using the decoder downloads it.
 *
 * Bytes are never decoded before their line ends: an unfinished line's bytes wait in one
 * doubling buffer, and each line is decoded once, whole, when its line ending comes. A CR or LF
 * byte is never part of a multi-byte character, so a line's bytes decode alone exactly as they
 * do within the stream; the byte offsets of errors are the loop's index; and a long line in tiny
 * chunks costs one copy and one decode of each byte, so all stays linear. Text chunks are read
 * one code unit at a time, counting each line's UTF-8 size as it grows, so a too-long line fails
 * at the character that passes the limit.
 *
 * The unfinished line is `lineText` followed by the bytes `pending[0, pendingLength)`. Text
 * only lands in `lineText`, and bytes only in `pending`, but for one case: a text chunk after an
 * unfinished line of bytes decodes them first (a character cut off there decodes to U+FFFD, as
 * at the end of a streaming decode), as the Node reader does.
 */

const LF = 10
const CR = 13
const BOM = 0xfeff

/**
 * Creates the line reader of one stream.
 *
 * @param onLine - where each line goes, blank lines too (which dispatch an event)
 * @param _onBlankLine - unused here: `onLine` handles blank lines (the Node reader's shortcut)
 * @param fail - called once when a limit breaks; the reader then ignores input until `endStream`
 * @param maxLineLength - the most bytes a line may hold, its line ending not counted
 * @returns the reader
 */
export function createLineReader(
  onLine: LineHandler,
  _onBlankLine: () => void,
  fail: LimitFailure,
  maxLineLength: number,
): LineReader {
  // `ignoreBOM`: a BOM inside a line is text; only the stream's leading one goes, below.
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true })

  /** True once the stream's first text was read, so only one leading BOM is stripped. */
  let started = false
  /** True when the input so far ended in CR: an LF opening the next chunk completes that CRLF. */
  let afterCR = false
  /** True after a broken limit: input is ignored until `endStream()`. */
  let failed = false
  /** Input units (bytes, or code units of text) read before the current chunk. */
  let consumed = 0
  /** The unfinished line's text (from text chunks). */
  let lineText = ''
  /** The unfinished line's bytes after `lineText` (from byte chunks). */
  let pending = new Uint8Array(256)
  let pendingLength = 0
  /** The unfinished line's size in bytes: as read for bytes, the UTF-8 size for text. */
  let lineBytes = 0
  /** The stream offset where the unfinished line starts, once it has a first unit. */
  let lineStart = 0

  function breakLimit(code: 'LINE_TOO_LONG' | 'EVENT_TOO_LARGE', offset: number): void {
    failed = true
    lineText = ''
    fail(code, offset)
  }

  /**
   * Hands on a line of `lineText` + `text`, whose line ending is at stream offset `end`, and
   * starts the next line. Returns false when the stream failed.
   */
  function endLine(text: string, end: number): boolean {
    let line = lineText + text
    if (!started) {
      started = true
      if (line.charCodeAt(0) === BOM) line = line.slice(1)
    }
    lineText = ''
    lineBytes = 0
    // A blank line dispatches the event; `onLine` does that too.
    if (onLine(line, 0, line.length, false)) return true
    breakLimit('EVENT_TOO_LARGE', end)
    return false
  }

  /**
   * Reads `text`, whose first code unit is at stream offset `offset`: lines end at CR or LF,
   * and the rest joins `lineText`.
   */
  function readText(text: string, offset: number): void {
    const length = text.length
    if (length === 0) return
    let start = 0
    if (!started) {
      started = true
      // "One leading U+FEFF BYTE ORDER MARK character must be ignored if any are present."
      if (text.charCodeAt(0) === BOM) start = 1
    }
    // The LF of a CRLF whose CR ended the previous chunk.
    if (afterCR) {
      afterCR = false
      if (text.charCodeAt(start) === LF) start++
    }
    for (let i = start; i < length; i++) {
      const code = text.charCodeAt(i)
      if (code === LF || code === CR) {
        if (!endLine(text.slice(start, i), offset + i)) return
        if (code === CR) {
          if (i + 1 === length) afterCR = true
          else if (text.charCodeAt(i + 1) === LF) i++
        }
        start = i + 1
        continue
      }
      if (lineBytes === 0) lineStart = offset + i
      // UTF-8 sizes: 1 byte below U+0080, 2 below U+0800, else 3; a low surrogate after a high
      // one completes a 4-byte pair (3 + 1), and a lone surrogate is 3 (TextEncoder's U+FFFD).
      const previous = i === 0 ? lineText.charCodeAt(lineText.length - 1) : text.charCodeAt(i - 1)
      const pair = code >= 0xdc00 && code <= 0xdfff && previous >= 0xd800 && previous <= 0xdbff
      lineBytes += code < 0x80 ? 1 : code < 0x800 ? 2 : pair ? 1 : 3
      if (lineBytes > maxLineLength) {
        // The offset of the first character whose bytes end past the limit: a pair's first unit.
        breakLimit(
          'LINE_TOO_LONG',
          (lineText.length === 0 ? offset : lineStart + lineText.length) + i - (pair ? 1 : 0),
        )
        return
      }
    }
    if (start < length) lineText += text.slice(start)
  }

  /** Appends `chunk[from, to)` to the pending bytes, growing the buffer by doubling. */
  function keep(chunk: Uint8Array, from: number, to: number): void {
    const size = pendingLength + to - from
    if (size > pending.length) {
      const grown = new Uint8Array(Math.max(size, pending.length * 2))
      grown.set(pending.subarray(0, pendingLength))
      pending = grown
    }
    pending.set(chunk.subarray(from, to), pendingLength)
    pendingLength = size
  }

  return {
    feedBytes(chunk: Uint8Array): void {
      const length = chunk.length
      if (failed || length === 0) return
      let start = 0
      if (afterCR) {
        afterCR = false
        if (chunk[0] === LF) start = 1
      }
      for (let i = start; i < length; i++) {
        const byte = chunk[i]
        if (byte !== LF && byte !== CR) continue
        if (lineBytes === 0) lineStart = consumed + start
        if (lineBytes + i - start > maxLineLength) {
          breakLimit('LINE_TOO_LONG', lineStart + maxLineLength)
          return
        }
        let bytes = chunk.subarray(start, i)
        if (pendingLength !== 0) {
          keep(chunk, start, i)
          bytes = pending.subarray(0, pendingLength)
          pendingLength = 0
        }
        if (!endLine(decoder.decode(bytes), consumed + i)) return
        if (byte === CR) {
          if (i + 1 === length) afterCR = true
          else if (chunk[i + 1] === LF) i++
        }
        start = i + 1
      }
      if (start < length) {
        if (lineBytes === 0) lineStart = consumed + start
        lineBytes += length - start
        if (lineBytes > maxLineLength) {
          breakLimit('LINE_TOO_LONG', lineStart + maxLineLength)
          return
        }
        keep(chunk, start, length)
      }
      consumed += length
    },
    feedText(chunk: string): void {
      if (failed) return
      if (pendingLength !== 0) {
        // The bytes of the unfinished line come first, counted again as the UTF-8 size of their
        // text; the line still starts where its bytes did.
        const length = pendingLength
        const start = lineStart
        pendingLength = 0
        lineBytes -= length
        readText(decoder.decode(pending.subarray(0, length)), consumed - length)
        if (lineText.length !== 0) lineStart = start
        if (failed) return
      }
      readText(chunk, consumed)
      consumed += chunk.length
    },
    endStream(): void {
      pending = new Uint8Array(256)
      pendingLength = 0
      lineText = ''
      lineBytes = 0
      afterCR = false
      started = false
      failed = false
      consumed = 0
    },
  }
}
