import { isSSEError, SSEError } from '@ssekit/shared'
import { describe, expect, test } from 'vitest'
import { type EncodableEvent, encode, encodeBytes, encodeComment } from '../src/encode.ts'
import { decodeStream } from './wire.ts'

/** Runs `fn`, expecting an SSEError; returns it. */
function refusal(fn: () => unknown): SSEError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(SSEError)
    return error as SSEError
  }
  throw new Error('expected an SSEError, but nothing was thrown')
}

/** Encodes one event and decodes it back with the spec-exact decoder. */
function roundTrip(event: EncodableEvent) {
  return decodeStream(encode(event))
}

describe('the wire format', () => {
  test('fields are written in the order id, event, retry, data and end with a blank line', () => {
    expect(encode({ data: 'd', retry: 5, event: 'e', id: 'i' })).toBe(
      'id: i\nevent: e\nretry: 5\ndata: d\n\n',
    )
  })

  test('an event with only data is one data line and a blank line', () => {
    expect(encode({ data: 'hello' })).toBe('data: hello\n\n')
  })

  test('an empty event type is the default type and is left out', () => {
    expect(encode({ event: '', data: 'x' })).toBe('data: x\n\n')
    expect(roundTrip({ event: '', data: 'x' }).events).toEqual([{ data: 'x' }])
  })

  test('undefined data writes no data line, so a block can carry only a retry or an id', () => {
    expect(encode({ retry: 1000 })).toBe('retry: 1000\n\n')
    expect(encode({ id: '7' })).toBe('id: 7\n\n')
    expect(encode({ id: '7', data: undefined })).toBe('id: 7\n\n')
    const decoded = decodeStream(encode({ id: '7', retry: 10 }))
    expect(decoded.events).toEqual([])
    expect(decoded.retries).toEqual([10])
    expect(decoded.lastEventId).toBe('7')
  })

  test('an empty id is written, so it resets the client last event ID', () => {
    expect(encode({ id: '', data: 'x' })).toBe('id: \ndata: x\n\n')
    expect(decodeStream(`${encode({ id: 'a' })}${encode({ id: '' })}`).lastEventId).toBe('')
  })

  test('retry 0 is a valid reconnection time', () => {
    expect(encode({ retry: 0 })).toBe('retry: 0\n\n')
  })

  test('an empty string as data survives a decode as an event with empty data', () => {
    expect(encode({ data: '' })).toBe('data: \n\n')
    expect(roundTrip({ data: '' }).events).toEqual([{ data: '' }])
  })

  test('values that begin with a space survive the one space a decoder strips', () => {
    const event = { id: ' 1', event: ' tick', data: '  two spaces' }
    expect(roundTrip(event).events).toEqual([event])
  })

  test('values that begin with a colon survive a decode', () => {
    const event = { id: ':1', event: ':e', data: ':not a comment' }
    expect(roundTrip(event).events).toEqual([event])
  })
})

describe('line endings in data', () => {
  const cases: Array<[string, string, string[]]> = [
    ['LF', 'a\nb', ['a', 'b']],
    ['CRLF', 'a\r\nb', ['a', 'b']],
    ['CR', 'a\rb', ['a', 'b']],
    ['mixed', 'a\nb\r\nc\rd', ['a', 'b', 'c', 'd']],
    ['CR then LF as one CRLF', 'a\r\n\nb', ['a', '', 'b']],
    ['LF then CR as two breaks', 'a\n\rb', ['a', '', 'b']],
    ['a trailing LF', 'a\n', ['a', '']],
    ['a leading CR', '\ra', ['', 'a']],
    ['only line breaks', '\r\n\r\n', ['', '', '']],
    ['two CRs', 'a\r\rb', ['a', '', 'b']],
  ]

  test.each(cases)('data with %s becomes one data line per line', (_name, data, lines) => {
    expect(encode({ data })).toBe(`${lines.map((line) => `data: ${line}\n`).join('')}\n`)
  })

  test.each(cases)('data with %s decodes to its lines joined with LF', (_name, data, lines) => {
    expect(roundTrip({ data }).events).toEqual([{ data: lines.join('\n') }])
  })

  test('a blank line inside data cannot end the event early', () => {
    const data = 'first\n\nevent: evil\nid: 666\ndata: injected'
    const decoded = roundTrip({ data })
    expect(decoded.events).toEqual([{ data }])
    expect(decoded.lastEventId).toBe('')
  })
})

