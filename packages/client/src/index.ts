/**
 * A fetch-based Server-Sent Events client: `connect()` with async iteration, and a drop-in
 * `EventSource`, for browsers, Node, Deno, Bun and edge runtimes; `shareAcrossTabs()` and
 * `SharedEventSource` share one connection among a browser's tabs.
 *
 * @module
 */

// One error API in every package, and the event contracts: a user of this package alone needs no
// @ssekit/shared.
export type {
  ClientErrorCode,
  ContractEvent,
  EventCodec,
  EventContract,
  EventContractOptions,
  ServerSentEvent,
  SSEErrorCode,
} from '@ssekit/shared'
export { defineEvents, isSSEError, JSON_CODEC, SSEContractError, SSEError } from '@ssekit/shared'
export { connect } from './connect.ts'
export type {
  ConnectOptions,
  FetchFunction,
  HeadersOption,
  InvalidEventDecision,
} from './connect-options.ts'
export type {
  Connection,
  ConnectionEvent,
  ConnectionEventOf,
  ContractConnectionEvent,
  ReadyState,
} from './connection.ts'
export type {
  EventHandler,
  EventSourceEventMap,
  EventSourceInit,
  EventSourceLike,
} from './event-source.ts'
export { EventSource } from './event-source.ts'
export type { RetryOptions } from './reconnect.ts'
export { RETRY_DEFAULTS } from './reconnect.ts'
export { SSEResponseError } from './response-error.ts'
export { shareAcrossTabs } from './share-across-tabs.ts'
export type {
  ShareAcrossTabsOptions,
  SharedConnection,
  TabChannel,
  TabChannelConstructor,
  TabRole,
} from './share-across-tabs-options.ts'
export type { SharedEventSourceInit } from './shared-event-source.ts'
export { SharedEventSource } from './shared-event-source.ts'
export type { LockManagerLike } from './tab-election.ts'
