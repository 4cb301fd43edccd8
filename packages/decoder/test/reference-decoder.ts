/**
 * A small, obviously correct event stream decoder to test the real one against: the whole
 * stream is decoded at once, split into lines with a regular expression, and each line is
 * interpreted by the spec's steps as written, with no buffers, fast paths or chunks.
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
import type { ServerSentEvent } from '@ssekit/shared'

export interface ReferenceResult {
  events: ServerSentEvent[]
  comments: string[]
  retries: number[]
  ids: string[]
  /** The limit that broke, with the byte offset of the first byte past it; null if none did. */
  error: { code: 'LINE_TOO_LONG' | 'EVENT_TOO_LARGE'; offset: number } | null
  lastEventId: string
}

export interface ReferenceLimits {
  maxLineLength: number
  maxEventSize: number
}

const utf8 = new TextEncoder()
const LINE_END = /\r\n|\r|\n/

/** The byte offsets where each line of `bytes` starts, split on CR, LF and CRLF as the text is. */
function lineStarts(bytes: Uint8Array): number[] {
  const starts = [0]
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10) i++
    if (bytes[i] === 10 || bytes[i] === 13) starts.push(i + 1)
  }
  return starts
}

/** Decodes the whole `stream` the way the spec describes, line by line. */
export function referenceDecode(stream: Uint8Array, limits: ReferenceLimits): ReferenceResult {
  const result: ReferenceResult = {
    events: [],
    comments: [],
    retries: [],
    ids: [],
    error: null,
    lastEventId: '',
  }
  // "Streams must be decoded using the UTF-8 decode algorithm": one leading BOM is stripped.
  const lines = new TextDecoder().decode(stream).split(LINE_END)
  const starts = lineStarts(stream)
  let data: string[] = []
  let eventType = ''
  let idBuffer = ''
  let blockHasId = false
  let retry: number | undefined
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] as string
    const start = starts[n] as number
    // A line's bytes run from its start to the next line's start, less its line ending; the
    // last line has no line ending and is never processed, but it is still buffered.
    const isLast = n === lines.length - 1
    const end = isLast ? stream.length : (starts[n + 1] as number)
    let bytes = end - start
    if (!isLast) bytes -= stream[end - 2] === 13 && stream[end - 1] === 10 ? 2 : 1
    if (bytes > limits.maxLineLength) {
      result.error = { code: 'LINE_TOO_LONG', offset: start + limits.maxLineLength }
      return result
    }
    if (isLast) break
    if (line === '') {
      // Dispatch: the last event ID string takes the buffer's value.
      if (blockHasId) {
        result.lastEventId = idBuffer
        result.ids.push(idBuffer)
      }
      if (data.length > 0) {
        const event: ServerSentEvent = { data: data.join('\n') }
        if (eventType !== '') event.event = eventType
        if (blockHasId) event.id = idBuffer
        if (retry !== undefined) event.retry = retry
        result.events.push(event)
      }
      data = []
      eventType = ''
      blockHasId = false
      retry = undefined
      continue
    }
    if (line.startsWith(':')) {
      result.comments.push(line.slice(1).replace(/^ /, ''))
      continue
    }
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (field === 'data') {
      data.push(value)
      if (utf8.encode(data.join('\n')).length > limits.maxEventSize) {
        result.error = { code: 'EVENT_TOO_LARGE', offset: start + bytes }
        return result
      }
    } else if (field === 'event') {
      eventType = value
    } else if (field === 'id') {
      if (!value.includes('\0')) {
        idBuffer = value
        blockHasId = true
      }
    } else if (field === 'retry') {
      if (/^[0-9]+$/.test(value) && Number(value) <= Number.MAX_SAFE_INTEGER) {
        retry = Number(value)
        result.retries.push(retry)
      }
    }
  }
  return result
}
