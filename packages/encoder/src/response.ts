import {
  type ContractEventInput,
  createEventStreamHeaders,
  type EventContract,
} from '@ssekit/shared'
import { assertEventContract, prepareContractEvent } from './contract-events.ts'
import { type EncodableEvent, type EncodeOptions, encodeBytes } from './encode.ts'
import { HEARTBEAT_BYTES, PRIMER_BYTES, resolveHeartbeat } from './heartbeat.ts'
import type { EventStreamGroup } from './stream-group.ts'

/** Options of {@link createEventStreamResponse}. */
export interface EventStreamResponseOptions<Contract extends EventContract | undefined = undefined>
  extends EncodeOptions {
  /**
   * An event contract (from `defineEvents`): the source then yields the contract's events
   * (`{ event: 'price', data }`, checked by the compiler), whose data the contract's codec codes.
   */
  events?: Contract
  /**
   * Check each event against its schema before it is sent (contracts only): a refused event
   * errors the body with an `SSEContractError`, as an event `encode` refuses does. An async
   * validator is awaited.
   * @defaultValue false
   */
  validate?: boolean | undefined
  /**
   * How often, in milliseconds, to send a heartbeat comment (`: heartbeat`) so idle proxies keep
   * the connection open; `false` sends none. A heartbeat is skipped while earlier bytes still wait
   * for the client to read them.
   * @defaultValue `15_000`
   */
  heartbeat?: number | false | undefined
  /**
   * Extra response headers. They are merged over the event-stream headers, so a header given here
   * wins (for example a `Cache-Control` with `no-transform`).
   */
  headers?: HeadersInit | undefined
  /**
   * A reconnection time in milliseconds, sent first as its own `retry:` block.
   */
  retry?: number | undefined
  /**
   * Start the body at once with an empty comment (`:` and a line feed) when there is no `retry:`
   * block to send first. Koa 3 and h3 2 (on Node) send a `Response`'s headers only with its first
   * body byte, so without it a client would wait for the first event or heartbeat to see the
   * stream open. Clients ignore comments.
   * @defaultValue true
   */
  primer?: boolean | undefined
  /**
   * Ends the stream when aborted, usually the request's own signal: the body closes cleanly and
   * the source is stopped as if the client had gone.
   */
  signal?: AbortSignal | undefined
  /**
   * A group (from `createEventStreamGroup`) that can end this stream with others, for a graceful
   * shutdown: `group.close()` enqueues its `retry:` hint and last event, stops the source and
   * closes the body. A response made while the group is closing sends its headers and the
   * goodbye, then ends.
   */
  group?: EventStreamGroup | undefined
}

/** What a source yields: an event (of the contract, with one), or wire bytes encoded beforehand. */
export type EventStreamSourceItem<Contract extends EventContract | undefined = undefined> =
  | (Contract extends EventContract ? ContractEventInput<Contract> : EncodableEvent)
  | Uint8Array

type Item = EventStreamSourceItem<EventContract | undefined>

/**
 * Creates a streaming `Response` of Server-Sent Events for fetch-style servers: Hono, Bun, Deno,
 * Cloudflare Workers, Next.js route handlers, or anything that serves a web `Response`.
 *
 * The body starts at once, with the `retry:` block when `options.retry` is given, else with an
 * empty comment (see `options.primer`): some servers send the headers only with the first body
 * byte.
 *
 * The response has status 200 and the headers of `createEventStreamHeaders` for HTTP/2, that is
 * without `Connection: keep-alive`: a fetch-style server manages its own connections, and HTTP/2
 * and HTTP/3 forbid the header (Node's `http2` refuses a response that carries it).
 *
 * The body pulls one event from `source` each time the client is ready for more, so a slow client
 * slows the source down instead of filling memory. When the client goes away (the body is
 * cancelled) or `signal` aborts, the heartbeat timer is cleared and the source is stopped: an
 * iterator's `return()` is called, a stream is cancelled. An async generator runs its `finally`
 * blocks at its next `yield`; pass it the request's signal to wake it sooner.
 *
 * An event that cannot be encoded (an id with a line break, …) errors the body with that
 * `SSEError` and stops the source. An error thrown by the source errors the body too.
 *
 * A `Uint8Array` from the source is sent as it is: wire bytes encoded beforehand (`encodeBytes`),
 * so a broadcast server can encode each event once for all its clients. Nothing checks them: pass
 * only whole, valid event-stream text.
 *
 * @param source - the events to send: an async iterable (such as an async generator) or a
 * `ReadableStream`, of events or of their encoded bytes
 * @param options - heartbeat interval, extra headers, first retry, abort signal and serializer
 * @returns a `Response` whose body streams the encoded events
 * @throws SSEError `INVALID_RETRY` when `options.retry` is not a non-negative safe integer
 * @throws RangeError when `options.heartbeat` is not a positive interval or false
 *
 * @example
 * ```ts
 * export default {
 *   fetch: (request: Request) =>
 *     createEventStreamResponse(ticks(), { signal: request.signal }),
 * }
 * ```
 */
