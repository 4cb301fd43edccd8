import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
// The runtime matrix's installer: exact Bun and Deno versions from npm, cached (tests/runtimes).
import { ensureRuntime, RUNTIMES } from '../../runtimes/scripts/lib/runtimes.mjs'
import { describeRemoteFramework } from './remote-suite.ts'
import { startProcess } from './start-process.ts'

const HERE = fileURLToPath(new URL('..', import.meta.url))
const CACHE =
  process.env.SSEKIT_RUNTIMES_CACHE ??
  fileURLToPath(new URL('../node_modules/.cache/ssekit-runtimes', import.meta.url))

for (const id of ['bun', 'deno'] as const) {
  const runtime = RUNTIMES.find((entry) => entry.id === id)
  if (runtime === undefined) throw new Error(`tests/runtimes has no runtime ${id}`)
  let binary: Promise<string> | undefined
  describeRemoteFramework(`Hono 4 on ${id === 'bun' ? 'Bun' : 'Deno'}`, async (port, heartbeat) => {
    binary ??= ensureRuntime(runtime, CACHE).then((found) => found.binary)
    const args = id === 'bun' ? ['remote/hono-server.ts'] : ['run', '-A', 'remote/hono-server.ts']
    const child = spawn(await binary, args, {
      cwd: HERE,
      env: { ...process.env, PORT: String(port), HEARTBEAT: String(heartbeat) },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    return startProcess(child)
  })
}
