import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { openSubscription } from '../src/hub.ts'
import {
  createHub,
  createMemoryTransport,
  type Hub,
  type HubEvent,
  type SSEError,
} from '../src/index.ts'
import type { HubTransport, TransportEntry, TransportItem } from '../src/transport.ts'

const TOPICS = ['a', 'b', 'c'] as const
const SUBSCRIBED = ['a', 'b']

interface Plan {
  /** Events stored before the subscriber resumes. */
  backlog: number[]
  /** At each step of the replay, the topics of the events published before it is answered. */
  during: number[][]
  pageSize: number
  /** The sink's answers in turn: false means full, until resume() a turn later. */
  room: boolean[]
}

const plan: fc.Arbitrary<Plan> = fc.record({
  backlog: fc.array(fc.nat(2), { maxLength: 8 }),
  during: fc.array(fc.array(fc.nat(2), { maxLength: 3 }), { maxLength: 12 }),
  pageSize: fc.integer({ min: 1, max: 3 }),
  room: fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
})

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/**
 * A memory transport that publishes events between a replay's steps, including after its last
 * read and before it says it is done: an event published there is only in the subscriber's live
 * queue, which the hand-off must deliver. (The memory replay reads its history as it goes, so
 * events published earlier come through the replay too.) It records every stored entry in order.
 */
function createRacingTransport(during: number[][], pageSize: number) {
  const inner = createMemoryTransport({ maxEventsPerTopic: 1000, pageSize })
  const stored: TransportEntry[] = []
  let step = 0
  const publishBetweenSteps = (): void => {
    for (const topic of during[step++] ?? []) {
      void inner.publish({ topic: TOPICS[topic] as string, data: `during ${stored.length}` })
    }
  }
  const transport: HubTransport = {
    start: (listener) =>
      inner.start((item) => {
        if (!('gap' in item)) stored.push(item)
        listener(item)
      }),
    publish: (message) => inner.publish(message),
    replay(topics, lastEventId) {
      const replay = inner.replay(topics, lastEventId)
      return {
        async next(): Promise<IteratorResult<TransportItem>> {
          const result = await replay.next()
          publishBetweenSteps()
          return result
        },
        return: async () => {
          await replay.return?.()
          return { done: true, value: undefined }
        },
      }
    },
    compare: (a, b) => inner.compare(a, b),
    close: () => inner.close(),
  }
  return { transport, stored }
}

type Mode = 'iterated (hub.subscribe)' | 'written to a sink (the handlers)'

/** Resumes one subscriber from `from`; resolves to what it received once `last` arrived. */
async function receive(hub: Hub, mode: Mode, from: string, room: boolean[], last: () => string) {
  const received: HubEvent[] = []
  const controller = new AbortController()
  let done: Promise<unknown>
  if (mode === 'iterated (hub.subscribe)') {
    done = (async () => {
      for await (const event of hub.subscribe(SUBSCRIBED, {
        lastEventId: from,
        signal: controller.signal,
      })) {
        received.push(event)
      }
    })()
  } else {
    let writes = 0
    let closed!: (error: unknown) => void
    done = new Promise((resolve) => {
      closed = resolve
    })
    const subscription = openSubscription(
      hub,
      SUBSCRIBED,
      { lastEventId: from, signal: controller.signal },
      {
        write(event) {
          received.push(event)
          const hasRoom = room[writes++ % room.length] as boolean
          if (!hasRoom) setImmediate(() => subscription.resume())
          return hasRoom
        },
        close: (error) => closed(error),
      },
    )
  }
  return {
    received,
    /** Waits, 2,000 turns at most, until the last event arrived, then ends the subscription. */
    async stop(): Promise<unknown> {
      for (let turn = 0; turn < 2000; turn++) {
        if (received.at(-1)?.id === last()) break
        await tick()
      }
      controller.abort()
      return done
    },
  }
}

describe.each(['iterated (hub.subscribe)', 'written to a sink (the handlers)'] as const)(
  'the replay → live hand-off, %s',
  (mode) => {
    test.prop([plan], {
      numRuns: 200,
      // An event published after the replay's last read, before it ends: only the live queue has it.
      examples: [[{ backlog: [0], during: [[], [0]], pageSize: 1, room: [true] }]],
    })('events published at any step of a replay arrive exactly once, in order', async (p) => {
      const { transport, stored } = createRacingTransport(p.during, p.pageSize)
      const hub = createHub({ transport })
      const from = await hub.publish('a', { data: 'start' })
      for (const topic of p.backlog) await hub.publish(TOPICS[topic] as string, { data: 'backlog' })
      let lastId = ''
      const subscriber = await receive(hub, mode, from, p.room, () => lastId)
      // Let the replay run to its end, then one last live event.
      for (let turn = 0; turn < 5 + p.backlog.length + p.during.length; turn++) await tick()
      lastId = await hub.publish('a', { data: 'last' })
      const ended = (await subscriber.stop()) as SSEError | undefined
      expect(ended).toBeUndefined()
      const expected = stored.filter(
        (entry) => SUBSCRIBED.includes(entry.topic) && (transport.compare(entry.id, from) ?? 0) > 0,
      )
      expect(subscriber.received.map(({ id, data }) => ({ id, data }))).toEqual(
        expected.map(({ id, data }) => ({ id, data })),
      )
      expect(hub.stats().subscribers).toBe(0)
      await hub.close()
    })
  },
)
