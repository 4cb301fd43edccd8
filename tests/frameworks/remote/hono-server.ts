/**
 * The Hono recipe (examples/hono.ts) served by Bun (`Bun.serve`) or Deno (`Deno.serve`), with the
 * suite's control routes; run by test/hono-runtimes.test.ts as
 * `bun remote/hono-server.ts` or `deno run -A remote/hono-server.ts`, with PORT and HEARTBEAT in
 * the environment. Prints `listening <port>` once it listens; on SIGTERM ends every stream (with
 * the retry hint and last event set through /test-control/shutdown), stops the server and exits.
 */
import { createEventApp } from '../examples/hono.ts'
import { createRemoteControl } from './control.ts'

interface RunningServer {
  port: number
  stop(): Promise<unknown>
}

type Serve = (options: {
  port: number
  hostname: string
  fetch: (request: Request) => Promise<Response>
}) => RunningServer

declare const Bun: { serve(options: object): { port: number; stop(): Promise<void> } } | undefined
declare const Deno:
  | {
      serve(
        options: { port: number; hostname: string; onListen?: () => void },
        handler: (request: Request) => Promise<Response>,
      ): { addr: { port: number }; shutdown(): Promise<void> }
    }
  | undefined

const control = createRemoteControl(Number(process.env.HEARTBEAT ?? 100), process.env.REDIS_URL)
const app = createEventApp(control.options)
const fetch = async (request: Request): Promise<Response> =>
  (await control.handle(request)) ?? app.fetch(request)

const serve: Serve =
  typeof Bun !== 'undefined'
    ? (options) => {
        // idleTimeout 0: Bun would otherwise close a stream idle for 10 s (heartbeats keep it busy
        // anyway, but a test must not depend on that).
        const server = Bun.serve({ ...options, idleTimeout: 0 })
        return { port: server.port, stop: () => server.stop() }
      }
    : (options) => {
        if (typeof Deno === 'undefined') throw new Error('run with bun or deno')
        const server = Deno.serve(
          { port: options.port, hostname: options.hostname, onListen: () => {} },
          options.fetch,
        )
        return { port: server.addr.port, stop: () => server.shutdown() }
      }

const server = serve({ port: Number(process.env.PORT ?? 0), hostname: '127.0.0.1', fetch })
process.stdout.write(`listening ${server.port}\n`)

process.once('SIGTERM', async () => {
  await control.options.streams.close(control.shutdownOptions())
  await server.stop()
  process.exit(0)
})
