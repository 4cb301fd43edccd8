import { type ContractEvent, defineEvents } from '@ssekit/shared'
import { z } from 'zod'

/** What every event of the live feed carries. */
const feedEvent = {
  /** The feed's own sequence number: +1 per event, so a gap or a repeat is visible. */
  seq: z.number().int().positive(),
  /** When the server published the event, in ms since the epoch. */
  ts: z.number(),
  /** Which simulated answer the event belongs to. */
  answer: z.number().int().positive(),
}

/**
 * The demo's live stream, declared once: the server's hub publishes only these events (checked
 * by the compiler and, with `validate`, at run time) and the page reads them back typed and
 * validated. `ssekit-gap` is the hub's own notice (`GAP_EVENT` in `@ssekit/hub`), which it sends
 * when its history no longer holds what a page missed; the feed never publishes it.
 */
export const liveEvents = defineEvents({
  /** A new answer begins: the question being answered. */
  'answer-start': z.object({ ...feedEvent, prompt: z.string() }),
  /** The next piece of the answer's text. */
  token: z.object({ ...feedEvent, text: z.string() }),
  /** The answer is complete: how many tokens it had. */
  'answer-end': z.object({ ...feedEvent, tokens: z.number().int().nonnegative() }),
  'ssekit-gap': z.object({
    reason: z.enum(['trimmed', 'reset']),
    topics: z.array(z.string()),
    lastEventId: z.string(),
  }),
})

/** One event of the live stream, as the page receives it: narrow on `event` to read `data`. */
export type LiveEvent = ContractEvent<typeof liveEvents>

/** The events the feed publishes (every type but the hub's gap notice). */
export type FeedEvent = Exclude<LiveEvent, { event: 'ssekit-gap' }>
