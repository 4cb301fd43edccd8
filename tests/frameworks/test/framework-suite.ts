/**
 * The one suite every framework runs (h3's `describeMatrix`): the framework's recipe served on
 * 127.0.0.1 by the real framework, read by a real client.
 *
 * @module
 */

import { type CloseStreamsOptions, createEventStreamGroup } from '@ssekit/encoder'
import { createHub, type Hub } from '@ssekit/hub'
import { describe, expect, onTestFinished, test, vi } from 'vitest'
import type { EventRouteOptions } from '../examples/event-routes.ts'
import { createAckedEvents } from './acked-events.ts'
import { expectNothingLost, openShutdownClients } from './shutdown-clients.ts'
import { ARRIVAL_TIMEOUT, openRawStream, openStream, within } from './stream-reader.ts'

/** A running instance of a framework's app. */
export interface RunningApp {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string
  /**
   * What the app's SIGTERM handler does: ends the streams with this retry hint and last event,
   * within the deadline, and stops the server.
   */
  shutdown(options: CloseStreamsOptions): Promise<void>
}

/** Starts the app with the recipe's options, on `port` (0: any free port). */
export type StartApp = (options: EventRouteOptions, port: number) => Promise<RunningApp>

/** What the suite checks beyond the defaults, per framework. */
export interface SuiteOptions {
  /** Request headers sent with every stream request (`accept-encoding`, …). */
  requestHeaders?: Record<string, string> | undefined
  /** The `Content-Encoding` the stream arrives with (only when it is flushed per event). */
  contentEncoding?: string | undefined
}

const HEARTBEAT = 100
const EVENTS = 3

/**
 * The kinds of active resources a stream left behind would show as: its heartbeat or a sleep
 * (`Timeout`), its socket (`TCPSocketWrap`). Servers of earlier tests may still be closing
 * (`TCPServerWrap`), which says nothing about this stream.
 */
const LEAKS = new Set(['Timeout', 'TCPSocketWrap'])

/** Counts the process's active resources of those kinds (`process.getActiveResourcesInfo()`). */
function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo()) {
    if (LEAKS.has(kind)) counts[kind] = (counts[kind] ?? 0) + 1
  }
  return counts
}

/** Checks `condition` on every turn of the event loop until it holds or `ms` have passed. */
async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const end = performance.now() + ms
  while (!condition()) {
    if (performance.now() > end) return false
    await new Promise((resolve) => setImmediate(resolve))
  }
  return true
}

function startedApp(start: StartApp, options: EventRouteOptions, port = 0): Promise<RunningApp> {
  return start(options, port).then((app) => {
    onTestFinished(() => app.shutdown({ timeout: 1000 }))
    return app
  })
}

/**
 * Defines the suite for one framework.
 *
 * @param name - the describe block's name
 * @param start - starts the framework's app with the recipe
 * @param suite - what differs for this framework
 */
