import type { ContractEvent, EventContract, ServerSentEvent } from '@ssekit/shared'
import type { CheckedEvent } from '@ssekit/shared/internal'
import { assertContract, checkEvent } from './check-event.ts'
import { createDecoder, type DecoderOptions } from './decoder.ts'
import type { ValidateEventsOptions } from './validate-events.ts'

/**
 * Options of {@link readEvents}: the decoder's, an abort signal, and an event contract with its
 * `onInvalid`.
 *
 * @typeParam Contract - the contract given as `events`, or `undefined`
 */
export interface ReadEventsOptions<Contract extends EventContract | undefined = undefined>
  extends DecoderOptions,
    ValidateEventsOptions {
  /** Aborting it stops the iteration (rejecting with the signal's reason) and cancels the source. */
  signal?: AbortSignal | undefined
  /**
   * The event contract (`defineEvents`) the stream keeps, as with {@link validateEvents}: the
   * events are its union, their data decoded and validated (an async validator is awaited, in
   * order); an invalid event goes to `onInvalid`, or rejects the iteration (cancelling the
   * source) without it.
   */
  events?: Contract | undefined
}

/** A readable source of `text/event-stream` chunks. */
type EventStreamSource =
  | Response
  | ReadableStream<Uint8Array | string>
  | AsyncIterable<Uint8Array | string>

/**
 * Reads the events of a `text/event-stream` one by one.
 *
 * Breaking out of the `for await` loop (or an abort of `signal`) cancels a stream source and
 * releases its reader, or calls an iterable's `return()`, so the connection is closed. A broken
 * limit rejects with the typed `SSEError`. An unfinished event at the end of the input is
 * discarded, as the spec requires.
 *
 * With `events`, the events are the contract's union, decoded and validated (the overload
 * below, and {@link ReadEventsOptions.events}).
 *
 * @param source - a `Response`, a `ReadableStream` of bytes or text, or an async iterable of chunks
 * @param options - limits, the initial last event ID, and an abort signal
 * @returns an async generator of events
 * @throws SSEError `LINE_TOO_LONG` or `EVENT_TOO_LARGE`; the signal's reason when aborted
 *
 * @example
 * ```ts
 * for await (const event of readEvents(await fetch('/events'))) {
 *   if (event.event === 'done') break // cancels the response body
 *   console.log(event.data)
 * }
 * ```
 */
export function readEvents(
  source: EventStreamSource,
  options?: ReadEventsOptions,
): AsyncGenerator<ServerSentEvent, void, undefined>
/**
 * Reads the events of a `text/event-stream` held to an event contract: the contract's union,
 * each event's data decoded and validated (an async validator is awaited, in order), unknown
 * types dropped or refused by the contract's policy. An invalid event goes to `onInvalid`, or
 * rejects the iteration (and cancels the source) without it. Otherwise as the plain overload.
 *
 * @typeParam Contract - the contract, which types the events
 * @param source - a `Response`, a `ReadableStream` of bytes or text, or an async iterable of chunks
 * @param options - `events`, `onInvalid`, and the plain overload's options
 * @returns an async generator of the contract's events
 * @throws SSEContractError `CONTRACT_VIOLATION` for an invalid event without `onInvalid`;
 * TypeError when `events` is not a contract; what the plain overload throws
 *
 * @example
 * ```ts
 * for await (const event of readEvents(response, { events: contract })) {
 *   if (event.event === 'price') console.log(event.data.price) // typed by the contract
 * }
 * ```
 */
export function readEvents<Contract extends EventContract>(
  source: EventStreamSource,
  options: ReadEventsOptions<Contract> & { events: Contract },
): AsyncGenerator<ContractEvent<Contract>, void, undefined>
export async function* readEvents(
  source: EventStreamSource,
  options: ReadEventsOptions<EventContract | undefined> = {},
): AsyncGenerator<ServerSentEvent | CheckedEvent, void, undefined> {
  const { signal, events: contract, onInvalid } = options
  if (contract !== undefined) assertContract(contract, 'The events option')
  signal?.throwIfAborted()
  const events: ServerSentEvent[] = []
  const decoder = createDecoder({ onEvent: (event) => events.push(event) }, options)
  const iterator = openChunks(source)
  let onAbort: (() => void) | undefined
  const aborted =
    signal &&
    new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
    })
  // An abort must not surface as an unhandled rejection when nobody is waiting on it.
  aborted?.catch(() => {})
  let done = false
  try {
    while (true) {
      const next = iterator.next()
      const result = aborted ? await Promise.race([next, aborted]) : await next
      if (result.done) {
        done = true
        break
      }
      decoder.feed(result.value)
      // Yield one at a time; the array is emptied before the next chunk is fed.
      for (let i = 0; i < events.length; i++) {
        const event = events[i] as ServerSentEvent
        if (contract === undefined) {
          yield event
          continue
        }
        let result = checkEvent(contract, event)
        if (result instanceof Promise) result = await result
        if (result.kind === 'event') yield result.event
        else if (result.kind === 'invalid') {
          if (onInvalid === undefined) throw result.error
          onInvalid(result.error)
        }
      }
      events.length = 0
    }
    decoder.end()
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort)
    // Left early (break, throw, abort): cancel the source so the connection closes.
    if (!done) await iterator.return?.()
  }
}

/** Turns any supported source into an async iterator of chunks whose `return()` cancels it. */
function openChunks(source: EventStreamSource): AsyncIterator<Uint8Array | string> {
  if (typeof Response !== 'undefined' && source instanceof Response) {
    // A body-less response (204, HEAD) is an empty stream.
    if (source.body === null) return emptyIterator()
    return readStream(source.body)
  }
  if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) {
    return readStream(source)
  }
  if (isAsyncIterable(source)) return source[Symbol.asyncIterator]()
  // A Response-like object from another realm or fetch implementation.
  const body = (source as { body?: unknown }).body
  if (body && typeof (body as ReadableStream).getReader === 'function') {
    return readStream(body as ReadableStream<Uint8Array | string>)
  }
  throw new TypeError(
    'readEvents needs a Response, a ReadableStream or an async iterable of chunks.',
  )
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array | string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
  )
}

function emptyIterator(): AsyncIterator<Uint8Array | string> {
  return { next: async () => ({ done: true, value: undefined }) }
}

/** Reads a stream through one reader; `return()` cancels the stream and releases the lock. */
function readStream(
  stream: ReadableStream<Uint8Array | string>,
): AsyncIterator<Uint8Array | string> {
  const reader = stream.getReader()
  return {
    async next() {
      const result = await reader.read()
      if (result.done) {
        reader.releaseLock()
        return { done: true, value: undefined }
      }
      return { done: false, value: result.value }
    },
    async return() {
      try {
        await reader.cancel()
      } catch {
        // Cancelling an errored stream rejects; the caller is leaving anyway.
      }
      reader.releaseLock()
      return { done: true, value: undefined }
    },
  }
}
