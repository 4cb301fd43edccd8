/**
 * The suite for a framework app that runs in a process of its own (Next.js after `next build`,
 * Hono on Bun and on Deno): the same checks as framework-suite.ts, driven through the app's
 * `/test-control/*` control routes (remote/control.ts), with a real `SIGTERM` for the shutdown.
 *
 * @module
 */
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { connect } from '@ssekit/client'
import type { CloseStreamsOptions } from '@ssekit/encoder'
import { describe, expect, onTestFinished, test } from 'vitest'
import type { RemoteState } from '../remote/control.ts'
import { ARRIVAL_TIMEOUT, openRawStream, openStream, within } from './stream-reader.ts'

/** A server process of the app. */
export interface RemoteApp {
  readonly origin: string
  readonly child: ChildProcess
}

/** Starts the app's process on `port` (0: any) with this heartbeat interval, once it listens. */
export type StartRemoteApp = (port: number, heartbeat: number) => Promise<RemoteApp>

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
  async function started(heartbeat = HEARTBEAT, port = 0): Promise<RemoteApp> {
    const app = await start(port, heartbeat)
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

    test('a SIGTERM ends every stream within its deadline; connect() clients come back after the retry hint to a new process and resume from Last-Event-ID, losing nothing', async () => {
      let app = await started()
      const port = Number(new URL(app.origin).port)
      const RETRY = 300
      const DEADLINE = 2000
      const clients = [0, 1].map(() => {
        const seen: string[] = []
        const notices: string[] = []
        const retries: number[] = []
        const client = { seen, notices, retries, acked: 0, reading: Promise.resolve() }
        const connection = connect(`${app.origin}/events`, {
          onRetry: (delay) => retries.push(delay),
        })
        onTestFinished(() => connection.close())
        const reading = (async () => {
          for await (const event of connection) {
            if (event.event === 'shutdown') {
              notices.push(event.data)
              continue
            }
            seen.push(event.id ?? '')
            await ack(app, Number(event.id))
            client.acked++
            if (seen.length === 2 * EVENTS) return
          }
        })()
        client.reading = reading
        return client
      })
      await ack(app, 0)
      await untilState(app, (current) => current.streams === 2, ARRIVAL_TIMEOUT)
      // Every acknowledgement answered, so none is in flight when the process stops.
      while (clients.some((client) => client.acked < EVENTS)) {
        await new Promise((resolve) => setImmediate(resolve))
      }
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
      app = await started(HEARTBEAT, port)
      // The new process has never seen an acknowledgement: the resumed streams wait for this one.
      await ack(app, EVENTS)
      await within(Promise.all(clients.map((client) => client.reading)), 5000, 'the clients')
      expect((await state(app)).lastEventIds).toEqual([String(EVENTS), String(EVENTS)])
      for (const client of clients) {
        expect(client.notices).toEqual(['bye'])
        expect(client.seen).toEqual(['1', '2', '3', '4', '5', '6'])
        expect(client.retries[0]).toBe(RETRY)
      }
    })
  })
}
