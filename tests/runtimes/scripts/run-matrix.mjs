#!/usr/bin/env node
/**
 * The runtime matrix: packs the public packages, installs the tarballs into a throwaway project
 * outside the workspace, lints them, does a release dry run, and runs the one smoke suite
 * (smoke/suite.mjs) under Node 20/22/24 (import and require), Deno, Bun and Chromium.
 *
 * It builds nothing: `turbo run test:runtimes` builds the packages first (`dependsOn: ["^build"]`).
 *
 * Environment:
 * - `CI=true`: every runtime must run; `SSEKIT_RUNTIMES` is ignored.
 * - `SSEKIT_RUNTIMES=node20,deno,…`: outside CI, run only these runtimes (ids in lib/runtimes.mjs).
 * - `SSEKIT_RUNTIMES_CACHE`: where Node 22/24, Deno and Bun are installed (default
 *   tests/runtimes/node_modules/.cache/ssekit-runtimes).
 * - `SSEKIT_REPORT_DIR`: also write `runtimes.json` there, `{ numPassedTests, numFailedTests }`.
 * - `SSEKIT_KEEP_TMP=1`: keep the throwaway project and tarballs, and print where they are.
 *
 * Ends with one line `N passed, M failed`; exits 1 when anything failed.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundleBrowserEntry, PAGE_HTML, runInChromium } from './lib/browser.mjs'
import { releaseDryRun } from './lib/release.mjs'
import { ensureRuntime, RUNTIMES, run } from './lib/runtimes.mjs'
import { startSSEServer } from './lib/sse-server.mjs'
import { checkReadme, renderTable, writeSupportFile } from './lib/support-table.mjs'
import {
  checkManifests,
  findPnpm,
  installIntoThrowawayProject,
  lintTarballs,
  packPackages,
} from './lib/tarballs.mjs'

const HERE = fileURLToPath(new URL('.', import.meta.url))
const PACKAGE_DIR = resolve(HERE, '..')
const REPO_ROOT = resolve(PACKAGE_DIR, '../..')
const SMOKE_DIR = join(PACKAGE_DIR, 'smoke')
const CI = process.env.CI === 'true' || process.env.CI === '1'
const CACHE_DIR =
  process.env.SSEKIT_RUNTIMES_CACHE ?? join(PACKAGE_DIR, 'node_modules/.cache/ssekit-runtimes')
const RUN_TIMEOUT = 90_000

const started = Date.now()
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`
const at = () => `[${seconds(Date.now() - started)}]`

/** Checks of the runner itself (packing, installing, linting, release, README): `{ section, name, ok, error? }`. */
const checks = []
/** One entry per runtime × mode: `{ runtime, mode, version, passed, failed, results, ms }`. */
const runs = []

function record(section, list) {
  for (const item of list) {
    checks.push({ section, ...item })
    console.log(
      `  ${item.ok ? '✓' : '✗'} ${item.name}${item.ok ? '' : `\n      ${String(item.error).split('\n').join('\n      ')}`}`,
    )
  }
}

async function step(section, name, fn) {
  try {
    const value = await fn()
    return value
  } catch (error) {
    record(section, [
      { name, ok: false, error: error instanceof Error ? error.message : String(error) },
    ])
    return undefined
  }
}

function selectedRuntimes() {
  const wanted = process.env.SSEKIT_RUNTIMES?.split(',')
    .map((id) => id.trim())
    .filter(Boolean)
  if (!wanted || wanted.length === 0) return RUNTIMES
  if (CI) {
    console.log(
      `CI=true: ignoring SSEKIT_RUNTIMES=${process.env.SSEKIT_RUNTIMES}; every runtime runs.`,
    )
    return RUNTIMES
  }
  const unknown = wanted.filter((id) => !RUNTIMES.some((runtime) => runtime.id === id))
  if (unknown.length > 0)
    throw new Error(`unknown runtime ids in SSEKIT_RUNTIMES: ${unknown.join(', ')}`)
  console.log(
    `SSEKIT_RUNTIMES=${wanted.join(',')}: running only these (a partial run; never used by CI).`,
  )
  return RUNTIMES.filter((runtime) => wanted.includes(runtime.id))
}

const runtimes = selectedRuntimes()
const work = await mkdtemp(join(tmpdir(), 'ssekit-tarballs-'))
let projectDir
let server

