import { once } from 'node:events'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { connect as connectHttp2, createServer as createHttp2Server } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { createGunzip, createGzip } from 'node:zlib'
import { isSSEError, SSEError } from '@ssekit/shared'
import { listenForTest } from '@ssekit/test-support/loopback-server'
import { afterEach, describe, expect, onTestFinished, test, vi } from 'vitest'
import { encodeBytes } from '../src/encode.ts'
import { HEARTBEAT_COMMENT } from '../src/heartbeat.ts'
import {
  type NodeEventStream,
  type NodeEventStreamOptions,
  openEventStream,
} from '../src/node/index.ts'
import { connect, isSettled } from './http-client.ts'
import { decodeStream } from './wire.ts'

interface Opened {
  stream: NodeEventStream
  req: IncomingMessage
  res: ServerResponse
}

/** Starts a server whose handler opens an event stream, and connects a client to it. */
async function openPair(
  options: NodeEventStreamOptions = { heartbeat: false },
  client: { paused?: boolean } = {},
  prepare?: (res: ServerResponse) => void,
) {
  let resolveOpened!: (opened: Opened) => void
  const opened = new Promise<Opened>((resolve) => {
    resolveOpened = resolve
  })
  const { origin } = await listenForTest((req, res) => {
    prepare?.(res)
    resolveOpened({ stream: openEventStream(res, options), req, res })
  })
  const stream = await connect(origin, client)
  return { ...(await opened), client: stream }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('headers', () => {
  test('status 200 and the event-stream headers arrive before any event', async () => {
    const { client, stream } = await openPair()
    expect(client.response.statusCode).toBe(200)
    expect(client.response.headers['content-type']).toBe('text/event-stream; charset=utf-8')
    expect(client.response.headers['cache-control']).toBe('no-cache, no-transform')
    expect(client.response.headers['x-accel-buffering']).toBe('no')
    expect(client.response.headers.connection).toBe('keep-alive')
    expect(client.text).toBe('')
    stream.close()
  })

  test('headers set on the response before are kept, a foreign content type is replaced, options.headers win', async () => {
    const { client, stream } = await openPair(
      { heartbeat: false, headers: { 'x-extra': 'yes', 'x-accel-buffering': 'maybe' } },
      {},
      (res) => {
        res.setHeader('Cache-Control', 'private, no-store')
        res.setHeader('Content-Type', 'application/json')
        res.setHeader('Access-Control-Allow-Origin', '*')
        res.setHeader('X-Accel-Buffering', 'no')
      },
    )
    const headers = client.response.headers
    expect(headers['cache-control']).toBe('private, no-store')
    expect(headers['content-type']).toBe('text/event-stream; charset=utf-8')
    expect(headers['access-control-allow-origin']).toBe('*')
    expect(headers['x-extra']).toBe('yes')
    expect(headers['x-accel-buffering']).toBe('maybe')
    stream.close()
  })

  test('an event-stream content type set before is kept as it is', async () => {
    const { client, stream } = await openPair({ heartbeat: false }, {}, (res) => {
      res.setHeader('Content-Type', 'text/event-stream')
    })
    expect(client.response.headers['content-type']).toBe('text/event-stream')
    stream.close()
  })

  test('over HTTP/2 no Connection header is sent and events still flow', async () => {
    let stream: NodeEventStream | undefined
    const server = createHttp2Server((_req, res) => {
      stream = openEventStream(res, { heartbeat: false })
      void stream.send({ id: '1', data: 'over h2' })
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const session = connectHttp2(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
    onTestFinished(async () => {
      session.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    })
    const req = session.request({ ':path': '/' })
    const [headers] = (await once(req, 'response')) as [Record<string, string>]
    expect(headers[':status']).toBe(200)
    expect(headers['content-type']).toBe('text/event-stream; charset=utf-8')
    expect(headers.connection).toBeUndefined()
    req.setEncoding('utf8')
    const [chunk] = (await once(req, 'data')) as [string]
    expect(chunk).toBe('id: 1\ndata: over h2\n\n')
    req.close()
    await stream?.closed
  })

  test('opening a stream on a response whose headers were sent throws a TypeError', async () => {
    let thrown: unknown
    const { origin } = await listenForTest((_req, res) => {
      res.writeHead(200)
      res.flushHeaders()
      try {
        openEventStream(res)
      } catch (error) {
        thrown = error
      }
      res.end()
    })
    const client = await connect(origin)
    await client.ended
    expect(thrown).toBeInstanceOf(TypeError)
  })

  test('invalid options are refused before anything is written', async () => {
    const errors: unknown[] = []
    const { origin } = await listenForTest((_req, res) => {
      for (const options of [{ retry: -1 }, { heartbeat: 0 }]) {
        try {
          openEventStream(res, options)
        } catch (error) {
          errors.push(error)
        }
      }
      res.statusCode = 500
      res.end()
    })
    const client = await connect(origin)
    expect(client.response.statusCode).toBe(500)
    expect(isSSEError(errors[0], 'INVALID_RETRY')).toBe(true)
    expect(errors[1]).toBeInstanceOf(RangeError)
  })
})

describe('sending', () => {
  test("Nagle's algorithm is turned off on the socket", async () => {
    let setNoDelay: ReturnType<typeof vi.fn> | undefined
    const { stream } = await openPair({ heartbeat: false }, {}, (res) => {
      setNoDelay = vi.spyOn(res.socket as NonNullable<typeof res.socket>, 'setNoDelay') as never
    })
    expect(setNoDelay).toHaveBeenCalledWith(true)
    stream.close()
  })

  test('each event arrives while the connection stays open', async () => {
    const { client, stream } = await openPair()
    for (let i = 1; i <= 3; i++) {
      await stream.send({ id: String(i), event: 'tick', data: { i } })
      await client.waitFor((text) => text.endsWith(`data: {"i":${i}}\n\n`))
    }
    expect(decodeStream(client.text).events).toEqual([
      { id: '1', event: 'tick', data: '{"i":1}' },
      { id: '2', event: 'tick', data: '{"i":2}' },
      { id: '3', event: 'tick', data: '{"i":3}' },
    ])
    stream.close()
    await client.ended
  })

  test('the retry option is written first', async () => {
    const { client, stream } = await openPair({ heartbeat: false, retry: 1234 })
    await stream.send({ data: 'x' })
    await client.waitFor((text) => text.includes('data: x'))
    expect(client.text).toBe('retry: 1234\n\ndata: x\n\n')
    stream.close()
  })

  test('comments are written as comment lines', async () => {
    const { client, stream } = await openPair()
    await stream.comment('hello\nworld')
    await client.waitFor((text) => text.includes('world'))
    expect(client.text).toBe(': hello\n: world\n')
    stream.close()
  })

  test('a refused event rejects with its SSEError, writes nothing, and leaves the stream open', async () => {
    const { client, stream } = await openPair({
      heartbeat: false,
      serialize: (v) => `<${String(v)}>`,
    })
    const refused = await stream.send({ id: 'a\nb', data: 'x' }).catch((error: unknown) => error)
    expect(isSSEError(refused, 'INVALID_ID')).toBe(true)
    expect(stream.isClosed).toBe(false)
    await stream.send({ data: null })
    await client.waitFor((text) => text.includes('data: <null>'))
    expect(client.text).toBe('data: <null>\n\n')
    stream.close()
  })

  test('write() sends pre-encoded bytes and text as they are, the same bytes to several streams', async () => {
    const bytes = encodeBytes({ id: '7', event: 'tick', data: 'é' })
    const first = await openPair()
    const second = await openPair()
    await first.stream.write(bytes)
    await second.stream.write(bytes)
    await first.stream.write(': note\n')
    await first.client.waitFor((text) => text.endsWith(': note\n'))
    await second.client.waitFor((text) => text.endsWith('\n\n'))
    expect(first.client.text).toBe('id: 7\nevent: tick\ndata: é\n\n: note\n')
    expect(second.client.text).toBe('id: 7\nevent: tick\ndata: é\n\n')
    first.stream.close()
    second.stream.close()
  })

  test('write() on a closed stream rejects with STREAM_CLOSED and writes nothing', async () => {
    const { stream, res } = await openPair()
    stream.close()
    const write = vi.spyOn(res, 'write')
    const error = await stream.write(new Uint8Array([100, 10, 10])).catch((e: unknown) => e)
    expect(isSSEError(error, 'STREAM_CLOSED')).toBe(true)
    expect(write).not.toHaveBeenCalled()
  })

  test('writeNow() on a closed stream returns false and writes nothing; drained() resolves', async () => {
    const { stream, res } = await openPair()
    stream.close()
    const write = vi.spyOn(res, 'write')
    expect(stream.writeNow(new Uint8Array([100, 10, 10]))).toBe(false)
    expect(write).not.toHaveBeenCalled()
    expect(await isSettled(stream.drained())).toBe(true)
  })

  test('unicode and lone surrogates reach the client as UTF-8', async () => {
    const { client, stream } = await openPair()
    await stream.send({ data: 'é🚀\u0301 \uD800' })
    await client.waitFor((text) => text.endsWith('\n\n'))
    expect(decodeStream(client.text).events).toEqual([{ data: 'é🚀\u0301 \uFFFD' }])
    stream.close()
  })

  test('with a compression middleware, every event is flushed through it at once', async () => {
    const { client, stream } = await openPair({ heartbeat: false }, {}, (res) => {
      // What the `compression` middleware does: route writes through gzip and add res.flush().
      const gzip = createGzip()
      const write = res.write.bind(res) as (chunk: Buffer) => boolean
      const end = res.end.bind(res) as () => void
      res.setHeader('Content-Encoding', 'gzip')
      gzip.on('data', (chunk: Buffer) => write(chunk))
      gzip.on('end', () => end())
      Object.assign(res, {
        write: (chunk: string) => gzip.write(chunk),
        end: () => gzip.end(),
        flush: () => gzip.flush(),
      })
    })
    expect(client.response.headers['content-encoding']).toBe('gzip')
    const gunzip = createGunzip()
    client.response.removeAllListeners('data')
    client.response.setEncoding('latin1')
    client.response.on('data', (chunk: string) => gunzip.write(Buffer.from(chunk, 'latin1')))
    let text = ''
    gunzip.setEncoding('utf8')
    gunzip.on('data', (chunk: string) => {
      text += chunk
    })
    await stream.send({ data: 'compressed but immediate' })
    // Without res.flush() gzip would hold these few bytes back and this would never resolve.
    await vi.waitUntil(() => text.includes('compressed but immediate'), { timeout: 5_000 })
    expect(text).toBe('data: compressed but immediate\n\n')
    stream.close()
  })
})

describe('heartbeats', () => {
  test('heartbeat comments arrive at the configured interval', async () => {
    const { client, stream } = await openPair({ heartbeat: 20 })
    const text = await client.waitFor((received) => received.split(HEARTBEAT_COMMENT).length > 2)
    expect(text).toBe(HEARTBEAT_COMMENT.repeat(text.length / HEARTBEAT_COMMENT.length))
    expect(decodeStream(text).events).toEqual([])
    stream.close()
  })

  test('the default heartbeat interval is 15 seconds', async () => {
    const spy = vi.spyOn(globalThis, 'setInterval')
    const { stream } = await openPair({})
    expect(spy.mock.calls.filter(([, delay]) => delay === 15_000)).toHaveLength(1)
    stream.close()
  })

  test('heartbeat false starts no timer', async () => {
    const spy = vi.spyOn(globalThis, 'setInterval')
    const { stream } = await openPair({ heartbeat: false })
    expect(spy).not.toHaveBeenCalled()
    stream.close()
  })
})

/** Sends large events to a client that does not read until a send is left waiting. */
async function fillUntilPending(stream: NodeEventStream): Promise<{ pending: Promise<void> }> {
  const big = 'x'.repeat(256 * 1024)
  for (let i = 0; i < 400; i++) {
    const sent = stream.send({ data: big })
    // Wrapped: an async function returning the promise itself would wait for it.
    if (!(await isSettled(sent))) return { pending: sent }
  }
  throw new Error('the socket never pushed back after 100 MiB')
}

describe('backpressure', () => {
  test('write() stays pending while the client does not read, and resolves once it does', async () => {
    const { client, stream } = await openPair({ heartbeat: false }, { paused: true })
    await fillUntilPending(stream)
    const pending = stream.write(encodeBytes({ data: 'after' }))
    expect(await isSettled(pending)).toBe(false)
    client.response.resume()
    await pending
    await client.waitFor((text) => text.endsWith('data: after\n\n'))
    stream.close()
  })

  test('send() stays pending while the client does not read, and resolves once it does', async () => {
    const { client, stream, res } = await openPair({ heartbeat: false }, { paused: true })
    const { pending } = await fillUntilPending(stream)
    // The chunks go straight to the socket on node:http 1.1 (see chunked-socket-write.ts).
    expect(res.writableNeedDrain || res.socket?.writableNeedDrain).toBe(true)
    expect(await isSettled(pending)).toBe(false)
    client.response.resume()
    await pending
    expect(stream.isClosed).toBe(false)
    stream.close()
    await client.ended
    expect(decodeStream(client.text).events.length).toBeGreaterThan(1)
  })

  test('writeNow() writes at once, returns false once the buffer is full, and drained() resolves when the client reads', async () => {
    const { client, stream } = await openPair({ heartbeat: false }, { paused: true })
    expect(await isSettled(stream.drained())).toBe(true)
    const big = encodeBytes({ data: 'x'.repeat(256 * 1024) })
    let writes = 0
    let drained: Promise<void> | undefined
    while (drained === undefined) {
      if (++writes > 400) throw new Error('the socket never pushed back after 100 MiB')
      if (stream.writeNow(big)) continue
      // False: over the socket's high-water mark, which the kernel may still drain at once.
      const waiting = stream.drained()
      if (!(await isSettled(waiting))) drained = waiting
    }
    expect(stream.isClosed).toBe(false)
    client.response.resume()
    await drained
    expect(stream.writeNow(encodeBytes({ data: 'after' }))).toBe(true)
    await client.waitFor((text) => text.endsWith('data: after\n\n'))
    // Every chunk written, including those that found the buffer full.
    expect(decodeStream(client.text).events).toHaveLength(writes + 1)
    stream.close()
  })

  test('heartbeats are skipped while the socket buffer is full', async () => {
    const setInterval = vi.spyOn(globalThis, 'setInterval')
    const { client, stream } = await openPair({ heartbeat: 60_000 }, { paused: true })
    const tick = setInterval.mock.calls[0]?.[0] as () => void
    const { pending } = await fillUntilPending(stream)
    tick()
    tick()
    client.response.resume()
    await pending
    tick()
    stream.close()
    await client.ended
    // Only the heartbeat due after the buffer drained reached the wire.
    expect(client.text.split(HEARTBEAT_COMMENT).length - 1).toBe(1)
    expect(client.text.endsWith(HEARTBEAT_COMMENT)).toBe(true)
  })
})

describe('closing', () => {
  test('a client disconnect aborts the signal, resolves closed, and rejects pending sends with STREAM_CLOSED', async () => {
    const setInterval = vi.spyOn(globalThis, 'setInterval')
    const clearInterval = vi.spyOn(globalThis, 'clearInterval')
    const { client, stream, res } = await openPair({ heartbeat: 60_000 }, { paused: true })
    const timer = setInterval.mock.results[0]?.value
    expect(timer).toBeDefined()
    expect(res.listenerCount('drain')).toBe(1)
    const { pending } = await fillUntilPending(stream)
    const aborted = once(stream.signal, 'abort')

    client.disconnect()

    await aborted
    await stream.closed
    const reason = await pending.catch((error: unknown) => error)
    expect(reason).toBeInstanceOf(SSEError)
    expect(isSSEError(reason, 'STREAM_CLOSED')).toBe(true)
    expect(stream.isClosed).toBe(true)
    expect(isSSEError(stream.signal.reason, 'STREAM_CLOSED')).toBe(true)
    expect(clearInterval).toHaveBeenCalledWith(timer)
    expect(res.listenerCount('drain')).toBe(0)
    await expect(stream.send({ data: 'late' })).rejects.toMatchObject({ code: 'STREAM_CLOSED' })
    await expect(stream.comment('late')).rejects.toMatchObject({ code: 'STREAM_CLOSED' })
  })

  test('a send left waiting by a disconnect rejects with a stack that names its caller; the abort reason has none', async () => {
    const { client, stream } = await openPair({ heartbeat: false }, { paused: true })
    await fillUntilPending(stream)
    async function sendTheLastEvent(): Promise<void> {
      await stream.send({ data: 'last' })
    }
    const sent = sendTheLastEvent()
    client.disconnect()
    const error = await sent.catch((e: unknown) => e)
    expect(isSSEError(error, 'STREAM_CLOSED')).toBe(true)
    expect((error as Error).stack).toContain('sendTheLastEvent')
    // Made by every closing stream, where no caller is on the stack: without frames, it is cheap.
    const reason = stream.signal.reason as Error
    expect(isSSEError(reason, 'STREAM_CLOSED')).toBe(true)
    expect(reason.stack?.split('\n').filter((line) => line.trim().startsWith('at '))).toEqual([])
  })

  test('after a disconnect no listener added by the stream remains on the response', async () => {
    let baseline: Record<string, number> = {}
    const { client, stream, res } = await openPair({ heartbeat: 10 }, {}, (r) => {
      baseline = { close: r.listenerCount('close'), drain: r.listenerCount('drain') }
    })
    client.disconnect()
    await stream.closed
    expect({ close: res.listenerCount('close'), drain: res.listenerCount('drain') }).toEqual(
      baseline,
    )
  })

  test('close() ends the response, aborts the signal, resolves closed, and is idempotent', async () => {
    const clearInterval = vi.spyOn(globalThis, 'clearInterval')
    const { client, stream } = await openPair({ heartbeat: 60_000 })
    await stream.send({ data: 'bye' })
    stream.close()
    stream.close()
    expect(stream.isClosed).toBe(true)
    expect(stream.signal.aborted).toBe(true)
    await stream.closed
    await client.ended
    expect(client.text).toBe('data: bye\n\n')
    expect(clearInterval).toHaveBeenCalledTimes(1)
    await expect(stream.send({ data: 'after' })).rejects.toSatisfy((error) =>
      isSSEError(error, 'STREAM_CLOSED'),
    )
  })

  test('a response ended behind the stream makes the next send reject with STREAM_CLOSED', async () => {
    const { client, stream, res } = await openPair()
    res.end()
    await expect(stream.send({ data: 'x' })).rejects.toMatchObject({ code: 'STREAM_CLOSED' })
    expect(stream.isClosed).toBe(true)
    await client.ended
  })

  test('a heartbeat due after the response was ended behind the stream writes nothing', async () => {
    const setInterval = vi.spyOn(globalThis, 'setInterval')
    const { client, stream, res } = await openPair({ heartbeat: 60_000 })
    const tick = setInterval.mock.calls[0]?.[0] as () => void
    const errors: unknown[] = []
    res.on('error', (error) => errors.push(error))
    res.end()
    const write = vi.spyOn(res, 'write')
    tick()
    expect(write).not.toHaveBeenCalled()
    await client.ended
    await stream.closed
    expect(errors).toEqual([])
  })

  test('a stream opened after the client left starts closed', async () => {
    let resolveStream!: (stream: NodeEventStream) => void
    const opened = new Promise<NodeEventStream>((resolve) => {
      resolveStream = resolve
    })
    const { origin } = await listenForTest((req, res) => {
      req.socket.destroy()
      res.once('close', () => resolveStream(openEventStream(res)))
    })
    await connect(origin).catch(() => undefined)
    const stream = await opened
    expect(stream.isClosed).toBe(true)
    expect(stream.signal.aborted).toBe(true)
    await stream.closed
    await expect(stream.send({ data: 'x' })).rejects.toMatchObject({ code: 'STREAM_CLOSED' })
  })
})
