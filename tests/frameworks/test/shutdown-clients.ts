import { connect } from '@ssekit/client'
import { expect, onTestFinished } from 'vitest'

/** One `connect()` client of the shutdown tests: what it saw, and its reading loop. */
export interface ShutdownClient {
  /** The data of every event but the shutdown notice, in order. */
  readonly seen: string[]
  /** The data of the shutdown notices. */
  readonly notices: string[]
  /** The delays `onRetry` was told of. */
  readonly retries: number[]
  /** Resolves once the client has seen `expected` events. */
  readonly reading: Promise<void>
}

/**
 * Opens `count` clients on `url`, each reading until it has seen `expected` events (the shutdown
 * notice apart), through the shutdown and its reconnection to the next server. Closed when the
 * test finishes.
 */
export function openShutdownClients(
  url: string,
  count: number,
  expected: number,
  headers?: Record<string, string>,
): ShutdownClient[] {
  return Array.from({ length: count }, () => {
    const seen: string[] = []
    const notices: string[] = []
    const retries: number[] = []
    const connection = connect(url, {
      ...(headers === undefined ? {} : { headers }),
      onRetry: (delay) => retries.push(delay),
    })
    onTestFinished(() => connection.close())
    const reading = (async () => {
      for await (const event of connection) {
        if (event.event === 'shutdown') notices.push(event.data)
        else seen.push(event.data)
        if (seen.length === expected) return
      }
    })()
    return { seen, notices, retries, reading }
  })
}

/**
 * What every client must show after the shutdown: the notice once, every published event in
 * order, and a first reconnection after exactly the hinted delay (the stream ended cleanly).
 */
export function expectNothingLost(
  clients: readonly ShutdownClient[],
  published: readonly string[],
  retry: number,
): void {
  for (const client of clients) {
    expect(client.notices).toEqual(['bye'])
    expect(client.seen).toEqual(published)
    expect(client.retries[0]).toBe(retry)
  }
}
