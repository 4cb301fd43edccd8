import type { ServerResponse } from 'node:http'
import type { Http2ServerResponse } from 'node:http2'
import {
  type ContractEventInput,
  createEventStreamHeaders,
  type EventContract,
  isEventStreamContentType,
  SSEError,
} from '@ssekit/shared'
import { assertEventContract, prepareContractEvent } from '../contract-events.ts'
import { type EncodableEvent, type EncodeOptions, encode, encodeComment } from '../encode.ts'
import { HEARTBEAT_BYTES, resolveHeartbeat } from '../heartbeat.ts'
import type { EventStreamGroup } from '../stream-group.ts'
import { type ChunkedSocketWriter, createChunkedSocketWrite } from './chunked-socket-write.ts'

/** Options of {@link openEventStream}. */
export interface NodeEventStreamOptions<Contract extends EventContract | undefined = undefined>
  extends EncodeOptions {
  /**
   * An event contract (from `defineEvents`): `send` then takes only the contract's events
   * (`{ event: 'price', data }`, checked by the compiler), and their data is coded by its codec.
   */
  events?: Contract
  /**
   * Check each event against its schema in `send` (contracts only): a refused event rejects with
   * an `SSEContractError` and nothing is written. An async validator is awaited, and later sends
   * wait for it, so events leave in the order they were sent.
   * @defaultValue false
   */
  validate?: boolean | undefined
  /**
   * How often, in milliseconds, to write a heartbeat comment (`: heartbeat`) so idle proxies keep
   * the connection open; `false` writes none. A heartbeat is skipped while the socket buffer is
   * full.
   * @defaultValue `15_000`
   */
  heartbeat?: number | false | undefined
  /**
   * Extra response headers, set last: they win over the event-stream headers and over headers set
   * on the response before. An undefined value is skipped, so a framework's own header map can be
   * passed as it is (Fastify's `reply.getHeaders()` after `reply.hijack()`).
   */
  headers?: Record<string, string | number | readonly string[] | undefined> | undefined
  /** A reconnection time in milliseconds, written first as its own `retry:` block. */
  retry?: number | undefined
  /**
   * A group (from `createEventStreamGroup`) that can end this stream with others, for a graceful
   * shutdown: `group.close()` writes its `retry:` hint and last event, ends the response, and
   * destroys it when the deadline passes first. A stream opened while the group is closing is
   * ended at once, after its headers and the same goodbye.
   */
  group?: EventStreamGroup | undefined
}

/** What a stream's `send` takes: any event, or the events of its contract. */
export type NodeStreamEvent<Contract extends EventContract | undefined> =
  Contract extends EventContract ? ContractEventInput<Contract> : EncodableEvent

