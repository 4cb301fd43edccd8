/**
 * The suite for a framework app that runs in a process of its own (Next.js after `next build`,
 * Hono on Bun and on Deno): the same checks as framework-suite.ts, driven through the app's
 * `/test-control/*` control routes (remote/control.ts), with a real `SIGTERM` for the shutdown and
 * the hub's history on a private redis-server, so that it outlives the stopped process.
 *
 * @module
 */

import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import type { CloseStreamsOptions } from '@ssekit/encoder'
import { createHub } from '@ssekit/hub'
import { createRedisTransport } from '@ssekit/hub/redis'
import { startRedisForTest } from '@ssekit/test-support/redis-server'
import { describe, expect, onTestFinished, test } from 'vitest'
import type { RemoteState } from '../remote/control.ts'
import { expectNothingLost, openShutdownClients } from './shutdown-clients.ts'
import { ARRIVAL_TIMEOUT, openRawStream, openStream, within } from './stream-reader.ts'

/** A server process of the app. */
export interface RemoteApp {
  readonly origin: string
  readonly child: ChildProcess
}

/**
 * Starts the app's process on `port` (0: any) with this heartbeat interval and extra environment
 * (`REDIS_URL`), and resolves once it listens.
 */
export type StartRemoteApp = (
  port: number,
  heartbeat: number,
  env?: Record<string, string>,
) => Promise<RemoteApp>

const HEARTBEAT = 100
const EVENTS = 3

async function stop(app: RemoteApp): Promise<void> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return
  app.child.kill('SIGKILL')
  await once(app.child, 'exit')
}

async function state(app: RemoteApp): Promise<RemoteState> {
  return (await (await fetch(`${app.origin}/test-control/state`)).json()) as RemoteState
}

async function ack(app: RemoteApp, n: number): Promise<void> {
  await (await fetch(`${app.origin}/test-control/ack?n=${n}`, { method: 'POST' })).text()
}

/** Polls the app's state (one request at a time) until `condition` holds or `ms` have passed. */
async function untilState(
  app: RemoteApp,
  condition: (state: RemoteState) => boolean,
  ms: number,
): Promise<RemoteState> {
  const end = performance.now() + ms
  for (;;) {
    const current = await state(app)
    if (condition(current) || performance.now() > end) return current
  }
}

/**
 * Defines the suite for one out-of-process app.
 *
 * @param name - the describe block's name
 * @param start - starts a server process
 */
