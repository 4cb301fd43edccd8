/**
 * The runner's own HTTP server on 127.0.0.1: the SSE endpoints the suite's client tests connect
 * to, and the Chromium page with its bundle. Written with plain `node:http` on purpose, so a bug
 * in the encoder cannot hide a bug in the client.
 *
 * - `GET /drop?key=K`: a reconnection scenario, per key. Connection 1 sends `retry: 20`, ids 1 and
 *   2 and waits; `GET /cut?key=K` (sent by the client once it has read id 2) then destroys its
 *   socket mid-stream. The client triggers the cut because a fetch body that errors discards the
 *   chunks not yet read (WHATWG Streams: erroring a stream empties its queue), so a server cutting
 *   by itself right after writing races the client's reads. Connection 2 sends id 3 and ends the
 *   response normally;
 *   connection 3 sends id 4 and stays open. Events 3 and 4 carry, as JSON data, the connection
 *   number and the `Last-Event-ID` header the server received. Connection 4 and later get 204,
 *   which tells a conforming client to stop.
 * - `GET /status/500`: a 500 with a text body.
 * - Any path in `files`: that content with its type.
 *
 * @module
 */
import { createServer } from 'node:http'

/**
 * Starts the server.
 *
 * @param files - `{ '/path': { type, body } }` served as static files
 * @returns `{ url, close() }`
 */
export async function startSSEServer(files = {}) {
  const scenarios = new Map()
  /** Connection 1 of each scenario, until /cut destroys it. */
  const firstConnections = new Map()
  const sockets = new Set()
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (url.pathname === '/drop') return drop(url.searchParams.get('key') ?? '', req, res)
    if (url.pathname === '/cut') {
      const open = firstConnections.get(url.searchParams.get('key') ?? '')
      // Not ending the chunked body: the client sees a network error, not a clean end.
      open?.socket?.destroy()
      res.writeHead(open ? 204 : 404, { 'access-control-allow-origin': '*' })
      res.end()
      return
    }
    if (url.pathname === '/status/500') {
      res.writeHead(500, { 'content-type': 'text/plain' })
      res.end('the server failed on purpose')
      return
    }
    const file = files[url.pathname]
    if (file) {
      res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' })
      res.end(file.body)
      return
    }
    res.writeHead(404, { 'content-type': 'text/plain' })
    res.end('not found')
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })

  function drop(key, req, res) {
    const connection = (scenarios.get(key) ?? 0) + 1
    scenarios.set(key, connection)
    const lastEventId = req.headers['last-event-id'] ?? null
    const event = (id) => `id: ${id}\ndata: ${JSON.stringify({ connection, lastEventId })}\n\n`
    if (connection > 3) {
      res.writeHead(204)
      res.end()
      return
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
    })
    res.socket?.setNoDelay(true)
    if (connection === 1) {
      firstConnections.set(key, res)
      res.on('close', () => firstConnections.delete(key))
      res.write(`retry: 20\n\n${event(1)}${event(2)}`)
    } else if (connection === 2) {
      res.end(event(3))
    } else {
      res.write(event(4))
    }
  }

  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
