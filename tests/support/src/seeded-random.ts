/**
 * A seeded PRNG and the random chunking built on it, so every run generates the same bytes. The
 * decoder's workloads (`packages/decoder/test/generators.ts`, which the benchmarks bundle with
 * esbuild) use it too: keep this file free of imports.
 *
 * @module
 */

/**
 * A small, fast, seeded PRNG (mulberry32).
 *
 * @param seed - any 32-bit integer
 * @returns a function returning floats in [0, 1)
 */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Draws an integer.
 *
 * @param random - a source from `createRandom`
 * @param min - the smallest value
 * @param max - the largest value
 * @returns an integer in [min, max]
 */
export function randomInteger(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1))
}

/**
 * Cuts `bytes` into consecutive chunks whose sizes are drawn from [min, max], cutting anywhere:
 * inside CRLFs and multi-byte characters alike.
 *
 * @param bytes - the whole stream
 * @param random - the seeded source of chunk sizes
 * @param min - the smallest chunk size
 * @param max - the largest chunk size
 * @returns views into `bytes`, in order
 */
export function cutBytes(
  bytes: Uint8Array,
  random: () => number,
  min: number,
  max: number,
): Uint8Array[] {
  const chunks: Uint8Array[] = []
  let offset = 0
  while (offset < bytes.length) {
    const size = min === max ? min : randomInteger(random, min, max)
    chunks.push(bytes.subarray(offset, offset + size))
    offset += size
  }
  return chunks
}