describe('unicode', () => {
  test('astral characters are written and encoded as 4-byte UTF-8', () => {
    const data = 'rocket 🚀 and 𝄞'
    expect(encode({ data })).toBe(`data: ${data}\n\n`)
    const bytes = encodeBytes({ data: '🚀' })
    expect(Array.from(bytes)).toEqual([
      ...new TextEncoder().encode('data: '),
      0xf0,
      0x9f,
      0x9a,
      0x80,
      10,
      10,
    ])
    expect(decodeStream(encodeBytes({ data })).events).toEqual([{ data }])
  })

  test('combining marks are kept exactly, never normalized', () => {
    const decomposed = 'e\u0301' // e + COMBINING ACUTE ACCENT
    const event = {
      id: decomposed,
      event: decomposed,
      data: `caf${decomposed} ${'\u0915\u094d\u0937'}`,
    }
    expect(decodeStream(encodeBytes(event)).events).toEqual([event])
    expect(decodeStream(encodeBytes(event)).events[0]?.data).not.toBe(event.data.normalize('NFC'))
  })

  test('a byte order mark inside data survives, since only one at the stream start is stripped', () => {
    const event = { data: '\uFEFFx' }
    expect(decodeStream(encodeBytes(event)).events).toEqual([event])
  })

  test('NUL is allowed in data and in event types', () => {
    const event = { event: 'a\0b', data: 'x\0y' }
    expect(decodeStream(encodeBytes(event)).events).toEqual([event])
  })

  test('a lone surrogate is written as is in text and becomes U+FFFD in bytes', () => {
    for (const lone of ['\uD800', '\uDFFF', 'a\uD83Db', '\uDE80🚀']) {
      expect(encode({ data: lone })).toBe(`data: ${lone}\n\n`)
      const expected = lone.replace(
        /[\uD800-\uDFFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu,
        '\uFFFD',
      )
      expect(decodeStream(encodeBytes({ data: lone })).events).toEqual([{ data: expected }])
    }
    expect(Array.from(encodeBytes({ data: '\uD800' }).subarray(6, 9))).toEqual([0xef, 0xbf, 0xbd])
  })
})

describe('data values', () => {
  test.each<[string, unknown, string]>([
    ['an integer', 42, '42'],
    ['a negative fraction', -1.5, '-1.5'],
    ['negative zero', -0, '0'],
    ['NaN', Number.NaN, 'NaN'],
    ['Infinity', Number.POSITIVE_INFINITY, 'Infinity'],
    ['true', true, 'true'],
    ['false', false, 'false'],
    ['a bigint', 12345678901234567890n, '12345678901234567890'],
  ])('%s is written with String()', (_name, data, text) => {
    expect(encode({ data })).toBe(`data: ${text}\n\n`)
  })

  test.each<[string, unknown, string]>([
    ['an object', { a: 1, b: 'two' }, '{"a":1,"b":"two"}'],
    ['an array', [1, 'x', null], '[1,"x",null]'],
    ['null', null, 'null'],
    ['an empty object', {}, '{}'],
    ['a nested object', { a: { b: [true, { c: null }] } }, '{"a":{"b":[true,{"c":null}]}}'],
    ['a Date', new Date(0), '"1970-01-01T00:00:00.000Z"'],
  ])('%s is written with JSON.stringify', (_name, data, text) => {
    expect(encode({ data })).toBe(`data: ${text}\n\n`)
  })

  test('strings with CR and LF nested in JSON stay on one line and come back intact', () => {
    const value = { text: 'line1\nline2\r\nline3\r', list: ['\n\n'] }
    const wire = encode({ data: value })
    expect(wire.split('\n').filter((line) => line.startsWith('data:'))).toHaveLength(1)
    const [event] = decodeStream(wire).events
    expect(JSON.parse(event?.data ?? '')).toEqual(value)
  })

  test('the serialize option replaces JSON.stringify for objects, arrays and null only', () => {
    const serialize = (value: unknown) => `<${JSON.stringify(value)}>`
    expect(encode({ data: { a: 1 } }, { serialize })).toBe('data: <{"a":1}>\n\n')
    expect(encode({ data: null }, { serialize })).toBe('data: <null>\n\n')
    expect(encode({ data: 'plain' }, { serialize })).toBe('data: plain\n\n')
    expect(encode({ data: 3 }, { serialize })).toBe('data: 3\n\n')
  })

  test('serialized text with line breaks becomes several data lines', () => {
    const pretty = (value: unknown) => JSON.stringify(value, null, 2)
    const wire = encode({ data: { a: 1 } }, { serialize: pretty })
    expect(wire).toBe('data: {\ndata:   "a": 1\ndata: }\n\n')
    expect(decodeStream(wire).events).toEqual([{ data: pretty({ a: 1 }) }])
  })

  test('a circular object is refused with INVALID_DATA keeping the cause', () => {
    const circular: Record<string, unknown> = {}
    circular.self = circular
    const error = refusal(() => encode({ data: circular }))
    expect(error.code).toBe('INVALID_DATA')
    expect(error.field).toBe('data')
    expect(error.cause).toBeInstanceOf(TypeError)
  })

  test('a bigint inside an object is refused with INVALID_DATA', () => {
    expect(refusal(() => encode({ data: { n: 1n } })).code).toBe('INVALID_DATA')
  })

  test('an object that serializes to undefined is refused with INVALID_DATA', () => {
    const error = refusal(() => encode({ data: { toJSON: () => undefined } }))
    expect(error.code).toBe('INVALID_DATA')
    expect(error.message).toContain('undefined')
  })

  test('a serialize option that throws is refused with INVALID_DATA and its cause', () => {
    const cause = new Error('nope')
    const error = refusal(() =>
      encode(
        { data: {} },
        {
          serialize: () => {
            throw cause
          },
        },
      ),
    )
    expect(error.code).toBe('INVALID_DATA')
    expect(error.cause).toBe(cause)
    expect(error.message).toContain('nope')
  })

  test('a serialize option that returns a non-string is refused with INVALID_DATA', () => {
    const serialize = (() => 5) as unknown as (value: unknown) => string
    expect(refusal(() => encode({ data: {} }, { serialize })).code).toBe('INVALID_DATA')
  })

  test.each<[string, unknown]>([
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
  ])('%s as data is refused with INVALID_DATA', (_name, data) => {
    const error = refusal(() => encode({ data }))
    expect(error.code).toBe('INVALID_DATA')
    expect(error.field).toBe('data')
  })
})

describe('refused fields', () => {
  test.each(['a\nb', 'a\rb', 'a\r\nb', '\n', 'tick\ndata: injected'])(
    'an event type containing a line break (%j) is refused with INVALID_EVENT',
    (type) => {
      const error = refusal(() => encode({ event: type, data: 'x' }))
      expect(error.code).toBe('INVALID_EVENT')
      expect(error.field).toBe('event')
    },
  )

  test.each(['a\nb', 'a\rb', 'a\r\nb', 'a\0b', '\0', '1\nretry: 0'])(
    'an id containing CR, LF or NUL (%j) is refused with INVALID_ID',
    (id) => {
      const error = refusal(() => encode({ id, data: 'x' }))
      expect(error.code).toBe('INVALID_ID')
      expect(error.field).toBe('id')
    },
  )

  test.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, -0.1, 1e300])(
    'a retry of %d is refused with INVALID_RETRY',
    (retry) => {
      const error = refusal(() => encode({ retry, data: 'x' }))
      expect(error.code).toBe('INVALID_RETRY')
      expect(error.field).toBe('retry')
    },
  )

  test('values of the wrong type from untyped callers are refused, naming the field', () => {
    const untyped = (event: Record<string, unknown>) => () => encode(event as EncodableEvent)
    expect(refusal(untyped({ id: 1 })).code).toBe('INVALID_ID')
    expect(refusal(untyped({ event: {} })).code).toBe('INVALID_EVENT')
    expect(refusal(untyped({ retry: '100' })).code).toBe('INVALID_RETRY')
  })

  test('the error message quotes the value visibly and truncated', () => {
    const error = refusal(() => encode({ id: `x\n${'y'.repeat(100)}` }))
    expect(error.message).toContain('"x\\nyyyyyyyyyyyyyyyyyy…"')
    expect(error.message).not.toContain('y'.repeat(30))
    expect(error.message).not.toMatch(/^Error:/)
  })

  test('a refusal is caught by isSSEError with its code', () => {
    try {
      encode({ event: 'a\nb' })
      expect.unreachable()
    } catch (error) {
      expect(isSSEError(error, 'INVALID_EVENT')).toBe(true)
      expect(isSSEError(error, 'INVALID_ID')).toBe(false)
    }
  })

  test('a refused field is never silently rewritten', () => {
    expect(() => encode({ id: 'a\nb' })).toThrow()
    expect(() => encode({ event: 'a\rb' })).toThrow()
  })
})

