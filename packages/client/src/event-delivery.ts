import type { ClientErrorCode, EventContract, SSEContractError, SSEError } from '@ssekit/shared'
import { type IncomingResult, PullQueue } from '@ssekit/shared/internal'
import { checkEvent } from './check-event.ts'
import type { ConnectOptions } from './connect-options.ts'
import type { ConnectionEvent } from './connection.ts'
import { guard, reportCallbackError } from './report-callback-error.ts'

/** An error as the client reports it: one of the client's codes. */
type ClientError = SSEError<ClientErrorCode>

/**
 * The options an {@link EventDelivery} reads: those of `connect()` and `shareAcrossTabs()`, the
 * contract already checked, `onEvent` typed by the contract outside (inside, every event is a
 * `ConnectionEvent`).
 */
export type DeliveryOptions = Pick<
  ConnectOptions<EventContract | undefined>,
  'events' | 'onInvalid' | 'onError' | 'onClose'
> & { readonly onEvent?: unknown }

/** What a second `next()` before the first settled gets, as from {@link PullQueue.wait}. */
const OVERLAPPING_NEXT = 'next() was called again before it settled.'

/** A connection's delivery of events to the application, made by {@link createEventDelivery}. */
export interface EventDelivery {
  /** Events waiting for the loop, and the loop's pending `next()` when it waits for one. */
  readonly queue: PullQueue<ConnectionEvent>
  /** Delivers a received event, which it takes over: to `onEvent`, checked first, then the loop. */
  deliver(event: ConnectionEvent): void
  /** Tells `onError`; returns its decision: `false` to close, `true` to go on, or `undefined`. */
  report(error: ClientError): boolean | undefined
  /** Closes by the user's hand (`close()`, `break`, the signal): undelivered events are dropped. */
  close(): void
  /**
   * The connection ends by itself: the loop takes the queued events, then throws `error` (or
   * ends, without one, or when `quietly`: `onError` returned false), and `onClose` is told.
   */
  finish(error?: ClientError, quietly?: boolean): void
  /** The async iterator, for one loop at a time; throws a TypeError while another iterates. */
  iterate(): AsyncIterator<ConnectionEvent, undefined>
}

/**
 * Hands a connection's events to the application, the same way for `connect()` and
 * `shareAcrossTabs()`: to `onEvent` and to the one loop iterating it, held to the event contract
 * (`onInvalid`, then `onError`, decides for an event that breaks it), and ends the loop when the
 * connection closes, by the user's hand or by itself. A closure rather than a class: its state
 * then minifies to one-letter names.
 *
 * The options are taken as given rather than as an object of their own: the fewer property names,
 * the smaller `connect()`'s bundle, which has a budget.
 *
 * @param options - the connection's options: the contract (`events`) and the callbacks
 * @param syncOnly - the name of the API that cannot wait for an async validator, for `ASYNC_SCHEMA`
 * @param release - stops what the connection runs (requests, timers, listeners); called once
 * @param onDrained - called when the loop has taken every queued event: read on (backpressure)
 * @returns the delivery, whose `close` is bound (to be given as a listener)
 * @internal
 */
