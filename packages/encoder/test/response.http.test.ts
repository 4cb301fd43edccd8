import type { ServerResponse } from 'node:http'
import { listenForTest } from '@ssekit/test-support/loopback-server'
import { expect, test, vi } from 'vitest'
import type { EncodableEvent } from '../src/encode.ts'
import { HEARTBEAT_COMMENT } from '../src/heartbeat.ts'
import { createEventStreamResponse } from '../src/response.ts'
import { connect } from './http-client.ts'
import { decodeStream } from './wire.ts'

/**
 * Serves a web Response on node:http the way adapters such as @hono/node-server do: headers at
 * once, the body written as it comes, and the body cancelled when the client goes away.
 */
async function serve(response: Response, res: ServerResponse): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers))
  res.flushHeaders()
  const reader = (response.body as ReadableStream<Uint8Array>).getReader()
  res.on('close', () => {
    reader.cancel('client disconnected').catch(() => {})
  })
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    res.write(value)
  }
  res.end()
}

test('over a real node:http server, events and heartbeats arrive and a disconnect stops the source', async () => {
  const clearInterval = vi.spyOn(globalThis, 'clearInterval')
  let stopped = false
  let release!: () => void
  const waiting = new Promise<void>((resolve) => {
    release = resolve
  })
  async function* events(): AsyncGenerator<EncodableEvent> {
    try {
      yield { id: '1', data: 'hello' }
      yield { id: '2', data: 'multi\nline' }
      await waiting
      yield { data: 'never sent' }
    } finally {
      stopped = true
    }
  }
  const { origin } = await listenForTest((_req, res) => {
    void serve(createEventStreamResponse(events(), { heartbeat: 20, retry: 100 }), res)
  })
  const client = await connect(origin)
  expect(client.response.headers['content-type']).toBe('text/event-stream; charset=utf-8')
  const wire = await client.waitFor((text) => text.includes(HEARTBEAT_COMMENT))
  const decoded = decodeStream(wire)
  expect(decoded.retries).toEqual([100])
  expect(decoded.events).toEqual([
    { id: '1', data: 'hello' },
    { id: '2', data: 'multi\nline' },
  ])
  expect(decoded.comments[0]).toBe('heartbeat')

  client.disconnect()
  await vi.waitUntil(() => clearInterval.mock.calls.length > 0, { timeout: 5_000 })
  // The generator was parked in an await: return() takes effect once it settles.
  release()
  await vi.waitUntil(() => stopped, { timeout: 5_000 })
  vi.restoreAllMocks()
})
