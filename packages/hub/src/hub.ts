import type { EncodableEvent } from '@ssekit/encoder'
import { serializeData } from '@ssekit/encoder/internal'
import { assertValidEventType, assertValidRetry, SSEError } from '@ssekit/shared'
import { PullQueue } from '@ssekit/shared/internal'
import { type GapEvent, gapEventFor, isGap } from './gap.ts'
import { createMemoryTransport, type MemoryTransportOptions } from './memory-transport.ts'
import { assertValidTopic } from './topic.ts'
import type { HubTransport, TransportEntry, TransportItem } from './transport.ts'

/** An event a subscriber receives: a published event with its id and topic, or a gap notice. */
export type HubEvent = TransportEntry | GapEvent

/** What {@link HubOptions.onSlowConsumer} is told about a disconnected subscriber. */
export interface SlowConsumerInfo {
  /** The topics it subscribed to. */
  topics: readonly string[]
  /** The id of the last event it was given, or `''`. */
  lastEventId: string
  /** How many events were waiting for it. */
  queued: number
}

/** Options of {@link createHub}. */
export interface HubOptions {
  /**
   * Where events are stored and how they reach subscribers.
   * @defaultValue `createMemoryTransport(history)`
   */
  transport?: HubTransport | undefined
  /** The history bounds of the default memory transport; ignored when `transport` is given. */
  history?: MemoryTransportOptions | undefined
  /**
   * How many live events may wait for one subscriber. A subscriber that falls further behind is
   * disconnected with `SLOW_CONSUMER`: it reconnects and replays from its last id.
   * @defaultValue 4096
   */
  maxQueueLength?: number | undefined
  /** Called when a subscriber is disconnected for being too slow. */
  onSlowConsumer?: ((info: SlowConsumerInfo) => void) | undefined
  /**
   * Turns object, array and `null` data into text, as the encoder's option does.
   * @defaultValue `JSON.stringify`
   */
  serialize?: ((value: unknown) => string) | undefined
}

/** Options of {@link Hub.subscribe}. */
export interface SubscribeOptions {
  /**
   * Where to resume: the `Last-Event-ID` the client sent. Every retained event of the topics after
   * it is replayed first; when some are gone, an `ssekit-gap` event says so. Without it (or with
   * `''`), only live events are delivered.
   */
  lastEventId?: string | null | undefined
  /** Ends the subscription when aborted. */
  signal?: AbortSignal | undefined
}

/** Counters of a hub, for metrics. */
export interface HubStats {
  /** Subscribers currently registered. */
  subscribers: number
  /** Events published through this hub instance. */
  published: number
  /** Subscribers disconnected with `SLOW_CONSUMER` so far. */
  slowConsumers: number
}

/** A broadcast hub: see {@link createHub}. */
export interface Hub {
  /**
   * Publishes an event to a topic and resolves to the id the hub assigned.
   *
   * @param topic - the topic (see `isValidTopic`)
   * @param event - the event: `data` as the encoder takes it, an optional `event` type and `retry`;
   * the hub assigns the `id`
   * @returns the assigned id
   * @throws SSEError `INVALID_TOPIC`, `INVALID_ID` (an id was given), `INVALID_EVENT`,
   * `INVALID_RETRY`, `INVALID_DATA`, `HUB_CLOSED`, and the transport's `TRANSPORT_ERROR` or
   * `TRANSPORT_TIMEOUT` (all as rejections)
   */
  publish(topic: string, event: EncodableEvent): Promise<string>
  /**
   * Subscribes to one or more topics: first every retained event after `lastEventId`, then live
   * ones, in id order, each exactly once. The subscription starts when iteration starts and ends
   * when the loop breaks, the signal aborts or the hub closes.
   *
   * @param topics - a topic or a list of topics
   * @param options - where to resume, and a signal
   * @returns an async iterable of events; its iterator throws `SLOW_CONSUMER` when the subscriber
   * fell too far behind, and the transport's errors when replay fails
   * @throws SSEError `INVALID_TOPIC` at once for an invalid topic or an empty list
   */
  subscribe(topics: string | readonly string[], options?: SubscribeOptions): AsyncIterable<HubEvent>
  /** Current counters. */
  stats(): HubStats
  /** Ends every subscription, stops the transport, and resolves when nothing is left running. */
  close(): Promise<void>
  /** Whether `close()` was called. */
  readonly closed: boolean
  /**
   * Resolves once the transport delivers live events (at once in memory; after the first round
   * trip to Redis). A subscriber without a last event id receives the events published after both
   * its iteration started and this resolved; `publish` waits for it (within the transport's
   * timeout). Rejects with `HUB_CLOSED` when the hub closes before the transport started.
   */
  readonly ready: Promise<void>
}

