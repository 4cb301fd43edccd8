/**
 * Decoder section: bytes in → events out, @ssekit/decoder against eventsource-parser behind a
 * streaming TextDecoder (how a client must feed it bytes), on the workloads of issue #3. The
 * workloads come from packages/decoder/test/generators.ts, compiled here with esbuild, so the
 * tests check the very fixtures measured here.
 */
import { deepStrictEqual, strictEqual } from 'node:assert'
import { gzipSync } from 'node:zlib'
import { createDecoder } from '@ssekit/decoder'
import { build } from 'esbuild'
import { createParser } from 'eventsource-parser'
import { bench, do_not_optimize, group, measure, run as runMitata, summary } from 'mitata'
import { describeMachine } from './benchmarks-md.mjs'

export const name = 'decoder'

async function loadGenerators() {
  const outfile = new URL('./dist/generators.mjs', import.meta.url).pathname
  await build({
    entryPoints: [new URL('../packages/decoder/test/generators.ts', import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    outfile,
    logLevel: 'warning',
  })
  return import(outfile)
}

/** Decodes a workload with @ssekit/decoder; returns the number of events. */
function runOurs(chunks, collect) {
  let count = 0
  let last
  const decoder = createDecoder({
    onEvent: (event) => {
      count++
      last = event
      if (collect) collect.push(event)
    },
  })
  for (let i = 0; i < chunks.length; i++) decoder.feed(chunks[i])
  decoder.end()
  do_not_optimize(last)
  return count
}

const STREAM = { stream: true }

/** Decodes a workload with eventsource-parser behind a streaming TextDecoder. */
function runParser(chunks, collect) {
  let count = 0
  let last
  const textDecoder = new TextDecoder()
  const parser = createParser({
    onEvent: (event) => {
      count++
      last = event
      if (collect) collect.push(event)
    },
  })
  for (let i = 0; i < chunks.length; i++) parser.feed(textDecoder.decode(chunks[i], STREAM))
  parser.feed(textDecoder.decode())
  do_not_optimize(last)
  return count
}

async function bundleSize(code) {
  const result = await build({
    stdin: { contents: code, resolveDir: new URL('.', import.meta.url).pathname, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    logLevel: 'warning',
  })
  const bytes = result.outputFiles[0].contents
  return { minified: bytes.length, gzipped: gzipSync(bytes, { level: 9 }).length }
}

const fmt = (value, digits = 0) => value.toFixed(digits)

export async function run() {
  const { createWorkloads } = await loadGenerators()
  const workloads = createWorkloads()

  // Both decoders must produce the expected events before their speed means anything.
  for (const workload of workloads) {
    const ours = []
    runOurs(workload.chunks, ours)
    deepStrictEqual(ours, workload.events, `${workload.name}: @ssekit/decoder`)
    const theirs = []
    runParser(workload.chunks, theirs)
    strictEqual(theirs.length, workload.events.length, `${workload.name}: eventsource-parser`)
    for (let i = 0; i < theirs.length; i++) {
      strictEqual(theirs[i].data, workload.events[i].data, `${workload.name}: eventsource-parser`)
    }
  }

  for (const workload of workloads) {
    group(`${workload.name} (${fmt(workload.bytes / 1e6, 1)} MB, ${workload.chunks.length} chunks)`, () => {
      summary(() => {
        bench(`ssekit ${workload.name}`, () => runOurs(workload.chunks)).gc('inner')
        bench(`eventsource-parser ${workload.name}`, () => runParser(workload.chunks)).gc('inner')
      })
    })
  }
  const { benchmarks } = await runMitata()
  const avg = new Map()
  for (const trial of benchmarks) {
    for (const result of trial.runs) if (result.stats) avg.set(result.name, result.stats.avg)
  }

  const rows = []
  let logSum = 0
  for (const workload of workloads) {
    const ours = avg.get(`ssekit ${workload.name}`)
    const theirs = avg.get(`eventsource-parser ${workload.name}`)
    const mbps = (ns) => (workload.bytes / 1e6) / (ns / 1e9)
    const ratio = theirs / ours
    logSum += Math.log(ratio)
    rows.push(
      `| ${workload.name} | ${workload.description} | ${fmt(mbps(ours))} | ${fmt(mbps(theirs))} | ${fmt(ratio, 2)}× |`,
    )
  }
  const geomean = Math.exp(logSum / workloads.length)

  // Linearity of the drip: the same single line at 2 MB and 8 MB, 64-byte chunks.
  const drip = workloads.find((w) => w.name === 'drip-8mb')
  const quarter = drip.chunks.slice(0, drip.chunks.length / 4)
  const quarterBytes = quarter.reduce((sum, chunk) => sum + chunk.length, 0)
  const end = new TextEncoder().encode('\n\n')
  const small = (await measure(() => runOurs([...quarter, end]))).avg
  const large = avg.get('ssekit drip-8mb')
  const perByteSmall = small / quarterBytes
  const perByteLarge = large / drip.bytes

  const oursSize = await bundleSize("export { createDecoder } from '@ssekit/decoder'")
  const theirSize = await bundleSize("export { createParser } from 'eventsource-parser'")

  const markdown = [
    '## Decoder',
    '',
    `Bytes in → events out. Machine: ${describeMachine()}.`,
    '@ssekit/decoder (built `dist`) against eventsource-parser 4.1.3 fed by a streaming `TextDecoder`,',
    'as a client must feed it bytes; both in one process, fresh instances per iteration, GC between',
    'iterations (mitata, `node --expose-gc`). Workloads: `packages/decoder/test/generators.ts` (seeded).',
    '',
    '| workload | description | ssekit MB/s | eventsource-parser MB/s | ratio |',
    '| --- | --- | ---: | ---: | ---: |',
    ...rows,
    `| **geometric mean** | | | | **${fmt(geomean, 2)}×** |`,
    '',
    `Drip linearity: ${fmt(perByteSmall, 2)} ns/byte for a 2 MB line, ${fmt(perByteLarge, 2)} ns/byte for the 8 MB line (64-byte chunks), ratio ${fmt(perByteLarge / perByteSmall, 2)}.`,
    '',
    '| decoder-only import (esbuild, minified) | minified | min+gzip |',
    '| --- | ---: | ---: |',
    `| \`import { createDecoder } from '@ssekit/decoder'\` | ${oursSize.minified} B | ${oursSize.gzipped} B |`,
    `| \`import { createParser } from 'eventsource-parser'\` | ${theirSize.minified} B | ${theirSize.gzipped} B |`,
  ].join('\n')
  console.log(`\n${markdown}`)
  return markdown
}
