import { runInNewContext } from 'node:vm'
import { describe, expect, test } from 'vitest'
import { isSSEError, quoteValue, SSEError } from '../src/errors.ts'

describe('SSEError', () => {
  test('carries its name, code, message, field, offset and cause', () => {
    const cause = new Error('root')
    const error = new SSEError('LINE_TOO_LONG', 'too long', { field: 'data', offset: 42, cause })
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe('SSEError')
    expect(error.code).toBe('LINE_TOO_LONG')
    expect(error.message).toBe('too long')
    expect(error.field).toBe('data')
    expect(error.offset).toBe(42)
    expect(error.cause).toBe(cause)
    expect(String(error)).toBe('SSEError: too long')
  })

  test('leaves out field, offset and cause when none are given', () => {
    const error = new SSEError('STREAM_CLOSED', 'closed')
    expect(error.field).toBeUndefined()
    expect(error.offset).toBeUndefined()
    expect('cause' in error).toBe(false)
  })

  test('can be subclassed for errors with more data', () => {
    class SSEResponseError extends SSEError {
      override readonly name: string = 'SSEResponseError'
      readonly status = 500
    }
    const error = new SSEResponseError('INVALID_STATUS', 'status 500')
    expect(isSSEError(error, 'INVALID_STATUS')).toBe(true)
    expect(error.name).toBe('SSEResponseError')
  })
})

describe('isSSEError', () => {
  test('recognises an SSEError, with or without a code', () => {
    const error = new SSEError('INVALID_ID', 'x', { field: 'id' })
    expect(isSSEError(error)).toBe(true)
    expect(isSSEError(error, 'INVALID_ID')).toBe(true)
    expect(isSSEError(error, 'INVALID_EVENT')).toBe(false)
  })

  test('recognises a plain object with an SSE error name and a code, as from another realm', () => {
    const foreign = { name: 'SSEError', code: 'INVALID_RETRY', message: 'x' }
    expect(isSSEError(foreign)).toBe(true)
    expect(isSSEError(foreign, 'INVALID_RETRY')).toBe(true)
    expect(isSSEError(foreign, 'INVALID_ID')).toBe(false)
    expect(isSSEError({ name: 'SSEResponseError', code: 'INVALID_STATUS' }, 'INVALID_STATUS')).toBe(
      true,
    )
  })

  test('recognises an error made in another realm', () => {
    const other = runInNewContext(
      'class SSEError extends Error { name = "SSEError"; code = "STREAM_CLOSED" }; new SSEError("x")',
    ) as unknown
    expect(other instanceof SSEError).toBe(false)
    expect(isSSEError(other, 'STREAM_CLOSED')).toBe(true)
  })

  test.each<[string, unknown]>([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'SSEError'],
    ['a plain Error', new Error('x')],
    [
      'an error with a code but another name',
      Object.assign(new TypeError('x'), { code: 'INVALID_ID' }),
    ],
    ['an SSE-named object without a code', { name: 'SSEError' }],
    ['an SSE-named object with a numeric code', { name: 'SSEError', code: 1 }],
  ])('rejects %s', (_name, value) => {
    expect(isSSEError(value)).toBe(false)
  })
})

describe('quoteValue', () => {
  test('JSON-escapes strings so CR, LF and NUL are visible', () => {
    expect(quoteValue('a\r\n\0')).toBe('"a\\r\\n\\u0000"')
  })

  test('cuts strings after 20 characters', () => {
    expect(quoteValue('x'.repeat(50))).toBe(`"${'x'.repeat(20)}…"`)
    expect(quoteValue('x'.repeat(20))).toBe(`"${'x'.repeat(20)}"`)
  })

  test('renders other values with String()', () => {
    expect(quoteValue(-1)).toBe('-1')
    expect(quoteValue(undefined)).toBe('undefined')
    expect(quoteValue(Number.NaN)).toBe('NaN')
  })
})
