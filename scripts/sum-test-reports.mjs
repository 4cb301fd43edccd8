// Sums every test report in a folder into the one closing line CI reads: `N passed, N failed`.
// Reports are Vitest JSON reporter files, or `{ numPassedTests, numFailedTests }` written by the
// runtime matrix. An empty folder counts as a failure: a run that executed nothing is not green.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const dir = process.argv[2]
if (!dir) {
  console.error('usage: node scripts/sum-test-reports.mjs <report-dir>')
  process.exit(2)
}
let passed = 0
let failed = 0
const rows = []
for (const name of readdirSync(dir)
  .filter((file) => file.endsWith('.json'))
  .sort()) {
  const report = JSON.parse(readFileSync(join(dir, name), 'utf8'))
  const ok = Number(report.numPassedTests ?? 0)
  // A test file that failed before running its tests (an import error, say) has no failed test
  // to count, so it counts as one failure itself.
  const brokenFiles = (report.testResults ?? []).filter(
    (file) =>
      file.status === 'failed' &&
      !(file.assertionResults ?? []).some((result) => result.status === 'failed'),
  ).length
  const bad = Number(report.numFailedTests ?? 0) + brokenFiles
  passed += ok
  failed += bad
  rows.push(
    `  ${decodeURIComponent(name.replace(/\.json$/, '')).padEnd(36)} ${ok} passed, ${bad} failed`,
  )
}
console.log(rows.join('\n'))
if (passed + failed === 0) failed = 1
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
