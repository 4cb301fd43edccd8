import { shutdownServer } from '@ssekit/encoder/node'
import Koa from 'koa'
import { eventRoutes } from '../examples/koa.ts'
import { describeFramework } from './framework-suite.ts'
import { originOf } from './listen.ts'

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
