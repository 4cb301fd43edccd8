/**
 * One stored event as a transport hands it to the hub: the event fields, the topic it was
 * published to, and the id the transport assigned. The hub yields these objects to every
 * subscriber as they are (they are shared, so treat them as read-only).
 */
export interface TransportEntry {
  /** The id the transport assigned: `<epoch>-<position>`, a valid SSE id. */
  readonly id: string
  /** The topic the event was published to. */
  readonly topic: string
  /** The event's data, already serialized to text. */
  readonly data: string
  /** The event type, when the publisher gave one. */
  readonly event?: string | undefined
  /** The reconnection time the publisher attached, in milliseconds. */
  readonly retry?: number | undefined
}

/**
 * Why a subscriber missed events:
 * - `trimmed`: its position is older than the retained history (count or age bound);
 * - `reset`: its id belongs to a history that no longer exists (a restarted or flushed store, or
 *   an id that this hub never issued).
 */
export type GapReason = 'trimmed' | 'reset'

/** A notice, in the stream of entries, that some events could not be replayed. */
export interface TransportGap {
  /** Always true: tells a gap from an entry. */
  readonly gap: true
  /** The position the replay continues from; the gap event carries it as its id. */
  readonly id: string
  /** Why events are missing. */
  readonly reason: GapReason
  /**
   * The topics that lost events; empty when the transport cannot tell (a live notice of a lost
   * Redis history), and the hub then names each subscriber's own topics.
   */
  readonly topics: readonly string[]
  /** The id the subscriber resumed from, or `''` for a live notice. */
  readonly lastEventId: string
}

/** What a transport produces: an entry or a gap notice, in id order. */
export type TransportItem = TransportEntry | TransportGap

/** What the hub asks a transport to store: the event with its data already serialized. */
export interface TransportMessage {
  readonly topic: string
  readonly data: string
  readonly event?: string | undefined
  readonly retry?: number | undefined
}

/** Receives every live item of a transport, in id order. */
export type TransportListener = (item: TransportItem) => void

/**
 * The storage and delivery layer under a hub. `createMemoryTransport()` (the default) keeps one
 * process's history; `createRedisTransport()` from `@ssekit/hub/redis` shares it between server
 * instances. A hub calls `start` once, then the other methods, then `close` once.
 */
export interface HubTransport {
  /**
   * Starts live delivery: from now on, `listener` receives every newly stored item, in id order.
   * The returned promise resolves once items are flowing; the hub waits for it before replaying.
   */
  start(listener: TransportListener): Promise<void>
  /**
   * Stores a message and resolves to the id it was given. The hub may call it before `start`
   * resolved; a transport whose live delivery must flow first waits for that itself, within its
   * time bound.
   * @throws SSEError `TRANSPORT_ERROR` or `TRANSPORT_TIMEOUT` when the store fails or is too slow
   */
  publish(message: TransportMessage): Promise<string>
  /**
   * Yields the retained entries of `topics` that come after `lastEventId`, in id order, preceded by
   * a gap notice when some of them are gone; it reads the history page by page, lazily.
   */
  replay(topics: readonly string[], lastEventId: string): AsyncIterator<TransportItem>
  /**
   * Orders two ids of this transport: negative when `a` comes first, 0 when equal, positive when
   * `a` comes later, `undefined` when they belong to different epochs (or are not its ids).
   */
  compare(a: string, b: string): number | undefined
  /** Stops everything the transport runs (readers, timers, connections). */
  close(): Promise<void>
}
