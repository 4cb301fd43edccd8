import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

// The closing line of CI (scripts/sum-test-reports.mjs) must never read green when something
// did not run or went wrong.

const SCRIPT = fileURLToPath(new URL('../../../scripts/sum-test-reports.mjs', import.meta.url))

/** Runs the script on reports written to a fresh folder; returns its last line and exit code. */
function sum(reports: Record<string, object>, ...args: string[]): { line: string; code: number } {
  const dir = mkdtempSync(join(tmpdir(), 'ssekit-reports-'))
  for (const [name, report] of Object.entries(reports)) {
    writeFileSync(join(dir, `${encodeURIComponent(name)}.json`), JSON.stringify(report))
  }
  try {
    const out = execFileSync(process.execPath, [SCRIPT, dir, ...args], { encoding: 'utf8' })
    return { line: out.trim().split('\n').at(-1) ?? '', code: 0 }
  } catch (error) {
    const failure = error as { stdout: string; status: number }
    return { line: failure.stdout.trim().split('\n').at(-1) ?? '', code: failure.status }
  }
}

const green = { numPassedTests: 3, numFailedTests: 0, numPendingTests: 0, testResults: [] }

test('passing reports sum to a green line and exit 0', () => {
  expect(sum({ a: green, 'b:e2e': green }, '--expect', 'a,b:e2e')).toEqual({
    line: '6 passed, 0 failed',
    code: 0,
  })
})

test('an empty folder is a failure', () => {
  expect(sum({})).toEqual({ line: '0 passed, 1 failed', code: 1 })
})

test('a missing expected report, a failed step and a skipped test under --no-skips each count', () => {
  expect(sum({ a: green }, '--expect', 'a,b')).toEqual({ line: '3 passed, 1 failed', code: 1 })
  expect(sum({ a: green }, '--failed-steps', '2')).toEqual({ line: '3 passed, 2 failed', code: 1 })
  const skipping = { ...green, numPendingTests: 4 }
  expect(sum({ a: skipping })).toEqual({ line: '3 passed, 0 failed', code: 0 })
  expect(sum({ a: skipping }, '--no-skips')).toEqual({ line: '3 passed, 4 failed', code: 1 })
})

test('a test file that broke before its tests ran counts as one failure', () => {
  const broken = {
    ...green,
    testResults: [{ status: 'failed', assertionResults: [] }],
  }
  expect(sum({ a: broken })).toEqual({ line: '3 passed, 1 failed', code: 1 })
})
