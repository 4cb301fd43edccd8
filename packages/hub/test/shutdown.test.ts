import { once } from 'node:events'
import { createServer, get, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect, onTestFinished, test } from 'vitest'
import { createEventStreamGroup, createFetchHandler, createHub } from '../src/index.ts'
import { createNodeHandler, shutdownServer } from '../src/node/index.ts'

test("closing the group ends the fetch handler's streams with the goodbye and ends their subscriptions", async () => {
  const hub = createHub()
  onTestFinished(() => hub.close())
  const streams = createEventStreamGroup()
  const handle = createFetchHandler(hub, { heartbeat: false, group: streams })
  const response = await handle(new Request('http://hub.test/events?topic=news'))
  const text = response.text()
  await hub.publish('news', { data: 'one' })
  expect(hub.stats().subscribers).toBe(1)
  await expect(
    streams.close({ retry: 700, event: { event: 'shutdown', data: 'bye' } }),
  ).resolves.toEqual({ closed: 1, destroyed: 0 })
  expect(await text).toMatch(
    /^:\nid: \S+\ndata: one\n\nretry: 700\n\nevent: shutdown\ndata: bye\n\n$/,
  )
  expect(hub.stats().subscribers).toBe(0)
})

test("shutdownServer ends the node handler's streams and stops the server", async () => {
  const hub = createHub()
  onTestFinished(() => hub.close())
  const streams = createEventStreamGroup()
  const handle = createNodeHandler(hub, { heartbeat: false, group: streams })
  const server = createServer((req, res) => void handle(req, res)).listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const request = get(`http://127.0.0.1:${port}/events?topic=news`, { agent: false })
  const [response] = (await once(request, 'response')) as [IncomingMessage]
  let body = ''
  response.setEncoding('utf8').on('data', (chunk: string) => {
    body += chunk
  })
  const ended = once(response, 'end')
  while (hub.stats().subscribers < 1) await new Promise((resolve) => setImmediate(resolve))
  const result = await shutdownServer(server, { streams, retry: 900, timeout: 2000 })
  await ended
  expect(result).toEqual({ closed: 1, destroyed: 0, destroyedConnections: 0 })
  expect(body).toBe('retry: 900\n\n')
  expect(hub.stats().subscribers).toBe(0)
  expect(server.listening).toBe(false)
})
