import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { createHub, GAP_EVENT, type Hub, type HubEvent } from '../src/index.ts'

const TOPICS = ['a', 'b', 'c'] as const
/** Three subscribers: one topic, two topics, two other topics. */
const SUBSCRIBER_TOPICS = [['a'], ['a', 'b'], ['b', 'c']] as const

type Action =
  | { kind: 'publish'; topic: number }
  | { kind: 'disconnect'; subscriber: number }
  | { kind: 'resume'; subscriber: number }
  | { kind: 'tick'; count: number }

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('publish' as const), topic: fc.nat(2) }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('disconnect' as const), subscriber: fc.nat(2) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('resume' as const), subscriber: fc.nat(2) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), count: fc.nat(3) }) },
)

interface Subscriber {
  readonly topics: readonly string[]
  lastEventId: string
  received: HubEvent[]
  session: { controller: AbortController; done: Promise<void> } | undefined
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

function resume(hub: Hub, subscriber: Subscriber): void {
  if (subscriber.session !== undefined) return
  const controller = new AbortController()
  const events = hub.subscribe(subscriber.topics, {
    lastEventId: subscriber.lastEventId,
    signal: controller.signal,
  })
  const done = (async () => {
    for await (const event of events) {
      subscriber.received.push(event)
      subscriber.lastEventId = event.id
    }
  })()
  subscriber.session = { controller, done }
}

async function disconnect(subscriber: Subscriber): Promise<void> {
  const session = subscriber.session
  if (session === undefined) return
  subscriber.session = undefined
  session.controller.abort()
  await session.done
}

/** Runs the actions, then resumes everyone and publishes one last event per topic. */
async function run(hub: Hub, actions: readonly Action[]) {
  const start = await hub.publish('start', { data: 'start' })
  const subscribers: Subscriber[] = SUBSCRIBER_TOPICS.map((topics) => ({
    topics,
    lastEventId: start,
    received: [],
    session: undefined,
  }))
  for (const subscriber of subscribers) resume(hub, subscriber)
  const published: { id: string; topic: string; data: string }[] = []
  const publish = async (topic: string): Promise<void> => {
    const data = String(published.length)
    published.push({ id: await hub.publish(topic, { data }), topic, data })
  }
  for (const step of actions) {
    if (step.kind === 'publish') await publish(TOPICS[step.topic] as string)
    else if (step.kind === 'disconnect')
      await disconnect(subscribers[step.subscriber] as Subscriber)
    else if (step.kind === 'resume') resume(hub, subscribers[step.subscriber] as Subscriber)
    else for (let count = 0; count < step.count; count++) await tick()
  }
  for (const subscriber of subscribers) resume(hub, subscriber)
  // Let the resumed subscribers replay the history the actions left before the last publishes.
  for (let count = 0; count < 3; count++) await tick()
  for (const topic of TOPICS) await publish(topic)
  // Everyone has received the last event of their topics, or 2,000 turns passed (then the
  // comparison below fails and shows what is missing).
  const lastOf = (subscriber: Subscriber): string | undefined =>
    [...published].reverse().find((event) => subscriber.topics.includes(event.topic))?.id
  for (let turn = 0; turn < 2000; turn++) {
    if (subscribers.every((subscriber) => subscriber.lastEventId === lastOf(subscriber))) break
    await tick()
  }
  for (const subscriber of subscribers) await disconnect(subscriber)
  return { subscribers, published }
}

describe('memory hub under interleaved publishes, disconnects and resumes', () => {
  test.prop([fc.array(action, { maxLength: 40 })], { numRuns: 150 })(
    'with enough history, every subscriber sees every event of its topics exactly once, in order',
    async (actions) => {
      const hub = createHub({ history: { maxEventsPerTopic: 1000, pageSize: 3 } })
      const { subscribers, published } = await run(hub, actions)
      for (const subscriber of subscribers) {
        const expected = published.filter((event) => subscriber.topics.includes(event.topic))
        expect(subscriber.received.map(({ id, topic, data }) => ({ id, topic, data }))).toEqual(
          expected,
        )
      }
      expect(hub.stats().subscribers).toBe(0)
      await hub.close()
    },
  )

  test.prop([fc.array(action, { maxLength: 40 }), fc.integer({ min: 1, max: 4 })], {
    numRuns: 150,
    // A topic trimmed past the cursor while another topic still holds an older event.
    examples: [
      [
        [
          { kind: 'disconnect', subscriber: 1 },
          { kind: 'publish', topic: 1 },
          { kind: 'publish', topic: 0 },
          { kind: 'publish', topic: 0 },
        ],
        1,
      ],
    ],
  })(
    'with a short history, nothing is duplicated or reordered, and every loss is announced by a gap',
    async (actions, maxEvents) => {
      const hub = createHub({ history: { maxEventsPerTopic: maxEvents, pageSize: 2 } })
      const { subscribers, published } = await run(hub, actions)
      for (const subscriber of subscribers) {
        const expected = published.filter((event) => subscriber.topics.includes(event.topic))
        const order = new Map(expected.map((event, index) => [event.id, index]))
        // Across topics: strictly increasing, so nothing is duplicated or reordered.
        const delivered = subscriber.received.filter((event) => event.event !== GAP_EVENT)
        const positions = delivered.map((event) => order.get(event.id) ?? -1)
        expect(positions.every((value, index) => value > (positions[index - 1] ?? -1))).toBe(true)
        // Per topic: an event skipped within a topic was announced by a gap naming that topic,
        // received after the topic's previous delivered event (a gap may announce a topic's loss
        // before another topic's older events, since one id must stay valid for all topics).
        for (const topic of subscriber.topics) {
          const inTopic = expected.filter((event) => event.topic === topic)
          let previous = -1
          let announced = false
          for (const event of subscriber.received) {
            if (event.event === GAP_EVENT) {
              if ((JSON.parse(event.data) as { topics: string[] }).topics.includes(topic))
                announced = true
              continue
            }
            if (event.topic !== topic) continue
            const index = inTopic.findIndex((candidate) => candidate.id === event.id)
            if (index > previous + 1)
              expect(announced, `events of ${topic} lost without a gap`).toBe(true)
            previous = index
            announced = false
          }
          // The last event of each topic always arrives.
          expect(previous).toBe(inTopic.length - 1)
        }
      }
      await hub.close()
    },
  )
})
