/**
 * The event model, field rules, constants and errors shared by the ssekit encoder, decoder and hub.
 *
 * @module
 */
export type {
  ContractEvent,
  ContractEventInput,
  EventCodec,
  EventContract,
  EventContractOptions,
  EventSchemas,
  MessagePolicy,
} from './contract.ts'
export { defineEvents, JSON_CODEC } from './contract.ts'
export { SSEContractError } from './contract-error.ts'
export type {
  ClientErrorCode,
  ContractErrorCode,
  DecoderErrorCode,
  DoctorErrorCode,
  EncoderErrorCode,
  HubErrorCode,
  SSEErrorCode,
  SSEErrorOptions,
  SSEField,
} from './errors.ts'
export { isSSEError, SSEError } from './errors.ts'
export type { ServerSentEvent } from './event.ts'
export {
  assertValidEventType,
  assertValidId,
  assertValidRetry,
  isValidEventType,
  isValidId,
  isValidRetry,
} from './fields.ts'
export type { EventStreamHeadersOptions } from './headers.ts'
export {
  CONTENT_TYPE,
  CONTENT_TYPE_HEADER,
  createEventStreamHeaders,
  isEventStreamContentType,
} from './headers.ts'
export type { JsonSchema, OpenAPIEventStreamMediaType, ToOpenAPIOptions } from './openapi.ts'
export { toOpenAPI } from './openapi.ts'
export type {
  InferSchemaInput,
  InferSchemaOutput,
  StandardSchema,
  StandardSchemaIssue,
  StandardSchemaProps,
  StandardSchemaResult,
} from './standard-schema.ts'
