import { describe, expect, test } from 'vitest'
import {
  CONTENT_TYPE,
  CONTENT_TYPE_HEADER,
  createEventStreamHeaders,
  isEventStreamContentType,
} from '../src/headers.ts'

describe('createEventStreamHeaders', () => {
  test('gives the event-stream headers with Connection: keep-alive for HTTP/1.1 by default', () => {
    expect(createEventStreamHeaders()).toEqual({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    })
  })

  test.each(['1.0', '1.1'])('sends Connection: keep-alive for HTTP/%s', (httpVersion) => {
    expect(createEventStreamHeaders({ httpVersion }).connection).toBe('keep-alive')
  })

  test.each(['2.0', '2', '3', '3.0'])('sends no Connection header for HTTP/%s', (httpVersion) => {
    const headers = createEventStreamHeaders({ httpVersion })
    expect('connection' in headers).toBe(false)
    expect(headers['content-type']).toBe(CONTENT_TYPE_HEADER)
  })

  test('returns a fresh object each time', () => {
    const first = createEventStreamHeaders()
    first['cache-control'] = 'changed'
    expect(createEventStreamHeaders()['cache-control']).toBe('no-cache, no-transform')
  })

  test('its content type is recognised as an event stream', () => {
    expect(isEventStreamContentType(createEventStreamHeaders()['content-type'])).toBe(true)
    expect(CONTENT_TYPE).toBe('text/event-stream')
  })
})

describe('isEventStreamContentType', () => {
  test.each([
    'text/event-stream',
    'text/event-stream; charset=utf-8',
    'Text/Event-Stream',
    'TEXT/EVENT-STREAM;charset=UTF-8',
    '  text/event-stream  ',
    'text/event-stream ; foo=bar',
  ])('%j is an event stream', (value) => {
    expect(isEventStreamContentType(value)).toBe(true)
  })

  test.each<string | null | undefined>([
    null,
    undefined,
    '',
    'text/plain',
    'application/json',
    'text/event-streams',
    'text/event',
    'text/event-stream-x',
    'application/text/event-stream',
    ';text/event-stream',
  ])('%j is not an event stream', (value) => {
    expect(isEventStreamContentType(value)).toBe(false)
  })
})
