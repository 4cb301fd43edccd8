import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startLoopbackServer } from '@ssekit/test-support/loopback-server'
import { findExampleCopies, listExampleFiles } from '@ssekit/test-support/readme-examples'
import { findFreePort, type RedisServer, startRedisServer } from '@ssekit/test-support/redis-server'
import { afterAll, describe, expect, test, vi } from 'vitest'
import { REDIS_AVAILABLE } from './redis-available.ts'
import { openEvents, waitFor } from './servers.ts'

const root = join(import.meta.dirname, '..')
const readme = readFileSync(join(root, 'README.md'), 'utf8')

describe('README examples', () => {
  const files = listExampleFiles(new URL('../', import.meta.url))
  const copies = findExampleCopies(readme)

  test.each(files)('the README shows examples/%s exactly as the file is', (file) => {
    const shown = copies.filter(({ path, lang }) => path === `examples/${file}` && lang === 'ts')
    expect(
      shown.length,
      `README.md has no <!-- example: examples/${file} --> block`,
    ).toBeGreaterThan(0)
    for (const copy of shown)
      expect(copy.code).toBe(readFileSync(join(root, 'examples', file), 'utf8'))
  })

  test('examples/memory.ts resumes two topics with one id', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    try {
      await import('../examples/memory.ts')
      expect(log).toHaveBeenCalledWith([
        'stock changed {"sku":"A","left":3}',
        'orders created {"id":2}',
      ])
    } finally {
      log.mockRestore()
    }
  })

  test('examples/contract.ts publishes a valid event and refuses an invalid one', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    try {
      await import('../examples/contract.ts')
      expect(log.mock.calls).toEqual([
        [expect.stringMatching(/-1$/)],
        ['CONTRACT_VIOLATION', 'price', 'data'],
      ])
    } finally {
      log.mockRestore()
    }
  })

  test('examples/node-server.ts streams what /publish publishes and guards private topics', async () => {
    const { hub, server } = await import('../examples/node-server.ts')
    const { origin: url, close } = await startLoopbackServer(server)
    try {
      expect((await fetch(`${url}/events?topic=private:alice`)).status).toBe(401)
      const stream = await openEvents(`${url}/events?topic=news`)
      await waitFor(() => hub.stats().subscribers === 1, 'the subscription')
      const published = await fetch(`${url}/publish?topic=news`, { method: 'POST', body: 'hello' })
      const id = await published.text()
      expect(await stream.next()).toMatchObject({ id, data: 'hello' })
      stream.close()
      const resumed = await openEvents(
        `${url}/events?topic=news&lastEventId=${encodeURIComponent('x')}`,
      )
      expect((await resumed.next())?.event).toBe('ssekit-gap')
      resumed.close()
    } finally {
      await close()
      await hub.close()
    }
  })

  test('examples/fetch-handler.ts answers a Request with an event stream', async () => {
    const { hub, events } = await import('../examples/fetch-handler.ts')
    const controller = new AbortController()
    const from = await hub.publish('t', { data: 'one' })
    await hub.publish('t', { data: 'two' })
    const response = await events(
      new Request('http://localhost/events?topic=t', {
        headers: { 'last-event-id': from },
        signal: controller.signal,
      }),
    )
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    let text = ''
    while (!text.includes('data: two')) {
      const { value } = await reader.read()
      text += new TextDecoder().decode(value)
    }
    expect(text).toMatch(/^retry: 2000\n\nid: [0-9a-z]+-2\ndata: two\n\n$/)
    controller.abort()
    await reader.cancel()
    await hub.close()
  })
})

describe.skipIf(!REDIS_AVAILABLE)('README Redis example', () => {
  let server: RedisServer | undefined
  afterAll(async () => {
    await server?.stop()
  })

  test('examples/redis.ts publishes to a room over Redis', async () => {
    const port = await findFreePort()
    server = await startRedisServer({ port })
    vi.stubEnv('REDIS_URL', `redis://127.0.0.1:${port}`)
    try {
      const { hub, say } = await import('../examples/redis.ts')
      const first = await say('lobby', 'hi')
      await say('lobby', 'there')
      const iterator = hub.subscribe('room:lobby', { lastEventId: first })[Symbol.asyncIterator]()
      expect((await iterator.next()).value).toMatchObject({
        event: 'message',
        data: '{"text":"there"}',
      })
      await iterator.return?.()
      await hub.close()
    } finally {
      vi.unstubAllEnvs()
    }
  })
})
