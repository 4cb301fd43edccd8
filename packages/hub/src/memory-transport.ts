import { createEpoch } from './epoch.ts'
import { TopicHistory } from './topic-history.ts'
import type {
  HubTransport,
  TransportEntry,
  TransportItem,
  TransportListener,
  TransportMessage,
} from './transport.ts'

/** Options of {@link createMemoryTransport}: the history bounds, per topic. */
export interface MemoryTransportOptions {
  /**
   * How many events each topic retains for replay.
   * @defaultValue 1000
   */
  maxEventsPerTopic?: number | undefined
  /**
   * How long an event is retained for replay, in milliseconds; no age bound when left out.
   * Older events are dropped on the next publish or replay.
   */
  maxAge?: number | undefined
  /**
   * How many events one replay step collects at a time.
   * @defaultValue 256
   */
  pageSize?: number | undefined
}

/** The memory transport's defaults. */
export const MEMORY_DEFAULTS: { readonly maxEventsPerTopic: number; readonly pageSize: number } = {
  maxEventsPerTopic: 1000,
  pageSize: 256,
}

/**
 * The in-process transport, the hub's default: one process, zero dependencies, nothing running
 * in the background.
 *
 * Ids are `<epoch>-<sequence>`: a random epoch chosen when the transport is created and one
 * sequence number counting every publish of every topic. One id is therefore a position in all
 * topics at once, which is how a single `Last-Event-ID` resumes several topics exactly; a restarted
 * process has a new epoch, so an id from before the restart yields a `reset` gap.
 *
 * @param options - the history bounds
 * @returns a transport for {@link createHub}
 *
 * @example
 * ```ts
 * const hub = createHub({ transport: createMemoryTransport({ maxEventsPerTopic: 500, maxAge: 60_000 }) })
 * ```
 */
export function createMemoryTransport(options: MemoryTransportOptions = {}): HubTransport {
  const maxEvents = options.maxEventsPerTopic ?? MEMORY_DEFAULTS.maxEventsPerTopic
  const maxAge = options.maxAge
  const pageSize = options.pageSize ?? MEMORY_DEFAULTS.pageSize
  if (!Number.isSafeInteger(maxEvents) || maxEvents < 0) {
    throw new RangeError(`maxEventsPerTopic must be a non-negative integer, not ${maxEvents}.`)
  }
  if (maxAge !== undefined && !(maxAge > 0)) {
    throw new RangeError(`maxAge must be a positive number of milliseconds, not ${maxAge}.`)
  }
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) {
    throw new RangeError(`pageSize must be a positive integer, not ${pageSize}.`)
  }

  const epoch = createEpoch()
  const prefix = `${epoch}-`
  const histories = new Map<string, TopicHistory>()
  let sequence = 0
  let listener: TransportListener | undefined

  /** The sequence number of one of our ids, or undefined for any other string. */
  const parse = (id: string): number | undefined => {
    if (!id.startsWith(prefix)) return undefined
    const digits = id.slice(prefix.length)
    if (!/^\d{1,15}$/.test(digits)) return undefined
    const value = Number(digits)
    return value <= sequence ? value : undefined
  }

  const expire = (history: TopicHistory): void => {
    if (maxAge !== undefined) history.dropOlderThan(Date.now() - maxAge)
  }

  async function* replay(
    topics: readonly string[],
    lastEventId: string,
  ): AsyncGenerator<TransportItem> {
    const resumed = parse(lastEventId)
    let reset = resumed === undefined
    let cursor = resumed ?? 0
    const wanted = [...new Set(topics)]
    // The highest dropped position of each topic already announced by a gap of this replay: a
    // gap's id may have to stay behind it (another topic still has events to send), and the loss
    // must not be announced again and again.
    const announced = new Map<string, number>()
    for (;;) {
      const retained: TopicHistory[] = []
      for (const topic of wanted) {
        const history = histories.get(topic)
        if (history === undefined) continue
        expire(history)
        retained.push(history)
      }
      // Events after the cursor that were dropped (by the bounds, possibly while this replay was
      // waiting for its reader) are a gap; so is an id from another epoch.
      const gapped = wanted.filter((topic) => {
        const history = histories.get(topic)
        return (
          history !== undefined &&
          history.trimmedThrough > cursor &&
          history.trimmedThrough > (announced.get(topic) ?? 0)
        )
      })
      if (reset || gapped.length > 0) {
        // Continue from the highest lost position, but never past a retained event that is still
        // to be sent: one id must stay a valid position in every topic.
        let position = cursor
        for (const topic of gapped) {
          position = Math.max(position, (histories.get(topic) as TopicHistory).trimmedThrough)
        }
        for (const history of retained) {
          const index = history.indexAfter(cursor)
          if (index < history.size) position = Math.min(position, history.sequenceAt(index) - 1)
        }
        yield {
          gap: true,
          id: `${prefix}${position}`,
          reason: reset ? 'reset' : 'trimmed',
          topics: reset ? wanted : gapped,
          lastEventId,
        }
        for (const topic of gapped) {
          announced.set(topic, (histories.get(topic) as TopicHistory).trimmedThrough)
        }
        reset = false
        cursor = position
        // More may have been dropped while the gap waited for its reader: check again.
        continue
      }
      // One page: the next `pageSize` events after the cursor, merged across topics.
      const page: { sequence: number; entry: TransportEntry }[] = []
      for (const history of retained) {
        const end = Math.min(history.size, history.indexAfter(cursor) + pageSize)
        for (let index = history.indexAfter(cursor); index < end; index++) {
          page.push({ sequence: history.sequenceAt(index), entry: history.entryAt(index) })
        }
      }
      if (page.length === 0) return
      page.sort((a, b) => a.sequence - b.sequence)
      if (page.length > pageSize) page.length = pageSize
      for (const item of page) {
        yield item.entry
        cursor = item.sequence
      }
    }
  }

  return {
    start(receive) {
      listener = receive
      return Promise.resolve()
    },
    publish(message: TransportMessage) {
      sequence++
      const id = `${prefix}${sequence}`
      const entry: TransportEntry = { id, topic: message.topic, data: message.data }
      if (message.event !== undefined) (entry as { event?: string }).event = message.event
      if (message.retry !== undefined) (entry as { retry?: number }).retry = message.retry
      let history = histories.get(message.topic)
      if (history === undefined) {
        history = new TopicHistory()
        histories.set(message.topic, history)
      }
      expire(history)
      history.push(entry, sequence, Date.now(), maxEvents)
      listener?.(entry)
      return Promise.resolve(id)
    },
    replay,
    compare(a, b) {
      const left = parse(a)
      const right = parse(b)
      return left === undefined || right === undefined ? undefined : left - right
    },
    close() {
      listener = undefined
      histories.clear()
      return Promise.resolve()
    },
  }
}
