import { defineConfig, mergeConfig, type ViteUserConfig } from 'vitest/config'
import { sharedConfig } from '../../vitest.shared.ts'

// The browser suite: one Chromium and one server for the file, tests in order in one worker.
// sharedConfig is a plain object; defineConfig's return type also admits a function.
export default mergeConfig(
  sharedConfig as ViteUserConfig,
  defineConfig({
    test: {
      include: ['test/**/*.e2e.test.ts'],
      testTimeout: 60_000,
      hookTimeout: 30_000,
      fileParallelism: false,
    },
  }),
)