describe('comments', () => {
  test('a comment is one line starting with a colon and a space', () => {
    expect(encodeComment('keep-alive')).toBe(': keep-alive\n')
  })

  test('an empty comment is a lone colon line', () => {
    expect(encodeComment('')).toBe(': \n')
    expect(decodeStream(encodeComment('')).comments).toEqual([''])
  })

  test.each([
    ['LF', 'a\nb'],
    ['CRLF', 'a\r\nb'],
    ['CR', 'a\rb'],
  ])('a comment with %s becomes several comment lines', (_name, text) => {
    expect(encodeComment(text)).toBe(': a\n: b\n')
    expect(decodeStream(encodeComment(text)).comments).toEqual(['a', 'b'])
  })

  test('a comment cannot inject fields or dispatch an event', () => {
    const wire = encodeComment('x\n\ndata: evil\nid: 6\nretry: 1\n\n')
    const decoded = decodeStream(wire)
    expect(decoded.events).toEqual([])
    expect(decoded.retries).toEqual([])
    expect(decoded.lastEventId).toBe('')
    expect(wire.split('\n').every((line) => line === '' || line.startsWith(': '))).toBe(true)
  })
})

describe('encodeBytes', () => {
  test('returns the UTF-8 bytes of encode', () => {
    const event = { id: 'ü', event: 'ß', retry: 3, data: { text: 'größe 🚀' } }
    expect(new TextDecoder().decode(encodeBytes(event))).toBe(encode(event))
  })

  test('refuses what encode refuses', () => {
    expect(refusal(() => encodeBytes({ id: '\0' })).code).toBe('INVALID_ID')
  })
})
