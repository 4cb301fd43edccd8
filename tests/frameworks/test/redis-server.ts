/**
 * A private `redis-server` on 127.0.0.1 (no persistence) for the out-of-process shutdown test:
 * the hub's history lives there, so it outlives the server process that is stopped. Debian's
 * redis-server, which CI installs (.ci/run).
 *
 * @module
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createConnection, createServer } from 'node:net'
import { onTestFinished } from 'vitest'

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (address === null || typeof address === 'string') throw new Error('no TCP port')
  return address.port
}

function answersPing(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const connection = createConnection(port, '127.0.0.1')
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
}

/**
 * Starts redis-server for the current test (stopped when it finishes).
 *
 * @returns its URL, `redis://127.0.0.1:<port>`
 */
export async function startRedisForTest(): Promise<string> {
  const port = await freePort()
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  )
  let failed: Error | undefined
  child.once('error', (error) => {
    failed = new Error(
      `cannot start redis-server (apt-get install redis-server; CI installs it): ${error.message}`,
    )
  })
  onTestFinished(async () => {
    if (child.exitCode !== null) return
    child.kill('SIGKILL')
    await once(child, 'exit')
  })
  for (let attempt = 0; attempt < 250; attempt++) {
    if (failed !== undefined) throw failed
    if (await answersPing(port)) return `redis://127.0.0.1:${port}`
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`redis-server did not answer on port ${port}`)
}
