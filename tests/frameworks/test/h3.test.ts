import { createServer } from 'node:http'
import { shutdownServer } from '@ssekit/encoder/node'
import { toNodeHandler } from 'h3'
import { createEventApp } from '../examples/h3.ts'
import { describeFramework } from './framework-suite.ts'
import { originOf } from './listen.ts'

describeFramework('h3 2', async (options, port) => {
  const app = createEventApp(options)
  const server = createServer(toNodeHandler(app)).listen(port, '127.0.0.1')
  return {
    origin: await originOf(server),
    shutdown: async (close) => {
      await shutdownServer(server, { streams: options.streams, ...close })
    },
  }
})
