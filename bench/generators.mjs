import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

/** Where the compiled workload generators are written. */
const OUTFILE = fileURLToPath(new URL('./dist/generators.mjs', import.meta.url))

/**
 * Compiles packages/decoder/test/generators.ts (seeded PRNG, workloads) to plain JS and imports
 * it, so the benchmarks and the tests that check the workloads share one source.
 *
 * @returns the generators module
 */
export async function loadGenerators() {
  await build({
    entryPoints: [new URL('../packages/decoder/test/generators.ts', import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    outfile: OUTFILE,
    logLevel: 'warning',
  })
  return import(OUTFILE)
}
