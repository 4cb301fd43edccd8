import { expect, test } from 'vitest'

test('the public API of @ssekit/shared is exactly this list', async () => {
  expect(Object.keys(await import('@ssekit/shared')).sort()).toEqual([
    'CONTENT_TYPE',
    'CONTENT_TYPE_HEADER',
    'JSON_CODEC',
    'SSEContractError',
    'SSEError',
    'assertValidEventType',
    'assertValidId',
    'assertValidRetry',
    'createEventStreamHeaders',
    'defineEvents',
    'isEventStreamContentType',
    'isSSEError',
    'isValidEventType',
    'isValidId',
    'isValidRetry',
    'toOpenAPI',
  ])
})

test('@ssekit/shared/internal holds only what the packages share with each other', async () => {
  expect(Object.keys(await import('@ssekit/shared/internal')).sort()).toEqual([
    'CR',
    'LF',
    'MAX_TIMER_DELAY',
    'NUL',
    'PullQueue',
    'clampTimerDelay',
    'prepareOutgoing',
    'quoteValue',
    'readIncoming',
    'typeOf',
  ])
})
