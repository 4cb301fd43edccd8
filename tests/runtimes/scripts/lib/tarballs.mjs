/**
 * Packing the public packages the way `changeset publish` will (`pnpm pack`, which rewrites
 * `workspace:` ranges and applies `publishConfig.exports`), checking what got packed, installing
 * the tarballs into a throwaway project, and linting them with publint and attw.
 *
 * @module
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, realpath, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { run } from './runtimes.mjs'

/** The public packages, in dependency order. */
export const PUBLIC_PACKAGES = ['shared', 'encoder', 'decoder', 'client', 'hub', 'doctor']

/** The package.json fields that name dependencies (where `workspace:` ranges may appear). */
export const DEPENDENCY_FIELDS = [
  'dependencies',
  'devDependencies',
  'peerDependencies',
  'optionalDependencies',
]

const PNPM_VERSION = '10.34.8'
let pnpmCli

/**
 * The pnpm CLI to pack with: the one running us when `pnpm test:runtimes` started the matrix,
 * otherwise pnpm ${PNPM_VERSION} located once through npx (each `npx pnpm` call costs seconds).
 *
 * @returns the path of pnpm.cjs
 */
export async function findPnpm() {
  if (pnpmCli) return pnpmCli
  const execpath = process.env.npm_execpath ?? ''
  if (
    /pnpm\.c?js$/.test(execpath) &&
    (process.env.npm_config_user_agent ?? '').startsWith(`pnpm/${PNPM_VERSION} `)
  ) {
    pnpmCli = execpath
    return pnpmCli
  }
  const out = await run('npx', ['-y', '-p', `pnpm@${PNPM_VERSION}`, 'which', 'pnpm'], {
    timeout: 120_000,
  })
  if (out.code !== 0) throw new Error(`cannot locate pnpm ${PNPM_VERSION} with npx:\n${out.stderr}`)
  pnpmCli = await realpath(out.stdout.trim())
  return pnpmCli
}

const BIN = fileURLToPath(new URL('../../node_modules/.bin/', import.meta.url))

/**
 * Packs each public package of `repoRoot` into `destDir`.
 *
 * @returns `[{ dir, name, file, manifest }]` in PUBLIC_PACKAGES order
 */
export async function packPackages(repoRoot, destDir) {
  const pnpm = await findPnpm()
  const packOne = async (dir) => {
    const cwd = join(repoRoot, 'packages', dir)
    const out = await run(
      process.execPath,
      [pnpm, 'pack', '--pack-destination', destDir, '--json'],
      { cwd, timeout: 120_000 },
    )
    if (out.code !== 0)
      throw new Error(`pnpm pack failed in packages/${dir}:\n${out.stderr}${out.stdout}`)
    const { name, filename } = JSON.parse(out.stdout.slice(out.stdout.indexOf('{')))
    const manifest = JSON.parse(readTarEntry(filename, 'package/package.json'))
    return { dir, name, file: filename, manifest }
  }
  return Promise.all(PUBLIC_PACKAGES.map(packOne))
}

/** Reads one file out of a .tgz. */
export function readTarEntry(file, entry) {
  return execFileSync('tar', ['-xzOf', file, entry], { encoding: 'utf8' })
}

/**
 * The checks on the packed manifests: what `pnpm pack` must have rewritten.
 *
 * @returns `[{ name, ok, error? }]`
 */
