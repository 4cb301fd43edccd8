import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { beforeAll } from 'vitest'
import { describeRemoteFramework, type RemoteApp } from './remote-suite.ts'
import { startProcess } from './start-process.ts'

const WORKSPACE = fileURLToPath(new URL('..', import.meta.url))
const NEXT = fileURLToPath(new URL('../node_modules/next/dist/bin/next', import.meta.url))
const BUILT = fileURLToPath(new URL('../next-app/.next/BUILD_ID', import.meta.url))
// No telemetry, and SIGTERM left to the app (next-app/shutdown.ts).
const ENV = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NEXT_MANUAL_SIG_HANDLE: '1' }

/** A free port on 127.0.0.1: `next start` prints no port it picked itself. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (address === null || typeof address === 'string') throw new Error('no TCP port')
  return address.port
}

beforeAll(async () => {
  // turbo runs `next build` first (the build:next task, cached); a direct vitest run builds here.
  if (existsSync(BUILT)) return
  const child = spawn(process.execPath, [NEXT, 'build', 'next-app'], {
    cwd: WORKSPACE,
    env: ENV,
    stdio: 'inherit',
  })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  if (code !== 0) throw new Error(`next build failed (${code})`)
}, 240_000)

describeRemoteFramework(
  'Next.js 16 App Router route handlers (next build, next start)',
  async (requested, heartbeat, env): Promise<RemoteApp> => {
    const port = requested === 0 ? await freePort() : requested
    const child = spawn(
      process.execPath,
      [NEXT, 'start', 'next-app', '--port', String(port), '--hostname', '127.0.0.1'],
      {
        cwd: WORKSPACE,
        env: { ...ENV, ...env, HEARTBEAT: String(heartbeat) },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    const app = await startProcess(child, /Ready in/)
    return { ...app, origin: `http://127.0.0.1:${port}` }
  },
)
