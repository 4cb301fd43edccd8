/**
 * The benchmark runner: `node --expose-gc run.mjs [section…]` runs the named sections (all by
 * default) against the BUILT packages (`dist`, turbo builds them first) and writes each section's
 * table into BENCHMARKS.md at the repository root.
 *
 * A section is a module exporting `name` and `async run()` returning its Markdown; add a line to
 * SECTIONS for a new one. `node run.mjs sizes` (`pnpm bench:sizes`) rewrites only the bundle
 * sizes, in seconds and without `--expose-gc`.
 */
import { writeSection } from './benchmarks-md.mjs'

const SECTIONS = {
  decoder: () => import('./decoder.bench.mjs'),
  hub: () => import('./hub.bench.mjs'),
  encoder: () => import('./encoder.bench.mjs'),
  client: () => import('./client.bench.mjs'),
  contracts: () => import('./contracts.bench.mjs'),
  sizes: () => import('./bundle-sizes.mjs'),
}

/** The sections that time nothing, so they need no `--expose-gc`. */
const UNTIMED = new Set(['sizes'])

const wanted = process.argv.slice(2)
for (const name of wanted) {
  if (!(name in SECTIONS)) {
    console.error(`Unknown section ${name}; known: ${Object.keys(SECTIONS).join(', ')}`)
    process.exit(1)
  }
}
const timing = wanted.length === 0 || wanted.some((name) => !UNTIMED.has(name))
if (timing && typeof globalThis.gc !== 'function') {
  console.error('Run with node --expose-gc (pnpm bench does).')
  process.exit(1)
}
for (const [name, load] of Object.entries(SECTIONS)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue
  const section = await load()
  const markdown = await section.run()
  await writeSection(name, markdown)
  console.log(`\nWrote the ${name} section of BENCHMARKS.md.`)
}
