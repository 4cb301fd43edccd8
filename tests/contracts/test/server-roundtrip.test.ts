import { connect, SSEContractError } from '@ssekit/client'
import { openEventStream } from '@ssekit/encoder/node'
import { createHub } from '@ssekit/hub'
import { createNodeHandler } from '@ssekit/hub/node'
import { listenForTest } from '@ssekit/test-support/loopback-server'
import { describe, expect, test } from 'vitest'
import { VALIDATORS } from './contracts.ts'

/** Reads `count` events of a connection, then closes it. */
async function take<T>(connection: AsyncIterable<T> & { close(): void }, count: number) {
  const seen: T[] = []
  for await (const event of connection) {
    seen.push(event)
    if (seen.length === count) break
  }
  connection.close()
  return seen
}

describe.each(VALIDATORS)('a %s contract on both ends of a real connection', (_name, events) => {
  test('openEventStream with validate sends what the schema accepts and writes nothing of a refused event', async () => {
    const refusals: unknown[] = []
    const server = await listenForTest(async (_req, res) => {
      const stream = openEventStream(res, { events, validate: true, heartbeat: false })
      await stream.send({ event: 'price', data: { symbol: 'ACME', price: 1 } })
      // A payload that slipped past the compiler, from JSON say: refused before encoding.
      const untrusted: unknown = { symbol: 'ACME', price: 'high' }
      await stream
        .send({ event: 'price', data: untrusted as { symbol: string; price: number } })
        .catch((error: unknown) => refusals.push(error))
      await stream.send({
        event: 'chat',
        data: { user: 'ann', text: 'hi', sentAt: '2026-12-03T10:00:00.000Z' },
      })
      stream.close()
    })
    const seen = await take(connect(server.url('/'), { events, retry: { maxAttempts: 0 } }), 2)
    expect(seen.map((event) => [event.event, event.data])).toEqual([
      ['price', { symbol: 'ACME', price: 1 }],
      ['chat', { user: 'ann', text: 'hi', sentAt: new Date('2026-12-03T10:00:00.000Z') }],
    ])
    expect(refusals).toHaveLength(1)
    expect(refusals[0]).toBeInstanceOf(SSEContractError)
    expect(refusals[0]).toMatchObject({ code: 'CONTRACT_VIOLATION', eventType: 'price' })
  })

  test('the hub stores only valid events and replays them, typed, after Last-Event-ID', async () => {
    const hub = createHub({ events, validate: true })
    const handle = createNodeHandler(hub, { topics: () => ['ticks'] })
    const server = await listenForTest((req, res) => void handle(req, res))
    const first = await hub.publish('ticks', { event: 'price', data: { symbol: 'A', price: 1 } })
    const untrusted: unknown = { symbol: 'B' }
    await expect(
      hub.publish('ticks', {
        event: 'price',
        data: untrusted as { symbol: string; price: number },
      }),
    ).rejects.toMatchObject({ code: 'CONTRACT_VIOLATION', field: 'data' })
    await hub.publish('ticks', {
      event: 'chat',
      data: { user: 'bo', text: 'yo', sentAt: '2026-12-03T11:00:00.000Z' },
    })
    await hub.publish('ticks', { event: 'message', data: 'done' })

    // A client that saw the first event comes back: the hub replays the rest, each validated.
    const seen = await take(
      connect(server.url('/'), {
        events,
        headers: { 'last-event-id': first },
        retry: { maxAttempts: 0 },
      }),
      2,
    )
    expect(seen.map((event) => [event.event, event.data])).toEqual([
      ['chat', { user: 'bo', text: 'yo', sentAt: new Date('2026-12-03T11:00:00.000Z') }],
      ['message', 'done'],
    ])
    await hub.close()
  })
})
