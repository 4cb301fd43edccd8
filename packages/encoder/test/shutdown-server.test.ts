import { once } from 'node:events'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, onTestFinished, test } from 'vitest'
import { openEventStream, shutdownServer } from '../src/node/index.ts'
import { createEventStreamGroup } from '../src/stream-group.ts'
import { connect } from './http-client.ts'

async function listen(server: ReturnType<typeof createServer>): Promise<string> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  onTestFinished(() => {
    server.closeAllConnections()
    server.close()
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe('shutdownServer', () => {
  test('ends every open stream with the retry hint and the last event, then the server closes', async () => {
    const streams = createEventStreamGroup()
    const server = createServer((_req, res) => {
      openEventStream(res, { heartbeat: false, group: streams })
    })
    const origin = await listen(server)
    const clients = await Promise.all([connect(origin), connect(origin)])
    expect(streams.size).toBe(2)
    const result = await shutdownServer(server, {
      streams,
      retry: 1500,
      event: { event: 'shutdown', data: 'bye' },
      timeout: 2000,
    })
    expect(result).toEqual({ closed: 2, destroyed: 0, destroyedConnections: 0 })
    expect(server.listening).toBe(false)
    for (const client of clients) {
      await client.ended
      expect(client.text).toBe('retry: 1500\n\nevent: shutdown\ndata: bye\n\n')
    }
  })

  test('a request still in flight at the deadline has its connection destroyed, and the promise resolves', async () => {
    let received!: () => void
    const arrived = new Promise<void>((resolve) => {
      received = resolve
    })
    // A handler that never answers: server.close() alone would wait for it forever.
    const server = createServer(() => received())
    const origin = await listen(server)
    const pending = request(origin, { agent: false })
    pending.on('error', () => {})
    pending.end()
    await arrived
    const began = performance.now()
    const result = await shutdownServer(server, { timeout: 200 })
    expect(result).toEqual({ closed: 0, destroyed: 0, destroyedConnections: 1 })
    expect(performance.now() - began).toBeGreaterThanOrEqual(190)
    expect(server.listening).toBe(false)
  })

  test('an invalid retry hint or timeout rejects before anything is closed', async () => {
    const server = createServer()
    await listen(server)
    const streams = createEventStreamGroup()
    await expect(shutdownServer(server, { streams, retry: 1.5 })).rejects.toMatchObject({
      code: 'INVALID_RETRY',
    })
    await expect(shutdownServer(server, { streams, timeout: -1 })).rejects.toThrow(RangeError)
    expect(server.listening).toBe(true)
    expect(streams.closing).toBe(false)
  })
})
