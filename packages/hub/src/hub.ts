import type { EncodableEvent } from '@ssekit/encoder'
import { serializeData } from '@ssekit/encoder/internal'
import {
  assertValidEventType,
  assertValidRetry,
  type ContractEventInput,
  type EventContract,
  SSEError,
} from '@ssekit/shared'
import type { OutgoingEvent } from '@ssekit/shared/internal'
import { type GapEvent, isGap } from './gap.ts'
import { createMemoryTransport, type MemoryTransportOptions } from './memory-transport.ts'
import {
  closedError,
  Subscription,
  type SubscriptionContext,
  type SubscriptionSink,
} from './subscription.ts'
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
export interface HubOptions<Contract extends EventContract | undefined = undefined> {
  /**
   * An event contract (from `defineEvents`): `publish` then takes only the contract's events
   * (`{ event: 'price', data }`, checked by the compiler), and their data is coded by its codec
   * before it is stored.
   */
  events?: Contract
  /**
   * Check each published event against its schema (contracts only): a refused event rejects with
   * an `SSEContractError` and is neither stored nor delivered. An async validator is awaited.
   * @defaultValue false
   */
  validate?: boolean | undefined
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

/**
 * What a hub's `publish` takes: an event as the encoder takes it, or one of the contract's events;
 * without an id, which the hub assigns.
 */
export type HubPublishEvent<Contract extends EventContract | undefined = undefined> =
  Contract extends EventContract
    ? ContractEventInput<Contract> extends infer Event
      ? Event extends unknown
        ? Omit<Event, 'id'>
        : never
      : never
    : EncodableEvent

/** A broadcast hub: see {@link createHub}. */
export interface Hub<Contract extends EventContract | undefined = undefined> {
  /**
   * Publishes an event to a topic and resolves to the id the hub assigned.
   *
   * @param topic - the topic (see `isValidTopic`)
   * @param event - the event: `data` as the encoder takes it, an optional `event` type and `retry`;
   * the hub assigns the `id`
   * @returns the assigned id
   * @throws SSEError `INVALID_TOPIC`, `INVALID_ID` (an id was given), `INVALID_EVENT`,
   * `INVALID_RETRY`, `INVALID_DATA`, `HUB_CLOSED`, under a contract `CONTRACT_VIOLATION`, and the
   * transport's `TRANSPORT_ERROR` or `TRANSPORT_TIMEOUT` (all as rejections)
   */
  publish(topic: string, event: HubPublishEvent<Contract>): Promise<string>
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
export function createHub<Contract extends EventContract | undefined = undefined>(
  options: HubOptions<Contract> = {},
): Hub<Contract> {
  const transport = options.transport ?? createMemoryTransport(options.history)
  const maxQueueLength = options.maxQueueLength ?? HUB_DEFAULTS.maxQueueLength
  if (!Number.isSafeInteger(maxQueueLength) || maxQueueLength < 1) {
    throw new RangeError(`maxQueueLength must be a positive integer, not ${maxQueueLength}.`)
  }
  const { onSlowConsumer, serialize, events: contract } = options
  const validate = options.validate === true
  if (contract !== undefined && typeof contract['~ssekit']?.prepareOutgoing !== 'function') {
    throw new TypeError('The events option takes an event contract made by defineEvents().')
  }
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

  // The topic list of each topic with a registered one-topic subscriber, given to its later
  // one-topic subscribers: the usual fan-out is many subscribers of one topic, and a list of their
  // own is two more objects each. Frozen, since `onSlowConsumer` is handed it; an entry goes when
  // its topic has no subscriber left.
  const singleTopicLists = new Map<string, readonly string[]>()

  const context: SubscriptionContext = {
    transport,
    started,
    maxQueueLength,
    get closed() {
      return closed
    },
    topicList(topics) {
      if (typeof topics === 'string') {
        const shared = singleTopicLists.get(topics)
        if (shared !== undefined) return shared
      }
      return topicList(topics)
    },
    register(subscription) {
      const { topics } = subscription
      if (topics.length === 1 && !singleTopicLists.has(topics[0] as string)) {
        singleTopicLists.set(topics[0] as string, topics)
      }
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
        if (set?.size === 0) {
          byTopic.delete(topic)
          singleTopicLists.delete(topic)
        }
      }
      stats.subscribers = all.size
    },
    slow(info) {
      stats.slowConsumers++
      onSlowConsumer?.(info)
    },
  }

