/**
 * A test client for one event stream: `fetch` on 127.0.0.1, the body decoded by
 * `@ssekit/decoder`, each event and comment awaited with a bound, so a stream the server or a
 * middleware holds back fails the wait instead of hanging the suite.
 *
 * @module
 */
import { once } from 'node:events'
import { get, type IncomingMessage } from 'node:http'
import { createDecoder } from '@ssekit/decoder'
import type { ServerSentEvent } from '@ssekit/shared'

/**
 * How long one event or comment may take to arrive before the test fails: a bound against hangs,
 * not a timing assertion, with room for CI's 2 cores shared with a Bun or Deno server process,
 * Redis and the other suites. (A first event that never came through Bun and Redis was a hub
 * race, fixed in the hub's handlers: see packages/hub/test/handler-start.test.ts.)
 */
export const ARRIVAL_TIMEOUT = 10_000

/** An open stream: see {@link openStream}. */
export interface StreamReader {
  readonly response: Response
  /** Resolves with the next event, or rejects after {@link ARRIVAL_TIMEOUT}. */
  nextEvent(): Promise<ServerSentEvent>
  /** Resolves with the next comment (`heartbeat`, …), or rejects after {@link ARRIVAL_TIMEOUT}. */
  nextComment(): Promise<string>
  /** Resolves when the body ends (the server ended the stream), or rejects after the bound. */
  ended(): Promise<void>
  /** Every retry field read, in order. */
  readonly retries: number[]
  /** Drops the connection. */
  close(): void
}

/**
 * Rejects after `ms` unless `promise` settles first; the timer is cleared either way.
 *
 * @param promise - what to wait for
 * @param ms - the bound
 * @param what - named in the error
 */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

/** A queue whose reads wait for writes. */
function createQueue<T>(): { push(value: T): void; shift(): Promise<T> } {
  const values: T[] = []
  const waiting: ((value: T) => void)[] = []
  return {
    push(value) {
      const wake = waiting.shift()
      if (wake !== undefined) wake(value)
      else values.push(value)
    },
    shift() {
      if (values.length > 0) return Promise.resolve(values.shift() as T)
      return new Promise<T>((resolve) => waiting.push(resolve))
    },
  }
}

/**
 * Opens an event stream and starts reading it. The response's headers must arrive within the
 * bound: a server that holds them until its first event fails here.
 *
 * @param url - the stream's URL
 * @param headers - request headers (`last-event-id`, `accept-encoding`, …)
 */
export async function openStream(
  url: string,
  headers: Record<string, string> = {},
): Promise<StreamReader> {
  const controller = new AbortController()
  const response = await within(
    fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal }),
    ARRIVAL_TIMEOUT,
    `the headers of ${url}`,
  )
  const events = createQueue<ServerSentEvent>()
  const comments = createQueue<string>()
  const retries: number[] = []
  const decoder = createDecoder({
    onEvent: (event) => events.push(event),
    onComment: (comment) => comments.push(comment),
    onRetry: (retry) => retries.push(retry),
  })
  const body = response.body
  const done = (async () => {
    if (body === null) return
    try {
      for await (const chunk of body) decoder.feed(chunk)
    } catch {
      // Aborted by close().
    }
  })()
  return {
    response,
    nextEvent: () => within(events.shift(), ARRIVAL_TIMEOUT, `the next event of ${url}`),
    nextComment: () => within(comments.shift(), ARRIVAL_TIMEOUT, `the next comment of ${url}`),
    ended: () => within(done, ARRIVAL_TIMEOUT, `the end of ${url}`),
    retries,
    close: () => controller.abort(),
  }
}

/** A stream read over `node:http` with a socket of its own: see {@link openRawStream}. */
export interface RawStream {
  /** Resolves once `n` bytes of body have arrived. */
  received(n: number): Promise<void>
  /** Destroys the socket and resolves once it has closed. */
  drop(): Promise<void>
}

/**
 * Opens a stream with `node:http` and no agent, so the client's socket is this request's alone
 * and closes when it is dropped: after that, every socket left in the process is the server's.
 *
 * @param url - the stream's URL
 */
export async function openRawStream(url: string): Promise<RawStream> {
  const request = get(url, { agent: false, headers: { accept: 'text/event-stream' } })
  const response = await within(
    new Promise<IncomingMessage>((resolve, reject) => {
      request.once('response', resolve)
      request.once('error', reject)
    }),
    ARRIVAL_TIMEOUT,
    `the headers of ${url}`,
  )
  let bytes = 0
  const waiting = new Set<{ n: number; resolve: () => void }>()
  response.on('data', (chunk: Buffer) => {
    bytes += chunk.byteLength
    for (const wait of waiting) {
      if (bytes >= wait.n) {
        waiting.delete(wait)
        wait.resolve()
      }
    }
  })
  response.on('error', () => {})
  request.on('error', () => {})
  return {
    received: (n) =>
      within(
        bytes >= n
          ? Promise.resolve()
          : new Promise<void>((resolve) => waiting.add({ n, resolve })),
        ARRIVAL_TIMEOUT,
        `${n} bytes of ${url}`,
      ),
    drop: async () => {
      const socket = request.socket
      request.destroy()
      if (socket !== null && !socket.closed) await once(socket, 'close')
    },
  }
}
