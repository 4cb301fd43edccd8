import { isSSEError } from '@ssekit/shared'
import { type RedisServer, startRedisServer } from '@ssekit/test-support/redis-server'
import { createClient } from 'redis'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createHub, GAP_EVENT, type Hub, type HubEvent } from '../src/index.ts'
import { createRedisTransport, type RedisTransportOptions } from '../src/redis/index.ts'
import { REDIS_AVAILABLE } from './redis-available.ts'

let server: RedisServer
let namespaceCount = 0
const hubs: Hub[] = []

beforeAll(async () => {
  if (REDIS_AVAILABLE) server = await startRedisServer()
})

afterAll(async () => {
  await Promise.all(hubs.map((hub) => hub.close()))
  await server?.stop()
})

/** A hub on the test server; hubs made with the same namespace share events. */
function createRedisHub(namespace: string, options: RedisTransportOptions = {}): Hub {
  const hub = createHub({
    transport: createRedisTransport({
      clientOptions: { socket: { path: server.socket, tls: false } },
      namespace,
      blockTime: 1000,
      ...options,
    }),
  })
  hubs.push(hub)
  return hub
}

function freshNamespace(): string {
  namespaceCount++
  return `test${namespaceCount}`
}

async function take(iterable: AsyncIterable<HubEvent>, count: number): Promise<HubEvent[]> {
  const events: HubEvent[] = []
  for await (const event of iterable) {
    events.push(event)
    if (events.length === count) break
  }
  return events
}

