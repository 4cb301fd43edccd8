/**
 * More suites on the web variant of `#platform` (see web-platform.test.ts, which runs the
 * long-line properties, the limit tests and the corpus fuzz there): the spec vectors under every
 * chunking, the chunking, differential and round-trip properties, the streams, and the
 * benchmark workloads, so the web line reader answers to everything the Node one does.
 */
import { expect, test, vi } from 'vitest'

vi.mock('#platform', async () => await import('../src/platform/web.ts'))

test('#platform is the web variant in this file too', async () => {
  const { createLineReader } = await import('#platform')
  const web = await import('../src/web-line-reader.ts')
  expect(createLineReader).toBe(web.createLineReader)
})

await import('./decoder.test.ts')
await import('./chunking.property.test.ts')
await import('./differential.property.test.ts')
await import('./roundtrip.property.test.ts')
await import('./long-lines.streams.property.test.ts')
await import('./decoder-stream.test.ts')
await import('./decode.test.ts')
await import('./workloads.test.ts')
