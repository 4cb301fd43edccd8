import type { EncodableEvent, EventStreamGroup } from '@ssekit/encoder'
import type { Hub } from '@ssekit/hub'

/**
 * What every framework recipe here takes: where its events come from, the hub it also serves, and
 * the group its streams join so a shutdown can end them.
 */
export interface EventRouteOptions {
  /**
   * The application's events after a `Last-Event-ID` (undefined on a first connection): a
   * database query, a queue, a generator. It ends when `signal` aborts (the client left).
   */
  events: (lastEventId: string | undefined, signal: AbortSignal) => AsyncIterable<EncodableEvent>
  /** The hub served at `/hub`. */
  hub: Hub
  /** The group of open streams, closed on shutdown (`createEventStreamGroup()`). */
  streams: EventStreamGroup
  /**
   * The heartbeat interval in milliseconds.
   * @defaultValue `15_000`
   */
  heartbeat?: number | undefined
}
