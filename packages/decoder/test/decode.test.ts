import { isSSEError } from '@ssekit/shared'
import { expect, test } from 'vitest'
import { decode } from '../src/decode.ts'

test('decode returns every dispatched event of a complete stream, text or bytes', () => {
  const wire = 'id: 1\nevent: greet\ndata: hello\n\n: comment\ndata: bye\n\ndata: unfinished\n'
  const expected = [{ id: '1', event: 'greet', data: 'hello' }, { data: 'bye' }]
  expect(decode(wire)).toStrictEqual(expected)
  expect(decode(new TextEncoder().encode(wire))).toStrictEqual(expected)
})

test('decode throws the typed error when a limit breaks', () => {
  let caught: unknown
  try {
    decode('data: 0123456789\n\n', { maxLineLength: 8 })
  } catch (error) {
    caught = error
  }
  expect(isSSEError(caught, 'LINE_TOO_LONG')).toBe(true)
})