/** The hub's defaults. */
export const HUB_DEFAULTS: { readonly maxQueueLength: number } = { maxQueueLength: 4096 }

/**
 * Creates a broadcast hub with bounded history and exact `Last-Event-ID` replay, in memory by
 * default or on Redis Streams with `createRedisTransport` from `@ssekit/hub/redis`.
 *
 * @param options - the transport, history bounds, queue bound and callbacks
 * @returns the hub
 *
 * @example
 * ```ts
 * const hub = createHub({ history: { maxEventsPerTopic: 1000 } })
 * await hub.publish('news', { event: 'headline', data: { title: 'Hello' } })
 * for await (const event of hub.subscribe(['news', 'sports'], { lastEventId })) console.log(event)
 * ```
 */
export function createHub(options: HubOptions = {}): Hub {
  const transport = options.transport ?? createMemoryTransport(options.history)
  const maxQueueLength = options.maxQueueLength ?? HUB_DEFAULTS.maxQueueLength
  if (!Number.isSafeInteger(maxQueueLength) || maxQueueLength < 1) {
    throw new RangeError(`maxQueueLength must be a positive integer, not ${maxQueueLength}.`)
  }
  const { onSlowConsumer, serialize } = options
  const byTopic = new Map<string, Set<Subscription>>()
  const all = new Set<Subscription>()
  const stats: HubStats = { subscribers: 0, published: 0, slowConsumers: 0 }
  let closed = false

  const dispatch = (item: TransportItem): void => {
    if (isGap(item)) {
      for (const subscription of all) subscription.push(item)
      return
    }
    const subscriptions = byTopic.get(item.topic)
    if (subscriptions === undefined) return
    for (const subscription of subscriptions) subscription.push(item)
  }
  // The hub waits for live delivery to flow before any replay, so that no event falls between
  // the end of a replay and the start of live delivery.
  const started = transport.start(dispatch)
  started.catch(() => {})

  const context: SubscriptionContext = {
    transport,
    started,
    maxQueueLength,
    get closed() {
      return closed
    },
    register(subscription) {
      all.add(subscription)
      for (const topic of subscription.topics) {
        let set = byTopic.get(topic)
        if (set === undefined) {
          set = new Set()
          byTopic.set(topic, set)
        }
        set.add(subscription)
      }
      stats.subscribers = all.size
    },
    unregister(subscription) {
      if (!all.delete(subscription)) return
      for (const topic of subscription.topics) {
        const set = byTopic.get(topic)
        set?.delete(subscription)
        if (set?.size === 0) byTopic.delete(topic)
      }
      stats.subscribers = all.size
    },
    slow(info) {
      stats.slowConsumers++
      onSlowConsumer?.(info)
    },
  }

  return {
    async publish(topic, event) {
      if (closed) throw closedError()
      assertValidTopic(topic)
      if (event === null || typeof event !== 'object') {
        throw new TypeError('publish(topic, event) takes an event object such as { data }.')
      }
      if (event.id !== undefined) {
        throw new SSEError(
          'INVALID_ID',
          'The hub assigns event ids (they are positions in its history); publish the event without an id.',
          { field: 'id' },
        )
      }
      if (event.event !== undefined) assertValidEventType(event.event)
      if (event.retry !== undefined) assertValidRetry(event.retry)
      // No data is stored as '': a hub event always has data.
      const data = serializeData(event.data, serialize) ?? ''
      const message: { topic: string; data: string; event?: string; retry?: number } = {
        topic,
        data,
      }
      // An empty type is the default type: it is not stored, as the encoder does not send it.
      if (event.event !== undefined && event.event !== '') message.event = event.event
      if (event.retry !== undefined) message.retry = event.retry
      // Not `await started` here: that wait had no bound. A transport whose live delivery must
      // flow before a publish (Redis) waits inside its publish, within its own timeout.
      const id = await transport.publish(message)
      stats.published++
      return id
    },
    subscribe(topics, subscribeOptions = {}) {
      const list = typeof topics === 'string' ? [topics] : [...new Set(topics)]
      if (list.length === 0) {
        throw new SSEError('INVALID_TOPIC', 'Subscribe to at least one topic.')
      }
      for (const topic of list) assertValidTopic(topic)
      const lastEventId = subscribeOptions.lastEventId ?? ''
      const { signal } = subscribeOptions
      return {
        [Symbol.asyncIterator]: () => new Subscription(context, list, lastEventId, signal, closed),
      }
    },
    stats() {
      return { ...stats }
    },
    async close() {
      if (closed) return
      closed = true
      for (const subscription of [...all]) subscription.end()
      await transport.close()
    },
    get closed() {
      return closed
    },
    ready: started,
  }
}

