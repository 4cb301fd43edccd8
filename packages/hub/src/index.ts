/**
 * A Server-Sent Events broadcast hub: topics, bounded history, exact `Last-Event-ID` replay across
 * several topics, slow-consumer protection, and a fetch-style handler. The `node:http` handler is
 * in `@ssekit/hub/node`; the Redis Streams transport, for many server instances, in
 * `@ssekit/hub/redis`; the interface of a transport, for its implementers, in
 * `@ssekit/hub/transport`.
 *
 * @module
 */

// Graceful shutdown: the group the handlers take, without a second import.
export type {
  CloseStreamsOptions,
  CloseStreamsResult,
  EventStreamGroup,
} from '@ssekit/encoder'
export { createEventStreamGroup } from '@ssekit/encoder'
// One error API in every package: a user of this package alone needs no @ssekit/shared.
export type {
  ContractEvent,
  ContractEventInput,
  EventCodec,
  EventContract,
  EventContractOptions,
  HubErrorCode,
  ServerSentEvent,
  SSEErrorCode,
} from '@ssekit/shared'
export {
  defineEvents,
  isSSEError,
  JSON_CODEC,
  SSEContractError,
  SSEError,
  toOpenAPI,
} from '@ssekit/shared'
export type { FetchHandlerOptions } from './fetch-handler.ts'
export { createFetchHandler } from './fetch-handler.ts'
export type { GapEvent, GapEventData } from './gap.ts'
export { GAP_EVENT } from './gap.ts'
export type {
  Hub,
  HubEvent,
  HubOptions,
  HubPublishEvent,
  HubStats,
  SlowConsumerInfo,
  SubscribeOptions,
} from './hub.ts'
export { createHub, HUB_DEFAULTS } from './hub.ts'
export type { MemoryTransportOptions } from './memory-transport.ts'
export { createMemoryTransport, MEMORY_DEFAULTS } from './memory-transport.ts'
export type { AuthorizeResult, HandlerOptions } from './subscription-request.ts'
export { assertValidTopic, isValidTopic, MAX_TOPIC_LENGTH } from './topic.ts'
// A gap event's `reason`; the transport interface itself is in `@ssekit/hub/transport`.
export type { GapReason } from './transport.ts'
