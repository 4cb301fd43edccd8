/** What only `connect()` has: async iteration, callbacks' details, and request options. */
import { isSSEError, type ServerSentEvent } from '@ssekit/shared'
import { expect, test } from 'vitest'
import { connect } from '../src/connect.ts'
import { SSEResponseError } from '../src/response-error.ts'
import {
  createFaultServer,
  destroy,
  hold,
  status,
  stream,
  streamThenDestroy,
} from './fault-server.ts'

const FAST = { retry: { initialDelay: 20 } }

test('for await yields the events across reconnects, and break closes the connection', async () => {
  const server = await createFaultServer()
  server.route('/s', stream('id: 1\ndata: a\n\n'), hold('event: tick\ndata: b\n\ndata: c\n\n'))
  const connection = connect(server.url('/s'), FAST)
  const seen: ServerSentEvent[] = []
  for await (const event of connection) {
    seen.push(event)
    if (seen.length === 2) break
  }
  // The second event has no id of its own: its cursor is the id sent before the reconnect.
  expect(seen).toStrictEqual([
    { id: '1', data: 'a', lastEventId: '1' },
    { event: 'tick', data: 'b', lastEventId: '1' },
  ])
  expect(connection.readyState).toBe(2)
  await (await server.request(1)).socketClosed
  expect(server.requests).toHaveLength(2)
})

test('the loop throws the error that failed the connection for good', async () => {
  const server = await createFaultServer()
  server.route('/s', status(403, 'forbidden'))
  const connection = connect(server.url('/s'), FAST)
  const failure = await (async () => {
    for await (const _event of connection) expect.unreachable()
  })().catch((error: unknown) => error)
  expect(failure).toBeInstanceOf(SSEResponseError)
  expect(isSSEError(failure, 'INVALID_STATUS')).toBe(true)
  expect((failure as SSEResponseError).status).toBe(403)
})

test('the loop ends quietly after a 204, after delivering what came before', async () => {
  const server = await createFaultServer()
  server.route('/s', stream('data: last\n\n'), status(204, '', {}))
  const data: string[] = []
  for await (const event of connect(server.url('/s'), FAST)) data.push(event.data)
  expect(data).toStrictEqual(['last'])
})

test('the loop ends quietly when onError returns false', async () => {
  const server = await createFaultServer()
  server.route('/s', streamThenDestroy('data: a\n\n'))
  const data: string[] = []
  for await (const event of connect(server.url('/s'), { ...FAST, onError: () => false })) {
    data.push(event.data)
  }
  expect(data).toStrictEqual(['a'])
})

test('RETRY_LIMIT carries the last error as its cause and ends the loop', async () => {
  const server = await createFaultServer()
  server.route('/s', destroy())
  const connection = connect(server.url('/s'), { retry: { initialDelay: 1, maxAttempts: 2 } })
  const failure = await (async () => {
    for await (const _event of connection) expect.unreachable()
  })().catch((error: unknown) => error)
  expect(isSSEError(failure, 'RETRY_LIMIT')).toBe(true)
  expect(isSSEError((failure as Error).cause, 'NETWORK_ERROR')).toBe(true)
  expect(server.requests).toHaveLength(3)
})

test('onRetry receives the backed-off delays and the attempt numbers', async () => {
  const server = await createFaultServer()
  server.route('/s', destroy())
  const retries: [number, number][] = []
  const closed = new Promise((resolve) => {
    connect(server.url('/s'), {
      retry: { initialDelay: 5, factor: 3, maxDelay: 100, random: () => 1, maxAttempts: 5 },
      onRetry: (delay, attempt) => retries.push([delay, attempt]),
      onClose: resolve,
    })
  })
  await closed
  expect(retries).toStrictEqual([
    [15, 1],
    [45, 2],
    [100, 3],
    [100, 4],
    [100, 5],
  ])
})

test('a successful open resets the backoff and the attempt count', async () => {
  const server = await createFaultServer()
  server.route('/s', destroy(), destroy(), stream('data: up\n\n'), destroy(), hold())
  const retries: [number, number][] = []
  const connection = connect(server.url('/s'), {
    retry: { initialDelay: 5, random: () => 1 },
    onEvent: () => {},
    onRetry: (delay, attempt) => retries.push([delay, attempt]),
  })
  await server.request(4)
  connection.close()
  expect(retries).toStrictEqual([
    [10, 1],
    [20, 2],
    // The stream opened: back to the plain reconnection time, attempt 1.
    [5, 1],
    [10, 2],
  ])
})

