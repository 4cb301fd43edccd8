import { once } from 'node:events'
import { get, type IncomingMessage, type ServerResponse } from 'node:http'
import { toNodeListener } from '@ssekit/test-support/fetch-listener'
import { type LoopbackServer, startLoopbackServer } from '@ssekit/test-support/loopback-server'
import { afterEach, describe, expect, test } from 'vitest'
import {
  createFetchHandler,
  createHub,
  GAP_EVENT,
  type Hub,
  type HubOptions,
  isSSEError,
} from '../src/index.ts'
import { createNodeHandler } from '../src/node/index.ts'
import type { AuthorizeResult } from '../src/subscription-request.ts'
import { openEvents, waitFor } from './servers.ts'

interface MatrixOptions {
  authorize?: (topics: readonly string[], authorization: string | null) => AuthorizeResult
  lastEventIdParam?: string
  onError?: (error: unknown) => void
}

/** One suite, two servers: the node:http handler and the fetch handler (h3's describeMatrix). */
const MATRIX = {
  'node:http handler': (hub: Hub, options: MatrixOptions) => {
    const handle = createNodeHandler(hub, {
      heartbeat: false,
      lastEventIdParam: options.lastEventIdParam,
      onError: options.onError,
      authorize: options.authorize
        ? (request, topics) =>
            (options.authorize as NonNullable<MatrixOptions['authorize']>)(
              topics,
              request.headers.authorization ?? null,
            )
        : undefined,
    })
    return (req: IncomingMessage, res: ServerResponse) => void handle(req, res)
  },
  'fetch handler': (hub: Hub, options: MatrixOptions) =>
    toNodeListener(
      createFetchHandler(hub, {
        heartbeat: false,
        lastEventIdParam: options.lastEventIdParam,
        authorize: options.authorize
          ? (request, topics) =>
              (options.authorize as NonNullable<MatrixOptions['authorize']>)(
                topics,
                request.headers.get('authorization'),
              )
          : undefined,
      }),
    ),
}

