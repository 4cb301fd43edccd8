import type { TransportEntry } from './transport.ts'

/**
 * The retained events of one topic in the memory transport, oldest first, with their global
 * sequence numbers and publish times. Bounded by count and, optionally, by age; it remembers the
 * highest sequence number it dropped, which is how a resume position older than the history is
 * recognised as a gap.
 */
export class TopicHistory {
  // Parallel arrays with a moving start index: dropping the oldest is O(1), and the arrays are
  // compacted when half of them is dead.
  #entries: TransportEntry[] = []
  #sequences: number[] = []
  #times: number[] = []
  #start = 0
  /** The highest sequence number dropped from this topic, 0 when nothing was dropped. */
  trimmedThrough = 0

  /** How many events are retained. */
  get size(): number {
    return this.#entries.length - this.#start
  }

  /**
   * Appends an event, then drops the oldest ones beyond `maxEvents`.
   *
   * @param entry - the stored entry
   * @param sequence - its global sequence number (greater than every retained one)
   * @param time - its publish time in milliseconds
   * @param maxEvents - how many events to keep
   */
  push(entry: TransportEntry, sequence: number, time: number, maxEvents: number): void {
    this.#entries.push(entry)
    this.#sequences.push(sequence)
    this.#times.push(time)
    while (this.size > maxEvents) this.#dropOldest()
    this.#compact()
  }

  /**
   * Drops the events published before `cutoff`.
   *
   * @param cutoff - the oldest publish time to keep, in milliseconds
   */
  dropOlderThan(cutoff: number): void {
    while (this.size > 0 && (this.#times[this.#start] as number) < cutoff) this.#dropOldest()
    this.#compact()
  }

  /**
   * The index (for {@link entryAt}) of the first retained event whose sequence number is greater
   * than `sequence`, or {@link size} when there is none. A binary search: O(log n).
   *
   * @param sequence - the position to start after
   * @returns a relative index
   */
  indexAfter(sequence: number): number {
    let low = this.#start
    let high = this.#sequences.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if ((this.#sequences[middle] as number) <= sequence) low = middle + 1
      else high = middle
    }
    return low - this.#start
  }

  /**
   * @param index - a relative index below {@link size}
   * @returns the sequence number of the retained event at `index`
   */
  sequenceAt(index: number): number {
    return this.#sequences[this.#start + index] as number
  }

  /**
   * @param index - a relative index below {@link size}
   * @returns the retained event at `index`
   */
  entryAt(index: number): TransportEntry {
    return this.#entries[this.#start + index] as TransportEntry
  }

  #dropOldest(): void {
    this.trimmedThrough = this.#sequences[this.#start] as number
    // Release the reference at once; the slot itself goes at the next compaction.
    this.#entries[this.#start] = undefined as unknown as TransportEntry
    this.#start++
  }

  #compact(): void {
    if (this.#start < 1024 || this.#start * 2 < this.#entries.length) return
    this.#entries = this.#entries.slice(this.#start)
    this.#sequences = this.#sequences.slice(this.#start)
    this.#times = this.#times.slice(this.#start)
    this.#start = 0
  }
}
