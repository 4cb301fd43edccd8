import { createServer } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { openEventStream } from '@ssekit/encoder/node'

export const server = createServer(async (req, res) => {
  if (req.url !== '/events') {
    res.writeHead(404).end()
    return
  }
  // Status 200, the event-stream headers, flushed at once; a heartbeat every 15 s.
  const stream = openEventStream(res, { retry: 3000 })
  let n = Number(req.headers['last-event-id']) || 0
  try {
    for (;;) {
      n++
      // Waits while the client's socket buffer is full, so a slow client slows this loop down.
      await stream.send({ id: String(n), event: 'tick', data: { n } })
      // stream.signal aborts when the client disconnects: the sleep rejects and the loop ends.
      await sleep(1000, undefined, { signal: stream.signal })
    }
  } catch {
    // The client went away (send rejects with STREAM_CLOSED once it has): nothing is left over.
  }
})

server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1')
