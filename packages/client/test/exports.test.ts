import { expect, test } from 'vitest'

test('the public API of @ssekit/client is exactly this list', async () => {
  expect(Object.keys(await import('@ssekit/client')).sort()).toEqual([
    'EventSource',
    'JSON_CODEC',
    'RETRY_DEFAULTS',
    'SSEContractError',
    'SSEError',
    'SSEResponseError',
    'SharedEventSource',
    'connect',
    'defineEvents',
    'isSSEError',
    'shareAcrossTabs',
  ])
})

test('the error class is the one of @ssekit/shared, so instanceof agrees across packages', async () => {
  const client = await import('@ssekit/client')
  const shared = await import('@ssekit/shared')
  expect(client.SSEError).toBe(shared.SSEError)
  expect(client.isSSEError).toBe(shared.isSSEError)
})

test('the contract API is the one of @ssekit/shared, so a contract defined there works here', async () => {
  const client = await import('@ssekit/client')
  const shared = await import('@ssekit/shared')
  expect(client.defineEvents).toBe(shared.defineEvents)
  expect(client.SSEContractError).toBe(shared.SSEContractError)
  expect(client.JSON_CODEC).toBe(shared.JSON_CODEC)
})
