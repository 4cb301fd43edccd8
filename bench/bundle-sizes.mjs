/**
 * Bundle sizes section: what each import weighs in a browser app, minified and gzipped, for the
 * ssekit packages and the peers they replace, next to issue #13's budgets. Nothing is timed, so
 * it runs without `--expose-gc` and without a build: `node run.mjs sizes` (`pnpm bench:sizes`).
 */
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

export const name = 'sizes'

/**
 * Bundles `code` as a browser bundler would (no `node` condition), minified, the way the
 * packages' bundle-size tests do: the `@ssekit/source` condition bundles the sources, as the
 * built dist would be, so the figures hold without a build. `mainFields` lets the peers without
 * an `exports` map resolve, as they would in a browser bundler.
 * @param {string} code
 * @returns {Promise<{ minified: number, gzipped: number }>}
 */
export async function bundleSize(code) {
  const result = await build({
    stdin: { contents: code, resolveDir: new URL('.', import.meta.url).pathname, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['@ssekit/source'],
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'warning',
  })
  const bytes = result.outputFiles[0].contents
  return { minified: bytes.length, gzipped: gzipSync(bytes, { level: 9 }).length }
}

/** @param {string} pkg @returns {string} the installed version of a package */
function versionOf(pkg) {
  const file = new URL(`./node_modules/${pkg}/package.json`, import.meta.url)
  return JSON.parse(readFileSync(file, 'utf8')).version
}

const KB = 1024
const bytes = (n) => `${n.toLocaleString('en-US')} B`

/**
 * The imports measured, grouped by the job they do. `budget` is issue #13's, in bytes, or a
 * function of the other rows' sizes (the decoder's is eventsource-parser's own size).
 */
const ROWS = [
  { pkg: '@ssekit/decoder', names: 'createDecoder', budget: (size) => size('eventsource-parser') },
  { pkg: 'eventsource-parser', names: 'createParser', peer: true },
  { pkg: '@ssekit/client', names: 'connect, EventSource', budget: () => 4.5 * KB },
  // The cross-tab connection (#16): connect() plus the election and the relay; no peer ships one.
  { pkg: '@ssekit/client', names: 'shareAcrossTabs' },
  { pkg: '@microsoft/fetch-event-source', names: 'fetchEventSource', peer: true },
  { pkg: 'eventsource', names: 'EventSource', peer: true },
  { pkg: '@ssekit/encoder', names: 'encode', budget: () => Math.floor(0.7 * KB) },
  {
    pkg: '@ssekit/encoder',
    names: 'encode, encodeBytes, EventEncoderStream, createEventStreamResponse',
  },
  { pkg: 'eventsource-encoder', names: 'encode', peer: true },
]

export async function run() {
  const sizes = []
  for (const row of ROWS) {
    sizes.push(await bundleSize(`export { ${row.names} } from '${row.pkg}'`))
  }
  /** The min+gzip size of the first row importing `pkg`. */
  const size = (pkg) => sizes[ROWS.findIndex((row) => row.pkg === pkg)].gzipped
  const lines = ROWS.map((row, i) => {
    const label = row.peer ? `${row.pkg} ${versionOf(row.pkg)}` : row.pkg
    const { minified, gzipped } = sizes[i]
    let budget = ''
    if (row.budget) {
      const limit = row.budget(size)
      budget = `≤ ${(limit / KB).toFixed(2)} KB (${bytes(limit)}): ${gzipped <= limit ? 'within' : `${bytes(gzipped - limit)} over`}`
    }
    return `| \`import { ${row.names} } from '${row.pkg}'\` | ${label} | ${bytes(minified)} | ${bytes(gzipped)} | ${budget} |`
  })

  const markdown = [
    '## Bundle sizes',
    '',
    `What an import adds to a browser app, measured ${new Date().toISOString().slice(0, 10)} with esbuild ${versionOf('esbuild')}:`,
    "`bundle`, `minify`, ESM, `platform: 'neutral'` (no `node` condition, so Node-only code stays",
    'out), the ssekit packages from their sources through the `@ssekit/source` condition (as the',
    "built dist would be), then gzip level 9. KB are 1,024 bytes. Budgets are issue #13's; the",
    "decoder's is eventsource-parser's size. Each package's `test/bundle-size.test.ts` holds its",
    'current budget; regenerate this table with `pnpm --filter @ssekit/bench bench:sizes`.',
    '',
    '| import | package | minified | min+gzip | budget (#13) |',
    '| --- | --- | ---: | ---: | --- |',
    ...lines,
  ].join('\n')
  console.log(`\n${markdown}`)
  return markdown
}
