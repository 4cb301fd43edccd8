import { encodeBytes } from '@ssekit/encoder'
import type { HubEvent } from './hub.ts'

// Keyed by the event object itself: live delivery (both transports) and the memory transport's
// replay hand the same stored record to every subscriber, so one entry serves the whole fan-out
// and goes away with the record (when history drops it and no subscriber still holds it). A
// Redis replay page makes new records, encoded once per replaying subscriber. A WeakMap rather
// than a field on the record, so the events users receive keep exactly their documented fields.
const encoded = new WeakMap<HubEvent, Uint8Array>()

/**
 * The UTF-8 wire bytes of a hub event, encoded once per published event and shared by every
 * subscriber that is sent it. Encoding per subscriber (`stream.send(event)`) cost an `encode()`
 * and a string-to-UTF-8 conversion per delivery: 1,000 of each per event at 1,000 connections.
 *
 * @param event - an event a subscription yielded
 * @returns its bytes as `encodeBytes(event)` returns them; the same array on every call
 */
export function encodeHubEvent(event: HubEvent): Uint8Array {
  let bytes = encoded.get(event)
  if (bytes === undefined) {
    bytes = encodeBytes(event)
    encoded.set(event, bytes)
  }
  return bytes
}
