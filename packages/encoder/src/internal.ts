/**
 * What the encoder shares with the other ssekit packages, not API: it may change in any release.
 * The hub serializes an event's data once at publish, to store it, and encodes it later.
 *
 * @internal
 * @module
 */
export { serializeData } from './encode.ts'
