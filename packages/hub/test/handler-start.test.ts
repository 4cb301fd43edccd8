import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { toNodeListener } from '@ssekit/test-support/fetch-listener'
import { listenForTest } from '@ssekit/test-support/loopback-server'
import { describe, expect, test } from 'vitest'
import { createFetchHandler } from '../src/fetch-handler.ts'
import { createHub } from '../src/hub.ts'
import { createMemoryTransport } from '../src/memory-transport.ts'
import { createNodeHandler } from '../src/node/node-handler.ts'
import type { HubTransport } from '../src/transport.ts'

/**
 * A memory transport whose start (the moment its live delivery begins) waits for `begin()`, as a
 * Redis transport waits for its reader's first read; closed before that, its start rejects, as
 * the Redis transport's does.
 */
function createSlowStartingTransport() {
  const memory = createMemoryTransport()
  let begin: () => void = () => {}
  let refuse: (error: Error) => void = () => {}
  const gate = new Promise<void>((resolve, reject) => {
    begin = resolve
    refuse = reject
  })
  const state = { started: false }
  const transport: HubTransport = {
    ...memory,
    async start(listener) {
      await gate
      await memory.start(listener)
      state.started = true
    },
    async close() {
      refuse(new Error('closed before it started'))
      await memory.close()
    },
  }
  return { transport, begin, state }
}

type Listener = (request: IncomingMessage, response: ServerResponse) => void

const HANDLERS: [string, (hub: ReturnType<typeof createHub>) => Listener][] = [
  ['node handler', (hub) => (request, response) => void createNodeHandler(hub)(request, response)],
  ['fetch handler', (hub) => toNodeListener(createFetchHandler(hub))],
]

describe.each(HANDLERS)('the %s while its hub is starting', (_name, listen) => {
  test('answers a stream only once live delivery flows, so the client misses no event published after its headers', async () => {
    const { transport, begin } = createSlowStartingTransport()
    const hub = createHub({ transport })
    const serve = listen(hub)
    const headersSentBeforeStart: boolean[] = []
    const server = await listenForTest((request, response) => {
      serve(request, response)
      // Once the handler has done all it can without the transport (the next turn of the event
      // loop), the transport starts: the headers must not have left yet.
      setImmediate(() => {
        headersSentBeforeStart.push(response.headersSent)
        begin()
      })
    })
    const response = await fetch(server.url('/?topic=news'))
    expect(headersSentBeforeStart).toEqual([false])
    expect(response.status).toBe(200)
    await hub.publish('news', { data: 'first' })
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    const decoder = new TextDecoder()
    let text = ''
    while (!text.includes('data: first\n\n')) {
      const { value, done } = await reader.read()
      if (done) break
      text += decoder.decode(value, { stream: true })
    }
    expect(text).toContain('data: first\n\n')
    await reader.cancel()
    await hub.close()
  })

  test('answers 503 when the hub closes before it started', async () => {
    const { transport } = createSlowStartingTransport()
    const hub = createHub({ transport })
    const serve = listen(hub)
    const server = await listenForTest((request, response) => {
      serve(request, response)
      setImmediate(() => void hub.close())
    })
    const response = await fetch(server.url('/?topic=news'))
    expect(response.status).toBe(503)
  })

  test('lets go of a client that leaves while the hub is starting', async () => {
    const { transport, begin } = createSlowStartingTransport()
    const hub = createHub({ transport })
    const serve = listen(hub)
    let handled: Promise<void> = Promise.resolve()
    const server = createServer((request, response) => {
      handled = new Promise((resolve) => response.once('close', () => resolve()))
      serve(request, response)
      // The client gives up before the hub starts.
      setImmediate(() => request.socket.destroy())
    })
    const listening = await listenForTest(server)
    await fetch(listening.url('/?topic=news')).catch(() => undefined)
    await handled
    expect(hub.stats().subscribers).toBe(0)
    begin()
    await hub.ready
    // Still no subscriber: the handler did not go on to subscribe for a client that had left.
    await new Promise((resolve) => setImmediate(resolve))
    expect(hub.stats().subscribers).toBe(0)
    await hub.close()
  })
})
