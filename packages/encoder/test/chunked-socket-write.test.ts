import { once } from 'node:events'
import { type IncomingMessage, type Server, ServerResponse } from 'node:http'
import { type AddressInfo, connect as connectTcp, type Socket } from 'node:net'
import { listenForTest } from '@ssekit/test-support/loopback-server'
import { expect, onTestFinished, test, vi } from 'vitest'
import { encodeBytes, encodeComment } from '../src/encode.ts'
import { type NodeEventStream, openEventStream } from '../src/node/index.ts'

// openEventStream writes HTTP/1.1 chunks straight to the socket (src/node/chunked-socket-write.ts).
// These tests read the raw bytes of the response off a TCP socket, so the framing itself is
// checked, not just what an HTTP client makes of it.

interface Raw {
  socket: Socket
  /** Everything received so far, as Latin-1 text (one character per byte). */
  text(): string
  waitFor(predicate: (text: string) => boolean): Promise<void>
}

/** Sends `request` to `server` over a raw TCP connection and collects the raw response. */
async function connectRaw(server: Server, request: string): Promise<Raw> {
  const socket = connectTcp((server.address() as AddressInfo).port, '127.0.0.1')
  await once(socket, 'connect')
  let received = ''
  socket.setEncoding('latin1')
  socket.on('data', (data: string) => {
    received += data
  })
  socket.write(request)
  return {
    socket,
    text: () => received,
    async waitFor(predicate) {
      await vi.waitUntil(() => predicate(received), { timeout: 2000 }).catch(() => {})
      expect(
        predicate(received),
        `never received what was awaited; got ${JSON.stringify(received)}`,
      ).toBe(true)
    },
  }
}

/** Serves one event stream per request and sends `request` over a raw TCP connection. */
async function openRaw(
  request: string,
  onStream: (stream: NodeEventStream, res: ServerResponse, req: IncomingMessage) => void,
): Promise<Raw> {
  const { server } = await listenForTest((req, res) =>
    onStream(openEventStream(res, { heartbeat: false }), res, req),
  )
  return connectRaw(server, request)
}

const GET_11 = 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'

/** The body of a raw chunked response, parsed strictly: every chunk's size must match its bytes. */
function parseChunks(raw: string): { chunks: string[]; ended: boolean } {
  const start = raw.indexOf('\r\n\r\n')
  expect(raw.slice(0, start)).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
  expect(raw.slice(0, start).toLowerCase()).toContain('transfer-encoding: chunked')
  let at = start + 4
  const chunks: string[] = []
  while (at < raw.length) {
    const lineEnd = raw.indexOf('\r\n', at)
    const size = Number.parseInt(raw.slice(at, lineEnd), 16)
    expect(raw.slice(at, lineEnd)).toMatch(/^[0-9a-f]+$/)
    if (size === 0) {
      expect(raw.slice(lineEnd)).toBe('\r\n\r\n')
      return { chunks, ended: true }
    }
    const data = raw.slice(lineEnd + 2, lineEnd + 2 + size)
    expect(raw.slice(lineEnd + 2 + size, lineEnd + 4 + size)).toBe('\r\n')
    chunks.push(data)
    at = lineEnd + 4 + size
  }
  return { chunks, ended: false }
}

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1')

test('each event is one well-formed chunk, multi-byte text counted in bytes, and close() ends the body once', async () => {
  const raw = await openRaw(GET_11, (stream) => {
    void stream.send({ id: '1', data: 'héllo 😀' })
    void stream.write('data: as text\n\n')
    void stream.write('')
    void stream.comment('note')
    stream.close()
  })
  await raw.waitFor((text) => text.endsWith('0\r\n\r\n'))
  const { chunks, ended } = parseChunks(raw.text())
  expect(ended).toBe(true)
  expect(chunks).toStrictEqual([
    latin1(encodeBytes({ id: '1', data: 'héllo 😀' })),
    'data: as text\n\n',
    encodeComment('note'),
  ])
})

test('one Uint8Array written to several streams is framed once and sent as the same buffer', async () => {
  const shared = encodeBytes({ event: 'tick', data: '{"n":1}' })
  const sockets: Socket[] = []
  const streams: NodeEventStream[] = []
  const { server } = await listenForTest((_req, res) => {
    streams.push(openEventStream(res, { heartbeat: false }))
    sockets.push(res.socket as Socket)
  })
  const clients = await Promise.all([1, 2].map(() => connectRaw(server, GET_11)))
  await vi.waitUntil(() => streams.length === 2, { timeout: 2000 })
  const writes = sockets.map((socket) => vi.spyOn(socket, 'write'))
  await Promise.all(streams.map((stream) => stream.write(shared)))
  const [first, second] = writes.map((write) => write.mock.calls[0]?.[0])
  expect(first).toBeInstanceOf(Uint8Array)
  expect(second).toBe(first)
  for (const client of clients) {
    await client.waitFor((text) => text.includes('{"n":1}'))
    expect(parseChunks(client.text()).chunks).toStrictEqual([latin1(shared)])
    client.socket.destroy()
  }
})

test('an HTTP/1.0 client (no chunked encoding) gets the events as a plain body', async () => {
  const raw = await openRaw('GET / HTTP/1.0\r\n\r\n', (stream) => {
    void stream.send({ data: 'one' })
    void stream.send({ data: 'two' })
    stream.close()
  })
  await once(raw.socket, 'end')
  const text = raw.text()
  expect(text.toLowerCase()).not.toContain('transfer-encoding')
  expect(text.slice(text.indexOf('\r\n\r\n') + 4)).toBe('data: one\n\ndata: two\n\n')
})

