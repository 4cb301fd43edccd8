/**
 * A private `redis-server` (Debian's, which CI installs: .ci/run) on a unix socket in a temp dir
 * and on 127.0.0.1, without persistence, for the hub's Redis suites and the frameworks' shutdown
 * test, whose hub history must outlive the server process that is stopped.
 *
 * @module
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { type AddressInfo, createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'

/** A free TCP port on 127.0.0.1 (for a server that must be reached by URL). */
export async function findFreePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Whether `redis-server` is on the PATH. */
export function findRedisServer(): string | undefined {
  try {
    return (
      execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() ||
      undefined
    )
  } catch {
    return undefined
  }
}

/** A private redis-server on a unix socket in a temp dir, without persistence. */
export interface RedisServer {
  readonly socket: string
  readonly process: ChildProcess
  /** Sends a signal (SIGSTOP, SIGCONT…) to the server. */
  signal(signal: NodeJS.Signals): void
  /** Kills the server and starts a fresh one (empty: no persistence) on the same socket. */
  restart(): Promise<void>
  /** Stops the server (idempotent) and removes the temp dir. */
  stop(): Promise<void>
}

/** Waits until the socket answers PING, within `timeout` ms; fails at once if `child` cannot start. */
async function waitForPing(socket: string, timeout: number, child: ChildProcess): Promise<void> {
  let failed: Error | undefined
  child.once('error', (error) => {
    failed = new Error(
      `cannot start redis-server (apt-get install redis-server; CI installs it): ${error.message}`,
    )
  })
  const deadline = Date.now() + timeout
  for (let attempt = 0; attempt < 500; attempt++) {
    if (failed !== undefined) throw failed
    const ok = await new Promise<boolean>((resolve) => {
      const connection = createConnection(socket)
      connection.setTimeout(500, () => {
        connection.destroy()
        resolve(false)
      })
      connection.once('error', () => resolve(false))
      connection.once('connect', () => connection.write('PING\r\n'))
      connection.once('data', (data) => {
        connection.destroy()
        resolve(data.toString().startsWith('+PONG'))
      })
    })
    if (ok) return
    if (Date.now() > deadline) break
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`redis-server did not answer on ${socket} within ${timeout} ms`)
}

// Killed when the test process exits, even after a failure that skipped the teardown.
const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

function spawnServer(socket: string, port: number): ChildProcess {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--unixsocket',
      socket,
      '--unixsocketperm',
      '700',
      '--save',
      '',
      '--appendonly',
      'no',
      '--loglevel',
      'warning',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  )
  running.add(child)
  child.once('exit', () => running.delete(child))
  return child
}

async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  // A stopped server ignores SIGTERM until continued; SIGKILL always works.
  child.kill('SIGKILL')
  await exited
}

/**
 * Starts a private redis-server. Register `stop()` in teardown.
 *
 * @returns the server handle
 */
export async function startRedisServer(options: { port?: number } = {}): Promise<RedisServer> {
  const port = options.port ?? 0
  const dir = mkdtempSync(join(tmpdir(), 'ssekit-redis-'))
  const socket = join(dir, 'redis.sock')
  let child = spawnServer(socket, port)
  let stopped = false
  await waitForPing(socket, 10_000, child)
  return {
    socket,
    get process() {
      return child
    },
    signal(signal) {
      child.kill(signal)
    },
    async restart() {
      await killAndWait(child)
      rmSync(socket, { force: true })
      child = spawnServer(socket, port)
      await waitForPing(socket, 10_000, child)
    },
    async stop() {
      if (stopped) return
      stopped = true
      await killAndWait(child)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * Starts a private redis-server for the current test, stopped when it finishes.
 *
 * @returns its URL, `redis://127.0.0.1:<port>`
 */
export async function startRedisForTest(): Promise<string> {
  const port = await findFreePort()
  const server = await startRedisServer({ port })
  onTestFinished(() => server.stop())
  return `redis://127.0.0.1:${port}`
}
