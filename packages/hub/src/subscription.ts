import { SSEError } from '@ssekit/shared'
import { PullQueue } from '@ssekit/shared/internal'
import { gapEventFor, isGap } from './gap.ts'
import type { HubEvent, SlowConsumerInfo } from './hub.ts'
import type { HubTransport, TransportItem } from './transport.ts'

/**
 * Where a handler's subscription sends its events, as they come and without a promise each: a
 * broadcast to 1,000 connections is 1,000 deliveries per event, and a promise per delivery (with
 * its iterator result and the loop's resumption) was most of what the hub paid beyond the socket
 * writes at low rates (BENCHMARKS.md, Hub). See `openSubscription`.
 */
export interface SubscriptionSink {
  /**
   * Takes the next event. Returns false when it can take no more for now: the subscription then
   * keeps live events in its queue (up to `maxQueueLength`, beyond which the subscriber is
   * disconnected with `SLOW_CONSUMER`) until `resume()` is called.
   */
  write(event: HubEvent): boolean
  /**
   * The subscription ended, once: with the error that ended it (`SLOW_CONSUMER`, `HUB_CLOSED`,
   * the transport's), or `undefined` when it was ended (signal, `end()`, `hub.close()`). Nothing
   * is written after it.
   */
  close(error: unknown): void
}

/** What the hub lends its subscriptions. */
export interface SubscriptionContext {
  readonly transport: HubTransport
  readonly started: Promise<void>
  readonly maxQueueLength: number
  /** Whether the hub was closed: a subscription that starts after that must not register. */
  readonly closed: boolean
  /**
   * The checked topic list of a new subscription (shared, frozen, by one-topic subscribers).
   * @throws SSEError `INVALID_TOPIC` for an invalid topic or an empty list
   */
  topicList(topics: string | readonly string[]): readonly string[]
  register(subscription: Subscription): void
  unregister(subscription: Subscription): void
  slow(info: SlowConsumerInfo): void
}

type Phase = 'idle' | 'replay' | 'live' | 'done'

// The subscription's yes/no state, as bits of one field: four boolean fields would be 24 bytes
// more per subscriber, and a hub holds one per connection, most of them idle.
/** Set once a live item was delivered: later live items come in order, no compare needed. */
const IN_ORDER = 1
/** Set while a replay read is in flight: one at a time, in order. */
const READING = 2
/** Set when live items were dropped during replay: the replay then runs once more. */
const OVERFLOWED = 4
/** Set when the sink said it was full, until resume(). (An iterated one waits for next().) */
const PAUSED = 8

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined })

/**
 * The error of an operation on a closed hub.
 *
 * @returns a `HUB_CLOSED` SSEError
 */
export function closedError(): SSEError {
  return new SSEError('HUB_CLOSED', 'The hub is closed; create a new hub to publish or subscribe.')
}

/**
 * One subscriber: registered for live items at once (they queue up), then replaying, then live.
 * Live items at or before the last replayed id are dropped, so the hand-off has neither gap nor
 * duplicate.
 *
 * Its events go one way or the other, through the same hand-off:
 * - to a {@link SubscriptionSink} (the handlers), written as they come; the sink says when it is
 *   full and calls `resume()` when it has room;
 * - to the pull of `next()` when iterated (`hub.subscribe()`): a pending pull is the room for one
 *   event, so `next()` is what resumes it. A hand-written iterator rather than an async
 *   generator, because `return()` must end a subscription that waits for a live event at once.
 */
