/**
 * An event source that writes event N only once the test's client has acknowledged event N-1, so
 * a framework or middleware that buffers the stream makes the test time out instead of pass: the
 * server never gets ahead of what the client has read.
 *
 * @module
 */
import type { EncodableEvent } from '@ssekit/encoder'

/** The source and its controls: see {@link createAckedEvents}. */
export interface AckedEvents {
  /** The source, shaped as the recipes' `events` option. */
  events: (lastEventId: string | undefined, signal: AbortSignal) => AsyncIterable<EncodableEvent>
  /**
   * Acknowledges event `n` (or, for the id a connection starts after, its headers): the source
   * writes the next event only then.
   */
  ack(n: number): void
  /** The `Last-Event-ID` each connection brought, in order. */
  readonly lastEventIds: (string | undefined)[]
  /** How many sources are running (a connection whose loop has not ended). */
  readonly running: number
  /** Resolves when no source is running (every handler's loop ended). */
  idle(): Promise<void>
}

/**
 * Creates the acknowledged source. Each connection: waits for the acknowledgement of the id it
 * starts after (its headers reached the client), then writes `count` events numbered from there,
 * each after the previous one's acknowledgement, then waits, idle (heartbeats only), until the
 * client leaves.
 *
 * @param count - how many events each connection writes
 */
export function createAckedEvents(count: number): AckedEvents {
  /** The sources waiting for each acknowledgement (several connections may wait for one). */
  const acks = new Map<number, Set<() => void>>()
  const acked = new Set<number>()
  const lastEventIds: (string | undefined)[] = []
  let running = 0
  let onIdle: (() => void)[] = []

  const waitForAck = (n: number, signal: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (acked.has(n)) return resolve()
      if (signal.aborted) return reject(signal.reason)
      const waiters = acks.get(n) ?? new Set<() => void>()
      acks.set(n, waiters)
      const onAck = (): void => {
        signal.removeEventListener('abort', onAbort)
        resolve()
      }
      const onAbort = (): void => {
        waiters.delete(onAck)
        reject(signal.reason)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      waiters.add(onAck)
    })

  const waitForAbort = (signal: AbortSignal): Promise<void> =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve()
      signal.addEventListener('abort', () => resolve(), { once: true })
    })

  async function* events(
    lastEventId: string | undefined,
    signal: AbortSignal,
  ): AsyncGenerator<EncodableEvent> {
    lastEventIds.push(lastEventId)
    running++
    try {
      let n = Number(lastEventId ?? 0) || 0
      await waitForAck(n, signal)
      for (let i = 0; i < count; i++) {
        n++
        yield { id: String(n), event: 'tick', data: `event ${n}` }
        await waitForAck(n, signal)
      }
      await waitForAbort(signal)
    } finally {
      running--
      if (running === 0) {
        const waiting = onIdle
        onIdle = []
        for (const resolve of waiting) resolve()
      }
    }
  }

  return {
    events,
    ack(n) {
      acked.add(n)
      const waiters = acks.get(n)
      acks.delete(n)
      for (const resolve of waiters ?? []) resolve()
    },
    lastEventIds,
    get running() {
      return running
    },
    idle() {
      if (running === 0) return Promise.resolve()
      return new Promise<void>((resolve) => onIdle.push(resolve))
    },
  }
}