export function createEventStreamResponse<Contract extends EventContract | undefined = undefined>(
  source:
    | AsyncIterable<EventStreamSourceItem<Contract>>
    | ReadableStream<EventStreamSourceItem<Contract>>,
  options: EventStreamResponseOptions<Contract> = {},
): Response {
  const { retry, signal, serialize, events: contract, group } = options
  if (contract !== undefined) assertEventContract(contract)
  const contractOptions =
    contract === undefined ? undefined : { events: contract, validate: options.validate }
  // Encoding the retry block validates it too (INVALID_RETRY).
  const retryBytes = retry === undefined ? undefined : encodeBytes({ retry })
  const interval = resolveHeartbeat(options.heartbeat)
  const encodeOptions: EncodeOptions = { serialize }

  const headers = new Headers(createEventStreamHeaders({ httpVersion: '2.0' }))
  if (options.headers !== undefined) {
    new Headers(options.headers).forEach((value, name) => {
      headers.set(name, value)
    })
  }

  // Set once the body is closed, errored or cancelled: nothing may be enqueued after that.
  let finished = false
  let timer: ReturnType<typeof setInterval> | undefined
  let controller: ReadableStreamDefaultController<Uint8Array>
  // Taken at once, so the source can be stopped even if the body is cancelled before its first
  // read; exactly one of the two is set.
  let iterator: AsyncIterator<Item> | undefined
  let reader: ReadableStreamDefaultReader<Item> | undefined
  if (isReadableStream(source)) reader = (source as ReadableStream<Item>).getReader()
  else iterator = (source as AsyncIterable<Item>)[Symbol.asyncIterator]()

  const next = (): Promise<IteratorResult<Item>> =>
    reader !== undefined
      ? (reader.read() as Promise<IteratorResult<Item>>)
      : (iterator as AsyncIterator<Item>).next()

  // Resolved by finish(): what a group waits for.
  let resolveFinished: () => void = ignore

  /** Clears the timer and the abort listener; with `stopSource`, also stops the source. */
  const finish = (stopSource: boolean, reason?: unknown): void => {
    if (finished) return
    finished = true
    resolveFinished()
    if (timer !== undefined) clearInterval(timer)
    signal?.removeEventListener('abort', onAbort)
    if (!stopSource) return
    // Neither is awaited: an async generator suspended in an `await` answers `return()` only
    // when that await settles, and the body must not wait for it.
    if (reader !== undefined) reader.cancel(reason).catch(ignore)
    else if (typeof iterator?.return === 'function') {
      try {
        Promise.resolve(iterator.return()).catch(ignore)
      } catch {
        // A synchronous throw from return() changes nothing for a finished body.
      }
    }
  }

  function onAbort(): void {
    if (finished) return
    finish(true, signal?.reason)
    controller.close()
  }

  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c
        if (signal?.aborted) {
          finish(true, signal.reason)
          c.close()
          return
        }
        signal?.addEventListener('abort', onAbort, { once: true })
        if (retryBytes !== undefined) c.enqueue(retryBytes)
        else if (options.primer !== false) c.enqueue(PRIMER_BYTES)
        if (group !== undefined) {
          group.add({
            end(goodbye) {
              if (finished) return
              if (goodbye !== undefined) c.enqueue(goodbye)
              finish(true)
              c.close()
            },
            destroy() {
              // Only a body that end() could not close is still open here.
              if (finished) return
              finish(true)
              c.error(
                new DOMException(
                  'The event stream was destroyed at the shutdown deadline.',
                  'AbortError',
                ),
              )
            },
            closed: new Promise<void>((resolve) => {
              resolveFinished = resolve
            }),
          })
          // Made while the group was closing: add() ended it already.
          if (finished) return
        }
        if (interval !== false) {
          timer = setInterval(() => {
            // desiredSize is 0 when the queue is empty (highWaterMark 0): a heartbeat is only
            // useful when nothing else waits to be read.
            // (finish() clears this timer, so the body is never finished here.)
            if ((c.desiredSize ?? -1) >= 0) c.enqueue(HEARTBEAT_BYTES)
          }, interval)
        }
      },
      async pull(c) {
        let result: IteratorResult<Item>
        try {
          result = await next()
        } catch (error) {
          // The source failed: it is finished already, so it is not stopped again.
          if (finished) return
          finish(false)
          c.error(error)
          return
        }
        if (finished) return
        if (result.done) {
          finish(false)
          c.close()
          return
        }
        const item = result.value
        if (item instanceof Uint8Array) {
          c.enqueue(item)
          return
        }
        let bytes: Uint8Array
        try {
          // With a contract, its type, codec and (when asked) schema first; an async validator
          // is awaited here, and the body pulls nothing else meanwhile, so order is kept.
          const event =
            contractOptions === undefined
              ? (item as EncodableEvent)
              : await prepareContractEvent(contractOptions, item)
          if (finished) return
          bytes = encodeBytes(event, encodeOptions)
        } catch (error) {
          finish(true, error)
          c.error(error)
          return
        }
        c.enqueue(bytes)
      },
      cancel(reason) {
        finish(true, reason)
      },
    },
    // Pull only when the client asks for more, so the source runs at the client's pace.
    { highWaterMark: 0 },
  )

  return new Response(body, { status: 200, headers })
}

function isReadableStream<T>(
  value: AsyncIterable<T> | ReadableStream<T>,
): value is ReadableStream<T> {
  return typeof (value as ReadableStream<T>).getReader === 'function'
}

function ignore(): void {}