export class Subscription implements AsyncIterator<HubEvent, undefined> {
  readonly topics: readonly string[]
  readonly #context: SubscriptionContext
  readonly #signal: AbortSignal | undefined
  /** Where events go when a handler streams them; undefined when the subscription is iterated. */
  readonly #sink: SubscriptionSink | undefined
  /** The id of the last event delivered (or resumed from); live items not after it are dropped. */
  #cursor: string
  /** 'idle' before it starts, then 'replay', 'live', and 'done' at the end. */
  #phase: Phase = 'idle'
  /** IN_ORDER, READING, OVERFLOWED and PAUSED. */
  #flags = 0
  #replay: AsyncIterator<TransportItem> | undefined
  /**
   * Live items not yet delivered (the sink is full, the consumer has not pulled, or replay is
   * still running), and the pending pull of an iterating consumer.
   */
  readonly #queue = new PullQueue<TransportItem, HubEvent>()
  /** The error the next next() throws (slow consumer, closed hub, replay failure). */
  #error: unknown
  /** Ends #begin's wait for the transport, when end() runs while the transport is starting. */
  #wake: (() => void) | undefined
  /** The signal's listener, made only when there is a signal. */
  #onAbort: (() => void) | undefined

  constructor(
    context: SubscriptionContext,
    topics: readonly string[],
    lastEventId: string,
    signal: AbortSignal | undefined,
    sink: SubscriptionSink | undefined,
  ) {
    this.#context = context
    this.topics = topics
    this.#cursor = lastEventId
    this.#signal = signal
    this.#sink = sink
  }