try {
  // Runtimes download while the packages are packed and linted.
  const binaries = new Map(
    runtimes.map((runtime) => [
      runtime.id,
      ensureRuntime(runtime, CACHE_DIR).then(
        (value) => ({ ok: true, ...value }),
        (error) => ({ ok: false, error: error.message }),
      ),
    ]),
  )

  console.log(`\n── packing the public packages (pnpm pack) ── ${at()}`)
  const packed = await step('packing', 'pnpm pack succeeds for every public package', async () => {
    console.log(`  pnpm: ${await findPnpm()}`)
    const list = await packPackages(REPO_ROOT, work)
    for (const pkg of list) console.log(`  ${pkg.name}@${pkg.manifest.version} → ${pkg.file}`)
    return list
  })

  let lint
  if (packed) {
    record('packing', checkManifests(packed))

    console.log(`\n── installing the tarballs into a throwaway project (npm) ── ${at()}`)
    const installed = await step(
      'install',
      'npm installs the tarballs into a throwaway project',
      () => installIntoThrowawayProject(packed, REPO_ROOT),
    )
    if (installed) {
      projectDir = installed.dir
      console.log(`  project: ${projectDir}`)
      record('install', installed.checks)
      await cp(SMOKE_DIR, projectDir, { recursive: true })
    }

    // Linting and the release dry run run beside the runtimes; their results print after them.
    lint = lintTarballs(packed).catch((error) => [
      { name: 'publint and attw run', ok: false, error: error.message },
    ])
  }
  const release = releaseDryRun(REPO_ROOT).then(
    (result) => result.checks,
    (error) => [{ name: 'the release dry run completes', ok: false, error: error.message }],
  )

  if (projectDir) {
    const bundle = runtimes.some((runtime) => runtime.modes.includes('browser'))
      ? await step(
          'browser',
          'esbuild bundles the browser entry from the installed packages',
          async () => {
            const result = await bundleBrowserEntry(projectDir)
            const outside = result.inputs.filter(
              (input) => !input.startsWith('node_modules/@ssekit/'),
            )
            if (outside.length > 0)
              throw new Error(
                `the bundle read @ssekit files outside node_modules: ${outside.join(', ')}`,
              )
            record('browser', [
              {
                name: `the browser bundle is built from the tarballs' files (${result.inputs.length} files)`,
                ok: true,
              },
            ])
            return result
          },
        )
      : undefined
    server = await startSSEServer(
      bundle
        ? {
            '/': { type: 'text/html; charset=utf-8', body: PAGE_HTML },
            '/bundle.js': { type: 'text/javascript; charset=utf-8', body: bundle.code },
          }
        : {},
    )
    console.log(`\n── the smoke suite, per runtime (SSE server ${server.url}) ── ${at()}`)

    const jobs = []
    for (const runtime of runtimes) {
      for (const mode of runtime.modes) jobs.push({ runtime, mode })
    }
    const runJob = async ({ runtime, mode }) => {
      const binary = await binaries.get(runtime.id)
      const label = `${runtime.name} ${binary.version ?? runtime.version ?? ''} (${mode})`.replace(
        / {2}/g,
        ' ',
      )
      if (!binary.ok) {
        const entry = {
          runtime,
          mode,
          label,
          passed: 0,
          failed: 1,
          results: [
            {
              group: 'install',
              name: `${runtime.name} is installed`,
              ok: false,
              error: binary.error,
            },
          ],
          ms: 0,
        }
        runs.push(entry)
        console.log(
          `\n${label}\n  ✗ cannot install or find the runtime (CI=${CI}): ${binary.error}`,
        )
        return
      }
      const startedRun = Date.now()
      let outcome
      if (mode === 'browser') {
        outcome = await runInChromium(binary.binary, `${server.url}/`, RUN_TIMEOUT).then(
          ({ result, logs }) => ({ result, output: logs.join('\n') }),
          (error) => ({ error: error.message, output: '' }),
        )
      } else {
        const entry = mode === 'require' ? 'entry-require.cjs' : 'entry-import.mjs'
        const args = runtime.id === 'deno' ? ['run', '--allow-all', '--quiet', entry] : [entry]
        const env = {
          ...process.env,
          SSEKIT_SERVER_URL: server.url,
          SSEKIT_PROJECT_DIR: projectDir,
          NO_COLOR: '1',
          DENO_NO_UPDATE_CHECK: '1',
        }
        // Flags meant for the runner's Node must not reach other runtimes.
        delete env.NODE_OPTIONS
        const out = await run(binary.binary, args, { cwd: projectDir, env, timeout: RUN_TIMEOUT })
        const line = out.stdout.split('\n').find((text) => text.startsWith('SSEKIT_RESULT '))
        const output = out.stdout
          .split('\n')
          .filter((text) => !text.startsWith('SSEKIT_RESULT ') && text !== '')
          .join('\n')
        outcome = line
          ? { result: JSON.parse(line.slice('SSEKIT_RESULT '.length)), output }
          : {
              error: `${out.timedOut ? `timed out after ${RUN_TIMEOUT} ms` : `exited with ${out.code}`} without a result\n${out.stderr.slice(-3000)}`,
              output,
            }
      }
      const ms = Date.now() - startedRun
      const results = outcome.result?.results ?? []
      if (outcome.error)
        results.push({
          group: 'run',
          name: `the suite runs to the end on ${label}`,
          ok: false,
          error: outcome.error,
        })
      const passed = results.filter((result) => result.ok).length
      const entry = {
        runtime,
        mode,
        label,
        version: binary.version,
        host: binary.host,
        passed,
        failed: results.length - passed,
        results,
        ms,
      }
      runs.push(entry)
      const errors = outcome.error ? `\n  ✗ ${outcome.error.split('\n').join('\n    ')}` : ''
      console.log(
        `\n${label}\n${outcome.output}${errors}\n${label}: ${entry.passed} passed, ${entry.failed} failed in ${seconds(ms)}`,
      )
    }
    // Two at a time on a 2-core machine: the suites mostly wait on sockets and timers.
    const queue = [...jobs]
    await Promise.all(
      [0, 1].map(async () => {
        for (let job = queue.shift(); job; job = queue.shift()) await runJob(job)
      }),
    )
  }

  if (lint) {
    console.log(`\n── publint and attw on every tarball ── ${at()}`)
    record('lint', await lint)
  }
  console.log(`\n── release dry run (changeset version, then pnpm pack) ── ${at()}`)
  record('release', await release)
} finally {
  await server?.close()
  if (process.env.SSEKIT_KEEP_TMP === '1') console.log(`\nkept: ${work} ${projectDir ?? ''}`)
  else {
    await rm(work, { recursive: true, force: true })
    if (projectDir) await rm(projectDir, { recursive: true, force: true })
  }
}

