/**
 * Async validators under connect()'s loop: whatever each validation takes, the loop gets the
 * valid events in the order the server sent them, and onError the invalid ones, in order too.
 */
import type { ServerResponse } from 'node:http'
import { fc, test } from '@fast-check/vitest'
import { defineEvents, type SSEContractError } from '@ssekit/shared'
import { type LoopbackServer, startLoopbackServer } from '@ssekit/test-support/loopback-server'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import { connect } from '../src/connect.ts'
import { asyncSchema, checkChat, checkPrice } from './schemas.ts'

/** Each validation waits the `delay` its value carries, so later events may finish first. */
const delayOf = (value: unknown): number => (value as { delay?: number } | null)?.delay ?? 0
const contract = defineEvents({
  price: asyncSchema(checkPrice, delayOf),
  chat: asyncSchema(checkChat, delayOf),
})

/** One event of a generated stream, and what the client should make of it. */
interface Sent {
  wire: string
  kind: 'valid' | 'invalid' | 'unknown'
  data?: unknown
}

const sent: fc.Arbitrary<Sent> = fc.oneof(
  fc
    .record({
      symbol: fc.string({ maxLength: 3 }),
      price: fc.double({ noNaN: true, noDefaultInfinity: true }),
    })
    .chain((price) =>
      fc.nat(6).map((delay) => ({
        wire: `event: price\ndata: ${JSON.stringify({ ...price, delay })}\n\n`,
        kind: 'valid' as const,
        data: { symbol: price.symbol, price: Object.is(price.price, -0) ? 0 : price.price },
      })),
    ),
  fc
    .record({ user: fc.string({ maxLength: 3 }), text: fc.string({ maxLength: 5 }) })
    .chain((chat) =>
      fc.nat(6).map((delay) => ({
        wire: `event: chat\ndata: ${JSON.stringify({ ...chat, delay })}\n\n`,
        kind: 'valid' as const,
        data: { user: chat.user, text: chat.text },
      })),
    ),
  fc.nat(6).map((delay) => ({
    wire: `event: price\ndata: ${JSON.stringify({ symbol: 'X', delay })}\n\n`,
    kind: 'invalid' as const,
  })),
  fc.constant({ wire: 'event: news\ndata: {}\n\n', kind: 'unknown' as const }),
)

let server: LoopbackServer
/** The stream of each path: its text, cut into writes. */
const scripts = new Map<string, string[]>()

beforeAll(async () => {
  server = await startLoopbackServer((req, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    const chunks = scripts.get(req.url ?? '') ?? []
    const writeNext = (index: number): void => {
      if (index === chunks.length) res.end()
      else res.write(chunks[index] as string, () => writeNext(index + 1))
    }
    writeNext(0)
  })
})

afterAll(() => server.close())

/** Cuts a text at the given points (sorted, deduplicated, within it). */
function cut(text: string, points: number[]): string[] {
  const at = [...new Set(points.map((point) => point % (text.length + 1)))].sort((a, b) => a - b)
  const chunks: string[] = []
  let start = 0
  for (const point of at) {
    if (point > start) chunks.push(text.slice(start, point))
    start = Math.max(start, point)
  }
  chunks.push(text.slice(start))
  return chunks
}

describe('async validators on iteration', () => {
  let run = 0
  test.prop([fc.array(sent, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 6 })], {
    numRuns: 40,
  })(
    'the loop yields the valid events in order, whatever each validation takes',
    async (events, points) => {
      const path = `/run-${run++}`
      scripts.set(path, cut(events.map((event) => event.wire).join(''), points))
      const invalid: SSEContractError[] = []
      const connection = connect(server.url(path), {
        events: contract,
        // One response, then the connection ends (a POST is not re-sent).
        method: 'POST',
        onError: (error) => void invalid.push(error as SSEContractError),
      })
      const data: unknown[] = []
      for await (const event of connection) data.push(event.data)
      expect(data).toStrictEqual(
        events.filter((event) => event.kind === 'valid').map((event) => event.data),
      )
      expect(invalid.map((error) => [error.code, error.eventType])).toStrictEqual(
        events
          .filter((event) => event.kind === 'invalid')
          .map(() => ['CONTRACT_VIOLATION', 'price']),
      )
    },
  )
})
