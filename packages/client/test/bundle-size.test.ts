import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { expect, test } from 'vitest'

/**
 * Budget for `import { connect, EventSource } from '@ssekit/client'` as a browser bundler builds
 * it (no `node` condition), minified and gzipped, the decoder included: what it measures now
 * (6,186 bytes), rounded up. Issue #13 asked for 4,608 (4.5 KB); that is out of reach without
 * dropping behaviour: with every message emptied the bundle was still 5,491 bytes, and the
 * decoder alone is 1,956 of it. See BENCHMARKS.md, "Bundle sizes", for the peers' figures.
 *
 * Event contracts (#14) add 400 bytes (5,786 → 6,186), the contract paths of connect() and
 * EventSource: the checking itself (readIncoming, SSEContractError, the issue rendering, about
 * 940 bytes) comes with the contract, which carries it (`contract['~ssekit']`), so a bundle
 * without defineEvents has none of it.
 *
 * Sharing a stream across tabs (#16) adds 21 bytes here (6,186 → 6,207): the hidden init member
 * through which SharedEventSource hands EventSource its opener. The sharing itself stays out of
 * this bundle; see the budget below.
 *
 * One delivery path for both (event-delivery.ts: onEvent, the loop, the contract's refusals, the
 * end of the loop), instead of a copy in each, adds 68 bytes here (6,207 → 6,275): the interface
 * between the two modules. It takes 332 from shareAcrossTabs (7,929 → 7,597), and the copy had
 * already drifted in its comments; one path that both tests exercise is worth the 1 %.
 */
const BUDGET = 6280

/**
 * Budget for `import { shareAcrossTabs } from '@ssekit/client'`: connect() and the sharing (the
 * election, the channel protocol, the mirrored state and iteration, the history for joining
 * tabs), measured at 7,597 bytes with the delivery path shared with connect(), rounded up.
 */
const SHARED_BUDGET = 7600

async function bundle(contents: string): Promise<Uint8Array> {
  const result = await build({
    stdin: { contents, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['@ssekit/source'],
    write: false,
    logLevel: 'silent',
  })
  return (result.outputFiles[0] as { contents: Uint8Array }).contents
}

test('the client stays within its minified+gzipped size budget', async () => {
  const result = await build({
    stdin: {
      contents: "export { connect, EventSource } from '@ssekit/client'",
      resolveDir: fileURLToPath(new URL('.', import.meta.url)),
      loader: 'js',
    },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    // Bundle the sources, as the built dist would be.
    conditions: ['@ssekit/source'],
    write: false,
    logLevel: 'silent',
  })
  const bytes = (result.outputFiles[0] as { contents: Uint8Array }).contents
  expect(gzipSync(bytes, { level: 9 }).length).toBeLessThanOrEqual(BUDGET)
  // The decoder's Node-only routines stay out of a browser bundle.
  expect(new TextDecoder().decode(bytes)).not.toContain('latin1Slice')
})

test('a bundle without contracts carries none of the checking', async () => {
  const result = await build({
    stdin: {
      contents: "export { connect, EventSource } from '@ssekit/client'",
      resolveDir: fileURLToPath(new URL('.', import.meta.url)),
      loader: 'js',
    },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['@ssekit/source'],
    write: false,
    logLevel: 'silent',
  })
  const text = new TextDecoder().decode(
    (result.outputFiles[0] as { contents: Uint8Array }).contents,
  )
  // readIncoming's messages: present only when defineEvents (which attaches it) is imported.
  expect(text).not.toContain('does not match the contract')
  expect(text).not.toContain('SSEContractError')
})

test('shareAcrossTabs stays within its own budget, and a bundle of connect and EventSource has none of it', async () => {
  const shared = await bundle("export { shareAcrossTabs } from '@ssekit/client'")
  expect(gzipSync(shared, { level: 9 }).length).toBeLessThanOrEqual(SHARED_BUDGET)
  // The group's lock and channel name: in the sharing bundle, and only there.
  expect(new TextDecoder().decode(shared)).toContain('ssekit:share-across-tabs')
  const plain = new TextDecoder().decode(
    await bundle("export { connect, EventSource } from '@ssekit/client'"),
  )
  expect(plain).not.toContain('ssekit:share-across-tabs')
  expect(plain).not.toContain('BroadcastChannel')
})
