/**
 * The client's behaviour against a real node:http server with injected faults. Every test runs
 * twice: against `connect()` and against the `EventSource` class.
 */
import { isSSEError, type SSEError } from '@ssekit/shared'
import { describe, expect, onTestFinished, test, vi } from 'vitest'
import { SSEResponseError } from '../src/response-error.ts'
import { type ClientHandle, clients } from './client-matrix.ts'
import {
  createFaultServer,
  destroy,
  drip,
  hold,
  redirect,
  silence,
  status,
  stream,
  streamThenDestroy,
} from './fault-server.ts'

/** Small delays keep the suite fast; timing is only ever asserted as a lower bound. */
const FAST = { retry: { initialDelay: 20 } }
/** Node may fire a timer up to 1 ms early (it rounds); allow that much in lower bounds. */
const TIMER_SLACK = 2

function errorsOf(client: ClientHandle): SSEError[] {
  return client.observations.flatMap((o) => (o.type === 'error' ? [o.error] : []))
}

function timeouts(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length
}

/**
 * Tracks the timers created from now on through the global `setTimeout` (which the client
 * calls): `pending()` lists those neither fired nor cleared.
 */
function trackTimers(): { pending: () => number } {
  const live = new Set<unknown>()
  const realSetTimeout = globalThis.setTimeout
  const realClearTimeout = globalThis.clearTimeout
  vi.spyOn(globalThis, 'setTimeout').mockImplementation(((
    callback: (...args: unknown[]) => void,
    delay?: number,
    ...args: unknown[]
  ) => {
    const id = realSetTimeout(
      (...inner: unknown[]) => {
        live.delete(id)
        callback(...inner)
      },
      delay,
      ...args,
    )
    live.add(id)
    return id
  }) as typeof setTimeout)
  vi.spyOn(globalThis, 'clearTimeout').mockImplementation((id) => {
    live.delete(id)
    realClearTimeout(id)
  })
  onTestFinished(() => {
    vi.restoreAllMocks()
  })
  return { pending: () => live.size }
}

