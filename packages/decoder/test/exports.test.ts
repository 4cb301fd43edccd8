import { expect, test } from 'vitest'

test('the public API of @ssekit/decoder is exactly this list', async () => {
  expect(Object.keys(await import('@ssekit/decoder')).sort()).toEqual([
    'DECODER_DEFAULTS',
    'EventDecoderStream',
    'JSON_CODEC',
    'SSEContractError',
    'SSEError',
    'createDecoder',
    'decode',
    'defineEvents',
    'isSSEError',
    'readEvents',
    'validateEvents',
  ])
})

test('the error class is the one of @ssekit/shared, so instanceof agrees across packages', async () => {
  const decoder = await import('@ssekit/decoder')
  const shared = await import('@ssekit/shared')
  expect(decoder.SSEError).toBe(shared.SSEError)
  expect(decoder.isSSEError).toBe(shared.isSSEError)
})

test('the contract API is the one of @ssekit/shared, so a contract defined there works here', async () => {
  const decoder = await import('@ssekit/decoder')
  const shared = await import('@ssekit/shared')
  expect(decoder.defineEvents).toBe(shared.defineEvents)
  expect(decoder.SSEContractError).toBe(shared.SSEContractError)
  expect(decoder.JSON_CODEC).toBe(shared.JSON_CODEC)
})
