import { setTimeout as sleep } from 'node:timers/promises'
import type { ContractEventInput } from '@ssekit/shared'
import type { liveEvents } from '../contract/live-events.ts'
import { CANNED_ANSWERS, tokenize } from './answers.ts'

/** What the feed publishes: the live contract's events, as the server sends them. */
type Published = Exclude<ContractEventInput<typeof liveEvents>, { event: 'ssekit-gap' }>

/** What the feed needs from the hub: the one call it makes. */
export interface Publisher {
  publish(topic: string, event: Published): Promise<string>
}

/** Timing of the simulated answers. */
export interface LiveFeedOptions {
  /**
   * Milliseconds between two tokens.
   * @defaultValue 70
   */
  tokenInterval?: number | undefined
  /**
   * Milliseconds between the end of an answer and the next question.
   * @defaultValue 500
   */
  pause?: number | undefined
}

/** A running feed: see {@link startLiveFeed}. */
export interface LiveFeed {
  /** The sequence number of the newest published event, or 0 before the first. */
  readonly headSeq: number
  /** Stops publishing and waits for the loop to finish. */
  stop(): Promise<void>
}

/** The hub topic the feed publishes to. */
export const LIVE_TOPIC = 'live'

/**
 * Publishes simulated LLM answers to the hub, token by token, forever (until stopped): an
 * `answer-start` event with the prompt, one `token` event per word, and an `answer-end` event.
 * Every event's data carries `seq`, one more than the previous event's, so a client can prove it
 * missed nothing.
 *
 * @param hub - where to publish
 * @param options - timing
 * @returns the running feed
 */
export function startLiveFeed(hub: Publisher, options: LiveFeedOptions = {}): LiveFeed {
  const tokenInterval = options.tokenInterval ?? 70
  const pause = options.pause ?? 500
  const controller = new AbortController()
  const { signal } = controller
  let seq = 0

  /** The fields every event carries: the next sequence number, the time and the answer. */
  function stamp(answer: number) {
    return { seq: seq + 1, ts: Date.now(), answer }
  }

  async function publish(event: Published): Promise<void> {
    await hub.publish(LIVE_TOPIC, event)
    // Counted once the hub has it, so `headSeq` never names an event a subscriber cannot get.
    seq = event.data.seq
  }

  async function run(): Promise<void> {
    for (let answer = 1; !signal.aborted; answer += 1) {
      const canned = CANNED_ANSWERS[(answer - 1) % CANNED_ANSWERS.length]
      if (canned === undefined) return
      const tokens = tokenize(canned.answer)
      await publish({ event: 'answer-start', data: { ...stamp(answer), prompt: canned.prompt } })
      for (const text of tokens) {
        await sleep(tokenInterval, undefined, { signal })
        await publish({ event: 'token', data: { ...stamp(answer), text } })
      }
      await publish({ event: 'answer-end', data: { ...stamp(answer), tokens: tokens.length } })
      await sleep(pause, undefined, { signal })
    }
  }

  const done = run().catch((error: unknown) => {
    if (!signal.aborted) console.error('The live feed stopped:', error)
  })

  return {
    get headSeq() {
      return seq
    },
    async stop() {
      controller.abort()
      await done
    },
  }
}