export function createEventDelivery(
  options: DeliveryOptions,
  syncOnly: string,
  release: () => void,
  onDrained?: () => void,
): EventDelivery {
  const { events: contract, onInvalid, onError, onClose } = options
  const onEvent = options.onEvent as ((event: ConnectionEvent) => void) | undefined
  /** True once closed or failed for good: nothing is delivered after. */
  let closed = false
  /** True once closed by the user's hand: even an event whose validation was awaited is dropped. */
  let abandoned = false
  /** Whether a loop is iterating now. */
  let iterating = false
  /** Whether the loop's `next()` is validating an event (a second call must wait its turn). */
  let checking = false
  /** The error the loop throws once the queue is empty, when the connection failed for good. */
  let endError: ClientError | undefined
  const queue = new PullQueue<ConnectionEvent>()

  function deliver(event: ConnectionEvent): void {
    if (closed) return
    if (onEvent !== undefined) {
      // With onEvent, a contract is checked here, so the loop (if any) gets checked events too.
      if (contract !== undefined && !checkNow(contract, event)) return
      guard(() => onEvent(event))
      if (closed) return
    }
    if (!iterating && onEvent !== undefined) return
    if (!queue.deliver(event)) queue.push(event)
  }

  /**
   * Holds an event to the contract at once, for `onEvent`, which cannot wait: an async validator
   * fails the connection (`ASYNC_SCHEMA`, a programming error, so whatever `onError` returns).
   * Returns whether the event is delivered.
   */
  function checkNow(contract: EventContract, event: ConnectionEvent): boolean {
    let result: IncomingResult
    try {
      result = checkEvent(contract, event, syncOnly) as IncomingResult
    } catch (thrown) {
      const error = thrown as ClientError
      report(error)
      finish(error)
      return false
    }
    if (result.kind === 'event') return true
    if (result.kind === 'invalid') refuse(result.error, false)
    return false
  }

  /**
   * An event broke the contract: `onInvalid` decides first; by default `onError` is told and the
   * stream goes on, unless it returns false. `dropQueued` drops the events read after it, which
   * the iteration has not checked yet.
   */
  function refuse(error: SSEContractError, dropQueued: boolean): void {
    let decision: unknown
    if (onInvalid !== undefined) {
      try {
        decision = onInvalid(error)
      } catch (thrown) {
        reportCallbackError(thrown)
      }
    }
    // An event the loop takes after the connection ended by itself is still reported.
    if (decision === 'skip' || abandoned) return
    const verdict = report(error)
    if (closed || (decision !== 'close' && verdict !== false)) return
    if (dropQueued) queue.clear()
    // 'close' fails the connection, so the loop throws; onError's false ends it quietly.
    finish(error, decision !== 'close')
  }

  function report(error: ClientError): boolean | undefined {
    if (onError === undefined) return undefined
    let decision: unknown
    try {
      decision = onError(error)
    } catch (thrown) {
      reportCallbackError(thrown)
    }
    return typeof decision === 'boolean' ? decision : undefined
  }

  /** Marks the connection closed and releases it; false when it was already closed. */
  function end(): boolean {
    if (closed) return false
    closed = true
    release()
    return true
  }

  /** Ends a loop waiting in `next()` once nothing is queued: with `endError`, or done. */
  function settleLoop(): void {
    if (!queue.waiting || queue.length !== 0) return
    if (endError !== undefined) {
      const thrown = endError
      endError = undefined
      queue.fail(thrown)
    } else {
      queue.end()
    }
  }

  function close(): void {
    if (!end()) return
    abandoned = true
    queue.clear()
    settleLoop()
  }

  function finish(error?: ClientError, quietly = false): void {
    if (!end()) return
    if (!quietly) endError = error
    settleLoop()
    if (onClose !== undefined) guard(() => onClose(error))
  }

  /** A loop's `return()` (`break`, `return`, a throw): the connection closes. */
  function leave(): Promise<IteratorResult<ConnectionEvent, undefined>> {
    iterating = false
    close()
    return Promise.resolve({ value: undefined, done: true })
  }

  const iterator: AsyncIterator<ConnectionEvent, undefined> = {
    next(): Promise<IteratorResult<ConnectionEvent, undefined>> {
      const value = queue.shift()
      if (value !== undefined) {
        if (queue.length === 0) onDrained?.()
        return Promise.resolve({ value, done: false })
      }
      if (closed) {
        if (endError !== undefined) {
          const thrown = endError
          endError = undefined
          return Promise.reject(thrown)
        }
        return Promise.resolve({ value: undefined, done: true })
      }
      return queue.wait()
    },
    return: leave,
  }

  /**
   * The loop under a contract without `onEvent`: each event is held to the contract when the loop
   * takes it, awaiting an async validator, so events stay in order and the source is still read
   * only as fast as the loop goes.
   */
  async function nextChecked(
    contract: EventContract,
  ): Promise<IteratorResult<ConnectionEvent, undefined>> {
    for (;;) {
      const next = await iterator.next()
      if (next.done) return next
      let result = checkEvent(contract, next.value, undefined)
      if (result instanceof Promise) result = await result
      if (abandoned) return { value: undefined, done: true }
      if (result.kind === 'event') return { value: result.event as ConnectionEvent, done: false }
      if (result.kind === 'invalid') refuse(result.error, true)
    }
  }

  const checkedIterator: AsyncIterator<ConnectionEvent, undefined> = {
    next(): Promise<IteratorResult<ConnectionEvent, undefined>> {
      if (checking) return Promise.reject(new TypeError(OVERLAPPING_NEXT))
      checking = true
      return nextChecked(contract as EventContract).finally(() => {
        checking = false
      })
    },
    return: leave,
  }

  return {
    queue,
    deliver,
    report,
    close,
    finish,
    iterate(): AsyncIterator<ConnectionEvent, undefined> {
      if (iterating && !closed)
        throw new TypeError('This connection is already being iterated by a loop.')
      iterating = true
      return contract === undefined || onEvent !== undefined ? iterator : checkedIterator
    },
  }
}
