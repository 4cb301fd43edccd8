import { type ClientErrorCode, SSEError } from '@ssekit/shared'
import type { ConnectionEvent, ReadyState } from './connection.ts'
import { SSEResponseError } from './response-error.ts'

/**
 * An error as it crosses to another tab: `BroadcastChannel` clones plain data, and an error's
 * `cause` or a response's body cannot travel, so the code, the message and the response's status
 * and content type do.
 */
export interface TabError {
  name: string
  code: ClientErrorCode
  message: string
  status?: number | undefined
  contentType?: string | null | undefined
}

/**
 * What the leading tab tells the others on the group's channel (and what a tab asks), each tagged
 * `ssekit: 1` so that anything else posted on the channel (another version, another library) is
 * ignored. The leader applies each one in its own tab too, so every tab goes through the same
 * states.
 */
export type TabMessage = { ssekit: 1 } & TabMessageBody

/** The messages, untagged. */
type TabMessageBody =
  /** An event, with the last event ID string at its dispatch. */
  | { type: 'event'; event: ConnectionEvent }
  /** A comment line (a heartbeat). */
  | { type: 'comment'; text: string }
  /** The stream opened. */
  | { type: 'open' }
  /** The connection reported an error. */
  | { type: 'error'; error: TabError }
  /** A reconnection is scheduled. */
  | { type: 'retry'; delay: number; attempt: number }
  /** The connection closed for good, with the error that ended it (none: the server ended it). */
  | { type: 'close'; error: TabError | undefined }
  /** A tab took the lead: it connects now, with the last event ID it has. */
  | { type: 'lead' }
  /** The new leader connects now, resuming after this last event ID. */
  | { type: 'resume'; lastEventId: string }
  /** A following tab's last event ID, for a new leader that has none (it joined just now). */
  | { type: 'cursor'; lastEventId: string }
  /** A tab joined and asks the leader for the state of the stream, and that many recent events. */
  | { type: 'hello'; history: number }
  /** The leader's answer to `hello`, with its latest events for a tab that asked for them. */
  | { type: 'state'; readyState: ReadyState; lastEventId: string; history: ConnectionEvent[] }

/**
 * Tells whether something received on the channel is a message of this protocol, checking the
 * fields each type needs; anything else is ignored.
 *
 * @param value - the message's data
 * @returns whether it is a {@link TabMessage}
 */
export function isTabMessage(value: unknown): value is TabMessage {
  if (typeof value !== 'object' || value === null) return false
  const message = value as { ssekit?: unknown; type?: unknown; [field: string]: unknown }
  if (message.ssekit !== 1) return false
  switch (message.type) {
    case 'event':
      return isEvent(message.event)
    case 'comment':
      return typeof message.text === 'string'
    case 'error':
      return isTabError(message.error)
    case 'close':
      return message.error === undefined || isTabError(message.error)
    case 'retry':
      return typeof message.delay === 'number' && typeof message.attempt === 'number'
    case 'state':
      return (
        typeof message.readyState === 'number' &&
        typeof message.lastEventId === 'string' &&
        Array.isArray(message.history) &&
        message.history.every(isEvent)
      )
    case 'hello':
      return typeof message.history === 'number'
    case 'cursor':
    case 'resume':
      return typeof message.lastEventId === 'string'
    case 'open':
    case 'lead':
      return true
    default:
      return false
  }
}

function isEvent(value: unknown): value is ConnectionEvent {
  const event = value as Partial<ConnectionEvent> | null | undefined
  return (
    typeof event === 'object' &&
    event !== null &&
    typeof event.data === 'string' &&
    typeof event.lastEventId === 'string'
  )
}

function isTabError(value: unknown): value is TabError {
  if (typeof value !== 'object' || value === null) return false
  const error = value as Partial<TabError>
  return (
    typeof error.name === 'string' &&
    typeof error.code === 'string' &&
    typeof error.message === 'string'
  )
}

/**
 * The part of an error that can cross to another tab.
 *
 * @param error - the error the leader's connection reported
 * @returns its code, message, name, and a response error's status and content type
 */
export function toTabError(error: SSEError<ClientErrorCode>): TabError {
  const sent: TabError = { name: error.name, code: error.code, message: error.message }
  if (error instanceof SSEResponseError) {
    sent.status = error.status
    sent.contentType = error.contentType
  }
  return sent
}

/**
 * The error a following tab reports for what the leader's connection reported: an
 * `SSEResponseError` again (over a bodiless response with the same status and content type) or an
 * `SSEError`, with the same code and message, so `instanceof`, `code` and `status` read the same
 * in every tab.
 *
 * @param sent - the error as it crossed
 * @returns an error of the same class, code and message
 */
export function fromTabError(sent: TabError): SSEError<ClientErrorCode> {
  let error: SSEError<ClientErrorCode>
  const { status } = sent
  if (
    sent.name === 'SSEResponseError' &&
    status !== undefined &&
    status >= 200 &&
    status <= 599 &&
    (sent.code === 'INVALID_STATUS' || sent.code === 'INVALID_CONTENT_TYPE')
  ) {
    const headers: Record<string, string> =
      typeof sent.contentType === 'string' ? { 'content-type': sent.contentType } : {}
    error = new SSEResponseError(new Response(null, { status, headers }), sent.code)
  } else {
    error = new SSEError(sent.code, sent.message)
  }
  // The leader's words, which name the URL the bodiless response here cannot.
  error.message = sent.message
  return error
}
