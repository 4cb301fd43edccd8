/**
 * The server side of the hub benchmark, run as a child process so that server and clients do not
 * share one event loop: `node hub-server.mjs ssekit|better-sse`. It answers GET /events with an
 * event stream (the ssekit hub's node handler, or a better-sse session registered in a channel),
 * reports its port over IPC, and publishes on request: `{ type: 'publish', count, rate }` (events
 * per second, or 0 for as fast as possible). Each event's data is `{"i":n,"t":<publish time>}`,
 * the time being `process.hrtime` in ms so the client processes can compute latency. It also
 * reports the CPU time it spent from the start of a publish run to `{ type: 'cpu' }`. With
 * `size`, each event's data is padded to that many bytes. `{ type: 'heap' }` answers, after a full
 * GC, the heap in use and the bytes waiting in the sockets' own buffers (written by the server,
 * not yet taken by the kernel), for the paused-subscriber run.
 */
import { createServer } from 'node:http'
import { createHub } from '@ssekit/hub'
import { createNodeHandler } from '@ssekit/hub/node'
import { createChannel, createSession } from 'better-sse'

const kind = process.argv[2]
// CLOCK_MONOTONIC in milliseconds: the same clock in the client processes (hub-clients.mjs).
const now = () => Number(process.hrtime.bigint() / 1000n) / 1000

let broadcast
let subscribers
let listener

if (kind === 'ssekit') {
  const hub = createHub({ history: { maxEventsPerTopic: 1000 } })
  const handle = createNodeHandler(hub, { heartbeat: false })
  broadcast = (data) => {
    void hub.publish('bench', { data })
  }
  subscribers = () => hub.stats().subscribers
  listener = (request, response) => void handle(request, response)
} else if (kind === 'better-sse') {
  const channel = createChannel()
  broadcast = (data) => channel.broadcast(data)
  subscribers = () => channel.sessionCount
  listener = async (request, response) => {
    // The same wire data as ssekit's: the string as it is, no keep-alive comments.
    const session = await createSession(request, response, { serializer: String, keepAlive: null })
    channel.register(session)
  }
} else if (kind === 'floor') {
  // No library and no history: each event is framed once (an id line like the others', the data,
  // the HTTP chunk header) into one Buffer, and written to each socket with one write. What a
  // server costs per delivery beyond this is what its library adds; what this costs, the kernel
  // (the loopback write is charged to the writer) and Node's socket write take on any library.
  const responses = new Set()
  let seq = 0
  broadcast = (data) => {
    seq++
    const payload = `id: bench-${seq}\ndata: ${data}\n\n`
    const chunk = Buffer.from(`${Buffer.byteLength(payload).toString(16)}\r\n${payload}\r\n`)
    for (const response of responses) response.socket?.write(chunk)
  }
  subscribers = () => responses.size
  listener = (request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    response.flushHeaders()
    responses.add(response)
    request.once('close', () => responses.delete(response))
  }
} else {
  console.error('usage: node hub-server.mjs ssekit|better-sse|floor')
  process.exit(1)
}

const server = createServer(listener)
const sockets = new Set()
server.on('connection', (socket) => {
  sockets.add(socket)
  socket.once('close', () => sockets.delete(socket))
})
server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }))

let cpuAtStart = process.cpuUsage()

async function publish(count, rate, size = 0) {
  const start = performance.now()
  for (let i = 0; i < count; i++) {
    if (rate > 0) {
      const due = start + (i * 1000) / rate
      const wait = due - performance.now()
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait))
    } else if (i % 20 === 0) {
      // As fast as possible, yet letting the sockets drain between batches.
      await new Promise((resolve) => setImmediate(resolve))
    }
    const data = `{"i":${i},"t":${now()}`
    broadcast(
      size > data.length ? `${data},"pad":"${'x'.repeat(size - data.length - 10)}"}` : `${data}}`,
    )
  }
}

process.on('message', async (message) => {
  if (message.type === 'subscribers') process.send({ type: 'subscribers', count: subscribers() })
  if (message.type === 'publish') {
    cpuAtStart = process.cpuUsage()
    const start = now()
    await publish(message.count, message.rate, message.size)
    process.send({ type: 'published', start })
  }
  if (message.type === 'cpu') {
    const { user, system } = process.cpuUsage(cpuAtStart)
    process.send({ type: 'cpu', micros: user + system })
  }
  if (message.type === 'heap') {
    globalThis.gc()
    let buffered = 0
    for (const socket of sockets) buffered += socket.writableLength
    process.send({ type: 'heap', heapUsed: process.memoryUsage().heapUsed, buffered })
  }
  if (message.type === 'exit') {
    server.closeAllConnections()
    server.close()
    process.exit(0)
  }
})
