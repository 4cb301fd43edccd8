import { encodeBytes } from '@ssekit/encoder'
import { expect, test } from 'vitest'
import { encodeHubEvent } from '../src/event-bytes.ts'
import { createFetchHandler } from '../src/fetch-handler.ts'
import { createGapEvent } from '../src/gap.ts'
import { createHub } from '../src/hub.ts'

test('an event is encoded once: every call for the same event returns the same bytes', async () => {
  const hub = createHub()
  const first = await hub.publish('t', { data: 'seed' })
  await hub.publish('t', { event: 'update', data: { é: 1 } })
  const [a] = await take(hub.subscribe('t', { lastEventId: first }))
  const [b] = await take(hub.subscribe('t', { lastEventId: first }))
  if (a === undefined || b === undefined) throw new Error('no event replayed')
  // Both subscribers were given the one stored record, so they share its bytes.
  expect(b).toBe(a)
  expect(encodeHubEvent(b)).toBe(encodeHubEvent(a))
  expect(new TextDecoder().decode(encodeHubEvent(a))).toBe(
    `id: ${a.id}\nevent: update\ndata: {"é":1}\n\n`,
  )
  await hub.close()
})

test('the bytes of a gap event are those encodeBytes gives', () => {
  const gap = createGapEvent({
    gap: true,
    id: 'e-5',
    reason: 'trimmed',
    topics: ['t'],
    lastEventId: 'e-1',
  })
  expect(encodeHubEvent(gap)).toEqual(encodeBytes(gap))
})

test('the fetch handler sends every subscriber the same bytes of an event', async () => {
  const hub = createHub()
  const handle = createFetchHandler(hub, { heartbeat: false })
  const readers = await Promise.all(
    [1, 2].map(async () => {
      const response = await handle(new Request('http://hub.test/events?topic=t'))
      return (response.body as ReadableStream<Uint8Array>).getReader()
    }),
  )
  // Each body starts with the primer comment; its subscription then waits for a live event.
  for (const reader of readers) {
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(':\n')
  }
  const reads = readers.map((reader) => reader.read())
  while (hub.stats().subscribers < 2) await new Promise((resolve) => setTimeout(resolve, 5))
  await hub.publish('t', { event: 'update', data: 'ü' })
  const [a, b] = await Promise.all(reads)
  // One Uint8Array for both: the event was encoded once, not once per subscriber.
  expect(b?.value).toBe(a?.value)
  expect(new TextDecoder().decode(a?.value)).toMatch(/^id: .+\nevent: update\ndata: ü\n\n$/)
  for (const reader of readers) await reader.cancel()
  expect(hub.stats().subscribers).toBe(0)
  await hub.close()
})

async function take<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  for await (const value of iterable) return [value]
  return []
}