  const hub: Hub<Contract> = {
    async publish(topic, published) {
      if (closed) throw closedError()
      assertValidTopic(topic)
      if (published === null || typeof published !== 'object') {
        throw new TypeError('publish(topic, event) takes an event object such as { data }.')
      }
      let event = published as EncodableEvent
      if (event.id !== undefined) {
        throw new SSEError(
          'INVALID_ID',
          'The hub assigns event ids (they are positions in its history); publish the event without an id.',
          { field: 'id' },
        )
      }
      // Under a contract: its type, its codec and (when asked) its schema, before anything is
      // stored; the result's data is text, which serializeData keeps as it is.
      if (contract !== undefined) {
        event = await contract['~ssekit'].prepareOutgoing(
          contract,
          published as OutgoingEvent,
          validate,
          undefined,
        )
        if (closed) throw closedError()
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
      return new Subscribed(
        context,
        context.topicList(topics),
        subscribeOptions.lastEventId ?? '',
        subscribeOptions.signal,
      )
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
  contexts.set(hub, context)
  return hub
}

/**
 * What {@link Hub.subscribe} returns: each iteration is a subscription of its own. A class rather
 * than an object with an arrow function: a consumer's suspended `for await` loop keeps the
 * iterable alive, and the arrow's closure and context were two more objects per idle subscriber
 * (BENCHMARKS.md, Hub, heap per idle subscriber).
 */
class Subscribed implements AsyncIterable<HubEvent> {
  readonly #context: SubscriptionContext
  readonly #topics: readonly string[]
  readonly #lastEventId: string
  readonly #signal: AbortSignal | undefined

  constructor(
    context: SubscriptionContext,
    topics: readonly string[],
    lastEventId: string,
    signal: AbortSignal | undefined,
  ) {
    this.#context = context
    this.#topics = topics
    this.#lastEventId = lastEventId
    this.#signal = signal
  }

  [Symbol.asyncIterator](): AsyncIterator<HubEvent, undefined> {
    return new Subscription(this.#context, this.#topics, this.#lastEventId, this.#signal, undefined)
  }
}

/** The subscription context of each hub made by {@link createHub}, for openSubscription. */
const contexts = new WeakMap<object, SubscriptionContext>()

/** The deduplicated, checked, frozen topic list of a subscription. */
function topicList(topics: string | readonly string[]): readonly string[] {
  const list = typeof topics === 'string' ? [topics] : [...new Set(topics)]
  if (list.length === 0) {
    throw new SSEError('INVALID_TOPIC', 'Subscribe to at least one topic.')
  }
  for (const topic of list) assertValidTopic(topic)
  return Object.freeze(list)
}

/** A subscription that writes to a {@link SubscriptionSink}: see {@link openSubscription}. */
export interface SinkSubscription {
  /** The sink has room again, after its `write()` returned false. */
  resume(): void
  /** Ends the subscription; the sink's `close(undefined)` is called if it had not ended yet. */
  end(): void
}

/**
 * Subscribes as {@link Hub.subscribe} does, with the same replay, hand-off, queue bound and
 * errors, but writes the events to `sink` as they come instead of handing them to `next()`: the
 * handlers stream this way, without a promise per delivery. A hub not made by {@link createHub}
 * (a wrapper implementing {@link Hub}) is iterated into the sink instead.
 *
 * @param hub - the hub
 * @param topics - a topic or a list of topics
 * @param options - where to resume, and a signal that ends the subscription
 * @param sink - where the events go; its `close()` is called once, when the subscription ends
 * @returns the subscription's controls
 * @throws SSEError `INVALID_TOPIC` at once for an invalid topic or an empty list
 */
export function openSubscription<Contract extends EventContract | undefined = undefined>(
  hub: Hub<Contract>,
  topics: string | readonly string[],
  options: SubscribeOptions,
  sink: SubscriptionSink,
): SinkSubscription {
  const context = contexts.get(hub)
  if (context === undefined) return iterateInto(hub.subscribe(topics, options), sink)
  const subscription = new Subscription(
    context,
    context.topicList(topics),
    options.lastEventId ?? '',
    options.signal,
    sink,
  )
  subscription.start()
  return subscription
}

/** Writes an iterated subscription's events to a sink, waiting for resume() when it is full. */
function iterateInto(events: AsyncIterable<HubEvent>, sink: SubscriptionSink): SinkSubscription {
  const iterator = events[Symbol.asyncIterator]()
  let ended = false
  let wake: (() => void) | undefined
  const close = (error: unknown): void => {
    if (ended) return
    ended = true
    sink.close(error)
  }
  void (async () => {
    try {
      for (;;) {
        const result = await iterator.next()
        if (result.done || ended) break
        if (!sink.write(result.value)) {
          await new Promise<void>((resolve) => {
            wake = resolve
          })
        }
        if (ended) break
      }
      close(undefined)
    } catch (error) {
      close(error)
    }
  })()
  return {
    resume() {
      const resolve = wake
      wake = undefined
      resolve?.()
    },
    end() {
      if (ended) return
      close(undefined)
      wake?.()
      Promise.resolve()
        .then(() => iterator.return?.())
        .catch(() => {})
    },
  }
}
