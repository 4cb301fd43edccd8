import { isSSEError } from '@ssekit/shared'
import { describe, expect, test } from 'vitest'
import { createHub, createMemoryTransport, GAP_EVENT, type HubEvent } from '../src/index.ts'

/** Takes `count` events from an iterable, then stops the subscription. */
async function take(iterable: AsyncIterable<HubEvent>, count: number): Promise<HubEvent[]> {
  const events: HubEvent[] = []
  if (count === 0) return events
  for await (const event of iterable) {
    events.push(event)
    if (events.length === count) break
  }
  return events
}

describe('publish', () => {
  test('publish resolves to the id it assigned, ids increase across topics', async () => {
    const hub = createHub()
    const a = await hub.publish('a', { data: 'one' })
    const b = await hub.publish('b', { data: 'two' })
    expect(a).toMatch(/^[0-9a-z]{10}-1$/)
    expect(b).toBe(a.replace(/-1$/, '-2'))
    await hub.close()
  })

  test('data is serialized as the encoder does, and an empty event type is dropped', async () => {
    const hub = createHub()
    const first = await hub.publish('t', { data: 'seed' })
    await hub.publish('t', { data: { ok: true }, event: 'update', retry: 1000 })
    await hub.publish('t', { data: 42, event: '' })
    await hub.publish('t', {})
    const events = await take(hub.subscribe('t', { lastEventId: first }), 3)
    expect(events.map(({ data, event, retry }) => ({ data, event, retry }))).toEqual([
      { data: '{"ok":true}', event: 'update', retry: 1000 },
      { data: '42', event: undefined, retry: undefined },
      { data: '', event: undefined, retry: undefined },
    ])
    expect(events.every((event) => event.topic === 't')).toBe(true)
    await hub.close()
  })

  test('a publish with an id, a bad topic, a bad event type or retry is refused with its code', async () => {
    const hub = createHub()
    await expect(hub.publish('t', { id: '1', data: 'x' })).rejects.toMatchObject({
      code: 'INVALID_ID',
    })
    await expect(hub.publish('a b', { data: 'x' })).rejects.toMatchObject({ code: 'INVALID_TOPIC' })
    await expect(hub.publish('', { data: 'x' })).rejects.toMatchObject({ code: 'INVALID_TOPIC' })
    await expect(hub.publish('t', { event: 'a\nb', data: 'x' })).rejects.toMatchObject({
      code: 'INVALID_EVENT',
    })
    await expect(hub.publish('t', { retry: -1, data: 'x' })).rejects.toMatchObject({
      code: 'INVALID_RETRY',
    })
    await expect(hub.publish('t', { data: () => 1 })).rejects.toMatchObject({
      code: 'INVALID_DATA',
    })
    expect(() => hub.subscribe([])).toThrow(expect.objectContaining({ code: 'INVALID_TOPIC' }))
    await hub.close()
  })
})

describe('replay and live', () => {
  test('a subscriber without a last event id receives only live events', async () => {
    const hub = createHub()
    await hub.publish('t', { data: 'old' })
    const iterator = hub.subscribe('t')[Symbol.asyncIterator]()
    const next = iterator.next()
    await hub.publish('t', { data: 'new' })
    expect((await next).value).toMatchObject({ data: 'new' })
    await iterator.return?.()
    await hub.close()
  })

  test('one last event id resumes several topics exactly, in publish order', async () => {
    const hub = createHub()
    await hub.publish('a', { data: 'a0' })
    const resumeFrom = await hub.publish('b', { data: 'b0' })
    for (let index = 1; index <= 3; index++) {
      await hub.publish('a', { data: `a${index}` })
      await hub.publish('c', { data: `c${index}` })
      await hub.publish('b', { data: `b${index}` })
    }
    const events = await take(hub.subscribe(['a', 'b'], { lastEventId: resumeFrom }), 6)
    expect(events.map((event) => event.data)).toEqual(['a1', 'b1', 'a2', 'b2', 'a3', 'b3'])
    await hub.close()
  })

  test('events published during replay follow it with no gap and no duplicate', async () => {
    const hub = createHub({ history: { pageSize: 2 } })
    const start = await hub.publish('t', { data: '0' })
    for (let index = 1; index <= 5; index++) await hub.publish('t', { data: String(index) })
    const seen: string[] = []
    for await (const event of hub.subscribe('t', { lastEventId: start })) {
      seen.push(event.data)
      // Publish while the subscriber is still replaying.
      if (seen.length <= 3) await hub.publish('t', { data: String(5 + seen.length) })
      if (seen.length === 8) break
    }
    expect(seen).toEqual(['1', '2', '3', '4', '5', '6', '7', '8'])
    await hub.close()
  })

  test('an id from another hub (a restarted process) yields one reset gap, then the retained history', async () => {
    const before = createHub()
    const oldId = await before.publish('t', { data: 'old' })
    await before.close()
    const hub = createHub()
    await hub.publish('t', { data: 'new' })
    const [gap, event] = await take(hub.subscribe('t', { lastEventId: oldId }), 2)
    expect(gap?.event).toBe(GAP_EVENT)
    expect(JSON.parse(gap?.data ?? '')).toEqual({
      reason: 'reset',
      topics: ['t'],
      lastEventId: oldId,
    })
    expect(event?.data).toBe('new')
    await hub.close()
  })
})

