import { describe, expect, test } from 'vitest'
import { openSubscription } from '../src/hub.ts'
import { createHub, type HubEvent } from '../src/index.ts'

/** A sink that records what it is given; `onWrite` decides its answer. */
function recordingSink(onWrite: (event: HubEvent, index: number) => boolean = () => true) {
  const written: HubEvent[] = []
  const closes: unknown[] = []
  let closed!: () => void
  const done = new Promise<void>((resolve) => {
    closed = resolve
  })
  return {
    written,
    closes,
    done,
    sink: {
      write(event: HubEvent) {
        written.push(event)
        return onWrite(event, written.length - 1)
      },
      close(error: unknown) {
        closes.push(error)
        closed()
      },
    },
  }
}

describe('a subscription written to a sink', () => {
  test('a sink that ends the subscription from write() during replay is closed once and given nothing more', async () => {
    const hub = createHub()
    const from = await hub.publish('t', { data: '0' })
    for (let i = 1; i <= 3; i++) await hub.publish('t', { data: String(i) })
    let end = (): void => {}
    const { written, closes, done, sink } = recordingSink(() => {
      end()
      return true
    })
    const subscription = openSubscription(hub, 't', { lastEventId: from }, sink)
    end = () => subscription.end()
    await done
    await hub.publish('t', { data: 'live' })
    await new Promise((resolve) => setImmediate(resolve))
    expect(written.map((event) => event.data)).toEqual(['1'])
    expect(closes).toEqual([undefined])
    expect(hub.stats().subscribers).toBe(0)
    await hub.close()
  })

  test('a full sink gets no event until resume(), then what waited, in order', async () => {
    const hub = createHub()
    const { written, sink } = recordingSink((_event, index) => index !== 0)
    const subscription = openSubscription(hub, 't', {}, sink)
    await hub.ready
    await new Promise((resolve) => setImmediate(resolve))
    for (let i = 0; i < 3; i++) await hub.publish('t', { data: String(i) })
    expect(written.map((event) => event.data)).toEqual(['0'])
    subscription.resume()
    expect(written.map((event) => event.data)).toEqual(['0', '1', '2'])
    await hub.publish('t', { data: '3' })
    expect(written.map((event) => event.data)).toEqual(['0', '1', '2', '3'])
    subscription.end()
    await hub.close()
  })

  test('a full sink that falls maxQueueLength events behind is closed with SLOW_CONSUMER', async () => {
    const hub = createHub({ maxQueueLength: 2 })
    const { closes, done, sink } = recordingSink(() => false)
    openSubscription(hub, 't', {}, sink)
    await new Promise((resolve) => setImmediate(resolve))
    for (let i = 0; i < 4; i++) await hub.publish('t', { data: String(i) })
    await done
    expect(closes).toEqual([expect.objectContaining({ code: 'SLOW_CONSUMER' })])
    expect(hub.stats()).toMatchObject({ subscribers: 0, slowConsumers: 1 })
    await hub.close()
  })

  test('closing the hub closes the sink without an error; opening on a closed hub closes it with HUB_CLOSED', async () => {
    const hub = createHub()
    const first = recordingSink()
    openSubscription(hub, 't', {}, first.sink)
    await new Promise((resolve) => setImmediate(resolve))
    await hub.close()
    await first.done
    expect(first.closes).toEqual([undefined])
    const late = recordingSink()
    openSubscription(hub, 't', {}, late.sink)
    await late.done
    expect(late.closes).toEqual([expect.objectContaining({ code: 'HUB_CLOSED' })])
  })
})