// ---- support table, README check, summary -------------------------------------------------
// Runs finish in any order; report them in the matrix's.
const order = (entry) =>
  RUNTIMES.indexOf(entry.runtime) * 10 + entry.runtime.modes.indexOf(entry.mode)
runs.sort((a, b) => order(a) - order(b))
const rows = runtimes.map((runtime) => {
  const mine = runs.filter((entry) => entry.runtime.id === runtime.id)
  const version = mine.find((entry) => entry.version)?.version
  const host = mine.some((entry) => entry.host)
  const versionLabel =
    runtime.id === 'chromium'
      ? "Debian's `chromium`"
      : host
        ? `${runtime.major}.x (the machine's)`
        : (runtime.version ?? version ?? '?')
  return {
    runtime,
    kind: {
      node20: 'node',
      node22: 'node',
      node24: 'node',
      deno: 'deno',
      bun: 'bun',
      chromium: 'browser',
    }[runtime.id],
    modes: runtime.modes,
    versionLabel,
    results: mine.flatMap((entry) => entry.results),
  }
})
const table = renderTable(rows)
const fullRun = runtimes.length === RUNTIMES.length
if (fullRun && projectDir) {
  const versions = runs
    .filter(
      (entry, index, all) =>
        all.findIndex((other) => other.runtime.id === entry.runtime.id) === index,
    )
    .map((entry) => `${entry.runtime.name} ${entry.version ?? '(not installed)'}`)
    .join(', ')
  const totals = runs
    .map((entry) => `${entry.label}: ${entry.passed} passed, ${entry.failed} failed`)
    .join('\n- ')
  await writeSupportFile(
    join(PACKAGE_DIR, 'SUPPORT.md'),
    table,
    `Exact versions of the last run: ${versions}.\n\n- ${totals}`,
  )
  const readme = await checkReadme(join(REPO_ROOT, 'README.md'), table)
  console.log('\n── support table ──')
  if (readme) record('readme', [readme])
  else console.log('  (no README.md at the repository root yet: nothing to check)')
} else {
  console.log('\n(partial run: SUPPORT.md and the README table were left alone)')
}
console.log(`\n${table}\n`)

const suitePassed = runs.reduce((sum, entry) => sum + entry.passed, 0)
const suiteFailed = runs.reduce((sum, entry) => sum + entry.failed, 0)
const checksPassed = checks.filter((check) => check.ok).length
const checksFailed = checks.length - checksPassed
const passed = suitePassed + checksPassed
const failed = suiteFailed + checksFailed

console.log('── summary ──')
for (const entry of runs) {
  console.log(
    `  ${entry.failed === 0 ? '✓' : '✗'} ${entry.label.padEnd(34)} ${String(entry.passed).padStart(3)} passed ${String(entry.failed).padStart(3)} failed  ${seconds(entry.ms)}`,
  )
}
for (const section of [...new Set(checks.map((check) => check.section))]) {
  const mine = checks.filter((check) => check.section === section)
  const ok = mine.filter((check) => check.ok).length
  console.log(
    `  ${ok === mine.length ? '✓' : '✗'} ${`checks: ${section}`.padEnd(34)} ${String(ok).padStart(3)} passed ${String(mine.length - ok).padStart(3)} failed`,
  )
}
for (const check of checks.filter((item) => !item.ok))
  console.log(`  ✗ ${check.section}: ${check.name}`)
for (const entry of runs) {
  for (const result of entry.results.filter((item) => !item.ok))
    console.log(`  ✗ ${entry.label}: ${result.name}`)
}
console.log(`  matrix time: ${seconds(Date.now() - started)}`)

if (process.env.SSEKIT_REPORT_DIR) {
  await mkdir(process.env.SSEKIT_REPORT_DIR, { recursive: true })
  await writeFile(
    join(process.env.SSEKIT_REPORT_DIR, 'runtimes.json'),
    `${JSON.stringify({ numPassedTests: passed, numFailedTests: failed })}\n`,
  )
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