describe('history bounds', () => {
  test('a resume position older than the count bound yields one trimmed gap naming the topic', async () => {
    const hub = createHub({ history: { maxEventsPerTopic: 2 } })
    const start = await hub.publish('a', { data: 'a0' })
    await hub.publish('b', { data: 'b1' })
    for (let index = 1; index <= 4; index++) await hub.publish('a', { data: `a${index}` })
    const events = await take(hub.subscribe(['a', 'b'], { lastEventId: start }), 4)
    expect(events[0]?.event).toBe(GAP_EVENT)
    expect(JSON.parse(events[0]?.data ?? '')).toMatchObject({ reason: 'trimmed', topics: ['a'] })
    // The gap's id never skips a retained event of another topic: b1 still follows.
    expect(events.slice(1).map((event) => event.data)).toEqual(['b1', 'a3', 'a4'])
    await hub.close()
  })

  test('events older than maxAge are not replayed and are announced as a gap', async () => {
    let now = 1_000_000
    const realNow = Date.now
    Date.now = () => now
    try {
      const hub = createHub({ history: { maxAge: 1000 } })
      const start = await hub.publish('t', { data: 'start' })
      await hub.publish('t', { data: 'aged' })
      now += 5000
      await hub.publish('t', { data: 'fresh' })
      const events = await take(hub.subscribe('t', { lastEventId: start }), 2)
      expect(events.map((event) => event.event ?? event.data)).toEqual([GAP_EVENT, 'fresh'])
      await hub.close()
    } finally {
      Date.now = realNow
    }
  })
})

describe('slow consumers and closing', () => {
  test('a subscriber that falls maxQueueLength events behind is disconnected with SLOW_CONSUMER', async () => {
    const slow: unknown[] = []
    const hub = createHub({ maxQueueLength: 3, onSlowConsumer: (info) => slow.push(info) })
    const iterator = hub.subscribe('t')[Symbol.asyncIterator]()
    const first = iterator.next()
    await hub.publish('t', { data: '0' })
    expect((await first).value?.data).toBe('0')
    for (let index = 1; index <= 4; index++) await hub.publish('t', { data: String(index) })
    const error = await iterator.next().catch((caught: unknown) => caught)
    expect(isSSEError(error, 'SLOW_CONSUMER')).toBe(true)
    expect(slow).toEqual([{ topics: ['t'], lastEventId: expect.stringMatching(/-1$/), queued: 3 }])
    expect(hub.stats()).toMatchObject({ subscribers: 0, slowConsumers: 1, published: 5 })
    await hub.close()
  })

  test('close() ends waiting subscribers and later calls fail with HUB_CLOSED', async () => {
    const hub = createHub()
    const iterator = hub.subscribe(['a', 'b'])[Symbol.asyncIterator]()
    const pending = iterator.next()
    expect(hub.stats().subscribers).toBe(1)
    await hub.close()
    expect(await pending).toEqual({ done: true, value: undefined })
    expect(hub.stats().subscribers).toBe(0)
    await expect(hub.publish('a', { data: 'x' })).rejects.toMatchObject({ code: 'HUB_CLOSED' })
    await expect(hub.subscribe('a')[Symbol.asyncIterator]().next()).rejects.toMatchObject({
      code: 'HUB_CLOSED',
    })
  })

  test('an iterator made before close() and first pulled after it fails with HUB_CLOSED, registering nothing', async () => {
    const hub = createHub()
    const iterator = hub.subscribe('t')[Symbol.asyncIterator]()
    await hub.close()
    await expect(iterator.next()).rejects.toMatchObject({ code: 'HUB_CLOSED' })
    expect(hub.stats().subscribers).toBe(0)
  })

  test('while the transport has not started, an abort or close() ends a waiting subscription at once', async () => {
    // A transport that never starts, as Redis when it cannot be reached at boot.
    const transport = { ...createMemoryTransport(), start: () => new Promise<void>(() => {}) }
    const hub = createHub({ transport })
    const controller = new AbortController()
    const aborted = hub.subscribe('t', { signal: controller.signal })[Symbol.asyncIterator]().next()
    const closed = hub.subscribe('t')[Symbol.asyncIterator]().next()
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(hub.stats().subscribers).toBe(2)
    controller.abort()
    expect(await aborted).toEqual({ done: true, value: undefined })
    expect(hub.stats().subscribers).toBe(1)
    await hub.close()
    expect(await closed).toEqual({ done: true, value: undefined })
    expect(hub.stats().subscribers).toBe(0)
  })

  test('aborting the signal ends a subscription that waits for a live event', async () => {
    const hub = createHub()
    const controller = new AbortController()
    const iterator = hub.subscribe('t', { signal: controller.signal })[Symbol.asyncIterator]()
    const pending = iterator.next()
    controller.abort()
    expect(await pending).toEqual({ done: true, value: undefined })
    expect(hub.stats().subscribers).toBe(0)
    await hub.close()
  })
})
