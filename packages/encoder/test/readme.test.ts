import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import type { IncomingMessage, Server } from 'node:http'
import { get } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  countFencedBlocks,
  findExampleCopies,
  listExampleFiles,
} from '@ssekit/test-support/readme-examples'
import { describe, expect, onTestFinished, test, vi } from 'vitest'
import { decodeStream } from './wire.ts'

const root = new URL('../', import.meta.url)
const readme = readFileSync(new URL('README.md', root), 'utf8')
const exampleFiles = listExampleFiles(root)
const copies = findExampleCopies(readme)

describe('the README', () => {
  test('shows every example file', () => {
    // The framework recipes are shown too; tests/frameworks runs them and checks their copies.
    const own = copies.filter((copy) => copy.path.startsWith('examples/'))
    const shown = [...new Set(own.map((copy) => copy.path))].sort()
    expect(shown).toEqual(exampleFiles.map((name) => `examples/${name}`).sort())
  })

  test.each(exampleFiles)('its copy of examples/%s is identical to the file', (name) => {
    const file = readFileSync(new URL(`examples/${name}`, root), 'utf8')
    for (const copy of copies.filter(({ path }) => path === `examples/${name}`)) {
      expect(copy.code).toBe(file)
    }
  })

  test('every ts code block is an example file, so none can drift', () => {
    const tsCopies = copies.filter((copy) => copy.lang === 'ts')
    expect(countFencedBlocks(readme, 'ts')).toBe(tsCopies.length)
  })
})

describe('the examples run', () => {
  test('examples/encode.ts prints what its comments say', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    onTestFinished(() => log.mockRestore())
    await import('../examples/encode.ts')
    expect(log.mock.calls).toEqual([
      ['id: 42\nevent: update\ndata: {"ok":true}\n\n'],
      ['data: line one\ndata: line two\n\n'],
      ['retry: 5000\n\n'],
      [': keep-alive\n'],
      [14],
      ['INVALID_ID', 'id'],
    ])
  })

  test('examples/encoder-stream.ts prints what its comment says', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    onTestFinished(() => log.mockRestore())
    await import('../examples/encoder-stream.ts')
    expect(log.mock.calls).toEqual([
      ['event: price\ndata: 101.5\n\nevent: price\ndata: 101.75\n\nevent: price\ndata: 101.6\n\n'],
    ])
  })

  test('examples/fetch-response.ts streams ticks after the last event id', async () => {
    const { default: handler } = await import('../examples/fetch-response.ts')
    const abort = new AbortController()
    const response = handler.fetch(
      new Request('http://localhost/ticks', {
        headers: { 'last-event-id': '41' },
        signal: abort.signal,
      }),
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    const reader = response.body?.getReader() as ReadableStreamDefaultReader<Uint8Array>
    let wire = ''
    while (decodeStream(wire).events.length === 0) {
      const { done, value } = await reader.read()
      if (done) break
      wire += new TextDecoder().decode(value)
    }
    const decoded = decodeStream(wire)
    expect(decoded.retries).toEqual([3000])
    expect(decoded.events[0]).toEqual({ id: '42', event: 'tick', data: '{"n":42}' })
    abort.abort()
    expect((await reader.read()).done).toBe(true)
  })

  test('examples/node-server.ts serves ticks on /events and 404 elsewhere', async () => {
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

    const missing = get(`${base}/`)
    const [notFound] = (await once(missing, 'response')) as [IncomingMessage]
    expect(notFound.statusCode).toBe(404)
    notFound.resume()

    const req = get(`${base}/events`, { headers: { 'last-event-id': '7' } })
    onTestFinished(() => {
      req.destroy()
    })
    const [res] = (await once(req, 'response')) as [IncomingMessage]
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8')
    res.setEncoding('utf8')
    let wire = ''
    for await (const chunk of res) {
      wire += chunk
      if (wire.includes('data: {"n":8}\n\n')) break
    }
    expect(decodeStream(wire).events).toEqual([{ id: '8', event: 'tick', data: '{"n":8}' }])
    expect(decodeStream(wire).retries).toEqual([3000])
  })

  test('examples/graceful-shutdown.ts ends the open streams with the retry hint and the last event, and stops the server', async () => {
    vi.stubEnv('PORT', '0')
    onTestFinished(() => {
      vi.unstubAllEnvs()
    })
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    onTestFinished(() => log.mockRestore())
    const example = (await import('../examples/graceful-shutdown.ts')) as {
      server: Server
      shutdown: () => Promise<void>
      onSigterm: () => void
    }
    // The test calls shutdown() itself: the example's SIGTERM handler would exit the process.
    process.off('SIGTERM', example.onSigterm)
    const { server } = example
    if (!server.listening) await once(server, 'listening')
    const req = get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {
      headers: { 'last-event-id': '41' },
    })
    const [res] = (await once(req, 'response')) as [IncomingMessage]
    res.setEncoding('utf8')
    let wire = ''
    res.on('data', (chunk: string) => {
      wire += chunk
    })
    while (!wire.includes('\n\n')) await once(res, 'data')
    const ended = once(res, 'end')
    await example.shutdown()
    await ended
    expect(decodeStream(wire).events).toEqual([
      { id: '42', event: 'tick', data: '{"n":42}' },
      { event: 'shutdown', data: 'restarting' },
    ])
    expect(decodeStream(wire).retries).toEqual([5000])
    expect(server.listening).toBe(false)
    expect(log.mock.calls).toEqual([['1 streams closed, 0 destroyed']])
  })
})