/** An open event stream on a Node response: see {@link openEventStream}. */
export interface NodeEventStream<Event = EncodableEvent> {
  /**
   * Writes one event and flushes it.
   *
   * @param event - the event, as for `encode`
   * @returns a promise that resolves once the event is handed to the socket, or, when the socket
   * buffer is full, once it has drained (backpressure: awaiting each send keeps memory flat)
   * @throws (rejects) SSEError `STREAM_CLOSED` when the stream is closed, or closes while the send
   * waits for the buffer to drain; `INVALID_EVENT`, `INVALID_ID`, `INVALID_RETRY` or
   * `INVALID_DATA` when the event is refused (and, under a contract, `CONTRACT_VIOLATION`), in
   * which case nothing is written and the stream stays open
   */
  send(event: Event): Promise<void>
  /**
   * Writes wire text that is already encoded, as it is: for servers that encode an event once and
   * send the same bytes to many clients (a broadcast hub encodes once per event instead of once per
   * subscriber). It must be whole, valid `text/event-stream` text, such as `encodeBytes()` or
   * `encode()` returns; nothing is checked. Do not change a `Uint8Array` after writing it: on
   * HTTP/1.1 its framed copy is kept and reused while the array lives, so writing the same
   * array to many streams frames it once.
   *
   * @param chunk - UTF-8 bytes or text of one or more events or comments
   * @returns a promise that settles as for {@link NodeEventStream.send}
   * @throws (rejects) SSEError `STREAM_CLOSED` when the stream is closed, or closes while the write
   * waits for the buffer to drain
   */
  write(chunk: Uint8Array | string): Promise<void>
  /**
   * Writes wire text as {@link NodeEventStream.write} does, without a promise: for a server that
   * writes each event to many streams at once (a hub's broadcast), where a promise per stream and
   * event would cost more than the write. Wait for {@link NodeEventStream.drained} when it returns
   * false and the stream is still open.
   *
   * @param chunk - UTF-8 bytes or text of one or more events or comments
   * @returns true when the socket can take more at once; false when its buffer is full (the chunk
   * was written and waits there), or when the stream is closed (nothing was written; see
   * `isClosed`)
   */
  writeNow(chunk: Uint8Array | string): boolean
  /**
   * Waits for room in the socket buffer, after {@link NodeEventStream.writeNow} returned false.
   *
   * @returns a promise that resolves at once when the buffer is not full, else when it drains or
   * the stream closes (it never rejects: check `isClosed`)
   */
  drained(): Promise<void>
  /**
   * Writes a comment, which clients ignore; line breaks start new comment lines.
   *
   * @param text - the comment
   * @returns a promise that settles as for {@link NodeEventStream.send}
   */
  comment(text: string): Promise<void>
  /** Ends the response and stops the heartbeat. Calling it again does nothing. */
  close(): void
  /** Aborted, with an `SSEError` `STREAM_CLOSED` reason, when the client disconnects or `close()` is called. */
  readonly signal: AbortSignal
  /** Resolves (never rejects) when the stream closes, whichever side closed it. */
  readonly closed: Promise<void>
  /** Whether the stream is closed. */
  readonly isClosed: boolean
}

/** The Node responses {@link openEventStream} writes to: `node:http` (Express too) and `node:http2`. */
export type NodeResponse = ServerResponse | Http2ServerResponse

/** Told when the buffer drained (true) or the stream closed first (false). */
type Waiter = (open: boolean) => void

/**
 * Opens a Server-Sent Events stream on a `node:http` or Express `ServerResponse` (or a
 * `node:http2` compatibility response).
 *
 * It writes status 200 with the event-stream headers and sends them at once, so the client's
 * `EventSource` opens before the first event. Headers set on `res` before are kept, except a
 * `Content-Type` that is not `text/event-stream`; `options.headers` override everything.
 * `Connection: keep-alive` is sent for HTTP/1.x only. Nagle's algorithm is turned off and, when a
 * compression middleware added `res.flush()`, it is called after every write, so each event leaves
 * at once.
 *
 * When the client disconnects or `close()` is called, everything is cleaned up in one step: the
 * heartbeat timer is cleared, the listeners added to `res` are removed, sends waiting for the
 * buffer to drain reject with `STREAM_CLOSED`, `signal` aborts and `closed` resolves.
 *
 * @param res - the response to stream on; its headers must not have been sent yet
 * @param options - heartbeat interval, extra headers, first retry and serializer
 * @returns the open stream
 * @throws SSEError `INVALID_RETRY` when `options.retry` is not a non-negative safe integer
 * @throws RangeError when `options.heartbeat` is not a positive interval or false
 * @throws TypeError when the response's headers were already sent
 *
 * @example
 * ```ts
 * createServer((req, res) => {
 *   const stream = openEventStream(res)
 *   stream.send({ data: 'hello' }).catch(() => {})
 * })
 * ```
 */