test('close() right after connect() sends no request at all', async () => {
  const server = await createFaultServer()
  server.route('/s', hold())
  let fetched = 0
  const connection = connect(server.url('/s'), {
    fetch: (input, init) => {
      fetched++
      return fetch(input, init)
    },
  })
  connection.close()
  // The first request starts on a microtask: once they have all run, it would have been made.
  await new Promise<void>((resolve) => setImmediate(resolve))
  expect(fetched).toBe(0)
  expect(connection.readyState).toBe(2)
})

test('an already aborted signal never starts the connection', () => {
  const connection = connect('http://127.0.0.1:9/never', { signal: AbortSignal.abort() })
  expect(connection.readyState).toBe(2)
})

test('the lastEventId option is sent on the first request and exposed', async () => {
  const server = await createFaultServer()
  server.route('/s', hold('data: a\n\n'))
  const connection = connect(server.url('/s'), { lastEventId: 'saved-42' })
  expect(connection.lastEventId).toBe('saved-42')
  expect((await server.request(0)).headers['last-event-id']).toBe('saved-42')
  connection.close()
})

test('a custom fetch receives the spec request: no-store cache, follow redirects, credentials', async () => {
  const calls: [string, RequestInit][] = []
  const connection = connect(new URL('http://127.0.0.1:9/events?x=1'), {
    credentials: 'include',
    fetch: async (input, init) => {
      calls.push([input, init])
      return new Response('data: from mock\n\n', {
        headers: { 'content-type': 'text/event-stream' },
      })
    },
    onError: () => false,
  })
  expect(connection.url).toBe('http://127.0.0.1:9/events?x=1')
  let first: ServerSentEvent | undefined
  for await (const event of connection) {
    first = event
    break
  }
  expect(first).toStrictEqual({ data: 'from mock', lastEventId: '' })
  const [url, init] = calls[0] ?? []
  expect(url).toBe('http://127.0.0.1:9/events?x=1')
  expect(init?.cache).toBe('no-store')
  expect(init?.redirect).toBe('follow')
  expect(init?.credentials).toBe('include')
  expect(init?.method).toBe('GET')
  expect(new Headers(init?.headers).get('accept')).toBe('text/event-stream')
  expect(init?.signal).toBeInstanceOf(AbortSignal)
  expect(init?.signal?.aborted).toBe(true)
})

test('a relative URL without a page to resolve it against throws a TypeError', () => {
  expect(() => connect('/events')).toThrow(TypeError)
})

test('without onEvent or a loop, reading pauses until the loop takes the events', async () => {
  const server = await createFaultServer()
  server.route('/s', hold('data: 1\n\n'))
  const connection = connect(server.url('/s'), FAST)
  const request = await server.request(0)
  // The client has not taken the next chunk yet; a loop started later still gets everything.
  request.res.write('data: 2\n\n')
  const data: string[] = []
  for await (const event of connection) {
    data.push(event.data)
    if (data.length === 2) break
  }
  expect(data).toStrictEqual(['1', '2'])
})

test('a connection is iterated by one loop at a time', async () => {
  const server = await createFaultServer()
  server.route('/s', hold())
  const connection = connect(server.url('/s'), FAST)
  connection[Symbol.asyncIterator]()
  expect(() => connection[Symbol.asyncIterator]()).toThrow(TypeError)
  connection.close()
})

test('onEvent and a loop both see every event', async () => {
  const server = await createFaultServer()
  server.route('/s', hold('data: a\n\ndata: b\n\n'))
  const fromCallback: string[] = []
  const connection = connect(server.url('/s'), {
    ...FAST,
    onEvent: (event) => fromCallback.push(event.data),
  })
  const fromLoop: string[] = []
  for await (const event of connection) {
    fromLoop.push(event.data)
    if (fromLoop.length === 2) break
  }
  expect(fromLoop).toStrictEqual(['a', 'b'])
  expect(fromCallback).toStrictEqual(['a', 'b'])
})

test('the response error keeps its body readable inside onError', async () => {
  const server = await createFaultServer()
  server.route('/s', status(422, '{"problem":"bad topic"}', { 'content-type': 'application/json' }))
  let body: Promise<unknown> | undefined
  const done = new Promise((resolve) => {
    connect(server.url('/s'), {
      onError(error) {
        if (error instanceof SSEResponseError) body = error.response.json()
      },
      onClose: resolve,
    })
  })
  await done
  expect(await body).toStrictEqual({ problem: 'bad topic' })
})

test('onComment receives heartbeats', async () => {
  const server = await createFaultServer()
  server.route('/s', hold(': ping\n\n:pong\n\n'))
  const comments: string[] = []
  let connection: ReturnType<typeof connect> | undefined
  await new Promise<void>((resolve) => {
    connection = connect(server.url('/s'), {
      onComment(comment) {
        comments.push(comment)
        if (comments.length === 2) resolve()
      },
    })
  })
  connection?.close()
  expect(comments).toStrictEqual(['ping', 'pong'])
})
