/**
 * The ids of the latest events a tab received, to drop an event it already has: around a hand-off
 * between leading tabs, the new leader's replay (from its `Last-Event-ID`) can repeat events a tab
 * got from the previous leader, and the previous leader's last messages can still be on their way.
 * Bounded: the oldest id is forgotten once `capacity` newer ones were seen.
 */
export class RecentIds {
  /** The ids, for lookup. */
  readonly #ids = new Set<string>()
  /** The same ids in arrival order, read from `#head`, to forget the oldest first. */
  #order: (string | undefined)[] = []
  #head = 0
  readonly #capacity: number

  /** @param capacity - how many ids to remember */
  constructor(capacity: number) {
    this.#capacity = capacity
  }

  /**
   * Tells whether an id is among the remembered ones.
   *
   * @param id - an event's own `id` field
   * @returns whether it was seen (and not yet forgotten)
   */
  has(id: string): boolean {
    return this.#ids.has(id)
  }

  /**
   * Remembers an id and tells whether it was new.
   *
   * @param id - an event's own `id` field
   * @returns false when the id is among the remembered ones (the event is a duplicate)
   */
  add(id: string): boolean {
    if (this.#ids.has(id)) return false
    this.#ids.add(id)
    this.#order.push(id)
    if (this.#ids.size > this.#capacity) {
      const oldest = this.#order[this.#head]
      this.#order[this.#head] = undefined
      this.#head++
      if (oldest !== undefined) this.#ids.delete(oldest)
      // Compact once half the array was read, so it stays within twice the capacity.
      if (this.#head * 2 >= this.#order.length) {
        this.#order = this.#order.slice(this.#head)
        this.#head = 0
      }
    }
    return true
  }
}
