import { createEventStreamResponse } from '@ssekit/encoder'
import { shutdownServer } from '@ssekit/encoder/node'
import Koa from 'koa'
import { expect, onTestFinished, test } from 'vitest'
import { eventRoutes } from '../examples/koa.ts'
import { createAckedEvents } from './acked-events.ts'
import { describeFramework } from './framework-suite.ts'
import { originOf } from './listen.ts'
import { openStream } from './stream-reader.ts'

describeFramework('Koa 3', async (options, port) => {
  const app = new Koa()
  app.use(eventRoutes(options))
  const server = app.listen(port, '127.0.0.1')
  return {
    origin: await originOf(server),
    shutdown: async (close) => {
      await shutdownServer(server, { streams: options.streams, ...close })
    },
  }
})

test('Koa 3 sends a ctx.body Response only with its first byte: createEventStreamResponse opens the stream at once with its primer', async () => {
  const acked = createAckedEvents(1)
  const app = new Koa()
  // Koa's default handler would log the disconnect at the end as a premature close.
  app.silent = true
  app.use((ctx) => {
    const controller = new AbortController()
    ctx.res.once('close', () => controller.abort())
    ctx.body = createEventStreamResponse(acked.events(undefined, controller.signal), {
      heartbeat: false,
      signal: controller.signal,
    })
  })
  const server = app.listen(0, '127.0.0.1')
  onTestFinished(() => {
    server.closeAllConnections()
    server.close()
  })
  // The source writes nothing before ack(0), and there is no heartbeat: only the primer can
  // carry the headers out.
  const reader = await openStream(`${await originOf(server)}/`)
  onTestFinished(() => reader.close())
  expect(reader.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
  acked.ack(0)
  expect(await reader.nextEvent()).toMatchObject({ id: '1', data: 'event 1' })
})
