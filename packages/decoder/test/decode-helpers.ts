/** Test helpers: run a decoder over chunks and collect everything it reports. */
import type { ServerSentEvent, SSEError } from '@ssekit/shared'
import { createDecoder, type DecoderOptions } from '../src/decoder.ts'
import { createRandom } from './generators.ts'

export interface Collected {
  events: ServerSentEvent[]
  comments: string[]
  retries: number[]
  ids: string[]
  errors: SSEError[]
  lastEventId: string
}

/** Feeds `chunks` to a fresh decoder, ends the stream, and returns what it reported. */
export function collect(
  chunks: Iterable<string | Uint8Array>,
  options?: DecoderOptions,
): Collected {
  const out: Collected = {
    events: [],
    comments: [],
    retries: [],
    ids: [],
    errors: [],
    lastEventId: '',
  }
  const decoder = createDecoder(
    {
      onEvent: (event) => out.events.push(event),
      onComment: (comment) => out.comments.push(comment),
      onRetry: (retry) => out.retries.push(retry),
      onId: (id) => out.ids.push(id),
      onError: (error) => out.errors.push(error),
    },
    options,
  )
  for (const chunk of chunks) decoder.feed(chunk)
  decoder.end()
  out.lastEventId = decoder.lastEventId
  return out
}

/** Cuts `whole` at the given sorted positions. */
export function cutAt<T extends string | Uint8Array>(whole: T, cuts: number[]): T[] {
  const parts: T[] = []
  let from = 0
  for (const cut of cuts) {
    parts.push(whole.slice(from, cut) as T)
    from = cut
  }
  parts.push(whole.slice(from) as T)
  return parts
}

/**
 * Every chunking worth trying on a short input: whole, each single cut point, one unit at a
 * time, and seeded random cuts with chunk sizes up to `maxChunk`.
 */
export function* chunkings<T extends string | Uint8Array>(
  whole: T,
  seed = 1,
  randomCount = 20,
  maxChunk = 16,
): Generator<T[]> {
  yield [whole]
  for (let cut = 0; cut <= whole.length; cut++) yield cutAt(whole, [cut])
  yield cutAt(
    whole,
    Array.from({ length: Math.max(0, whole.length - 1) }, (_, i) => i + 1),
  )
  const random = createRandom(seed)
  for (let r = 0; r < randomCount; r++) {
    const cuts: number[] = []
    let at = 0
    while (true) {
      at += 1 + Math.floor(random() * maxChunk)
      if (at >= whole.length) break
      cuts.push(at)
    }
    yield cutAt(whole, cuts)
  }
}

/** Joins byte arrays into one, for generators that build a stream from parts. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}
