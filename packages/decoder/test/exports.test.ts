import { expect, test } from 'vitest'

test('the public API of @ssekit/decoder is exactly this list', async () => {
  expect(Object.keys(await import('@ssekit/decoder')).sort()).toEqual([
    'DECODER_DEFAULTS',
    'EventDecoderStream',
    'SSEError',
    'createDecoder',
    'decode',
    'isSSEError',
    'readEvents',
  ])
})

test('the error class is the one of @ssekit/shared, so instanceof agrees across packages', async () => {
  const decoder = await import('@ssekit/decoder')
  const shared = await import('@ssekit/shared')
  expect(decoder.SSEError).toBe(shared.SSEError)
  expect(decoder.isSSEError).toBe(shared.isSSEError)
})
