import { defineConfig, type ViteUserConfig } from 'vitest/config'
import { sharedConfig } from '../../vitest.shared.ts'

/**
 * The shared configuration without the `import` condition: Vitest applies the resolve conditions
 * to `require()` calls inside node_modules too, and with `import` Express 5's router receives
 * `is-promise`'s ESM namespace instead of its function (`isPromise is not a function` on every
 * route). Without it, `require()` and `import` take their own branches, as in Node.
 */
const conditions = ['@ssekit/source', 'node', 'default']

const shared = sharedConfig as ViteUserConfig

export default defineConfig({
  ...shared,
  resolve: { ...shared.resolve, conditions },
  ssr: { ...shared.ssr, resolve: { conditions, externalConditions: ['@ssekit/source'] } },
  // The proxy matrix runs its cells at once: each mostly waits.
  test: { ...shared.test, maxConcurrency: 12 },
})
