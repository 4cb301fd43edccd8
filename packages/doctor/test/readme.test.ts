import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { listenForTest } from '@ssekit/test-support/loopback-server'
import {
  countFencedBlocks,
  findExampleCopies,
  listExampleFiles,
} from '@ssekit/test-support/readme-examples'
import { describe, expect, onTestFinished, test, vi } from 'vitest'
import { FIXES } from '../src/fixes.ts'
import { runCli } from '../src/node/cli-main.ts'
import { createDoctorNodeHandler } from '../src/node/doctor-node-handler.ts'

const root = new URL('../', import.meta.url)
const readme = readFileSync(new URL('README.md', root), 'utf8')
const exampleFiles = listExampleFiles(root)
const copies = findExampleCopies(readme)
const SHORT = {
  primerDelay: 0,
  cadence: 20,
  cadenceEvents: 2,
  steadyEvents: 4,
  silences: [],
  idleProbe: 0,
  retry: 30,
}

describe('the README', () => {
  test('shows every example file', () => {
    const shown = [...new Set(copies.map((copy) => copy.path))].sort()
    expect(shown).toEqual(exampleFiles.map((name) => `examples/${name}`).sort())
  })

  test.each(exampleFiles)('its copy of examples/%s is identical to the file', (name) => {
    const file = readFileSync(new URL(`examples/${name}`, root), 'utf8')
    for (const copy of copies.filter(({ path }) => path === `examples/${name}`)) {
      expect(copy.code).toBe(file)
    }
  })

  test('every ts code block is an example file, so none can drift', () => {
    expect(countFencedBlocks(readme, 'ts')).toBe(copies.filter((copy) => copy.lang === 'ts').length)
  })

  test('its usage block is what ssekit-doctor --help prints', async () => {
    let help = ''
    await runCli(['--help'], {
      stdout: { write: (text: string) => (help += text) },
      stderr: { write: () => true },
    })
    const block = /<!-- usage -->\n```text\n([\s\S]*?)```/.exec(readme)?.[1]
    expect(block).toBe(help)
  })

  test('its deployment section cites every source the fixes cite', () => {
    const sources = new Set(Object.values(FIXES).flatMap((fixes) => fixes.map((fix) => fix.source)))
    for (const source of sources) expect(readme, source).toContain(source)
  })
})

describe('the examples run', () => {
  test('examples/node-server.ts serves the doctor under /ssekit-doctor and the app elsewhere', async () => {
    vi.stubEnv('PORT', '0')
    onTestFinished(() => {
      vi.unstubAllEnvs()
    })
    const { server } = (await import('../examples/node-server.ts')) as { server: Server }
    onTestFinished(async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    })
    if (!server.listening) await once(server, 'listening')
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    expect(await (await fetch(`${base}/`)).text()).toBe('the app\n')
    const page = await fetch(`${base}/ssekit-doctor`)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const stream = await fetch(`${base}/ssekit-doctor/stream?idle=0`)
    expect(stream.headers.has('x-accel-buffering')).toBe(false)
    await stream.body?.cancel()
  })

  test('examples/fetch-server.ts answers the doctor routes and the app', async () => {
    const { default: app } = await import('../examples/fetch-server.ts')
    expect(await (await app.fetch(new Request('http://app.test/'))).text()).toBe('the app\n')
    const stream = await app.fetch(new Request('http://app.test/ssekit-doctor/stream'))
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    await stream.body?.cancel()
  })

  test('examples/check-in-ci.ts prints the report and leaves the exit code alone when all is well', async () => {
    const doctor = createDoctorNodeHandler({ plan: SHORT })
    const server = await listenForTest((req, res) => void doctor(req, res))
    vi.stubEnv('DOCTOR_URL', server.url('/ssekit-doctor'))
    vi.stubEnv('IDLE_PROBE_MS', '0')
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    onTestFinished(() => {
      log.mockRestore()
      vi.unstubAllEnvs()
      process.exitCode = undefined
    })
    await import('../examples/check-in-ci.ts')
    expect(String(log.mock.calls[0]?.[0])).toContain('OK: no problem found')
    expect(process.exitCode).toBeUndefined()
  })
})