function closedError(): SSEError {
  return new SSEError('HUB_CLOSED', 'The hub is closed; create a new hub to publish or subscribe.')
}

interface SubscriptionContext {
  readonly transport: HubTransport
  readonly started: Promise<void>
  readonly maxQueueLength: number
  /** Whether the hub was closed: a subscription that starts after that must not register. */
  readonly closed: boolean
  register(subscription: Subscription): void
  unregister(subscription: Subscription): void
  slow(info: SlowConsumerInfo): void
}

type Phase = 'idle' | 'replay' | 'live' | 'done'

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined })

/**
 * One subscriber: registered for live items at once (they queue up), then replaying, then
 * draining the queue. Live items at or before the last replayed id are dropped, so the hand-off
 * has neither gap nor duplicate. A hand-written iterator rather than an async generator, because
 * `return()` must end a subscription that is waiting for the next live event at once.
 */
class Subscription implements AsyncIterator<HubEvent, undefined> {
  readonly topics: readonly string[]
  readonly #context: SubscriptionContext
  readonly #signal: AbortSignal | undefined
  /** The id of the last event delivered (or resumed from); live items not after it are dropped. */
  #cursor: string
  /** Set once a live item was delivered: later live items come in order, no compare needed. */
  #inOrder = false
  /** 'idle' before the first next(), then 'replay', 'live', and 'done' at the end. */
  #phase: Phase = 'idle'
  #replay: AsyncIterator<TransportItem> | undefined
  /** Set when live items were dropped during replay: the replay then runs once more. */
  #overflowed = false
  /** Live items waiting for next(), and the pending next() of a consumer waiting for one. */
  readonly #queue = new PullQueue<TransportItem, HubEvent>()
  /** The error the next next() throws (slow consumer, closed hub). */
  #error: SSEError | undefined
  /** Ends #begin's wait for the transport, when end() runs while the transport is starting. */
  #wake: (() => void) | undefined
  readonly #onAbort = (): void => this.end()

  constructor(
    context: SubscriptionContext,
    topics: readonly string[],
    lastEventId: string,
    signal: AbortSignal | undefined,
    hubClosed: boolean,
  ) {
    this.#context = context
    this.topics = topics
    this.#cursor = lastEventId
    this.#signal = signal
    if (hubClosed) {
      this.#phase = 'done'
      this.#error = closedError()
    }
  }

