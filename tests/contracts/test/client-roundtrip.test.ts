import type { ServerResponse } from 'node:http'
import { connect, EventSource, SSEContractError } from '@ssekit/client'
import { readEvents } from '@ssekit/decoder'
import { encode } from '@ssekit/encoder'
import { listenForTest } from '@ssekit/test-support/loopback-server'
import { describe, expect, test } from 'vitest'
import { VALIDATORS } from './contracts.ts'

/** The wire of a stream with one event of each type, a refused one, and an unknown type. */
const WIRE = [
  encode({ id: '1', event: 'price', data: { symbol: 'ACME', price: 12.5 } }),
  // sentAt travels as text and must arrive as a Date.
  encode({
    id: '2',
    event: 'chat',
    data: { user: 'ann', text: 'hi', sentAt: '2026-12-03T10:00:00.000Z' },
  }),
  // Breaks the contract: price is a string.
  encode({ id: '3', event: 'price', data: { symbol: 'ACME', price: 'high' } }),
  // A type the contract does not have: ignored by default.
  encode({ id: '4', event: 'trade', data: { symbol: 'ACME' } }),
  // The default type, validated by the message schema.
  encode({ id: '5', data: JSON.stringify('bye') }),
].join('')

async function serveWire() {
  return listenForTest((_req, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end(WIRE)
  })
}

describe.each(VALIDATORS)(
  'a client with a %s contract, over a real node:http server',
  (_name, events) => {
    test('connect() yields the valid events, decoded and validated, and reports the refused one', async () => {
      const server = await serveWire()
      const refused: SSEContractError[] = []
      const connection = connect(server.url('/'), {
        events,
        retry: { maxAttempts: 0 },
        onError: (error) => {
          if (error instanceof SSEContractError) refused.push(error)
          else return false
          return undefined
        },
      })
      const seen: unknown[] = []
      for await (const event of connection) {
        seen.push([event.event, event.data, event.lastEventId])
        if (event.event === 'message') break
      }
      expect(seen).toEqual([
        ['price', { symbol: 'ACME', price: 12.5 }, '1'],
        ['chat', { user: 'ann', text: 'hi', sentAt: new Date('2026-12-03T10:00:00.000Z') }, '2'],
        ['message', 'bye', '5'],
      ])
      expect(refused).toHaveLength(1)
      expect(refused[0]?.eventType).toBe('price')
      expect(refused[0]?.field).toBe('data')
      expect(refused[0]?.issues.length).toBeGreaterThan(0)
      expect(refused[0]?.data).toBe('{"symbol":"ACME","price":"high"}')
    })

    test('EventSource dispatches the validated data to typed listeners', async () => {
      const server = await serveWire()
      const source = new EventSource(server.url('/'), { events })
      const chats: Date[] = []
      const prices: number[] = []
      await new Promise<void>((resolve) => {
        source.addEventListener('price', (event) => prices.push(event.data.price))
        source.addEventListener('chat', (event) => chats.push(event.data.sentAt))
        source.addEventListener('message', () => resolve())
      })
      source.close()
      expect(prices).toEqual([12.5])
      expect(chats.map((date) => date.toISOString())).toEqual(['2026-12-03T10:00:00.000Z'])
    })

    test('readEvents({ events }) yields the same from a response body', async () => {
      const server = await serveWire()
      const response = await fetch(server.url('/'))
      const refused: string[] = []
      const types: string[] = []
      for await (const event of readEvents(response, {
        events,
        onInvalid: (error) => refused.push(error.eventType),
      })) {
        types.push(event.event)
      }
      expect(types).toEqual(['price', 'chat', 'message'])
      expect(refused).toEqual(['price'])
    })
  },
)
