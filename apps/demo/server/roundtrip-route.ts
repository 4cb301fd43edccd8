import type { IncomingMessage, ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { type EncodableEvent, encode } from '@ssekit/encoder'
import { openEventStream } from '@ssekit/encoder/node'
import { isSSEError } from '@ssekit/shared'
import { readJsonBody, sendJson } from './http-json.ts'

const MAX_EVENTS = 20
// A short pause between events, so the page visibly receives them one by one.
const EVENT_GAP_MS = 60

/**
 * `POST /api/roundtrip` with `{ events: EncodableEvent[] }`: encodes the events with the
 * encoder's Node helper and streams them back, then ends the response.
 *
 * Every event is encoded once before the stream opens, so an event the encoder refuses (an id
 * with a line break, a negative retry…) is answered with `422` and the encoder's typed error as
 * JSON, `{ error: { name, code, field, message }, index }`, instead of half a stream.
 *
 * @param req - the request
 * @param res - the response
 */
export async function handleRoundTrip(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJsonBody(req)
  const events = (body as { events?: unknown } | undefined)?.events
  if (!Array.isArray(events) || events.length > MAX_EVENTS) {
    sendJson(res, 400, { message: `Send { "events": [...] } with at most ${MAX_EVENTS} events.` })
    return
  }
  const accepted: EncodableEvent[] = []
  for (const [index, value] of events.entries()) {
    const { event, id, retry, data } = (value ?? {}) as EncodableEvent
    const candidate = { event, id, retry, data } as EncodableEvent
    try {
      encode(candidate)
    } catch (error) {
      if (!isSSEError(error)) throw error
      const { name, code, field, message } = error
      sendJson(res, 422, { error: { name, code, field, message }, index })
      return
    }
    accepted.push(candidate)
  }

  const stream = openEventStream(res, { heartbeat: false })
  try {
    for (const [index, event] of accepted.entries()) {
      if (index > 0) await sleep(EVENT_GAP_MS, undefined, { signal: stream.signal })
      await stream.send(event)
    }
  } catch (error) {
    // The page went away mid-stream: nothing more to do.
    if (!stream.isClosed) throw error
  } finally {
    stream.close()
  }
}
