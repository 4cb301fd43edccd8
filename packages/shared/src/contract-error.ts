import { SSEError, type SSEField } from './errors.ts'
import type { StandardSchemaIssue } from './standard-schema.ts'

/**
 * An event that does not keep its contract (`CONTRACT_VIOLATION`): data its schema refuses, data
 * the codec cannot read, an id the id schema refuses, or a type the contract does not know.
 * `field` says which part, `eventType` which event, `issues` what the validator found, and `data`
 * holds what was refused: the value a server tried to send, or the data text a client received.
 *
 * @example
 * ```ts
 * connect(url, {
 *   events,
 *   onError(error) {
 *     if (error instanceof SSEContractError) console.warn(error.eventType, error.issues)
 *   },
 * })
 * ```
 */
export class SSEContractError extends SSEError<'CONTRACT_VIOLATION'> {
  override readonly name: string = 'SSEContractError'
  /** The event's type, `message` for one without an `event:` field. */
  readonly eventType: string
  /** What the validator found; empty when the codec failed or the type is unknown. */
  readonly issues: readonly StandardSchemaIssue[]
  /** What was refused: the value a server sent, or the data text a client received. */
  readonly data: unknown

  /**
   * @param message - what happened and what to do about it
   * @param details - the event type, the part refused, the issues, the data and a cause
   */
  constructor(
    message: string,
    details: {
      eventType: string
      field: SSEField
      issues?: readonly StandardSchemaIssue[] | undefined
      data: unknown
      cause?: unknown
    },
  ) {
    super('CONTRACT_VIOLATION', message, { field: details.field, cause: details.cause })
    this.eventType = details.eventType
    this.issues = details.issues ?? []
    this.data = details.data
  }
}