export function checkManifests(packed) {
  const checks = []
  const check = (name, fn) => {
    try {
      fn()
      checks.push({ name, ok: true })
    } catch (error) {
      checks.push({ name, ok: false, error: error.message })
    }
  }
  const versions = new Map(packed.map((pkg) => [pkg.name, pkg.manifest.version]))
  for (const { name, manifest } of packed) {
    check(`${name}: the packed package.json has no workspace: range left`, () => {
      for (const field of DEPENDENCY_FIELDS) {
        for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
          if (String(range).startsWith('workspace:')) throw new Error(`${field}.${dep} is ${range}`)
        }
      }
    })
    check(
      `${name}: the packed exports map has no @ssekit/source condition and starts with types`,
      () => {
        const text = JSON.stringify(manifest.exports)
        if (text.includes('@ssekit/source'))
          throw new Error(`exports still name @ssekit/source: ${text}`)
        for (const [subpath, target] of Object.entries(manifest.exports)) {
          if (typeof target === 'object' && Object.keys(target)[0] !== 'types') {
            throw new Error(`exports["${subpath}"] does not start with "types"`)
          }
        }
      },
    )
    check(`${name}: its @ssekit dependencies name the packed siblings' version`, () => {
      for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
        if (!dep.startsWith('@ssekit/')) throw new Error(`a third-party runtime dependency: ${dep}`)
        const sibling = versions.get(dep)
        if (range !== `^${sibling}` && range !== sibling)
          throw new Error(`${dep} is ${range}, the packed version is ${sibling}`)
      }
    })
  }
  return checks
}

/**
 * Creates a throwaway npm project outside the workspace and installs every tarball in one npm
 * command, so `@ssekit/shared` resolves to its tarball, never to the registry.
 *
 * @returns `{ dir, checks }`
 */
export async function installIntoThrowawayProject(packed, repoRoot) {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'ssekit-runtimes-')))
  if (!relative(repoRoot, dir).startsWith('..'))
    throw new Error(`${dir} is inside the workspace ${repoRoot}`)
  await writeFile(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'ssekit-runtimes-smoke', private: true, type: 'module' }, null, 2)}\n`,
  )
  const out = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', ...packed.map((pkg) => pkg.file)],
    {
      cwd: dir,
      timeout: 180_000,
    },
  )
  if (out.code !== 0)
    throw new Error(`npm install of the tarballs failed:\n${out.stderr}${out.stdout}`)
  const lock = JSON.parse(await readFile(join(dir, 'package-lock.json'), 'utf8'))
  const checks = []
  for (const { name } of packed) {
    const entries = Object.entries(lock.packages).filter(([path]) =>
      path.endsWith(`node_modules/${name}`),
    )
    const ok =
      entries.length === 1 &&
      entries[0][0] === `node_modules/${name}` &&
      String(entries[0][1].resolved).startsWith('file:')
    checks.push({
      name: `${name}: npm installed exactly one copy, from its tarball`,
      ok,
      ...(ok ? {} : { error: `package-lock entries: ${JSON.stringify(entries)}` }),
    })
  }
  return { dir, checks }
}

/**
 * publint (strict: warnings fail) and attw (profile esm-only) on every tarball.
 *
 * @returns `[{ name, ok, error? }]`
 */
export async function lintTarballs(packed) {
  const jobs = packed.flatMap(({ name, file }) => [
    {
      name: `${name}: publint --strict finds nothing`,
      command: join(BIN, 'publint'),
      args: ['run', file, '--strict'],
    },
    {
      name: `${name}: attw --profile esm-only finds no problem`,
      command: join(BIN, 'attw'),
      args: [file, '--profile', 'esm-only', '--no-emoji', '--format', 'table-flipped'],
    },
  ])
  // Two at a time: attw loads TypeScript, which is heavy on a 2-core machine.
  const results = []
  for (let i = 0; i < jobs.length; i += 2) {
    const batch = await Promise.all(
      jobs.slice(i, i + 2).map(async (job) => {
        const out = await run(job.command, job.args, { timeout: 120_000 })
        const text = `${out.stdout}${out.stderr}`.trim()
        // publint prints suggestions without failing; we leave none unexplained either.
        const ok =
          out.code === 0 && !/suggestion|warning/i.test(job.name.includes('publint') ? text : '')
        return { name: job.name, ok, output: text, ...(ok ? {} : { error: text }) }
      }),
    )
    results.push(...batch)
  }
  return results
}
