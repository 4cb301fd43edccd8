import { expect, test } from 'vitest'

test('the public API of @ssekit/client is exactly this list', async () => {
  expect(Object.keys(await import('@ssekit/client')).sort()).toEqual([
    'EventSource',
    'RETRY_DEFAULTS',
    'SSEError',
    'SSEResponseError',
    'connect',
    'isSSEError',
  ])
})

test('the error class is the one of @ssekit/shared, so instanceof agrees across packages', async () => {
  const client = await import('@ssekit/client')
  const shared = await import('@ssekit/shared')
  expect(client.SSEError).toBe(shared.SSEError)
  expect(client.isSSEError).toBe(shared.isSSEError)
})