describe.skipIf(!REDIS_AVAILABLE)('Redis transport', () => {
  test('an event published on one instance reaches a live subscriber of another, with an <epoch>-<ms>-<seq> id', async () => {
    const namespace = freshNamespace()
    const publisher = createRedisHub(namespace)
    const subscriber = createRedisHub(namespace)
    const iterator = subscriber.subscribe('news')[Symbol.asyncIterator]()
    const next = iterator.next()
    // Live delivery starts once the instance's reader has made its first round trip.
    await subscriber.ready
    const id = await publisher.publish('news', { event: 'headline', data: { title: 'hi' } })
    expect(id).toMatch(/^[0-9a-z]{10}-\d+-\d+$/)
    expect((await next).value).toEqual({
      id,
      topic: 'news',
      event: 'headline',
      data: '{"title":"hi"}',
    })
    await iterator.return?.()
  })

  test('one last event id resumes several topics exactly, through another instance', async () => {
    const namespace = freshNamespace()
    const first = createRedisHub(namespace)
    const second = createRedisHub(namespace)
    await first.publish('a', { data: 'a0' })
    const resumeFrom = await first.publish('b', { data: 'b0' })
    for (let index = 1; index <= 3; index++) {
      await first.publish('a', { data: `a${index}` })
      await first.publish('c', { data: `c${index}` })
      await first.publish('b', { data: `b${index}` })
    }
    const events = await take(second.subscribe(['a', 'b'], { lastEventId: resumeFrom }), 6)
    expect(events.map((event) => event.data)).toEqual(['a1', 'b1', 'a2', 'b2', 'a3', 'b3'])
  })

  test('replay then live: events published during replay arrive once, in order', async () => {
    const namespace = freshNamespace()
    const hub = createRedisHub(namespace, { pageSize: 3 })
    const start = await hub.publish('t', { data: '0' })
    for (let index = 1; index <= 10; index++) await hub.publish('t', { data: String(index) })
    const seen: string[] = []
    for await (const event of hub.subscribe('t', { lastEventId: start })) {
      seen.push(event.data)
      if (seen.length <= 5) await hub.publish('t', { data: String(10 + seen.length) })
      if (seen.length === 15) break
    }
    expect(seen).toEqual(Array.from({ length: 15 }, (_, index) => String(index + 1)))
  })

  test('a position older than maxEventsPerNamespace yields one trimmed gap, then the retained events', async () => {
    const namespace = freshNamespace()
    const hub = createRedisHub(namespace, { maxEventsPerNamespace: 3 })
    const start = await hub.publish('t', { data: '0' })
    const kept: string[] = []
    for (let index = 1; index <= 6; index++)
      kept.push(await hub.publish('t', { data: String(index) }))
    const events = await take(hub.subscribe('t', { lastEventId: start }), 4)
    expect(events[0]?.event).toBe(GAP_EVENT)
    expect(JSON.parse(events[0]?.data ?? '')).toEqual({
      reason: 'trimmed',
      topics: ['t'],
      lastEventId: start,
    })
    expect(events[0]?.id).toBe(kept[2])
    expect(events.slice(1).map((event) => event.data)).toEqual(['4', '5', '6'])
    // Resuming from the last retained-but-trimmed position gives no gap.
    const again = await take(hub.subscribe('t', { lastEventId: kept[2] as string }), 1)
    expect(again[0]?.data).toBe('4')
  })

  test('events older than maxAge are trimmed on the next publish and announced as a gap', async () => {
    const namespace = freshNamespace()
    const hub = createRedisHub(namespace, { maxAge: 100 })
    const start = await hub.publish('t', { data: 'start' })
    await hub.publish('t', { data: 'aged' })
    // The age bound is measured on Redis's clock: let 250 ms pass on it.
    await new Promise((resolve) => setTimeout(resolve, 250))
    const fresh = await hub.publish('t', { data: 'fresh' })
    const events = await take(hub.subscribe('t', { lastEventId: start }), 2)
    expect(events[0]?.event).toBe(GAP_EVENT)
    expect(JSON.parse(events[0]?.data ?? '').reason).toBe('trimmed')
    expect(events[1]).toMatchObject({ id: fresh, data: 'fresh' })
  })

  test('a flushed Redis yields exactly one reset gap to a live subscriber and to a resuming one', async () => {
    const namespace = freshNamespace()
    const hub = createRedisHub(namespace)
    const oldId = await hub.publish('t', { data: 'before' })
    const live = hub.subscribe(['t', 'u'], { lastEventId: oldId })[Symbol.asyncIterator]()
    const firstLive = live.next()
    await hub.publish('t', { data: 'warm-up' })
    expect((await firstLive).value?.data).toBe('warm-up')
    const admin = createClient({ socket: { path: server.socket, tls: false } })
    await admin.connect()
    await admin.sendCommand([
      'DEL',
      `{${namespace}}:stream`,
      `{${namespace}}:epoch`,
      `{${namespace}}:trimmed`,
    ])
    await admin.close()
    const newId = await hub.publish('t', { data: 'after' })
    expect(newId.split('-')[0]).not.toBe(oldId.split('-')[0])
    const gap = (await live.next()).value as HubEvent
    expect(gap.event).toBe(GAP_EVENT)
    expect(JSON.parse(gap.data).reason).toBe('reset')
    // Redis cannot tell which topics a lost history held: the gap names every subscribed one.
    expect(JSON.parse(gap.data).topics).toEqual(['t', 'u'])
    expect((await live.next()).value?.data).toBe('after')
    await live.return?.()
    const resumed = await take(hub.subscribe('t', { lastEventId: oldId }), 2)
    expect(resumed[0]?.event).toBe(GAP_EVENT)
    expect(JSON.parse(resumed[0]?.data ?? '').reason).toBe('reset')
    expect(resumed[1]?.data).toBe('after')
  })

  test('replaying 100,000 missed events reads them lazily in pages of pageSize', async () => {
    const namespace = freshNamespace()
    const transport = createRedisTransport({
      clientOptions: { socket: { path: server.socket, tls: false } },
      namespace,
      maxEventsPerNamespace: 200_000,
      pageSize: 1000,
    })
    const hub = createHub({ transport })
    hubs.push(hub)
    const start = await hub.publish('t', { data: 'start' })
    const total = 100_000
    // Seeded in Redis itself, in the transport's entry format, to keep the test fast.
    const admin = createClient({ socket: { path: server.socket, tls: false } })
    admin.on('error', () => {})
    await admin.connect()
    const seed = `for i = ARGV[1], ARGV[2] do redis.call('XADD', KEYS[1], '*', 't', 't', 'd', tostring(i)) end`
    for (let from = 0; from < total; from += 10_000) {
      await admin.sendCommand([
        'EVAL',
        seed,
        '1',
        `{${namespace}}:stream`,
        String(from),
        String(from + 9999),
      ])
    }
    await admin.close()
    const iterator = hub.subscribe('t', { lastEventId: start })[Symbol.asyncIterator]()
    expect((await iterator.next()).value?.data).toBe('0')
    // One event read: one page fetched, not the whole backlog.
    expect(transport.stats().replayPages).toBe(1)
    let count = 1
    let previous = 0
    for (;;) {
      const { value } = await iterator.next()
      const number = Number(value?.data)
      expect(number).toBe(previous + 1)
      previous = number
      count++
      if (count === total) break
    }
    await iterator.return?.()
    expect(transport.stats().replayPages).toBeGreaterThanOrEqual(100)
    expect(transport.stats().replayPages).toBeLessThanOrEqual(102)
  }, 60_000)

  test('a paused Redis makes publish fail with TRANSPORT_TIMEOUT; after it resumes, nothing is lost', async () => {
    const namespace = freshNamespace()
    const hub = createRedisHub(namespace, { timeout: 300 })
    const start = await hub.publish('t', { data: 'before' })
    server.signal('SIGSTOP')
    let error: unknown
    try {
      await hub.publish('t', { data: 'during' })
    } catch (caught) {
      error = caught
    } finally {
      server.signal('SIGCONT')
    }
    expect(isSSEError(error, 'TRANSPORT_TIMEOUT')).toBe(true)
    const after = await hub.publish('t', { data: 'after' })
    // The timed-out publish was sent and may be stored: the outcome is unknown, never silent loss.
    const events = await take(hub.subscribe('t', { lastEventId: start }), 1)
    expect(['during', 'after']).toContain(events[0]?.data)
    expect(after).toMatch(/-\d+-\d+$/)
  })

  test('a Redis that restarts empty: publish fails while it is down, then the hub recovers with one gap', async () => {
    const namespace = freshNamespace()
    const errors: unknown[] = []
    const hub = createRedisHub(namespace, {
      timeout: 500,
      retryDelay: 50,
      onError: (error) => errors.push(error),
    })
    await hub.ready
    const live = hub.subscribe('t')[Symbol.asyncIterator]()
    const first = live.next()
    await hub.publish('t', { data: 'one' })
    expect((await first).value?.data).toBe('one')
    const restarted = server.restart()
    const failure = await hub.publish('t', { data: 'lost?' }).catch((caught: unknown) => caught)
    await restarted
    // Either the publish failed with a typed error, or it was queued and stored after the restart.
    if (typeof failure !== 'string') {
      expect(
        isSSEError(failure, 'TRANSPORT_ERROR') || isSSEError(failure, 'TRANSPORT_TIMEOUT'),
      ).toBe(true)
    }
    let id: string | undefined
    for (let attempt = 0; attempt < 50 && id === undefined; attempt++) {
      id = await hub.publish('t', { data: 'two' }).catch(() => undefined)
    }
    expect(id).toBeDefined()
    const received: HubEvent[] = []
    for (let count = 0; count < 3; count++) {
      const { value } = await live.next()
      received.push(value as HubEvent)
      if (value?.data === 'two') break
    }
    expect(received.filter((event) => event.event === GAP_EVENT)).toHaveLength(1)
    expect(received.at(-1)?.data).toBe('two')
    expect(errors.length).toBeGreaterThan(0)
    await live.return?.()
  }, 30_000)

  test('a Redis that cannot be reached at boot: publish fails with TRANSPORT_TIMEOUT, close() ends everything', async () => {
    const hub = createHub({
      transport: createRedisTransport({
        clientOptions: { socket: { path: `${server.socket}.missing`, tls: false } },
        namespace: freshNamespace(),
        timeout: 300,
        retryDelay: 50,
      }),
    })
    const ready = hub.ready.then(
      () => 'started',
      (error: unknown) => error,
    )
    const started = Date.now()
    await expect(hub.publish('t', { data: 'x' })).rejects.toMatchObject({
      code: 'TRANSPORT_TIMEOUT',
    })
    expect(Date.now() - started).toBeLessThan(3000)
    const pending = hub.subscribe('t')[Symbol.asyncIterator]().next()
    await new Promise((resolve) => setTimeout(resolve, 20))
    await hub.close()
    expect(await pending).toEqual({ done: true, value: undefined })
    expect(await ready).toMatchObject({ code: 'HUB_CLOSED' })
  })

  test('close() ends the reader and drops both connections', async () => {
    const admin = createClient({ socket: { path: server.socket, tls: false } })
    admin.on('error', () => {})
    await admin.connect()
    try {
      const name = `close-${freshNamespace()}`
      const count = async (): Promise<number> =>
        String(await admin.sendCommand(['CLIENT', 'LIST']))
          .split('\n')
          .filter((line) => line.includes(` name=${name} `)).length
      const hub = createHub({
        transport: createRedisTransport({
          clientOptions: { socket: { path: server.socket, tls: false }, name },
          namespace: name,
        }),
      })
      await hub.ready
      const iterator = hub.subscribe('t')[Symbol.asyncIterator]()
      const pending = iterator.next()
      await hub.publish('t', { data: 'x' })
      await pending
      expect(await count()).toBe(2)
      await hub.close()
      for (let attempt = 0; attempt < 100 && (await count()) !== 0; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      expect(await count()).toBe(0)
    } finally {
      await admin.close()
    }
  })
})
