import { defineConfig, mergeConfig, type ViteUserConfig } from 'vitest/config'
import { sharedConfig } from '../../vitest.shared.ts'

// The end-to-end suite: the whole demo in-process, driven by Debian's Chromium. One browser and
// one server for the file, so tests run in order in a single worker.
// sharedConfig is a plain object; defineConfig's return type also admits a function.
export default mergeConfig(
  sharedConfig as ViteUserConfig,
  defineConfig({
    test: {
      include: ['test/**/*.e2e.test.ts'],
      testTimeout: 20_000,
      hookTimeout: 30_000,
      fileParallelism: false,
    },
  }),
)