test('a write() replaced by middleware is used: the stream does not go around it', async () => {
  const seen: string[] = []
  const raw = await openRaw(GET_11, (stream, res) => {
    // Installed after openEventStream, as a late middleware would: the next write must use it.
    const original = res.write.bind(res) as (chunk: string | Uint8Array) => boolean
    res.write = ((chunk: string | Uint8Array) => {
      seen.push(typeof chunk === 'string' ? chunk : latin1(chunk))
      return original(chunk)
    }) as typeof res.write
    void stream.send({ data: 'watched' })
  })
  await raw.waitFor((text) => text.includes('data: watched'))
  expect(seen).toStrictEqual(['data: watched\n\n'])
  raw.socket.destroy()
})

test('a pipelined request, answered while the one before it is still open, streams once it gets the socket', async () => {
  let finishFirst: (() => void) | undefined
  let secondOpened = false
  const { server } = await listenForTest((req, res) => {
    if (req.url === '/first') {
      finishFirst = () => res.end('first done')
      return
    }
    secondOpened = true
    // Not on the socket yet: its headers wait in the response's queue, so it must use res.write().
    const stream = openEventStream(res, { heartbeat: false })
    void stream.send({ data: 'second' }).then(() => stream.close())
  })
  const raw = await connectRaw(
    server,
    'GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n',
  )
  await vi.waitUntil(() => finishFirst !== undefined && secondOpened, { timeout: 2000 })
  finishFirst?.()
  await raw.waitFor((text) => text.endsWith('0\r\n\r\n') && text.includes('data: second'))
  const second = raw.text().slice(raw.text().lastIndexOf('HTTP/1.1 200'))
  expect(parseChunks(second)).toStrictEqual({ chunks: ['data: second\n\n'], ended: true })
  raw.socket.destroy()
})

test('chunks written in the same tick all go straight to the socket, each framed in one write', async () => {
  // Node 20 counts the socket's corks, this path's own included, in res.writableCorked: reading it
  // sent every chunk after a tick's first one through res.write() (issue #13).
  const resWrite = vi.spyOn(ServerResponse.prototype, 'write')
  onTestFinished(() => resWrite.mockRestore())
  const socketWrites: string[] = []
  const raw = await openRaw(GET_11, (stream, res) => {
    const socket = res.socket as Socket
    const write = socket.write.bind(socket) as (chunk: Uint8Array) => boolean
    socket.write = ((chunk: Uint8Array) => {
      socketWrites.push(latin1(chunk))
      return write(chunk)
    }) as typeof socket.write
    void stream.send({ data: 'one' })
    void stream.send({ data: 'two' })
    void stream.comment('three')
    stream.close()
  })
  await raw.waitFor((text) => text.endsWith('0\r\n\r\n'))
  expect(resWrite).not.toHaveBeenCalled()
  expect(socketWrites.slice(0, 3)).toStrictEqual([
    'b\r\ndata: one\n\n\r\n',
    'b\r\ndata: two\n\n\r\n',
    `${encodeComment('three').length.toString(16)}\r\n${encodeComment('three')}\r\n`,
  ])
  expect(parseChunks(raw.text()).chunks).toStrictEqual([
    'data: one\n\n',
    'data: two\n\n',
    encodeComment('three'),
  ])
})

test("a tick's first chunk leaves at once; the rest of the tick's chunks leave together in one writev", async () => {
  const corked: number[] = []
  const writevBatches: number[] = []
  const raw = await openRaw(GET_11, (stream, res) => {
    const socket = res.socket as Socket & { _writev(chunks: unknown[], cb: () => void): void }
    const writev = socket._writev.bind(socket)
    socket._writev = (chunks, cb) => {
      writevBatches.push(chunks.length)
      writev(chunks, cb)
    }
    void stream.send({ data: 'one' })
    corked.push(socket.writableCorked)
    void stream.send({ data: 'two' })
    corked.push(socket.writableCorked)
    void stream.send({ data: 'three' })
    corked.push(socket.writableCorked)
    // Scheduled after the writer's own end of the tick, which was scheduled at the first chunk.
    process.nextTick(() => {
      corked.push(socket.writableCorked)
      stream.close()
    })
  })
  await raw.waitFor((text) => text.endsWith('0\r\n\r\n'))
  expect(corked).toStrictEqual([0, 1, 1, 0])
  expect(writevBatches[0]).toBe(2)
  expect(parseChunks(raw.text()).chunks).toStrictEqual([
    'data: one\n\n',
    'data: two\n\n',
    'data: three\n\n',
  ])
})

test('a corked response keeps its order: a chunk res.write() held back is not overtaken', async () => {
  // Since Node 22 a corked response buffers its chunks until uncork(); on Node 20 it corks the socket.
  const raw = await openRaw(GET_11, (stream, res) => {
    res.cork()
    res.write('data: first\n\n')
    void stream.send({ data: 'second' })
    res.uncork()
    void stream.send({ data: 'third' })
    stream.close()
  })
  await raw.waitFor((text) => text.endsWith('0\r\n\r\n'))
  expect(parseChunks(raw.text()).chunks.join('')).toBe(
    'data: first\n\ndata: second\n\ndata: third\n\n',
  )
})
