import { openEventStream } from '@ssekit/encoder/node'
import compression from 'compression'
import express from 'express'
import { expect, onTestFinished, test } from 'vitest'
import { createAckedEvents } from './acked-events.ts'
import { originOf } from './listen.ts'
import { openStream } from './stream-reader.ts'

test('when compression() is made to compress the stream, each gzip-encoded event still arrives before the next one is written (res.flush() after every write)', async () => {
  const acked = createAckedEvents(3)
  const app = express()
  app.use(compression())
  app.get('/events', async (req, res) => {
    // Without no-transform, compression() compresses the stream.
    const stream = openEventStream(res, {
      heartbeat: false,
      headers: { 'cache-control': 'no-cache' },
    })
    try {
      for await (const event of acked.events(req.get('last-event-id'), stream.signal)) {
        await stream.send(event)
      }
    } catch {
      // The client left.
    } finally {
      stream.close()
    }
  })
  const server = app.listen(0, '127.0.0.1')
  onTestFinished(() => {
    server.closeAllConnections()
    server.close()
  })
  const reader = await openStream(`${await originOf(server)}/events`, {
    'accept-encoding': 'gzip',
  })
  onTestFinished(() => reader.close())
  expect(reader.response.headers.get('content-encoding')).toBe('gzip')
  acked.ack(0)
  for (let n = 1; n <= 3; n++) {
    expect(await reader.nextEvent()).toMatchObject({ id: String(n), data: `event ${n}` })
    acked.ack(n)
  }
})
