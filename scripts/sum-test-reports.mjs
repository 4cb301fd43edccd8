// Sums every test report in a folder into the one closing line CI reads: `N passed, N failed`.
// Reports are Vitest JSON reporter files, or `{ numPassedTests, numFailedTests }` written by the
// runtime matrix. Nothing that went wrong may leave that line green, so these count as failures
// too, one each:
// - an empty folder (a run that executed nothing);
// - an expected report that is missing (`--expect a,b,…`: a suite that crashed or never started,
//   a build it depended on that failed);
// - a test that was skipped (`--no-skips`: in CI every suite must run);
// - a failed CI step (`--failed-steps N`: lint, typecheck, … which write no report).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    expect: { type: 'string', default: '' },
    'no-skips': { type: 'boolean', default: false },
    'failed-steps': { type: 'string', default: '0' },
  },
})
const dir = positionals[0]
if (!dir) {
  console.error(
    'usage: node scripts/sum-test-reports.mjs <report-dir> [--expect a,b] [--no-skips] [--failed-steps N]',
  )
  process.exit(2)
}
let passed = 0
let failed = 0
const rows = []
const seen = new Set()
for (const file of readdirSync(dir)
  .filter((name) => name.endsWith('.json'))
  .sort()) {
  const name = decodeURIComponent(file.replace(/\.json$/, ''))
  seen.add(name)
  const report = JSON.parse(readFileSync(join(dir, file), 'utf8'))
  const ok = Number(report.numPassedTests ?? 0)
  // A test file that failed before running its tests (an import error, say) has no failed test
  // to count, so it counts as one failure itself.
  const brokenFiles = (report.testResults ?? []).filter(
    (result) =>
      result.status === 'failed' &&
      !(result.assertionResults ?? []).some((assertion) => assertion.status === 'failed'),
  ).length
  const skipped = Number(report.numPendingTests ?? 0) + Number(report.numTodoTests ?? 0)
  const bad = Number(report.numFailedTests ?? 0) + brokenFiles + (values['no-skips'] ? skipped : 0)
  passed += ok
  failed += bad
  const note = skipped > 0 ? `, ${skipped} skipped` : ''
  rows.push(`  ${name.padEnd(36)} ${ok} passed, ${bad} failed${note}`)
}
for (const name of values.expect.split(',').filter(Boolean)) {
  if (seen.has(name)) continue
  failed++
  rows.push(`  ${name.padEnd(36)} missing: the suite wrote no report`)
}
const failedSteps = Number(values['failed-steps'])
if (failedSteps > 0) {
  failed += failedSteps
  rows.push(`  ${'CI steps'.padEnd(36)} ${failedSteps} failed`)
}
console.log(rows.join('\n'))
if (passed + failed === 0) failed = 1
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
