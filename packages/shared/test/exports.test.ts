import { expect, test } from 'vitest'

test('the public API of @ssekit/shared is exactly this list', async () => {
  expect(Object.keys(await import('@ssekit/shared')).sort()).toEqual([
    'CONTENT_TYPE',
    'CONTENT_TYPE_HEADER',
    'CR',
    'LF',
    'MAX_TIMER_DELAY',
    'NUL',
    'SSEError',
    'assertValidEventType',
    'assertValidId',
    'assertValidRetry',
    'clampTimerDelay',
    'createEventStreamHeaders',
    'isEventStreamContentType',
    'isSSEError',
    'isValidEventType',
    'isValidId',
    'isValidRetry',
    'quoteValue',
  ])
})