  /** Starts a sink's subscription (an iterated one starts at its first next()). */
  start(): void {
    if (this.#phase === 'idle') void this.#begin()
  }

  next(): Promise<IteratorResult<HubEvent, undefined>> {
    const queue = this.#queue
    if (this.#phase === 'live') {
      // The live path of an iterating consumer: what is queued is taken at once, one promise per
      // event; with nothing queued, the pull waits for push().
      for (;;) {
        const item = queue.shift()
        if (item === undefined) break
        if (this.#accept(item)) return Promise.resolve({ done: false, value: this.#toEvent(item) })
      }
      return queue.wait()
    }
    if (this.#phase === 'done') {
      const error = this.#error
      if (error === undefined) return Promise.resolve(DONE)
      this.#error = undefined
      return Promise.reject(error)
    }
    const pending = queue.wait()
    if (this.#phase === 'idle') void this.#begin()
    else this.#read()
    return pending
  }

  return(): Promise<IteratorResult<HubEvent, undefined>> {
    this.end()
    this.#error = undefined
    return Promise.resolve(DONE)
  }

  /** A sink has room again: delivers what waited, then goes on. */
  resume(): void {
    if ((this.#flags & PAUSED) === 0) return
    this.#flags &= ~PAUSED
    if (this.#phase === 'replay') this.#read()
    else if (this.#phase === 'live') this.#flush()
  }

  /** Receives a live item from the hub's dispatcher. */
  push(item: TransportItem): void {
    const phase = this.#phase
    if (phase === 'done') return
    const queue = this.#queue
    if (phase === 'live' && queue.length === 0 && this.#ready()) {
      if (this.#accept(item)) this.#write(this.#toEvent(item))
      return
    }
    if (queue.length >= this.#context.maxQueueLength) {
      if (phase === 'replay' && this.#cursor !== '') {
        // Still replaying (a long backlog): everything queued is also in the history, which the
        // replay reads again once it ends; the queue is dropped rather than grown.
        queue.clear()
        this.#flags |= OVERFLOWED
        return
      }
      const queued = queue.length
      this.#fail(
        new SSEError(
          'SLOW_CONSUMER',
          `The subscriber to ${this.topics.join(', ')} fell ${queued} events behind and was disconnected; it should reconnect with its last event id.`,
        ),
      )
      this.#context.slow({ topics: this.topics, lastEventId: this.#cursor, queued })
      return
    }
    queue.push(item)
  }

  /**
   * Ends the subscription: unregisters it, and tells the sink or a waiting consumer (with the
   * error that ended it, if any). Idempotent.
   */
  end(): void {
    if (this.#phase === 'done') return
    this.#phase = 'done'
    this.#context.unregister(this)
    if (this.#onAbort !== undefined) this.#signal?.removeEventListener('abort', this.#onAbort)
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
    const error = this.#error
    const sink = this.#sink
    if (sink !== undefined) {
      this.#error = undefined
      sink.close(error)
      return
    }
    if (!this.#queue.waiting) return
    if (error !== undefined) {
      this.#error = undefined
      this.#queue.fail(error)
    } else this.#queue.end()
  }

  /** Ends the subscription with an error, unless it has ended already. */
  #fail(error: unknown): void {
    if (this.#phase === 'done') return
    this.#error = error
    this.end()
  }

  async #begin(): Promise<void> {
    const signal = this.#signal
    if (signal?.aborted) {
      this.end()
      return
    }
    if (this.#context.closed) {
      // Created before close(), started after it: as subscribing after close() does.
      this.#fail(closedError())
      return
    }
    this.#phase = 'replay'
    if (signal !== undefined) {
      this.#onAbort = () => this.end()
      signal.addEventListener('abort', this.#onAbort, { once: true })
    }
    this.#context.register(this)
    try {
      // A transport may take long to start (Redis down at boot): an abort or close() meanwhile
      // must end this subscription at once, not when (if ever) the transport starts.
      await new Promise<void>((resolve, reject) => {
        this.#wake = resolve
        this.#context.started.then(resolve, reject)
      })
    } catch (error) {
      this.#fail(error)
      return
    } finally {
      this.#wake = undefined
    }
    if (this.#now() !== 'replay') return
    if (this.#cursor === '') {
      this.#phase = 'live'
      this.#flush()
      return
    }
    this.#replay = this.#context.transport.replay(this.topics, this.#cursor)
    this.#read()
  }

  /**
   * Reads the next replayed item when there is room for it and no read is in flight. The phase is
   * checked too: a sink's write() may end the subscription (a stream that finds its client gone).
   */
  #read(): void {
    if (this.#phase !== 'replay' || (this.#flags & READING) !== 0 || !this.#ready()) return
    const replay = this.#replay as AsyncIterator<TransportItem>
    this.#flags |= READING
    replay.next().then(
      (result) => this.#replayed(result),
      (error: unknown) => {
        this.#flags &= ~READING
        this.#fail(error)
      },
    )
  }

  #replayed(result: IteratorResult<TransportItem>): void {
    this.#flags &= ~READING
    if (this.#phase !== 'replay') return
    if (result.done) {
      if ((this.#flags & OVERFLOWED) !== 0) {
        // Live items were discarded while replaying: replay again from where this one ended,
        // up to the new end of the history, instead of holding an unbounded queue.
        this.#flags &= ~OVERFLOWED
        this.#replay = this.#context.transport.replay(this.topics, this.#cursor)
        this.#read()
        return
      }
      this.#phase = 'live'
      this.#replay = undefined
      this.#flush()
      return
    }
    this.#cursor = result.value.id
    this.#write(this.#toEvent(result.value))
    this.#read()
  }

  /** Delivers queued live items while there is room. */
  #flush(): void {
    const queue = this.#queue
    while (this.#phase === 'live' && this.#ready()) {
      const item = queue.shift()
      if (item === undefined) return
      if (this.#accept(item)) this.#write(this.#toEvent(item))
    }
  }

  /** Whether an event can be delivered now: the sink is not full, or a consumer waits. */
  #ready(): boolean {
    return this.#sink === undefined ? this.#queue.waiting : (this.#flags & PAUSED) === 0
  }

  #write(event: HubEvent): void {
    const sink = this.#sink
    if (sink === undefined) this.#queue.deliver(event)
    else if (!sink.write(event)) this.#flags |= PAUSED
  }

  /** The phase, read afresh: end() may have run during an await, which narrowing cannot know. */
  #now(): Phase {
    return this.#phase
  }

  /** The event this subscriber is given for an item: the entry itself, or its gap event. */
  #toEvent(item: TransportItem): HubEvent {
    return isGap(item) ? gapEventFor(item, this.topics) : item
  }

  /** Whether a live item is new to this subscriber; advances the cursor when it is. */
  #accept(item: TransportItem): boolean {
    if ((this.#flags & IN_ORDER) === 0 && this.#cursor !== '') {
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
    this.#flags |= IN_ORDER
    this.#cursor = item.id
    return true
  }
}
