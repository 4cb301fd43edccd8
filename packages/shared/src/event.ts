/**
 * One server-sent event: what the decoder yields and the canonical form the encoder takes.
 *
 * - `data` is the event's data, its lines joined with `\n`.
 * - `event` is the event type; absent when the stream named none (the client then sees `message`).
 * - `id` is present only when the event's own block carried a valid `id` field.
 * - `retry` is present only when the event's own block carried a valid `retry` field, in milliseconds.
 */
export interface ServerSentEvent {
  data: string
  event?: string | undefined
  id?: string | undefined
  retry?: number | undefined
}