export function describeFramework(name: string, start: StartApp, suite: SuiteOptions = {}): void {
  const requestHeaders = suite.requestHeaders ?? {}

  function setup(hub: Hub = createHub(), heartbeat = HEARTBEAT) {
    const acked = createAckedEvents(EVENTS)
    const streams = createEventStreamGroup()
    const options: EventRouteOptions = { events: acked.events, hub, streams, heartbeat }
    onTestFinished(() => hub.close())
    return { acked, streams, options, hub }
  }

  describe(name, () => {
    test('every event is readable by the client before the next one is written, and the headers leave at once', async () => {
      // No heartbeat within the test, and the source writes nothing before ack(0): the headers
      // must arrive without a single body byte to push them out.
      const { acked, options } = setup(createHub(), 60_000)
      const app = await startedApp(start, options)
      const reader = await openStream(`${app.origin}/events`, requestHeaders)
      onTestFinished(() => reader.close())
      const headers = reader.response.headers
      expect(reader.response.status).toBe(200)
      expect(headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
      expect(headers.get('cache-control')).toBe('no-cache, no-transform')
      expect(headers.get('x-accel-buffering')).toBe('no')
      expect(headers.get('content-length')).toBeNull()
      expect(headers.get('content-encoding')).toBe(suite.contentEncoding ?? null)
      acked.ack(0)
      for (let n = 1; n <= EVENTS; n++) {
        const event = await reader.nextEvent()
        expect(event).toMatchObject({ id: String(n), event: 'tick', data: `event ${n}` })
        acked.ack(n)
      }
    })

    test('heartbeats arrive on time while the stream is idle', async () => {
      const { acked, options } = setup()
      const app = await startedApp(start, options)
      const reader = await openStream(`${app.origin}/events`, requestHeaders)
      onTestFinished(() => reader.close())
      for (let n = 0; n <= EVENTS; n++) acked.ack(n)
      for (let n = 1; n <= EVENTS; n++) await reader.nextEvent()
      await reader.nextComment()
      const started = performance.now()
      for (let i = 0; i < 3; i++) expect(await reader.nextComment()).toBe('heartbeat')
      // Three more at a 100 ms interval: well under a second, even on a loaded machine.
      expect(performance.now() - started).toBeLessThan(10 * HEARTBEAT)
    })

    test('the Last-Event-ID header reaches the handler', async () => {
      const { acked, options } = setup()
      const app = await startedApp(start, options)
      const reader = await openStream(`${app.origin}/events`, {
        ...requestHeaders,
        'last-event-id': '41',
      })
      onTestFinished(() => reader.close())
      expect(acked.lastEventIds).toEqual(['41'])
      acked.ack(41)
      expect(await reader.nextEvent()).toMatchObject({ id: '42', data: 'event 42' })
    })

    test('a client disconnect ends the handler loop and leaves no timer, listener or socket behind', async () => {
      const { acked, options, streams } = setup()
      const app = await startedApp(start, options)
      // The sockets of earlier tests' clients close first (fetch keeps them alive a while).
      await until(() => activeResources().TCPSocketWrap === undefined, ARRIVAL_TIMEOUT)
      const before = activeResources()
      // A node:http client with a socket of its own: once it has closed, any socket left is the
      // server's, and any timer left is the server's or the stream's.
      const client = await openRawStream(`${app.origin}/events`)
      acked.ack(0)
      // The first event, then a heartbeat: the stream's timer runs.
      const first = 'id: 1\nevent: tick\ndata: event 1\n\n: heartbeat\n'
      await client.received(first.length)
      expect(acked.running).toBe(1)
      expect(streams.size).toBe(1)
      await client.drop()
      await within(acked.idle(), ARRIVAL_TIMEOUT, 'the handler loop ending')
      // Polled on immediates, which are not counted, rather than on timers, which are. No socket
      // may be left; no timer beyond those before (fetch's own may have ended meanwhile).
      const clean = (): boolean => {
        const after = activeResources()
        return (
          streams.size === 0 &&
          after.TCPSocketWrap === before.TCPSocketWrap &&
          (after.Timeout ?? 0) <= (before.Timeout ?? 0)
        )
      }
      const settled = await until(clean, ARRIVAL_TIMEOUT)
      const after = activeResources()
      expect({ streams: streams.size, sockets: after.TCPSocketWrap ?? 0 }).toEqual({
        streams: 0,
        sockets: 0,
      })
      expect(after.Timeout ?? 0).toBeLessThanOrEqual(before.Timeout ?? 0)
      expect(settled).toBe(true)
    })

    test("the hub's handler serves through the framework and replays after Last-Event-ID", async () => {
      const { options, hub } = setup(createHub())
      const app = await startedApp(start, options)
      const first = await hub.publish('news', { data: 'one' })
      await hub.publish('news', { data: 'two' })
      const reader = await openStream(`${app.origin}/hub?topic=news`, {
        ...requestHeaders,
        'last-event-id': first,
      })
      onTestFinished(() => reader.close())
      expect((await reader.nextEvent()).data).toBe('two')
      await hub.publish('news', { data: 'three' })
      expect((await reader.nextEvent()).data).toBe('three')
    })

    test('a SIGTERM-style shutdown ends every stream within its deadline; connect() clients come back after the retry hint to a new instance and lose nothing', async () => {
      const hub = createHub()
      const first = setup(hub)
      const app = await startedApp(start, first.options)
      const port = Number(new URL(app.origin).port)
      const published: string[] = []
      const publish = async (data: string): Promise<void> => {
        await hub.publish('news', { data })
        published.push(data)
      }
      const RETRY = 300
      const clients = openShutdownClients(`${app.origin}/hub?topic=news`, 2, 8, requestHeaders)
      await vi.waitFor(() => expect(first.streams.size).toBe(2), { timeout: ARRIVAL_TIMEOUT })
      for (let i = 1; i <= 4; i++) await publish(`before ${i}`)
      await vi.waitFor(() => {
        for (const client of clients) expect(client.seen).toHaveLength(4)
      })

      const DEADLINE = 2000
      const began = performance.now()
      await app.shutdown({
        retry: RETRY,
        event: { event: 'shutdown', data: 'bye' },
        timeout: DEADLINE,
      })
      const took = performance.now() - began
      expect(took).toBeLessThan(DEADLINE)
      expect(first.streams.size).toBe(0)
      // Published while no server is up: the hub's history keeps them for the replay.
      for (let i = 1; i <= 2; i++) await publish(`between ${i}`)
      const second = setup(hub)
      await startedApp(start, second.options, port)
      for (let i = 1; i <= 2; i++) await publish(`after ${i}`)
      await within(Promise.all(clients.map((client) => client.reading)), 5000, 'the clients')
      expectNothingLost(clients, published, RETRY)
    })
  })
}