export function openEventStream<Contract extends EventContract | undefined = undefined>(
  res: NodeResponse,
  options: NodeEventStreamOptions<Contract> = {},
): NodeEventStream<NodeStreamEvent<Contract>> {
  const { retry, serialize, events: contract } = options
  if (contract !== undefined) assertEventContract(contract)
  const contractOptions =
    contract === undefined ? undefined : { events: contract, validate: options.validate }
  /** The sends still waiting for an async validator: later sends queue behind them. */
  let pendingSends: Promise<void> | undefined
  // Encoding the retry block validates it too (INVALID_RETRY).
  const retryText = retry === undefined ? undefined : encode({ retry })
  const interval = resolveHeartbeat(options.heartbeat)
  const encodeOptions: EncodeOptions = { serialize }
  // The http2 compatibility response does not share ServerResponse's overloads; both have these.
  const response = res as ServerResponse & { flush?: () => void }

  const controller = new AbortController()
  let resolveClosed: () => void = ignore
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve
  })
  // Set once by cleanup(); nothing is written after that.
  let isClosed = false
  let timer: ReturnType<typeof setInterval> | undefined
  // Sends whose bytes were written while the socket buffer was full: settled by 'drain' or close.
  let waiters: Waiter[] = []

  const onDrain = (): void => {
    const settled = waiters
    waiters = []
    for (const waiter of settled) waiter(true)
  }

  const cleanup = (): void => {
    if (isClosed) return
    isClosed = true
    if (timer !== undefined) clearInterval(timer)
    response.off('drain', onDrain)
    response.off('close', cleanup)
    direct?.socket.off('drain', onDrain)
    const settled = waiters
    waiters = []
    for (const waiter of settled) waiter(false)
    controller.abort(closedReason())
    resolveClosed()
  }

  // Set once the headers are sent: a shorter way to the socket of a plain HTTP/1.1 response.
  let direct: ChunkedSocketWriter | undefined

  /** Writes a chunk, straight to the socket when it can; false when the buffer is now full. */
  const writeChunk = (chunk: string | Uint8Array): boolean => {
    const written = direct?.write(chunk)
    if (written !== undefined) return written
    const ready = response.write(chunk)
    // compression and similar middleware buffer until flushed.
    if (typeof response.flush === 'function') response.flush()
    return ready
  }

  /** The response was ended or destroyed behind our back ('close' may still be to come). */
  const isGone = (): boolean => response.writableEnded || response.destroyed

  /** Whether the buffer written to is full: wait for its 'drain'. */
  const isFull = (): boolean =>
    response.writableNeedDrain || direct?.socket.writableNeedDrain === true

  /**
   * Waits for 'drain', and throws STREAM_CLOSED when the stream closes first. The error is made
   * here, in the async function the caller awaits, so its stack shows that caller.
   */
  const waitForDrain = async (): Promise<void> => {
    const open = await new Promise<boolean>((resolve) => {
      waiters.push(resolve)
    })
    if (!open) throw closedError()
  }

  /** Writes a chunk now unless the stream is closed; false when closed or the buffer is full. */
  const writeNow = (chunk: string | Uint8Array): boolean => {
    if (isClosed) return false
    // Writing to a response ended or destroyed behind our back would emit an unhandled 'error'.
    if (isGone()) {
      cleanup()
      return false
    }
    return writeChunk(chunk)
  }

  /** Writes wire text or its bytes, flushes it, and settles when the socket can take more. */
  const write = (chunk: string | Uint8Array): Promise<void> => {
    if (writeNow(chunk)) return Promise.resolve()
    if (isClosed) return Promise.reject(closedError())
    return waitForDrain()
  }

  if (response.headersSent) {
    throw new TypeError(
      'The response headers were already sent; call openEventStream before writing to the response.',
    )
  }

  /** Encodes and writes an event; a refused one rejects without writing or closing anything. */
  const sendEncodable = (event: EncodableEvent): Promise<void> => {
    if (isClosed) return Promise.reject(closedError())
    let text: string
    try {
      text = encode(event, encodeOptions)
    } catch (error) {
      return Promise.reject(error)
    }
    return write(text)
  }

  /** A contract event: prepared (validated when asked), then sent in the order of the sends. */
  const sendContractEvent = (event: unknown): Promise<void> => {
    if (isClosed) return Promise.reject(closedError())
    let prepared: EncodableEvent | Promise<EncodableEvent>
    try {
      prepared = prepareContractEvent(contractOptions as { events: EventContract }, event)
    } catch (error) {
      return Promise.reject(error)
    }
    if (!(prepared instanceof Promise) && pendingSends === undefined) return sendEncodable(prepared)
    // An async validator runs (or ran for an earlier send): this send waits its turn.
    const turn = (pendingSends ?? Promise.resolve()).then(() => prepared).then(sendEncodable)
    const settled = turn.then(ignore, ignore)
    pendingSends = settled
    void settled.then(() => {
      if (pendingSends === settled) pendingSends = undefined
    })
    return turn
  }

  const stream: NodeEventStream<NodeStreamEvent<Contract>> = {
    send: (event) =>
      contractOptions === undefined
        ? sendEncodable(event as EncodableEvent)
        : sendContractEvent(event),
    write,
    writeNow,
    drained() {
      if (isClosed || !isFull()) return Promise.resolve()
      return new Promise<void>((resolve) => {
        waiters.push(() => resolve())
      })
    },
    comment: (text) => write(encodeComment(text)),
    close() {
      if (isClosed) return
      cleanup()
      response.end()
    },
    signal: controller.signal,
    closed,
    get isClosed() {
      return isClosed
    },
  }

  // A client that left before we got here: the stream starts closed.
  if (isGone()) {
    cleanup()
    return stream
  }

  const httpVersion = response.req?.httpVersion ?? '1.1'
  const defaults = createEventStreamHeaders({ httpVersion })
  for (const [name, value] of Object.entries(defaults)) {
    const current = response.getHeader(name)
    const keep =
      current !== undefined &&
      (name !== 'content-type' || isEventStreamContentType(String(current)))
    if (!keep) response.setHeader(name, value)
  }
  if (options.headers !== undefined) {
    for (const [name, value] of Object.entries(options.headers)) {
      if (value !== undefined) response.setHeader(name, value as string | number | string[])
    }
  }
  response.writeHead(200)
  response.flushHeaders()
  // Nagle's algorithm would hold small writes back for up to ~40 ms waiting for an ACK. The http2
  // socket is a proxy that refuses socket manipulation, and http2 frames are not delayed that way.
  if (httpVersion.startsWith('1.')) response.socket?.setNoDelay(true)
  direct = createChunkedSocketWrite(response)
  // Direct writes fill the socket's buffer, not the response's: the socket says when it drains.
  direct?.socket.on('drain', onDrain)

  response.on('close', cleanup)
  response.on('drain', onDrain)
  if (retryText !== undefined) void write(retryText).catch(ignore)
  if (options.group !== undefined) {
    // 'close' is emitted once the ended response's bytes are handed to the socket, or when the
    // socket is gone: either way the stream is done with this response.
    const gone = new Promise<void>((resolve) => {
      response.once('close', () => resolve())
    })
    options.group.add({
      end(goodbye) {
        if (isClosed) return
        if (goodbye !== undefined && !isGone()) writeChunk(goodbye)
        stream.close()
      },
      destroy() {
        cleanup()
        response.destroy()
      },
      closed: gone,
    })
    // Opened while the group was closing: add() ended it already, so no heartbeat is started.
    if (isClosed) return stream
  }
  if (interval !== false) {
    timer = setInterval(() => {
      // Skipped while the buffer is full, and when the response is gone with 'close' still to
      // come (cleanup() clears this timer, so the stream itself is never closed here).
      if (isFull() || isGone()) return
      writeChunk(HEARTBEAT_BYTES)
    }, interval)
  }
  return stream
}

function closedError(): SSEError {
  return new SSEError(
    'STREAM_CLOSED',
    'The event stream is closed (the client disconnected or close() was called); stop sending.',
  )
}

/**
 * The signal's abort reason, made without a stack trace. Every closing stream makes one, from the
 * response's 'close' listener or from close(), so its stack would only show that listener, and
 * V8 collecting it was a cost of its own per disconnect (issue #18's profile: ~18 ms per 1,000).
 * The errors thrown to a caller that writes or waits (closedError()) keep theirs.
 */
function closedReason(): SSEError {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return closedError()
  } finally {
    Error.stackTraceLimit = limit
  }
}

function ignore(): void {}
