import { shutdownServer } from '@ssekit/encoder/node'
import compression from 'compression'
import express from 'express'
import { addEventRoutes } from '../examples/express.ts'
import { describeFramework } from './framework-suite.ts'
import { originOf } from './listen.ts'

for (const withCompression of [false, true]) {
  describeFramework(
    withCompression ? 'Express 5 behind compression()' : 'Express 5',
    async (options, port) => {
      const app = express()
      if (withCompression) app.use(compression())
      addEventRoutes(app, options)
      const server = app.listen(port, '127.0.0.1')
      return {
        origin: await originOf(server),
        shutdown: async (close) => {
          await shutdownServer(server, { streams: options.streams, ...close })
        },
      }
    },
    // gzip is offered; compression() leaves the stream alone (no-transform), so none comes back.
    { requestHeaders: { 'accept-encoding': 'gzip' } },
  )
}