describe.each(Object.entries(MATRIX))('%s', (_name, listen) => {
  let server: LoopbackServer | undefined
  let hub: Hub | undefined

  afterEach(async () => {
    await server?.close()
    await hub?.close()
    server = undefined
    hub = undefined
  })

  async function serve(
    options: MatrixOptions = {},
    hubOptions: HubOptions = {},
    wrap: (hub: Hub) => Hub = (created) => created,
  ): Promise<{ hub: Hub; url: string }> {
    hub = createHub(hubOptions)
    server = await startLoopbackServer(listen(wrap(hub), options))
    return { hub, url: server.origin }
  }

  test('streams live events of the requested topics as text/event-stream', async () => {
    const { hub, url } = await serve()
    const stream = await openEvents(`${url}/events?topic=a,b&topic=c`)
    expect(stream.response.status).toBe(200)
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    await waitFor(() => hub.stats().subscribers === 1, 'the subscription')
    await hub.publish('b', { event: 'update', data: { n: 1 } })
    await hub.publish('x', { data: 'not subscribed' })
    const id = await hub.publish('c', { data: 'line one\nline two' })
    expect(await stream.next()).toMatchObject({ event: 'update', data: '{"n":1}' })
    expect(await stream.next()).toMatchObject({ id, data: 'line one\nline two' })
    stream.close()
  })

  test('the Last-Event-ID header resumes several topics exactly', async () => {
    const { hub, url } = await serve()
    const from = await hub.publish('a', { data: 'a0' })
    await hub.publish('b', { data: 'b1' })
    await hub.publish('z', { data: 'z1' })
    await hub.publish('a', { data: 'a2' })
    const stream = await openEvents(`${url}/?topic=a,b`, { 'last-event-id': from })
    expect((await stream.next())?.data).toBe('b1')
    expect((await stream.next())?.data).toBe('a2')
    stream.close()
  })

  test('the query parameter resumes only when opted in, and the header wins over it', async () => {
    const { hub, url } = await serve({ lastEventIdParam: 'lastEventId' })
    const first = await hub.publish('t', { data: '1' })
    const second = await hub.publish('t', { data: '2' })
    await hub.publish('t', { data: '3' })
    const byParam = await openEvents(`${url}/?topic=t&lastEventId=${first}`)
    expect((await byParam.next())?.data).toBe('2')
    byParam.close()
    const byHeader = await openEvents(`${url}/?topic=t&lastEventId=${first}`, {
      'last-event-id': second,
    })
    expect((await byHeader.next())?.data).toBe('3')
    byHeader.close()
  })

  test('an unknown last event id yields the ssekit-gap event first', async () => {
    const { hub, url } = await serve()
    await hub.publish('t', { data: 'kept' })
    const stream = await openEvents(`${url}/?topic=t`, { 'last-event-id': 'unknown-7' })
    const gap = await stream.next()
    expect(gap?.event).toBe(GAP_EVENT)
    expect(JSON.parse(gap?.data ?? '')).toEqual({
      reason: 'reset',
      topics: ['t'],
      lastEventId: 'unknown-7',
    })
    expect((await stream.next())?.data).toBe('kept')
    stream.close()
  })

  test('authorize refuses with 401 or 403 before anything is streamed', async () => {
    const { hub, url } = await serve({
      authorize: (topics, authorization) =>
        authorization === null
          ? 401
          : authorization === 'Bearer admin' || !topics.includes('admin'),
    })
    expect((await fetch(`${url}/?topic=admin`)).status).toBe(401)
    const forbidden = await fetch(`${url}/?topic=news,admin`, {
      headers: { authorization: 'Bearer user' },
    })
    expect(forbidden.status).toBe(403)
    expect(hub.stats().subscribers).toBe(0)
    const allowed = await openEvents(`${url}/?topic=admin`, { authorization: 'Bearer admin' })
    expect(allowed.response.status).toBe(200)
    allowed.close()
  })

  test('a request without a topic, or with an invalid one, is answered 400', async () => {
    const { url } = await serve()
    expect((await fetch(`${url}/events`)).status).toBe(400)
    const invalid = await fetch(`${url}/events?topic=${encodeURIComponent('a b')}`)
    expect(invalid.status).toBe(400)
    expect(await invalid.text()).toContain('Invalid topic')
  })

  test('a client that disconnects ends its subscription', async () => {
    const { hub, url } = await serve()
    const stream = await openEvents(`${url}/?topic=t`)
    await waitFor(() => hub.stats().subscribers === 1, 'the subscription')
    await hub.publish('t', { data: 'one' })
    expect((await stream.next())?.data).toBe('one')
    stream.close()
    await waitFor(() => hub.stats().subscribers === 0, 'the subscription to end')
  })

  test('a client that stops reading is disconnected with SLOW_CONSUMER once maxQueueLength events wait', async () => {
    const errors: unknown[] = []
    const { hub, url } = await serve(
      { onError: (error) => errors.push(error) },
      { maxQueueLength: 4, history: { maxEventsPerTopic: 4 } },
    )
    const request = get(`${url}/?topic=t`)
    const [response] = (await once(request, 'response')) as [IncomingMessage]
    response.pause()
    await waitFor(() => hub.stats().subscribers === 1, 'the subscription')
    const data = 'x'.repeat(64 * 1024)
    // Loopback buffers take a few MB; 1,000 events of 64 KB are 64 MB.
    for (let i = 0; i < 1000 && hub.stats().slowConsumers === 0; i++) {
      await hub.publish('t', { data })
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(hub.stats().slowConsumers).toBe(1)
    await waitFor(() => hub.stats().subscribers === 0, 'the subscription to end')
    if (_name === 'node:http handler') {
      await waitFor(() => errors.length === 1, 'onError')
      expect(isSSEError(errors[0], 'SLOW_CONSUMER')).toBe(true)
    }
    request.destroy()
  })

  test('a hub of another kind (a wrapper implementing Hub) is streamed through its subscribe()', async () => {
    const { hub, url } = await serve({}, {}, (inner) => ({
      publish: (topic, event) => inner.publish(topic, event),
      subscribe: (topics, options) => inner.subscribe(topics, options),
      stats: () => inner.stats(),
      close: () => inner.close(),
      get closed() {
        return inner.closed
      },
      ready: inner.ready,
    }))
    const from = await hub.publish('t', { data: 'zero' })
    await hub.publish('t', { data: 'one' })
    const stream = await openEvents(`${url}/?topic=t`, { 'last-event-id': from })
    expect((await stream.next())?.data).toBe('one')
    await hub.publish('t', { data: 'two' })
    expect((await stream.next())?.data).toBe('two')
    stream.close()
    await waitFor(() => hub.stats().subscribers === 0, 'the subscription to end')
  })

  test('closing the hub ends open streams', async () => {
    const { hub, url } = await serve()
    const stream = await openEvents(`${url}/?topic=t`)
    await waitFor(() => hub.stats().subscribers === 1, 'the subscription')
    await hub.close()
    expect(await stream.next()).toBeUndefined()
    expect((await fetch(`${url}/?topic=t`)).status).toBe(503)
  })
})

describe('fetch handler body', () => {
  test('starts with the retry block, sends heartbeat comments while idle, and the events', async () => {
    const hub = createHub()
    const handle = createFetchHandler(hub, { heartbeat: 20, retry: 1500 })
    const controller = new AbortController()
    const response = await handle(
      new Request('http://localhost/events?topic=t', { signal: controller.signal }),
    )
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    const decoder = new TextDecoder()
    let text = ''
    const readUntil = async (done: (text: string) => boolean): Promise<string> => {
      for (let reads = 0; reads < 100 && !done(text); reads++) {
        const { value, done: ended } = await reader.read()
        if (ended) break
        text += decoder.decode(value, { stream: true })
      }
      return text
    }
    await readUntil((received) => received.split(': heartbeat\n').length > 2)
    expect(text.startsWith('retry: 1500\n\n: heartbeat\n: heartbeat\n')).toBe(true)
    await hub.ready
    await hub.publish('t', { data: 'x' })
    await readUntil((received) => received.includes('data: x\n\n'))
    expect(text).toMatch(/id: \S+\ndata: x\n\n/)
    controller.abort()
    expect((await reader.read()).done).toBe(true)
    expect(hub.stats().subscribers).toBe(0)
    await hub.close()
  })
})
