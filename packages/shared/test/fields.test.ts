import { describe, expect, test } from 'vitest'
import { SSEError } from '../src/errors.ts'
import {
  assertValidEventType,
  assertValidId,
  assertValidRetry,
  CR,
  isValidEventType,
  isValidId,
  isValidRetry,
  LF,
  NUL,
} from '../src/fields.ts'

function thrown(fn: () => void): SSEError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(SSEError)
    return error as SSEError
  }
  throw new Error('expected an SSEError')
}

test('the line ending and NUL constants are the single characters the spec names', () => {
  expect([LF, CR, NUL].map((c) => c.charCodeAt(0))).toEqual([0x0a, 0x0d, 0x00])
})

describe('event types', () => {
  test.each(['', 'message', 'a b', ':x', ' leading', 'ünïcödé 🚀', 'nul\0inside'])(
    'the event type %j is valid',
    (value) => {
      expect(isValidEventType(value)).toBe(true)
      expect(() => assertValidEventType(value)).not.toThrow()
    },
  )

  test.each(['a\nb', 'a\rb', 'a\r\nb', '\n', '\r', 'end\n'])(
    'the event type %j containing CR or LF is invalid and refused with INVALID_EVENT',
    (value) => {
      expect(isValidEventType(value)).toBe(false)
      const error = thrown(() => assertValidEventType(value))
      expect(error.code).toBe('INVALID_EVENT')
      expect(error.field).toBe('event')
    },
  )

  test('a non-string event type is refused with INVALID_EVENT', () => {
    expect(thrown(() => assertValidEventType(5 as unknown as string)).code).toBe('INVALID_EVENT')
  })
})

describe('ids', () => {
  test.each(['', '0', 'abc-123', ' spaced ', '🚀'])('the id %j is valid', (value) => {
    expect(isValidId(value)).toBe(true)
    expect(() => assertValidId(value)).not.toThrow()
  })

  test.each(['a\nb', 'a\rb', 'a\r\nb', 'a\0b', '\0', '1\nretry: 0'])(
    'the id %j containing CR, LF or NUL is invalid and refused with INVALID_ID',
    (value) => {
      expect(isValidId(value)).toBe(false)
      const error = thrown(() => assertValidId(value))
      expect(error.code).toBe('INVALID_ID')
      expect(error.field).toBe('id')
    },
  )

  test('a non-string id is refused with INVALID_ID', () => {
    expect(thrown(() => assertValidId(undefined as unknown as string)).code).toBe('INVALID_ID')
  })

  test('the message quotes the value with its line break visible', () => {
    expect(thrown(() => assertValidId('a\nb')).message).toContain('"a\\nb"')
  })
})

describe('retry', () => {
  test.each([0, 1, 3000, Number.MAX_SAFE_INTEGER])('the retry %d is valid', (value) => {
    expect(isValidRetry(value)).toBe(true)
    expect(() => assertValidRetry(value)).not.toThrow()
  })

  test.each([
    -1,
    -0.5,
    1.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.MAX_SAFE_INTEGER + 1,
  ])('the retry %d is invalid and refused with INVALID_RETRY', (value) => {
    expect(isValidRetry(value)).toBe(false)
    const error = thrown(() => assertValidRetry(value))
    expect(error.code).toBe('INVALID_RETRY')
    expect(error.field).toBe('retry')
  })

  test('a numeric string retry is refused with INVALID_RETRY', () => {
    expect(thrown(() => assertValidRetry('100' as unknown as number)).code).toBe('INVALID_RETRY')
  })
})
