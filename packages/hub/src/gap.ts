import type { GapReason, TransportGap } from './transport.ts'

/**
 * The event type of the in-band notice a subscriber receives when events it should have seen
 * are gone (see {@link GapEventData}). Its `id` is the position replay continues from.
 */
export const GAP_EVENT = 'ssekit-gap'

/** The JSON in a {@link GAP_EVENT} event's data. */
export interface GapEventData {
  /** `trimmed`: older than the retained history; `reset`: the history of that id was lost. */
  reason: GapReason
  /** The topics that lost events (every subscribed topic when the store cannot tell). */
  topics: string[]
  /** The id the subscriber resumed from (`''` when the gap was noticed on a live connection). */
  lastEventId: string
}

/** The event a subscriber receives for a gap notice. */
export interface GapEvent {
  readonly id: string
  readonly event: typeof GAP_EVENT
  readonly data: string
  readonly topic?: undefined
  readonly retry?: undefined
}

/**
 * Turns a transport's gap notice into the event sent to a subscriber.
 *
 * @param gap - the notice
 * @param topics - the topics to name: the notice's own, or the subscriber's when the transport
 * could not tell which lost events
 * @returns an `ssekit-gap` event whose data is {@link GapEventData} as JSON
 */
export function createGapEvent(
  gap: TransportGap,
  topics: readonly string[] = gap.topics,
): GapEvent {
  const data: GapEventData = {
    reason: gap.reason,
    topics: [...topics],
    lastEventId: gap.lastEventId,
  }
  return { id: gap.id, event: GAP_EVENT, data: JSON.stringify(data) }
}

/**
 * The event a subscriber to `subscribed` receives for a gap notice. A notice that names no topics
 * (the Redis transport cannot tell which topics a lost history held) names every subscribed
 * topic, as documented. (Not cached: a replay's notice goes to one subscriber, and a live one
 * names each subscriber's own topics.)
 *
 * @param gap - the notice
 * @param subscribed - the subscriber's topics
 * @returns the `ssekit-gap` event
 */
export function gapEventFor(gap: TransportGap, subscribed: readonly string[]): GapEvent {
  return createGapEvent(gap, gap.topics.length === 0 ? subscribed : gap.topics)
}

/**
 * Whether a transport item is a gap notice.
 *
 * @param item - an entry or a gap
 * @returns true for a gap
 */
export function isGap(item: object): item is TransportGap {
  return (item as { gap?: unknown }).gap === true
}
