import { SSEError } from '@ssekit/shared'
import { quoteValue } from '@ssekit/shared/internal'

/** The longest topic name the hub accepts, in UTF-16 code units. */
export const MAX_TOPIC_LENGTH = 256

// No whitespace, no control characters and no comma: topics travel in URLs as
// `?topic=a&topic=b` or `?topic=a,b`, and in Redis stream fields.
const TOPIC = /^[^\s,\p{Cc}]+$/u

/**
 * Whether a string can be a topic name: 1 to 256 characters, none of them whitespace, a control
 * character or a comma.
 *
 * @param value - the candidate topic
 * @returns true when the hub accepts it
 */
export function isValidTopic(value: string): boolean {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_TOPIC_LENGTH &&
    TOPIC.test(value)
  )
}

/**
 * Throws unless `value` is a valid topic name (see {@link isValidTopic}).
 *
 * @param value - the topic to check
 * @throws SSEError `INVALID_TOPIC`
 */
export function assertValidTopic(value: string): void {
  if (!isValidTopic(value)) {
    throw new SSEError(
      'INVALID_TOPIC',
      `The topic ${quoteValue(value)} must be 1 to ${MAX_TOPIC_LENGTH} characters without whitespace, control characters or commas.`,
    )
  }
}
