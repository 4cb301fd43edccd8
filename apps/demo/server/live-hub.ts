import type { IncomingMessage, ServerResponse } from 'node:http'
import { createHub, createMemoryTransport, type Hub } from '@ssekit/hub'
import { createNodeHandler } from '@ssekit/hub/node'
import { liveEvents } from '../contract/live-events.ts'
import { LIVE_TOPIC } from './live-feed.ts'

/** The demo's hub: typed by the live stream's contract. */
type LiveEventsHub = Hub<typeof liveEvents>

/** The demo's hub and the handler that streams its live topic. */
export interface LiveHub {
  /**
   * Publishes one of the contract's events to a topic; resolves with the id the hub assigned.
   * Rejects with `CONTRACT_VIOLATION` when the data does not match the event's schema.
   */
  publish: LiveEventsHub['publish']
  /** Streams the live topic on `GET /api/live`, replaying after the `Last-Event-ID` header. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>
  /** Ends every subscription and the hub. */
  close(): Promise<void>
}

/**
 * How many events the hub keeps for replay: about a minute of the feed (16 events a second),
 * far more than a reconnection a second later needs.
 */
const HISTORY_EVENTS = 1000

/**
 * Creates an in-memory `@ssekit/hub` with bounded history, and its `node:http` handler fixed
 * to the live topic. The hub takes only the events of `liveEvents` and validates each one before
 * it is stored, so the page never receives data its own copy of the contract would refuse. A client that comes back with `Last-Event-ID` first gets every retained
 * event after that id, then the live ones, with no gap and no duplicate at the hand-off.
 *
 * @returns the hub, ready to publish to and to serve
 */
export function createLiveHub(): LiveHub {
  const hub: LiveEventsHub = createHub({
    events: liveEvents,
    validate: true,
    transport: createMemoryTransport({ maxEventsPerTopic: HISTORY_EVENTS }),
  })
  const handle = createNodeHandler(hub, {
    topics: () => [LIVE_TOPIC],
    onError: (error) => console.error('The live stream failed:', error),
  })
  return {
    publish: (topic, event) => hub.publish(topic, event),
    handle,
    close: () => hub.close(),
  }
}
