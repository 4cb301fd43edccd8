import { createDecoder } from '@ssekit/decoder'
import type { ServerSentEvent } from '@ssekit/shared'
import { createCollector } from '@ssekit/test-support/collect-events'

/** An open event stream read with ssekit's decoder. */
export interface EventReader {
  readonly response: Response
  /** The next event, or undefined when the stream ended. */
  next(): Promise<ServerSentEvent | undefined>
  /** Aborts the request. */
  close(): void
}

/** Opens a GET event stream and reads it event by event. */
export async function openEvents(
  url: string,
  headers: Record<string, string> = {},
): Promise<EventReader> {
  const controller = new AbortController()
  const response = await fetch(url, { headers, signal: controller.signal })
  const { decoder, collected } = createCollector(createDecoder)
  const queue = collected.events
  const reader = response.body?.getReader()
  let ended = false
  return {
    response,
    async next() {
      while (queue.length === 0 && !ended && reader !== undefined) {
        try {
          const { done, value } = await reader.read()
          if (done) ended = true
          else decoder.feed(value)
        } catch {
          ended = true
        }
      }
      return queue.shift()
    },
    close() {
      controller.abort()
    },
  }
}

/** Waits, up to 5 s, until `condition()` holds. */
export async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    if (condition()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`Timed out waiting for ${what}`)
}
