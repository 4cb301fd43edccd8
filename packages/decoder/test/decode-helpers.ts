/** Test helpers: run the decoder over chunks and collect everything it reports, and cut inputs. */
import { collectEvents } from '@ssekit/test-support/collect-events'
import { createRandom } from '@ssekit/test-support/seeded-random'
import { createDecoder, type DecoderOptions } from '../src/decoder.ts'

// The decoder's tests join bytes through this file, as they did before the helper moved.
export { concatBytes } from '@ssekit/test-support/concat-bytes'

/** What `collect` returns: the events, comments, retries, ids, errors and final last event ID. */
export type Collected = ReturnType<typeof collect>

/** Feeds `chunks` to a fresh decoder, ends the stream, and returns what it reported. */
export function collect(chunks: Iterable<string | Uint8Array>, options?: DecoderOptions) {
  return collectEvents(createDecoder, chunks, options)
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
