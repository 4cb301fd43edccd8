import { expect, test } from 'vitest'

test('the public API of @ssekit/encoder is exactly this list', async () => {
  expect(Object.keys(await import('@ssekit/encoder')).sort()).toEqual([
    'CLOSE_STREAMS_DEFAULTS',
    'EVENT_STREAM_DEFAULTS',
    'EventEncoderStream',
    'HEARTBEAT_COMMENT',
    'JSON_CODEC',
    'SSEContractError',
    'SSEError',
    'createEventStreamGroup',
    'createEventStreamResponse',
    'defineEvents',
    'encode',
    'encodeBytes',
    'encodeComment',
    'isSSEError',
    'toOpenAPI',
  ])
})

test('the public API of @ssekit/encoder/node is exactly this list', async () => {
  expect(Object.keys(await import('@ssekit/encoder/node')).sort()).toEqual([
    'openEventStream',
    'shutdownServer',
  ])
})

test('@ssekit/encoder/internal holds only what the hub shares with the encoder', async () => {
  expect(Object.keys(await import('@ssekit/encoder/internal')).sort()).toEqual([
    'HEARTBEAT_BYTES',
    'PRIMER_BYTES',
    'resolveHeartbeat',
    'serializeData',
  ])
})

test('the error class is the one of @ssekit/shared, so instanceof agrees across packages', async () => {
  const encoder = await import('@ssekit/encoder')
  const shared = await import('@ssekit/shared')
  expect(encoder.SSEError).toBe(shared.SSEError)
})
