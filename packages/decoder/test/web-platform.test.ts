/**
 * The decoder as browsers, workers and Deno without `node` load it: `#platform` resolves to
 * `src/platform/web.ts` (plain TextDecoder, loop searches) instead of the Node routines. The
 * long-line properties, the corpus fuzz and the limit tests run again on that variant; vitest
 * itself runs under Node, so the variant is chosen here by mocking the import.
 */
import { expect, test, vi } from 'vitest'

vi.mock('#platform', async () => await import('../src/platform/web.ts'))

test('#platform is the web variant in this file', async () => {
  const platform = await import('#platform')
  expect(platform.indexOfByte).toBeUndefined()
  expect(platform.lastIndexOfByte).toBeUndefined()
  expect(platform.createUtf8Decoder().wasAscii()).toBe(false)
})

// The same suites, registered in this file, so they run with the mock above; the fuzz with a
// fifth of its inputs unless FUZZ_INPUTS says otherwise.
process.env.FUZZ_INPUTS ??= '200000'
await import('./long-lines.property.test.ts')
await import('./long-lines.test.ts')
await import('./line-end.property.test.ts')
await import('./hostile.test.ts')
await import('./fuzz.test.ts')
