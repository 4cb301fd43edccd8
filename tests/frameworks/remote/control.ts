/**
 * What a framework app running in another process (Next.js, Bun, Deno) adds for the suite: the
 * acknowledged source, the hub and the stream group of the recipe, and `/test-control/*` routes through
 * which the test acknowledges events, publishes, reads the server's state and sets what the next
 * `SIGTERM` tells the clients. Web-standard, so every runtime runs it.
 *
 * @module
 */
import { type CloseStreamsOptions, createEventStreamGroup } from '@ssekit/encoder'
import { createHub } from '@ssekit/hub'
import { createRedisTransport } from '@ssekit/hub/redis'
import type { EventRouteOptions } from '../examples/event-routes.ts'
import { createAckedEvents } from '../test/acked-events.ts'

/** What `/test-control/state` answers. */
export interface RemoteState {
  lastEventIds: (string | null)[]
  running: number
  streams: number
  /** The process's active resources by kind, where the runtime reports them (else empty). */
  resources: Record<string, number>
}

/** The recipe's options, the control routes, and the shutdown options the test set. */
export interface RemoteControl {
  options: EventRouteOptions
  /** Answers a `/test-control/*` request; undefined for any other. */
  handle(request: Request): Promise<Response | undefined>
  /** What the `SIGTERM` handler passes to `streams.close()`. */
  shutdownOptions(): CloseStreamsOptions
}

function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {}
  const info = (process as { getActiveResourcesInfo?: () => string[] }).getActiveResourcesInfo
  for (const kind of info?.() ?? []) counts[kind] = (counts[kind] ?? 0) + 1
  return counts
}

/**
 * Creates the control state once per process (Next.js bundles each route apart: the state lives
 * on globalThis so that every route sees the same).
 *
 * @param heartbeat - the recipe's heartbeat interval
 * @param redisUrl - a Redis to keep the hub's history in, so that it outlives this process (the
 * next process serves the same history); without it, a memory hub
 */
export function createRemoteControl(heartbeat: number, redisUrl?: string): RemoteControl {
  const key = Symbol.for('ssekit.test.remote-control')
  const existing = (globalThis as Record<symbol, RemoteControl | undefined>)[key]
  if (existing !== undefined) return existing
  const acked = createAckedEvents(3)
  const hub = createHub(
    redisUrl === undefined || redisUrl === ''
      ? {}
      : { transport: createRedisTransport({ url: redisUrl, namespace: 'frameworks' }) },
  )
  const streams = createEventStreamGroup()
  let shutdown: CloseStreamsOptions = {}
  const control: RemoteControl = {
    options: { events: acked.events, hub, streams, heartbeat },
    shutdownOptions: () => shutdown,
    async handle(request) {
      const url = new URL(request.url)
      switch (url.pathname) {
        case '/test-control/ack':
          acked.ack(Number(url.searchParams.get('n')))
          return new Response('ok')
        case '/test-control/state': {
          const state: RemoteState = {
            lastEventIds: acked.lastEventIds.map((id) => id ?? null),
            running: acked.running,
            streams: streams.size,
            resources: activeResources(),
          }
          return Response.json(state)
        }
        case '/test-control/publish':
          return new Response(
            await hub.publish('news', { data: url.searchParams.get('data') ?? '' }),
          )
        case '/test-control/shutdown':
          shutdown = (await request.json()) as CloseStreamsOptions
          return new Response('ok')
        default:
          return undefined
      }
    },
  }
  ;(globalThis as Record<symbol, RemoteControl | undefined>)[key] = control
  return control
}
