import { connect } from '@ssekit/client'
import {
  defineEvents,
  isSSEError,
  SSEContractError,
  type StandardSchema,
  type StandardSchemaResult,
} from '@ssekit/shared'
import { listenForTest } from '@ssekit/test-support/loopback-server'
import { describe, expect, expectTypeOf, test } from 'vitest'
import { GAP_EVENT } from '../src/gap.ts'
import { createHub, type HubEvent } from '../src/hub.ts'
import { createNodeHandler } from '../src/node/index.ts'

/** A Standard Schema by hand (the real validators are tested in tests/contracts). */
function schema<Output>(
  check: (value: unknown) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>,
): StandardSchema<Output, Output> {
  return { '~standard': { version: 1, vendor: 'test', validate: check } }
}

interface Price {
  symbol: string
  price: number
}
const price = schema<Price>(async (value) =>
  typeof (value as Price)?.price === 'number'
    ? { value: value as Price }
    : { issues: [{ message: 'Expected a number', path: ['price'] }] },
)
const events = defineEvents({
  price,
  message: schema<string>((value) => ({ value: value as string })),
})

/**
 * The events a subscriber of `topic` replays from the start of its history (an unknown id, so
 * after the gap notice that says so).
 */
async function received(hub: ReturnType<typeof createHub>, topic: string, count: number) {
  const got: HubEvent[] = []
  const controller = new AbortController()
  for await (const event of hub.subscribe(topic, { lastEventId: '0', signal: controller.signal })) {
    if (event.event === GAP_EVENT) continue
    got.push(event)
    if (got.length === count) controller.abort()
  }
  return got
}

describe('a hub with a contract', () => {
  test('publish takes only the contract events, without an id', async () => {
    const hub = createHub({ events })
    expectTypeOf(hub.publish)
      .parameter(1)
      .toEqualTypeOf<
        | { event: 'price'; data: Price; retry?: number | undefined }
        | { event: 'message'; data: string; retry?: number | undefined }
      >()
    const misuse = () => {
      // @ts-expect-error: the contract has no `trade` event
      void hub.publish('t', { event: 'trade', data: 1 })
      // @ts-expect-error: the hub assigns ids
      void hub.publish('t', { event: 'price', data: { symbol: 'A', price: 1 }, id: '1' })
    }
    expect(typeof misuse).toBe('function')
    await hub.close()
  })

  test('with validate, a refused event is neither stored nor delivered; the async schema is awaited', async () => {
    const hub = createHub({ events, validate: true })
    await hub.publish('t', { event: 'price', data: { symbol: 'A', price: 1 } })
    const refusal = await hub
      .publish('t', { event: 'price', data: { symbol: 'B' } as Price })
      .catch((error: unknown) => error)
    await hub.publish('t', { event: 'message', data: 'bye' })
    expect(refusal).toBeInstanceOf(SSEContractError)
    expect(isSSEError(refusal, 'CONTRACT_VIOLATION')).toBe(true)
    expect(hub.stats().published).toBe(2)
    const stored = await received(hub, 't', 2)
    // The message type is stored without an event field, its data coded by the codec (JSON).
    expect(stored.map(({ event, data }) => ({ event, data }))).toEqual([
      { event: 'price', data: '{"symbol":"A","price":1}' },
      { event: undefined, data: '"bye"' },
    ])
    await hub.close()
  })

  test('a value that is not a contract is refused at once', () => {
    expect(() => createHub({ events: { price } as never })).toThrow(/made by defineEvents/)
  })

  test('round trip: published through the node handler, received typed by connect()', async () => {
    const hub = createHub({ events, validate: true })
    const server = await listenForTest(createNodeHandler(hub))
    await hub.publish('live', { event: 'price', data: { symbol: 'A', price: 1 } })
    await hub.publish('live', { event: 'message', data: 'done' })
    const connection = connect(server.url('/?topic=live'), {
      events,
      lastEventId: '0',
      retry: { maxAttempts: 0 },
    })
    const seen: unknown[] = []
    for await (const event of connection) {
      if (event.event === 'price') seen.push(event.data.price)
      else {
        seen.push(event.data)
        break
      }
    }
    expect(seen).toEqual([1, 'done'])
    await hub.close()
  })
})
