import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { beforeAll } from 'vitest'
// The runtime matrix's installer: exact Bun and Deno versions from npm, cached (tests/runtimes).
import { ensureRuntime, RUNTIMES } from '../../runtimes/scripts/lib/runtimes.mjs'
import { describeRemoteFramework } from './remote-suite.ts'
import { startProcess } from './start-process.ts'

const HERE = fileURLToPath(new URL('..', import.meta.url))
// The matrix's own cache, so that a run installs each runtime once for both workspaces.
const CACHE =
  process.env.SSEKIT_RUNTIMES_CACHE ??
  fileURLToPath(new URL('../../runtimes/node_modules/.cache/ssekit-runtimes', import.meta.url))

for (const id of ['bun', 'deno'] as const) {
  const runtime = RUNTIMES.find((entry) => entry.id === id)
  if (runtime === undefined) throw new Error(`tests/runtimes has no runtime ${id}`)
  let binary = ''
  describeRemoteFramework(
    `Hono 4 on ${id === 'bun' ? 'Bun' : 'Deno'}`,
    async (port, heartbeat, env) => {
      const args = id === 'bun' ? ['remote/hono-server.ts'] : ['run', '-A', 'remote/hono-server.ts']
      const child = spawn(binary, args, {
        cwd: HERE,
        env: { ...process.env, ...env, PORT: String(port), HEARTBEAT: String(heartbeat) },
        stdio: ['ignore', 'pipe', 'inherit'],
      })
      return startProcess(child)
    },
  )
  // A first run downloads the runtime (npm install, a minute at most).
  beforeAll(async () => {
    binary = (await ensureRuntime(runtime, CACHE)).binary
  }, 300_000)
}
