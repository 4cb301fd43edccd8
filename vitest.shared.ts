import { defineConfig } from 'vitest/config'

/**
 * The one Vitest configuration every package extends. The `@ssekit/source` export condition
 * makes `@ssekit/*` imports resolve to sibling packages' TypeScript sources, so tests never wait
 * for a build.
 */
const conditions = ['@ssekit/source', 'import', 'module', 'default']

/** `packages-decoder-test`, `apps-demo-test:e2e`, …: one report file per package and script. */
function reportName(): string {
  const where = process.cwd().split(/[\\/]/).slice(-2).join('-')
  return encodeURIComponent(`${where}-${process.env.npm_lifecycle_event ?? 'vitest'}`)
}

const reportDir = process.env.SSEKIT_REPORT_DIR

export const sharedConfig: ReturnType<typeof defineConfig> = defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@ssekit/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // CI sums the JSON reports into its closing `N passed, N failed` line.
    reporters: reportDir
      ? ['default', ['json', { outputFile: `${reportDir}/${reportName()}.json` }]]
      : ['default'],
  },
})
