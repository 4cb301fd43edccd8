import fastifyCompress from '@fastify/compress'
import type { CloseStreamsOptions } from '@ssekit/encoder'
import Fastify from 'fastify'
import { eventRoutes } from '../examples/fastify.ts'
import { describeFramework } from './framework-suite.ts'

for (const withCompress of [false, true]) {
  describeFramework(
    withCompress ? 'Fastify 5 with @fastify/compress' : 'Fastify 5',
    async (options, port) => {
      // After preClose has ended the streams politely, close() destroys what is still open
      // (Fastify's default, 'idle', would wait for the clients' keep-alive sockets to time out).
      const app = Fastify({ forceCloseConnections: true })
      // Made to compress every text type, event streams included (by default it skips them):
      // the hijacked stream must still arrive event by event, uncompressed.
      if (withCompress) {
        await app.register(fastifyCompress, { global: true, threshold: 0, customTypes: /^text\// })
      }
      // What app.close() tells the clients: set by the test's shutdown, read by the preClose hook.
      const shutdown: CloseStreamsOptions = {}
      await app.register(eventRoutes, { ...options, shutdown })
      await app.listen({ port, host: '127.0.0.1' })
      const address = app.server.address()
      if (address === null || typeof address === 'string') throw new Error('not on TCP')
      return {
        origin: `http://127.0.0.1:${address.port}`,
        shutdown: async (close) => {
          Object.assign(shutdown, close)
          await app.close()
        },
      }
    },
    { requestHeaders: { 'accept-encoding': 'gzip' } },
  )
}