export function describeRemoteFramework(name: string, start: StartRemoteApp): void {
  async function started(
    heartbeat = HEARTBEAT,
    port = 0,
    env: Record<string, string> = {},
  ): Promise<RemoteApp> {
    const app = await start(port, heartbeat, env)
    onTestFinished(() => stop(app))
    return app
  }

  describe(name, () => {
    test('every event is readable by the client before the next one is written, and the headers leave at once', async () => {
      const app = await started(60_000)
      const reader = await openStream(`${app.origin}/events`)
      onTestFinished(() => reader.close())
      const headers = reader.response.headers
      expect(reader.response.status).toBe(200)
      expect(headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
      expect(headers.get('cache-control')).toBe('no-cache, no-transform')
      expect(headers.get('x-accel-buffering')).toBe('no')
      expect(headers.get('content-length')).toBeNull()
      expect(headers.get('content-encoding')).toBeNull()
      await ack(app, 0)
      for (let n = 1; n <= EVENTS; n++) {
        expect(await reader.nextEvent()).toMatchObject({ id: String(n), data: `event ${n}` })
        await ack(app, n)
      }
    })

    test('heartbeats arrive on time while the stream is idle', async () => {
      const app = await started()
      const reader = await openStream(`${app.origin}/events`)
      onTestFinished(() => reader.close())
      for (let n = 0; n <= EVENTS; n++) await ack(app, n)
      for (let n = 1; n <= EVENTS; n++) await reader.nextEvent()
      await reader.nextComment()
      const began = performance.now()
      for (let i = 0; i < 3; i++) expect(await reader.nextComment()).toBe('heartbeat')
      expect(performance.now() - began).toBeLessThan(10 * HEARTBEAT)
    })

    test('the Last-Event-ID header reaches the handler', async () => {
      const app = await started()
      const reader = await openStream(`${app.origin}/events`, { 'last-event-id': '41' })
      onTestFinished(() => reader.close())
      expect((await state(app)).lastEventIds).toEqual(['41'])
      await ack(app, 41)
      expect(await reader.nextEvent()).toMatchObject({ id: '42', data: 'event 42' })
    })

    test('a client disconnect ends the handler loop and leaves no timer, listener or socket behind', async () => {
      const app = await started()
      const before = await state(app)
      const client = await openRawStream(`${app.origin}/events`)
      await ack(app, 0)
      await client.received(1)
      expect(await state(app)).toMatchObject({ running: 1, streams: 1 })
      await client.drop()
      // The server's own view: the loop ended, the group is empty, and (where the runtime reports
      // its resources) no timer or socket more than before the stream.
      const leaks = (current: RemoteState): boolean =>
        current.running !== 0 ||
        current.streams !== 0 ||
        (current.resources.Timeout ?? 0) > (before.resources.Timeout ?? 0) ||
        (current.resources.TCPSocketWrap ?? 0) > (before.resources.TCPSocketWrap ?? 0)
      const after = await untilState(app, (current) => !leaks(current), ARRIVAL_TIMEOUT)
      expect(after).toMatchObject({ running: 0, streams: 0 })
      expect(after.resources.Timeout ?? 0).toBeLessThanOrEqual(before.resources.Timeout ?? 0)
      expect(after.resources.TCPSocketWrap ?? 0).toBeLessThanOrEqual(
        before.resources.TCPSocketWrap ?? 0,
      )
    })

    test("the hub's handler serves through the framework and replays after Last-Event-ID", async () => {
      const app = await started()
      const publish = async (data: string): Promise<string> =>
        (await fetch(`${app.origin}/test-control/publish?data=${data}`, { method: 'POST' })).text()
      const first = await publish('one')
      await publish('two')
      const reader = await openStream(`${app.origin}/hub?topic=news`, { 'last-event-id': first })
      onTestFinished(() => reader.close())
      expect((await reader.nextEvent()).data).toBe('two')
      await publish('three')
      expect((await reader.nextEvent()).data).toBe('three')
    })

    test('a SIGTERM ends every stream within its deadline; connect() clients come back after the retry hint to a new process and resume with Last-Event-ID from the hub history, losing nothing', async () => {
      // The hub's history is in Redis, shared by the two processes and by the test, which
      // publishes (also while no server is up).
      const redisUrl = await startRedisForTest()
      const publisher = createHub({
        transport: createRedisTransport({ url: redisUrl, namespace: 'frameworks' }),
      })
      onTestFinished(() => publisher.close())
      const env = { REDIS_URL: redisUrl }
      let app = await started(HEARTBEAT, 0, env)
      const port = Number(new URL(app.origin).port)
      const published: string[] = []
      const publish = async (data: string): Promise<void> => {
        await publisher.publish('news', { data })
        published.push(data)
      }
      const RETRY = 300
      const DEADLINE = 2000
      const clients = openShutdownClients(`${app.origin}/hub?topic=news`, 2, 8)
      await untilState(app, (current) => current.streams === 2, ARRIVAL_TIMEOUT)
      for (let i = 1; i <= 4; i++) await publish(`before ${i}`)
      await within(
        (async () => {
          while (clients.some((client) => client.seen.length < 4)) {
            await new Promise((resolve) => setImmediate(resolve))
          }
        })(),
        ARRIVAL_TIMEOUT,
        'the first events',
      )
      const shutdown: CloseStreamsOptions = {
        retry: RETRY,
        event: { event: 'shutdown', data: 'bye' },
        timeout: DEADLINE,
      }
      await fetch(`${app.origin}/test-control/shutdown`, {
        method: 'POST',
        body: JSON.stringify(shutdown),
      })
      const began = performance.now()
      const exited = once(app.child, 'exit')
      app.child.kill('SIGTERM')
      const [code] = await within(exited, DEADLINE + 1000, 'the process exiting')
      expect(performance.now() - began).toBeLessThan(DEADLINE)
      expect(code).toBe(0)
      for (let i = 1; i <= 2; i++) await publish(`between ${i}`)
      app = await started(HEARTBEAT, port, env)
      for (let i = 1; i <= 2; i++) await publish(`after ${i}`)
      await within(Promise.all(clients.map((client) => client.reading)), 10_000, 'the clients')
      expectNothingLost(clients, published, RETRY)
    })
  })
}
