/**
 * What the encoder shares with the other ssekit packages, not API: it may change in any release.
 * The hub serializes an event's data once at publish, to store it, and encodes it later; its
 * fetch handler writes its own response body (events pushed as they come, not pulled one by
 * one), with the heartbeat the encoder's helpers send.
 *
 * @internal
 * @module
 */
export { serializeData } from './encode.ts'
export { HEARTBEAT_BYTES, PRIMER_BYTES, resolveHeartbeat } from './heartbeat.ts'
