import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { expect, test } from 'vitest'

/**
 * Budget for `import { createDecoder } from '@ssekit/decoder'` as a browser bundler builds it
 * (no `node` condition), minified and gzipped. Raised from 2,600 by issue #12's rewrite of the
 * byte-to-line machinery (limits counted in bytes, exact error offsets, the spec and the bytes
 * in separate modules), less the Node-only routines now behind the `node` condition; issue #13
 * has the target of 1.77 KB.
 */
const BUDGET = 3200

test('a decoder-only import stays within its minified+gzipped size budget', async () => {
  const result = await build({
    stdin: {
      contents: "export { createDecoder } from '@ssekit/decoder'",
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
  const gzipped = gzipSync(bytes, { level: 9 }).length
  expect(gzipped).toBeLessThan(BUDGET)
  // The Node-only routines stay out of a browser bundle.
  expect(new TextDecoder().decode(bytes)).not.toContain('latin1Slice')
  // Tree-shaking keeps the client (connect, EventSource) out of a decoder-only import.
  expect(new TextDecoder().decode(bytes)).not.toContain('Last-Event-ID')
})
