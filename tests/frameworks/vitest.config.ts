import { defineConfig, type ViteUserConfig } from 'vitest/config'
import { sharedConfig } from '../../vitest.shared.ts'

/**
 * The shared configuration, with the frameworks loaded as Node loads them. The shared resolve
 * conditions include `import`, which Vitest also applies to a CommonJS `require()` inside
 * node_modules: Express's router then gets `is-promise`'s ESM namespace instead of its function,
 * and every route fails (`isPromise is not a function`). Without `import`, `require()` takes
 * the `require` branch and `import` the `import` one, as in production.
 */
const conditions = ['@ssekit/source', 'node', 'default']

// The shared configuration is a plain object (vitest.shared.ts builds it with defineConfig({…})).
const shared = sharedConfig as ViteUserConfig

export default defineConfig({
  ...shared,
  resolve: { ...shared.resolve, conditions },
  ssr: { ...shared.ssr, resolve: { conditions, externalConditions: ['@ssekit/source'] } },
})
