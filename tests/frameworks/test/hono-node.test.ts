import type { Server } from 'node:http'
import { serve } from '@hono/node-server'
import { shutdownServer } from '@ssekit/encoder/node'
import { createEventApp } from '../examples/hono.ts'
import { describeFramework } from './framework-suite.ts'
import { originOf } from './listen.ts'

describeFramework('Hono 4 on @hono/node-server', async (options, port) => {
  const app = createEventApp(options)
  const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }) as Server
  return {
    origin: await originOf(server),
    shutdown: async (close) => {
      await shutdownServer(server, { streams: options.streams, ...close })
    },
  }
})
