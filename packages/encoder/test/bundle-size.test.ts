import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { expect, test } from 'vitest'

/**
 * Budget in bytes for `import { encode } from '@ssekit/encoder'` as a browser bundler builds it
 * (no `node` condition), minified and gzipped: what issue #13's rewrite of encode.ts reached
 * (1,023 before). The target is 0.7 KB (716 bytes). It does not fit with the current
 * messages: with every message emptied the bundle would still be 708 bytes, of which SSEError
 * is 80 and quoteValue 52, and the six messages (the shared field checks' and serializeData's)
 * are about 260 more. It measures 977 since the event contracts (#14), with no contract code in
 * the bundle (2,019 bytes minified, as before): the byte is gzip's, for the same code.
 */
const BUDGET = 977

/** Bundles `contents` as a browser app would, minified; returns the code and its gzipped size. */
async function bundle(contents: string): Promise<{ code: string; gzipped: number }> {
  const result = await build({
    stdin: { contents, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'js' },
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
  return { code: new TextDecoder().decode(bytes), gzipped: gzipSync(bytes, { level: 9 }).length }
}

test('an encode-only import stays within its minified+gzipped size budget', async () => {
  const { code, gzipped } = await bundle("export { encode } from '@ssekit/encoder'")
  expect(gzipped).toBeLessThanOrEqual(BUDGET)
  // Tree-shaking keeps the bytes, the streams and the Response helper out of it.
  expect(code).not.toContain('TextEncoder')
  expect(code).not.toContain('ReadableStream')
})

test('the whole browser entry bundles without the node-only code', async () => {
  const { code } = await bundle(
    "export { encode, encodeBytes, encodeComment, EventEncoderStream, createEventStreamResponse } from '@ssekit/encoder'",
  )
  // A `node:` import fails this build (platform neutral cannot resolve it); none of src/node's
  // socket handling either.
  expect(code).not.toMatch(/["']node:/)
  expect(code).not.toContain('drain')
})
