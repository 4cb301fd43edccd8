const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined })

/**
 * A push-to-pull queue between a producer that pushes items as they arrive and one consumer that
 * pulls them through a promise-returning `next()`: the client's `Connection` (events decoded from
 * the body) and the hub's `Subscription` (live items from the dispatcher) are built on it.
 *
 * It holds two things, and the owner decides how they meet:
 * - the items not yet pulled, in an array read from a moving head: `shift()` at the front of an
 *   array is O(n), which makes draining n items O(n²);
 * - the one pending pull, when the consumer waits on an empty queue: {@link PullQueue.wait} hands
 *   it out, {@link PullQueue.deliver}, {@link PullQueue.end} and {@link PullQueue.fail} settle it.
 *
 * A producer with a waiting consumer delivers the item straight to it, so nothing is queued.
 *
 * @typeParam T - what is queued
 * @typeParam R - what the consumer's `next()` resolves to (the owner may turn an item into it)
 * @internal
 */
export class PullQueue<T, R = T> {
  /**
   * Made at the first push and dropped when drained: most queues (an idle hub subscriber's) hold
   * nothing most of the time, and an empty array is 32 bytes each.
   */
  #items: (T | undefined)[] | undefined
  #head = 0
  /**
   * Only the resolving function of the pending pull is kept (a failure resolves it with a rejected
   * promise): the second function would be 56 bytes more per waiting consumer, and a hub has one
   * waiting per idle subscriber.
   */
  #resolve: ((result: IteratorResult<R, undefined> | Promise<never>) => void) | undefined

  /** The number of items queued. */
  get length(): number {
    return this.#items === undefined ? 0 : this.#items.length - this.#head
  }

  /** Whether the consumer waits in {@link PullQueue.wait} for the next item. */
  get waiting(): boolean {
    return this.#resolve !== undefined
  }

  /** Queues an item at the end. */
  push(item: T): void {
    if (this.#items === undefined) this.#items = [item]
    else this.#items.push(item)
  }

  /** Takes the first item, or `undefined` when none is queued. */
  shift(): T | undefined {
    const items = this.#items
    if (items === undefined) return undefined
    const item = items[this.#head]
    // Drop the reference at once: a queue that only grows would otherwise keep every item alive.
    items[this.#head] = undefined
    this.#head++
    if (this.#head === items.length) {
      this.#items = undefined
      this.#head = 0
    } else if (this.#head >= 1024 && this.#head * 2 >= items.length) {
      // Compact once at least half the array was read, so the array stays within twice the queue
      // and the copying costs O(1) per item.
      this.#items = items.slice(this.#head)
      this.#head = 0
    }
    return item
  }

  /** Drops every queued item. */
  clear(): void {
    this.#items = undefined
    this.#head = 0
  }

  /**
   * The consumer's pending pull: a promise that {@link PullQueue.deliver}, {@link PullQueue.end}
   * or {@link PullQueue.fail} settles. One at a time: a second call before it settles is refused.
   */
  wait(): Promise<IteratorResult<R, undefined>> {
    if (this.#resolve !== undefined) {
      return Promise.reject(new TypeError('next() was called again before it settled.'))
    }
    return new Promise((resolve) => {
      this.#resolve = resolve
    })
  }

  /** Gives `value` to the waiting consumer; returns false (and does nothing) if none waits. */
  deliver(value: R): boolean {
    const resolve = this.#resolve
    if (resolve === undefined) return false
    this.#resolve = undefined
    resolve({ done: false, value })
    return true
  }

  /** Tells the waiting consumer, if any, that there is nothing more (`done: true`). */
  end(): void {
    const resolve = this.#resolve
    this.#resolve = undefined
    resolve?.(DONE)
  }

  /** Rejects the waiting consumer's pull with `error`; returns false if none waits. */
  fail(error: unknown): boolean {
    const resolve = this.#resolve
    if (resolve === undefined) return false
    this.#resolve = undefined
    resolve(Promise.reject(error))
    return true
  }
}
