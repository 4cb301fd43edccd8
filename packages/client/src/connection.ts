import type { ContractEvent, EventContract, ServerSentEvent } from '@ssekit/shared'
// For the {@link} tags only.
import type { connect } from './connect.ts'
import type { ConnectOptions } from './connect-options.ts'

/** A connection's state, as `EventSource.readyState`: 0 connecting, 1 open, 2 closed. */
export type ReadyState = 0 | 1 | 2

/**
 * An event as {@link connect} delivers it: the decoded event plus the last event ID in effect
 * when it was dispatched, as `MessageEvent.lastEventId` in `EventSource`. Save `lastEventId` after
 * handling an event and pass it back as {@link ConnectOptions.lastEventId} to resume exactly
 * after that event (after a page reload, say): `Connection.lastEventId` may already be further
 * on, since the decoder reads ahead of the event being handled.
 */
export interface ConnectionEvent extends ServerSentEvent {
  /**
   * The spec's "last event ID string" at this event's dispatch: this event's own `id` when it
   * had one; else the id of the latest block before it that carried one (an id-only block
   * without data counts, and moves the cursor of the events after it); `''` before any id, or
   * after an empty `id:` field.
   */
  lastEventId: string
}

/**
 * An event as {@link connect} delivers it under an event contract: the contract's union, its data
 * decoded and validated, plus `lastEventId` as in {@link ConnectionEvent}. Narrow it on `event`
 * to read `data`.
 *
 * @typeParam Contract - the contract given as {@link ConnectOptions.events}
 */
export type ContractConnectionEvent<Contract extends EventContract> = ContractEvent<Contract> & {
  /** The last event ID string at this event's dispatch; see {@link ConnectionEvent.lastEventId}. */
  lastEventId: string
}

/**
 * The events of a connection: {@link ContractConnectionEvent} under a contract, else
 * {@link ConnectionEvent}.
 *
 * @typeParam Contract - the contract given as {@link ConnectOptions.events}, or `undefined`
 */
export type ConnectionEventOf<Contract extends EventContract | undefined> =
  Contract extends EventContract ? ContractConnectionEvent<Contract> : ConnectionEvent

/**
 * A live, self-reconnecting event stream returned by {@link connect}. Iterate it with
 * `for await`; leaving the loop closes it. When the connection fails for good, the loop throws
 * the error (unless `onError` returned `false`).
 *
 * @typeParam Event - what it yields: {@link ConnectionEvent}, or a contract's
 * {@link ContractConnectionEvent}
 */
export interface Connection<Event = ConnectionEvent> extends AsyncIterable<Event> {
  /** 0 while connecting or waiting to reconnect, 1 while a stream is open, 2 once closed. */
  readonly readyState: ReadyState
  /** The spec's last event ID string: the id sent as `Last-Event-ID` on the next reconnect. */
  readonly lastEventId: string
  /** The absolute URL requested (before redirects). */
  readonly url: string
  /**
   * Closes the connection in any state: the request is aborted, the body reader cancelled, timers
   * cleared and listeners removed; no callback runs and no event is delivered afterwards.
   * Idempotent.
   */
  close(): void
  /** Iterates over the events. One loop at a time; `break` closes the connection. */
  [Symbol.asyncIterator](): AsyncIterator<Event, undefined>
}