  next(): Promise<IteratorResult<HubEvent, undefined>> {
    // The live path without an async function: one promise per event instead of two, which is
    // what a fan-out to many subscribers pays per delivery (BENCHMARKS.md, Hub).
    if (this.#phase === 'live') return this.#nextLive()
    return this.#nextSlow()
  }

  #nextLive(): Promise<IteratorResult<HubEvent, undefined>> {
    for (;;) {
      const item = this.#queue.shift()
      if (item === undefined) break
      if (this.#accept(item)) return Promise.resolve({ done: false, value: this.#toEvent(item) })
    }
    return this.#queue.wait()
  }

  async #nextSlow(): Promise<IteratorResult<HubEvent, undefined>> {
    if (this.#phase === 'idle') await this.#begin()
    while (this.#phase === 'replay') {
      const replay = this.#replay as AsyncIterator<TransportItem>
      let result: IteratorResult<TransportItem>
      try {
        result = await replay.next()
      } catch (error) {
        if (this.#now() === 'done') break
        this.end()
        throw error
      }
      if (this.#now() !== 'replay') break
      if (result.done) {
        if (this.#overflowed) {
          // Live items were discarded while replaying: replay again from where this one ended,
          // up to the new end of the history, instead of holding an unbounded queue.
          this.#overflowed = false
          this.#replay = this.#context.transport.replay(this.topics, this.#cursor)
          continue
        }
        this.#phase = 'live'
        break
      }
      this.#cursor = result.value.id
      return { done: false, value: this.#toEvent(result.value) }
    }
    if (this.#phase === 'done') return this.#finish()
    return this.#nextLive()
  }

  return(): Promise<IteratorResult<HubEvent, undefined>> {
    this.end()
    this.#error = undefined
    return Promise.resolve(DONE)
  }

  /** Receives a live item from the hub's dispatcher. */
  push(item: TransportItem): void {
    if (this.#phase === 'done') return
    const queue = this.#queue
    if (queue.waiting) {
      // Waiting means the queue is empty and replay is over.
      if (this.#accept(item)) queue.deliver(this.#toEvent(item))
      return
    }
    if (queue.length >= this.#context.maxQueueLength) {
      if (this.#phase === 'replay' && this.#cursor !== '') {
        // Still replaying (a long backlog): everything queued is also in the history, which the
        // replay reads again once it ends; the queue is dropped rather than grown.
        queue.clear()
        this.#overflowed = true
        return
      }
      const queued = queue.length
      this.#error = new SSEError(
        'SLOW_CONSUMER',
        `The subscriber to ${this.topics.join(', ')} fell ${queued} events behind and was disconnected; it should reconnect with its last event id.`,
      )
      this.end()
      this.#context.slow({ topics: this.topics, lastEventId: this.#cursor, queued })
      return
    }
    queue.push(item)
  }

  /** Ends the subscription: unregisters it and wakes a waiting consumer. Idempotent. */
  end(): void {
    if (this.#phase === 'done') return
    this.#phase = 'done'
    this.#context.unregister(this)
    this.#signal?.removeEventListener('abort', this.#onAbort)
    this.#queue.clear()
    this.#wake?.()
    const replay = this.#replay
    this.#replay = undefined
    if (replay?.return !== undefined) {
      // Not awaited: a replay waiting on its store answers only when that read settles.
      Promise.resolve()
        .then(() => replay.return?.())
        .catch(() => {})
    }
    if (!this.#queue.waiting) return
    const error = this.#error
    if (error !== undefined) {
      this.#error = undefined
      this.#queue.fail(error)
    } else this.#queue.end()
  }

  async #begin(): Promise<void> {
    if (this.#signal?.aborted) {
      this.#phase = 'done'
      return
    }
    if (this.#context.closed) {
      // Created before close(), first pulled after it: as subscribing after close() does.
      this.#phase = 'done'
      this.#error = closedError()
      return
    }
    this.#phase = 'replay'
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true })
    this.#context.register(this)
    try {
      // A transport may take long to start (Redis down at boot): an abort or close() meanwhile
      // must end this subscription at once, not when (if ever) the transport starts.
      await new Promise<void>((resolve, reject) => {
        this.#wake = resolve
        this.#context.started.then(resolve, reject)
      })
    } catch (error) {
      this.end()
      throw error
    } finally {
      this.#wake = undefined
    }
    if (this.#now() !== 'replay') return
    if (this.#cursor === '') this.#phase = 'live'
    else this.#replay = this.#context.transport.replay(this.topics, this.#cursor)
  }

  /** The phase, read afresh: end() may have run during an await, which narrowing cannot know. */
  #now(): Phase {
    return this.#phase
  }

  #finish(): IteratorResult<HubEvent, undefined> {
    const error = this.#error
    if (error !== undefined) {
      this.#error = undefined
      throw error
    }
    return DONE
  }

  /** The event this subscriber is given for an item: the entry itself, or its gap event. */
  #toEvent(item: TransportItem): HubEvent {
    return isGap(item) ? gapEventFor(item, this.topics) : item
  }

  /** Whether a live item is new to this subscriber; advances the cursor when it is. */

  #accept(item: TransportItem): boolean {
    if (!this.#inOrder && this.#cursor !== '') {
      const order = this.#context.transport.compare(item.id, this.#cursor)
      if (order === undefined) {
        // Another epoch: only a reset notice moves a subscriber to a new epoch; an entry from
        // another epoch is a stale one from before a reset this subscriber has already passed.
        if (!isGap(item)) return false
      } else if (order <= 0) {
        // Not after the cursor: replayed already, or seen before the reconnect.
        return false
      }
    }
    this.#inOrder = true
    this.#cursor = item.id
    return true
  }
}
