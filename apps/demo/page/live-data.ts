import type { ServerSentEvent } from '@ssekit/shared'

/** The JSON data of every event the demo's live feed publishes to the hub topic `live`. */
export interface LiveData {
  /** The feed's own sequence number: +1 per event, so a gap or a repeat is visible. */
  seq: number
  /** When the server published the event, in ms since the epoch. */
  ts: number
  /** Which simulated answer the event belongs to. */
  answer: number
  /** `answer-start`: the question being answered. */
  prompt?: string
  /** `token`: the next piece of text. */
  text?: string
  /** `answer-end`: how many tokens the answer had. */
  tokens?: number
}

/**
 * Reads the live feed's data out of an event, or undefined for any other event (such as the
 * hub's gap notice).
 *
 * @param event - an event from `/api/live`
 * @returns the parsed data when it has a numeric `seq`
 */
export function readLiveData(event: ServerSentEvent): LiveData | undefined {
  try {
    const value: unknown = JSON.parse(event.data)
    if (
      typeof value === 'object' &&
      value !== null &&
      typeof (value as LiveData).seq === 'number'
    ) {
      return value as LiveData
    }
  } catch {
    // Not the feed's JSON: the caller shows it as it is.
  }
  return undefined
}
