import { MAX_TIMER_DELAY } from '@ssekit/shared/internal'
import { type EncodableEvent, encodeBytes } from './encode.ts'

/** Options of {@link EventStreamGroup.close}: what the clients are told, and how long to wait. */
export interface CloseStreamsOptions {
  /**
   * A reconnection time in milliseconds, written to every stream as a `retry:` block before it
   * ends: how long clients wait before they come back (to this server's successor). Without it,
   * clients wait their current reconnection time (a browser's `EventSource` about 3 s).
   */
  retry?: number | undefined
  /** A last event written to every stream, after the `retry:` block (a `shutdown` notice, say). */
  event?: EncodableEvent | undefined
  /**
   * How long, in milliseconds, streams may take to close politely (their last bytes written and
   * the response ended) before the ones still open are destroyed.
   * @defaultValue `10_000`
   */
  timeout?: number | undefined
}

/** What {@link EventStreamGroup.close} did. */
export interface CloseStreamsResult {
  /** How many streams closed politely: their goodbye written and their response ended. */
  readonly closed: number
  /** How many were still open at the deadline and were destroyed. */
  readonly destroyed: number
}

/**
 * One open stream as a group sees it. `openEventStream`, `createEventStreamResponse` and the
 * hub's handlers make these when given a `group`; implement it only to put a stream of your own in
 * a group.
 */
export interface EventStreamMember {
  /**
   * Writes `goodbye` (when given: the `retry:` block and the last event, already encoded) and
   * ends the stream. Called at most once.
   */
  end(goodbye: Uint8Array | undefined): void
  /** Ends the stream at once, without waiting for its bytes to leave (the deadline passed). */
  destroy(): void
  /** Resolves (never rejects) once the stream is closed, whichever way it closed. */
  readonly closed: Promise<void>
}

/**
 * A set of open event streams that can be ended together: see {@link createEventStreamGroup}.
 */
export interface EventStreamGroup {
  /** How many streams are open in the group. */
  readonly size: number
  /** Whether {@link EventStreamGroup.close} was called. */
  readonly closing: boolean
  /** Aborts when {@link EventStreamGroup.close} is called: stop producing, a shutdown began. */
  readonly signal: AbortSignal
  /**
   * Adds a stream; it leaves the group by itself when its `closed` resolves. A stream added once
   * the group is closing is ended at once, with the same goodbye: a request that arrives during
   * a shutdown is told to come back later.
   *
   * @param member - the stream
   */
  add(member: EventStreamMember): void
  /**
   * Ends every open stream politely: writes the `retry:` hint and the last event (when given),
   * ends each response, and resolves once all are closed; a stream still open after
   * `options.timeout` is destroyed. Calling it again returns the first call's promise.
   *
   * @param options - the retry hint, the last event and the deadline
   * @returns a promise of how many streams closed and how many were destroyed; it resolves within
   * the deadline (plus the time a destroyed stream takes to report its close)
   * @throws SSEError `INVALID_RETRY`, `INVALID_EVENT`, `INVALID_ID` or `INVALID_DATA` (as a
   * rejection) when the retry hint or the event cannot be encoded; nothing is closed then
   * @throws RangeError (as a rejection) when the timeout is not a positive number of milliseconds
   */
  close(options?: CloseStreamsOptions): Promise<CloseStreamsResult>
}

/** The defaults of {@link EventStreamGroup.close}. */
export const CLOSE_STREAMS_DEFAULTS: { readonly timeout: number } = { timeout: 10_000 }

/**
 * Creates a group of event streams, for a graceful shutdown: pass it as the `group` option of
 * `openEventStream`, `createEventStreamResponse`, `createNodeHandler` or `createFetchHandler`,
 * and call `group.close()` when the server stops (on `SIGTERM`). Clients get a `retry:` hint (how
 * long to wait before they reconnect) and an optional last event, then the end of the stream;
 * they reconnect with `Last-Event-ID` to the next server, and a hub with history replays what
 * they missed. On `node:http`, `shutdownServer` from `@ssekit/encoder/node` does this and closes
 * the server too.
 *
 * Web-standard: no timers are left behind and nothing here needs Node.
 *
 * @returns an empty group
 *
 * @example
 * ```ts
 * const streams = createEventStreamGroup()
 * const handler = (request: Request) =>
 *   createEventStreamResponse(ticks(), { signal: request.signal, group: streams })
 * // On shutdown: clients come back in 2 s, to the next instance.
 * await streams.close({ retry: 2000, timeout: 5000 })
 * ```
 */
export function createEventStreamGroup(): EventStreamGroup {
  const members = new Set<EventStreamMember>()
  const controller = new AbortController()
  let closing: Promise<CloseStreamsResult> | undefined
  // Set once close() has encoded it: what a stream added afterwards is sent before it ends.
  let lateGoodbye: Uint8Array | undefined

  const endMember = (member: EventStreamMember, goodbye: Uint8Array | undefined): void => {
    try {
      member.end(goodbye)
    } catch {
      // A stream that fails to end is destroyed at the deadline, or already closed.
    }
  }

  const close = async (options: CloseStreamsOptions): Promise<CloseStreamsResult> => {
    const timeout = options.timeout ?? CLOSE_STREAMS_DEFAULTS.timeout
    if (typeof timeout !== 'number' || !(timeout > 0 && timeout <= MAX_TIMER_DELAY)) {
      throw new RangeError(
        `The timeout ${String(timeout)} must be a number of milliseconds between 1 and ${MAX_TIMER_DELAY}.`,
      )
    }
    // Encoded first, so an invalid retry or event closes nothing (the caller can fix and retry).
    const goodbye = encodeGoodbye(options)
    lateGoodbye = goodbye
    controller.abort()
    const open = [...members]
    for (const member of open) endMember(member, goodbye)
    let timer: ReturnType<typeof setTimeout> | undefined
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), timeout)
    })
    const all = Promise.all(open.map((member) => member.closed)).then(() => 'closed' as const)
    const outcome = await Promise.race([all, deadline])
    clearTimeout(timer)
    let destroyed = 0
    if (outcome === 'deadline') {
      const stragglers = [...members]
      for (const member of stragglers) {
        destroyed++
        try {
          member.destroy()
        } catch {
          // Nothing more can be done for it.
        }
      }
      await Promise.all(stragglers.map((member) => member.closed))
    }
    return { closed: open.length - destroyed, destroyed }
  }

  return {
    get size() {
      return members.size
    },
    get closing() {
      return closing !== undefined
    },
    signal: controller.signal,
    add(member) {
      if (closing !== undefined) {
        endMember(member, lateGoodbye)
        return
      }
      members.add(member)
      void member.closed.then(() => members.delete(member))
    },
    close(options = {}) {
      closing ??= close(options).catch((error: unknown) => {
        // A refused option closed nothing: the group may be closed again with valid ones.
        closing = undefined
        throw error
      })
      return closing
    },
  }
}

/** The `retry:` block and the last event, as one chunk; undefined when there is neither. */
function encodeGoodbye(options: CloseStreamsOptions): Uint8Array | undefined {
  const parts: Uint8Array[] = []
  if (options.retry !== undefined) parts.push(encodeBytes({ retry: options.retry }))
  if (options.event !== undefined) parts.push(encodeBytes(options.event))
  if (parts.length === 0) return undefined
  if (parts.length === 1) return parts[0]
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0))
  let offset = 0
  for (const part of parts) {
    joined.set(part, offset)
    offset += part.byteLength
  }
  return joined
}
