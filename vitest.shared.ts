import { defineConfig } from 'vitest/config'

/**
 * The one Vitest configuration every package extends. The `@ssekit/source`
 * export condition makes `@ssekit/*` imports resolve to sibling packages'
 * TypeScript sources, so tests never wait for a build.
 */
const conditions = ['@ssekit/source', 'import', 'module', 'default']

export const sharedConfig: ReturnType<typeof defineConfig> = defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@ssekit/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: process.env.SSEKIT_REPORT_DIR
      ? [
          'default',
          [
            'json',
            {
              outputFile: `${process.env.SSEKIT_REPORT_DIR}/${encodeURIComponent(process.cwd().split('/').slice(-2).join('-'))}.json`,
            },
          ],
        ]
      : ['default'],
  },
})