describe.each(clients)('$name', (client) => {
  test('a 200 text/event-stream response opens the connection and its events arrive in order', async () => {
    const server = await createFaultServer()
    server.route(
      '/s',
      hold('data: one\n\nevent: tick\ndata: two\n\n: comment\ndata: 3\ndata: 4\n\n'),
    )
    const handle = client.open(server.url('/s'), FAST)
    expect(handle.readyState).toBe(0)
    await handle.waitFor((o) => o.type === 'open')
    expect(handle.readyState).toBe(1)
    expect(await handle.messages(3)).toStrictEqual(['one', 'two', '3\n4'])
    const types = handle.observations.flatMap((o) => (o.type === 'message' ? [o.event] : []))
    expect(types).toStrictEqual(['message', 'tick', 'message'])
    expect(handle.observations[0]).toStrictEqual({ type: 'open' })
    handle.close()
    expect(handle.readyState).toBe(2)
  })

  test('requests carry Accept: text/event-stream and no Last-Event-ID at first', async () => {
    const server = await createFaultServer()
    server.route('/s', hold())
    const handle = client.open(server.url('/s'), FAST)
    const request = await server.request(0)
    expect(request.method).toBe('GET')
    expect(request.headers.accept).toBe('text/event-stream')
    expect(request.headers['last-event-id']).toBeUndefined()
    handle.close()
  })

  test("when the body ends it reconnects after the server's retry time, sending Last-Event-ID", async () => {
    const server = await createFaultServer()
    server.route(
      '/s',
      stream('retry: 50\nid: 1\ndata: a\n\n'),
      stream('id: 2\ndata: b\n\ndata: no id\n\n'),
      hold('data: c\n\n'),
    )
    const handle = client.open(server.url('/s'), { retry: { initialDelay: 5000 } })
    expect(await handle.messages(4)).toStrictEqual(['a', 'b', 'no id', 'c'])
    const [first, second, third] = server.requests
    expect(first?.headers['last-event-id']).toBeUndefined()
    expect(second?.headers['last-event-id']).toBe('1')
    expect(third?.headers['last-event-id']).toBe('2')
    // retry: 50 replaced the 5 s initial delay, and was waited each time.
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(50 - TIMER_SLACK)
    expect((third?.at ?? 0) - (second?.at ?? 0)).toBeGreaterThanOrEqual(50 - TIMER_SLACK)
    expect(handle.observations.map((o) => o.type)).toStrictEqual([
      'open',
      'message',
      'retry',
      'open',
      'message',
      'message',
      'retry',
      'open',
      'message',
    ])
    expect(handle.lastEventId).toBe('2')
    handle.close()
  })

  test('an event cut off by a destroyed socket is discarded, never delivered half', async () => {
    const server = await createFaultServer()
    server.route(
      '/s',
      streamThenDestroy('data: whole\n\n', 'id: 7\ndata: hal'),
      hold('data: next\n\n'),
    )
    const handle = client.open(server.url('/s'), FAST)
    expect(await handle.messages(2)).toStrictEqual(['whole', 'next'])
    expect(errorsOf(handle).map((e) => e.code)).toStrictEqual(['NETWORK_ERROR'])
    // The cut-off block's id was never committed.
    expect(server.requests[1]?.headers['last-event-id']).toBeUndefined()
    handle.close()
  })

  test('status 204 closes the connection for good', async () => {
    const server = await createFaultServer()
    server.route('/s', status(204, '', {}), hold('data: never\n\n'))
    const handle = client.open(server.url('/s'), FAST)
    await handle.waitFor((o) => o.type === 'closed')
    expect(handle.readyState).toBe(2)
    expect(server.requests).toHaveLength(1)
    expect(handle.observations.some((o) => o.type === 'message' || o.type === 'retry')).toBe(false)
  })

  test.each([400, 401, 404, 500, 503])(
    'status %i fails the connection for good with INVALID_STATUS',
    async (code) => {
      const server = await createFaultServer()
      server.route('/s', status(code, 'nope'), hold('data: never\n\n'))
      const handle = client.open(server.url('/s'), FAST)
      await handle.waitFor((o) => o.type === 'closed')
      const [error] = errorsOf(handle)
      expect(error).toBeInstanceOf(SSEResponseError)
      expect(isSSEError(error, 'INVALID_STATUS')).toBe(true)
      expect((error as SSEResponseError).status).toBe(code)
      expect((error as SSEResponseError).contentType).toBe('text/plain')
      expect(handle.readyState).toBe(2)
      expect(server.requests).toHaveLength(1)
    },
  )

  test('a redirect to a stream is followed', async () => {
    const server = await createFaultServer()
    const target = await createFaultServer()
    target.route('/stream', hold('data: moved\n\n'))
    server.route('/s', redirect(target.url('/stream'), 307))
    const handle = client.open(server.url('/s'), FAST)
    expect(await handle.messages(1)).toStrictEqual(['moved'])
    expect(target.requests[0]?.headers.accept).toBe('text/event-stream')
    handle.close()
  })

  test('a redirect to a 404 fails the connection for good', async () => {
    const server = await createFaultServer()
    server.route('/s', redirect(server.url('/missing')))
    server.route('/missing', status(404))
    const handle = client.open(server.url('/s'), FAST)
    await handle.waitFor((o) => o.type === 'closed')
    const error = errorsOf(handle)[0] as SSEResponseError
    expect(error.code).toBe('INVALID_STATUS')
    expect(error.status).toBe(404)
    expect(error.response.url).toBe(server.url('/missing'))
    expect(server.requests.map((r) => r.path)).toStrictEqual(['/s', '/missing'])
  })

  test.each([
    ['text/plain', 'text/plain'],
    ['application/json', 'application/json; charset=utf-8'],
    ['text/event-streams', 'text/event-streams'],
    ['missing', undefined],
  ])('a %s content type fails the connection for good', async (_name, contentType) => {
    const server = await createFaultServer()
    server.route(
      '/s',
      status(200, 'data: x\n\n', contentType === undefined ? {} : { 'content-type': contentType }),
    )
    const handle = client.open(server.url('/s'), FAST)
    await handle.waitFor((o) => o.type === 'closed')
    const error = errorsOf(handle)[0] as SSEResponseError
    expect(error.code).toBe('INVALID_CONTENT_TYPE')
    expect(error.status).toBe(200)
    expect(error.contentType).toBe(contentType ?? null)
    expect(handle.observations.some((o) => o.type === 'message' || o.type === 'open')).toBe(false)
    expect(server.requests).toHaveLength(1)
  })

  test('a content type in any letter case and with parameters opens the stream', async () => {
    const server = await createFaultServer()
    server.route(
      '/s',
      status(200, 'data: ok\n\n', { 'content-type': 'Text/Event-Stream ; Charset=UTF-8' }),
    )
    const handle = client.open(server.url('/s'), FAST)
    expect(await handle.messages(1)).toStrictEqual(['ok'])
    handle.close()
  })

  test('custom headers and a POST body arrive at the server', async () => {
    const server = await createFaultServer()
    server.route('/s', hold('data: ok\n\n'))
    const handle = client.open(server.url('/s'), {
      ...FAST,
      method: 'POST',
      headers: { authorization: 'Bearer abc', 'x-trace': 't1', 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'é?' }),
    })
    await handle.messages(1)
    const request = server.requests[0]
    expect(request?.method).toBe('POST')
    expect(request?.headers.authorization).toBe('Bearer abc')
    expect(request?.headers['x-trace']).toBe('t1')
    expect(request?.headers['content-type']).toBe('application/json')
    expect(request?.headers.accept).toBe('text/event-stream')
    expect(JSON.parse(request?.body ?? '')).toStrictEqual({ question: 'é?' })
    handle.close()
  })

  test('a headers function is called before every reconnect, so a token is refreshed', async () => {
    const server = await createFaultServer()
    server.route('/s', stream('id: a\ndata: 1\n\n'), stream('data: 2\n\n'), hold('data: 3\n\n'))
    let calls = 0
    const handle = client.open(server.url('/s'), {
      ...FAST,
      headers: async () => {
        calls++
        return { authorization: `Bearer token-${calls}` }
      },
    })
    await handle.messages(3)
    expect(server.requests.map((r) => r.headers.authorization)).toStrictEqual([
      'Bearer token-1',
      'Bearer token-2',
      'Bearer token-3',
    ])
    // Last-Event-ID is still added next to the function's headers.
    expect(server.requests[1]?.headers['last-event-id']).toBe('a')
    handle.close()
  })

  test('a headers function that throws fails the attempt like a network error, then retries', async () => {
    const server = await createFaultServer()
    server.route('/s', hold('data: ok\n\n'))
    let calls = 0
    const handle = client.open(server.url('/s'), {
      ...FAST,
      headers: () => {
        calls++
        if (calls === 1) throw new Error('token service down')
        return {}
      },
    })
    expect(await handle.messages(1)).toStrictEqual(['ok'])
    const [error] = errorsOf(handle)
    expect(error?.code).toBe('NETWORK_ERROR')
    expect(error?.cause).toHaveProperty('message', 'token service down')
    handle.close()
  })

  test('a slow one-byte drip is decoded, multi-byte characters included', async () => {
    const server = await createFaultServer()
    server.route('/s', drip('data: héllo\r\n\r\nid: 😀\ndata: 😀\n\n', 1), hold())
    const handle = client.open(server.url('/s'), FAST)
    expect(await handle.messages(2)).toStrictEqual(['héllo', '😀'])
    await handle.waitFor((o) => o.type === 'retry')
    // Last-Event-ID goes out UTF-8 encoded; node:http reads header bytes as Latin-1.
    const lastEventId = String((await server.request(1)).headers['last-event-id'])
    expect(Buffer.from(lastEventId, 'latin1').toString('utf8')).toBe('😀')
    handle.close()
  })

  test('10,000 events arrive with no loss or reordering', async () => {
    const server = await createFaultServer()
    const count = 10_000
    server.route('/s', async (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      for (let batch = 0; batch < count; batch += 500) {
        let text = ''
        for (let i = batch; i < batch + 500; i++) text += `id: ${i}\ndata: event ${i}\n\n`
        await new Promise<void>((resolve) => res.write(text, () => resolve()))
      }
    })
    const handle = client.open(server.url('/s'), FAST)
    const data = await handle.messages(count)
    expect(data).toHaveLength(count)
    expect(data.every((d, i) => d === `event ${i}`)).toBe(true)
    expect(handle.lastEventId).toBe(String(count - 1))
    handle.close()
  })

  test('close() while connecting aborts the request and leaves nothing running', async () => {
    const server = await createFaultServer()
    server.route('/s', silence())
    const timersBefore = timeouts()
    const timers = trackTimers()
    const handle = client.open(server.url('/s'), { ...FAST, idleTimeout: 10_000 })
    const request = await server.request(0)
    expect(handle.readyState).toBe(0)
    expect(timers.pending()).toBeGreaterThan(0)
    handle.close()
    expect(handle.readyState).toBe(2)
    expect(timers.pending()).toBe(0)
    await request.socketClosed
    expect(timeouts()).toBeLessThanOrEqual(timersBefore)
    expect(handle.observations).toStrictEqual([])
  })

  test('close() while open cancels the body and nothing is delivered afterwards', async () => {
    const server = await createFaultServer()
    server.route('/s', hold('data: first\n\n'))
    const timersBefore = timeouts()
    const timers = trackTimers()
    const handle = client.open(server.url('/s'), { ...FAST, idleTimeout: 10_000 })
    await handle.messages(1)
    const request = await server.request(0)
    expect(timers.pending()).toBeGreaterThan(0)
    handle.close()
    expect(timers.pending()).toBe(0)
    const seen = handle.observations.length
    // The server keeps writing: none of it may reach the client.
    request.res.write('data: after close\n\n')
    await request.socketClosed
    expect(handle.observations).toHaveLength(seen)
    expect(handle.readyState).toBe(2)
    expect(timeouts()).toBeLessThanOrEqual(timersBefore)
    expect(server.requests).toHaveLength(1)
  })

  test('close() while waiting to reconnect clears the timer: no further request', async () => {
    const server = await createFaultServer()
    server.route('/s', stream('retry: 60000\ndata: only\n\n'))
    const timersBefore = timeouts()
    const timers = trackTimers()
    const handle = client.open(server.url('/s'), FAST)
    await handle.waitFor((o) => o.type === 'retry')
    expect(handle.readyState).toBe(0)
    expect(timers.pending()).toBe(1)
    handle.close()
    expect(handle.readyState).toBe(2)
    expect(timers.pending()).toBe(0)
    expect(timeouts()).toBeLessThanOrEqual(timersBefore)
    expect(server.requests).toHaveLength(1)
  })

  test('a server that closes every stream at once is never hit faster than the reconnection time', async () => {
    const server = await createFaultServer()
    server.route('/s', stream(''))
    const handle = client.open(server.url('/s'), { retry: { initialDelay: 40 } })
    await server.request(4)
    handle.close()
    const gaps = server.requests.slice(1).map((r, i) => r.at - (server.requests[i]?.at ?? 0))
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(40 - TIMER_SLACK)
  })

  test('attempts that fail in a row back off exponentially up to maxDelay, then hit maxAttempts', async () => {
    const server = await createFaultServer()
    server.route('/s', destroy())
    const handle = client.open(server.url('/s'), {
      retry: { initialDelay: 10, maxDelay: 80, random: () => 1, maxAttempts: 5 },
    })
    await handle.waitFor((o) => o.type === 'closed')
    expect(server.requests).toHaveLength(6)
    const gaps = server.requests.slice(1).map((r, i) => r.at - (server.requests[i]?.at ?? 0))
    const expected = [20, 40, 80, 80, 80]
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual((expected[i] ?? 0) - TIMER_SLACK)
    })
    const codes = errorsOf(handle).map((e) => e.code)
    expect(codes).toStrictEqual([...Array(6).fill('NETWORK_ERROR'), 'RETRY_LIMIT'])
    expect(handle.readyState).toBe(2)
  })

  test('the idle timeout re-establishes a connection on which nothing arrives', async () => {
    const server = await createFaultServer()
    server.route('/s', hold(': hello\n\n'), hold('data: fresh\n\n'))
    const handle = client.open(server.url('/s'), { ...FAST, idleTimeout: 100 })
    const first = await server.request(0)
    expect(await handle.messages(1)).toStrictEqual(['fresh'])
    await first.socketClosed
    expect(errorsOf(handle).map((e) => e.code)).toStrictEqual(['IDLE_TIMEOUT'])
    handle.close()
  })

  test('the idle timeout also covers a server that never answers', async () => {
    const server = await createFaultServer()
    server.route('/s', silence(), hold('data: fresh\n\n'))
    const handle = client.open(server.url('/s'), { ...FAST, idleTimeout: 100 })
    expect(await handle.messages(1)).toStrictEqual(['fresh'])
    expect(errorsOf(handle).map((e) => e.code)).toStrictEqual(['IDLE_TIMEOUT'])
    handle.close()
  })

  test('a POST whose stream ends is not sent again', async () => {
    const server = await createFaultServer()
    server.route('/s', stream('data: answer\n\n'))
    const handle = client.open(server.url('/s'), { ...FAST, method: 'POST', body: 'q' })
    await handle.waitFor((o) => o.type === 'closed')
    expect(await handle.messages(1)).toStrictEqual(['answer'])
    expect(server.requests).toHaveLength(1)
    expect(handle.readyState).toBe(2)
  })

  test('a POST is re-sent, body included, with retryNonIdempotent', async () => {
    const server = await createFaultServer()
    server.route('/s', stream('id: 1\ndata: a\n\n'), hold('data: b\n\n'))
    const handle = client.open(server.url('/s'), {
      ...FAST,
      method: 'POST',
      body: 'q',
      retryNonIdempotent: true,
    })
    expect(await handle.messages(2)).toStrictEqual(['a', 'b'])
    expect(server.requests.map((r) => [r.method, r.body])).toStrictEqual([
      ['POST', 'q'],
      ['POST', 'q'],
    ])
    expect(server.requests[1]?.headers['last-event-id']).toBe('1')
    handle.close()
  })

  test('onError returning true reconnects after a status the spec treats as final', async () => {
    const server = await createFaultServer()
    server.route('/s', status(503), hold('data: back\n\n'))
    const handle = client.open(server.url('/s'), { ...FAST, onError: () => true })
    expect(await handle.messages(1)).toStrictEqual(['back'])
    expect(errorsOf(handle).map((e) => e.code)).toStrictEqual(['INVALID_STATUS'])
    handle.close()
  })

  test('onError returning false stops instead of reconnecting', async () => {
    const server = await createFaultServer()
    server.route('/s', streamThenDestroy('data: a\n\n'), hold('data: never\n\n'))
    const handle = client.open(server.url('/s'), { ...FAST, onError: () => false })
    await handle.waitFor((o) => o.type === 'closed')
    expect(server.requests).toHaveLength(1)
    expect(handle.readyState).toBe(2)
  })

  test('pauseWhenHidden disconnects while the page is hidden and reconnects when visible', async () => {
    const server = await createFaultServer()
    server.route('/s', hold('id: 1\ndata: before\n\n'), hold('data: after\n\n'))
    const document = Object.assign(new EventTarget(), { hidden: false })
    const added = vi.spyOn(document, 'addEventListener')
    const removed = vi.spyOn(document, 'removeEventListener')
    vi.stubGlobal('document', document)
    try {
      const handle = client.open(server.url('/s'), { ...FAST, pauseWhenHidden: true })
      await handle.messages(1)
      const first = await server.request(0)
      document.hidden = true
      document.dispatchEvent(new Event('visibilitychange'))
      await first.socketClosed
      expect(handle.readyState).toBe(0)
      expect(server.requests).toHaveLength(1)
      document.hidden = false
      document.dispatchEvent(new Event('visibilitychange'))
      expect(await handle.messages(2)).toStrictEqual(['before', 'after'])
      expect(server.requests[1]?.headers['last-event-id']).toBe('1')
      // A pause is not an error: nothing was reported.
      expect(errorsOf(handle)).toStrictEqual([])
      handle.close()
      expect(added).toHaveBeenCalledTimes(1)
      expect(removed).toHaveBeenCalledWith('visibilitychange', added.mock.calls[0]?.[1])
    } finally {
      vi.unstubAllGlobals()
    }
  })

  test('an event larger than maxEventSize fails the connection with EVENT_TOO_LARGE', async () => {
    const server = await createFaultServer()
    server.route('/s', hold(`data: ok\n\ndata: ${'x'.repeat(100)}\n\n`))
    const handle = client.open(server.url('/s'), { ...FAST, maxEventSize: 50 })
    await handle.waitFor((o) => o.type === 'closed')
    expect(await handle.messages(1)).toStrictEqual(['ok'])
    expect(errorsOf(handle).map((e) => e.code)).toStrictEqual(['EVENT_TOO_LARGE'])
    await (await server.request(0)).socketClosed
  })

  test('an abort signal closes the connection', async () => {
    const server = await createFaultServer()
    server.route('/s', hold('data: a\n\n'))
    const controller = new AbortController()
    const handle = client.open(server.url('/s'), { ...FAST, signal: controller.signal })
    await handle.messages(1)
    controller.abort()
    expect(handle.readyState).toBe(2)
    await (await server.request(0)).socketClosed
  })
})
