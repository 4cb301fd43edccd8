import { encodeBytes } from '@ssekit/encoder'
import { expect, test } from 'vitest'
import { encodeHubEvent } from '../src/event-bytes.ts'
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

async function take<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  for await (const value of iterable) return [value]
  return []
}
