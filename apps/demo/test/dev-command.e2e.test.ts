import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { connect } from '@ssekit/client'
import type { ServerSentEvent } from '@ssekit/shared'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

// What `pnpm dev` runs after compiling the server (see package.json): the built server on the
// built packages, in its own process, exactly as a newcomer starts it.
const APP = fileURLToPath(new URL('..', import.meta.url))

describe('the dev command (node dist/server/main.js)', () => {
  let child: ChildProcess | undefined
  let url = ''
  let output = ''

  beforeAll(async () => {
    child = spawn(process.execPath, ['dist/server/main.js'], {
      cwd: APP,
      env: { ...process.env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const started = child
    const printed = new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString()
        const match = /running at (http:\/\/\S+)/.exec(output)
        if (match?.[1] !== undefined) resolve(match[1])
      }
      started.stdout?.on('data', onData)
      started.stderr?.on('data', onData)
      started.once('exit', (code) => reject(new Error(`It exited (${code}) early:\n${output}`)))
    })
    url = await Promise.race([
      printed,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`No URL within 20 s:\n${output}`)), 20_000).unref(),
      ),
    ])
  })

  afterAll(async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await once(child, 'exit')
    }
  })

  test('prints the URL and serves the page with the workspace packages by name', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    const html = await (await fetch(url)).text()
    expect(html).toContain('<script type="module" src="./main.ts"></script>')
    const script = await (await fetch(new URL('main.ts', url))).text()
    // Vite resolved `@ssekit/client` to the package's sources, not to a copy.
    expect(script).toContain('/packages/client/src/index.ts')
  })

  test('streams the live topic from the hub', async () => {
    const events: ServerSentEvent[] = []
    const connection = connect(new URL('api/live', url), { retry: { maxAttempts: 0 } })
    for await (const event of connection) {
      events.push(event)
      if (events.length === 3) break
    }
    const seqs = events.map((event) => (JSON.parse(event.data) as { seq: number }).seq)
    expect(seqs).toEqual([seqs[0], (seqs[0] ?? 0) + 1, (seqs[0] ?? 0) + 2])
    expect(events.every((event) => event.id !== undefined && event.id !== '')).toBe(true)
  })

  test('stops cleanly on SIGINT, like Ctrl+C', async () => {
    const started = child
    if (started === undefined) throw new Error('The server did not start.')
    const exited = once(started, 'exit')
    started.kill('SIGINT')
    const [code] = (await exited) as [number | null]
    expect(code).toBe(0)
  })
})
