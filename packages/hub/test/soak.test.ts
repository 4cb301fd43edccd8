import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { connect } from '@ssekit/client'
import { type RedisServer, startRedisServer } from '@ssekit/test-support/redis-server'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { REDIS_AVAILABLE } from './redis-available.ts'

/**
 * The scale-out soak: 3 hub instances (child processes, each with its own HTTP server) behind one
 * redis-server; 2 publishers on instances 0 and 1; 6 subscribers using ssekit's own client
 * (`connect`), each reconnecting to a random live instance. Disconnects are injected on both sides
 * (the client aborts at random moments; the server destroys the socket in the middle of an
 * event), then an instance is SIGKILLed, Redis is paused 5 s, and Redis is restarted empty.
 */

const HUB_ROOT = join(import.meta.dirname, '..')
const BUNDLE = join(HUB_ROOT, 'node_modules', '.soak', 'instance.mjs')
const TOPICS = ['t0', 't1', 't2']
const SUBSCRIBER_TOPICS = [['t0'], ['t1'], ['t0', 't1'], ['t2'], ['t1', 't2'], ['t0', 't1', 't2']]
const TARGET_DISCONNECTS = 1000

interface Instance {
  readonly index: number
  readonly child: ChildProcess
  readonly url: string
  alive: boolean
}

interface Published {
  readonly id: string
  readonly topic: string
  readonly data: string
}

interface Subscriber {
  readonly topics: readonly string[]
  readonly received: { id: string; event: string | undefined; data: string }[]
  reconnects: number
  close(): void
  done: Promise<void>
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const children = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})

async function startInstance(index: number, socket: string, chaos: number): Promise<Instance> {
  const child = spawn(process.execPath, [BUNDLE], {
    env: { ...process.env, SOAK_REDIS_SOCKET: socket, SOAK_CHAOS: String(chaos) },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  children.add(child)
  child.once('exit', () => children.delete(child))
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance ${index} did not start`)), 15_000)
    lines.once('line', (line) => {
      clearTimeout(timer)
      resolve(Number(line.replace('READY ', '')))
    })
    child.once('exit', (code) => reject(new Error(`instance ${index} exited with ${code}`)))
  })
  return { index, child, url: `http://127.0.0.1:${port}`, alive: true }
}

/** Orders ids of one epoch by their stream position. */
function position(id: string): [number, number] {
  const [, ms, seq] = id.split('-')
  return [Number(ms), Number(seq)]
}
function byPosition(a: Published, b: Published): number {
  const [msA, seqA] = position(a.id)
  const [msB, seqB] = position(b.id)
  return msA - msB || seqA - seqB
}

describe.skipIf(!REDIS_AVAILABLE)('scale-out soak on Redis', () => {
  let redis: RedisServer
  const instances: Instance[] = []
  const subscribers: Subscriber[] = []
  let clientAborts = 0
  let chaosOn = true

  beforeAll(async () => {
    await build({
      entryPoints: [join(HUB_ROOT, 'test', 'soak', 'instance.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      conditions: ['@ssekit/source'],
      // Resolved at run time from packages/hub/node_modules, next to the bundle.
      external: ['redis'],
      outfile: BUNDLE,
      logLevel: 'error',
    })
    redis = await startRedisServer()
    for (let index = 0; index < 3; index++) {
      instances.push(await startInstance(index, redis.socket, 0.01))
    }
  }, 60_000)

  afterAll(async () => {
    for (const subscriber of subscribers) subscriber.close()
    await Promise.all(subscribers.map((subscriber) => subscriber.done))
    for (const instance of instances) {
      if (instance.child.exitCode === null && instance.child.signalCode === null) {
        const exited = new Promise((resolve) => instance.child.once('exit', resolve))
        instance.child.kill('SIGKILL')
        await exited
      }
    }
    await redis?.stop()
  })

  /** Opens a subscriber whose every (re)connection goes to a random live instance. */
  function subscribe(topics: readonly string[], lastEventId: string): Subscriber {
    const received: Subscriber['received'] = []
    const subscriber: Subscriber = {
      topics,
      received,
      reconnects: 0,
      close: () => connection.close(),
      done: Promise.resolve(),
    }
    const connection = connect(`http://soak.invalid/events?topic=${topics.join(',')}`, {
      lastEventId,
      retry: { initialDelay: 5, maxDelay: 100 },
      onRetry: () => {
        subscriber.reconnects++
      },
      onError: () => true,
      fetch: async (input, init) => {
        const alive = instances.filter((instance) => instance.alive)
        const target = alive[Math.floor(Math.random() * alive.length)] as Instance
        const controller = new AbortController()
        init.signal?.addEventListener('abort', () => controller.abort(init.signal?.reason), {
          once: true,
        })
        if (chaosOn) {
          // The client aborts at a random moment of this connection.
          setTimeout(
            () => {
              if (!controller.signal.aborted && chaosOn) {
                clientAborts++
                controller.abort(new Error('injected client abort'))
              }
            },
            5 + Math.random() * 100,
          )
        }
        return fetch(input.replace('http://soak.invalid', target.url), {
          ...init,
          signal: controller.signal,
        })
      },
    })
    subscriber.done = (async () => {
      for await (const event of connection) {
        received.push({ id: event.id ?? '', event: event.event, data: event.data })
      }
    })()
    return subscriber
  }

  async function publishVia(instance: Instance, topic: string, data: string): Promise<Published> {
    const response = await fetch(`${instance.url}/publish?topic=${topic}`, {
      method: 'POST',
      body: data,
    })
    const text = await response.text()
    if (response.status !== 201) throw new Error(`publish failed: ${response.status} ${text}`)
    return { id: text, topic, data }
  }

  function totalDisconnects(): number {
    return subscribers.reduce((sum, subscriber) => sum + subscriber.reconnects, 0)
  }

  /** Waits until every subscriber has received the last expected event of its topics. */
  async function waitForDelivery(published: readonly Published[], timeout: number): Promise<void> {
    const deadline = Date.now() + timeout
    for (let turn = 0; turn < 10_000 && Date.now() < deadline; turn++) {
      const caughtUp = subscribers.every((subscriber) => {
        const expected = published.filter((event) => subscriber.topics.includes(event.topic))
        const last = expected.at(-1)
        return last === undefined || subscriber.received.some((event) => event.id === last.id)
      })
      if (caughtUp) return
      await sleep(50)
    }
  }

  function tally(
    published: readonly Published[],
    received: (subscriber: Subscriber) => Subscriber['received'],
  ) {
    let delivered = 0
    let lost = 0
    let duplicated = 0
    let outOfOrder = 0
    for (const subscriber of subscribers) {
      const expected = published
        .filter((event) => subscriber.topics.includes(event.topic))
        .sort(byPosition)
      const got = received(subscriber).filter((event) => event.event !== 'ssekit-gap')
      delivered += got.length
      const ids = got.map((event) => event.id)
      duplicated += ids.length - new Set(ids).size
      const seen = new Set(ids)
      lost += expected.filter((event) => !seen.has(event.id)).length
      const order = new Map(expected.map((event, index) => [event.id, index]))
      for (let index = 1; index < ids.length; index++) {
        if ((order.get(ids[index] as string) ?? -1) <= (order.get(ids[index - 1] as string) ?? -1))
          outOfOrder++
      }
      expect(got.map((event) => event.data)).toEqual(expected.map((event) => event.data))
    }
    return { delivered, lost, duplicated, outOfOrder }
  }

  test('1,000 injected disconnects, an instance SIGKILLed, Redis paused and restarted: nothing lost or duplicated', async () => {
    const started = Date.now()
    // Every subscriber starts from the same position, so all expect the same history.
    const origin = await publishVia(instances[0] as Instance, 'origin', 'origin')
    for (const topics of SUBSCRIBER_TOPICS) subscribers.push(subscribe(topics, origin.id))

    const published: Published[] = []
    let publishing = true
    let phase = 'chaos'
    let publishWaits = 0
    const publisher = async (number: number): Promise<void> => {
      for (let count = 0; publishing && count < 100_000; count++) {
        const topic = TOPICS[Math.floor(Math.random() * TOPICS.length)] as string
        const begin = Date.now()
        published.push(
          await publishVia(instances[number] as Instance, topic, `p${number}:${count}`),
        )
        if (Date.now() - begin > 1000) publishWaits++
        await sleep(4)
      }
    }
    const publishers = [publisher(0), publisher(1)]

    // Phase 1: injected disconnects until 1,000 reconnections were observed (at most 60 s).
    for (let turn = 0; turn < 1200 && totalDisconnects() < TARGET_DISCONNECTS; turn++)
      await sleep(50)
    const chaosDisconnects = totalDisconnects()
    // Phase 2: SIGKILL instance 2 (subscribers only) mid-run; its clients move to the others.
    phase = 'kill'
    const victim = instances[2] as Instance
    victim.alive = false
    victim.child.kill('SIGKILL')
    await sleep(1500)
    // Phase 3: Redis paused for 5 s while publishing and reconnecting go on.
    phase = 'pause'
    redis.signal('SIGSTOP')
    await sleep(5000)
    redis.signal('SIGCONT')
    await sleep(1500)
    publishing = false
    await Promise.all(publishers)
    chaosOn = false
    await waitForDelivery(published, 30_000)
    const beforeRestart = tally(published, (subscriber) => subscriber.received)
    const destroyed = await Promise.all(
      instances
        .filter((instance) => instance.alive)
        .map(
          async (instance) =>
            (await (await fetch(`${instance.url}/stats`)).json()) as { destroyedMidEvent: number },
        ),
    )

    // Phase 4: Redis restarts empty (no persistence): exactly one gap each, then normal service.
    phase = 'restart'
    const receivedBefore = subscribers.map((subscriber) => subscriber.received.length)
    await redis.restart()
    // Wait until both publishing instances reach the new Redis (a probe nobody subscribes to).
    for (const instance of instances.filter((candidate) => candidate.alive)) {
      for (let attempt = 0; attempt < 100; attempt++) {
        const ok = await publishVia(instance, 'probe', 'probe').then(
          () => true,
          () => false,
        )
        if (ok) break
        await sleep(100)
      }
    }
    const after: Published[] = []
    for (let count = 0; count < 60; count++) {
      const instance = instances[count % 2] as Instance
      after.push(await publishVia(instance, TOPICS[count % 3] as string, `after:${count}`))
    }
    await waitForDelivery(after, 30_000)
    const gaps = subscribers.map(
      (subscriber, index) =>
        subscriber.received
          .slice(receivedBefore[index])
          .filter((event) => event.event === 'ssekit-gap').length,
    )
    const afterRestart = tally(after, (subscriber) => {
      const index = subscribers.indexOf(subscriber)
      return subscriber.received.slice(receivedBefore[index])
    })

    const destroyedMidEvent = destroyed.reduce((sum, stats) => sum + stats.destroyedMidEvent, 0)
    const figures = {
      'disconnects observed by clients (reconnections)': totalDisconnects(),
      '  during the chaos phase': chaosDisconnects,
      '  client aborts injected': clientAborts,
      '  sockets destroyed mid-event by the servers (live instances)': destroyedMidEvent,
      'events published (before the Redis restart)': published.length,
      'events delivered (before the Redis restart, all subscribers)': beforeRestart.delivered,
      lost: beforeRestart.lost,
      duplicated: beforeRestart.duplicated,
      'out of order': beforeRestart.outOfOrder,
      'publishes that waited over 1 s (Redis paused)': publishWaits,
      'gap events per subscriber after the Redis restart': gaps.join(','),
      'events published / delivered after the restart': `${after.length} / ${afterRestart.delivered}`,
      'lost / duplicated after the restart': `${afterRestart.lost} / ${afterRestart.duplicated}`,
      'duration (s)': ((Date.now() - started) / 1000).toFixed(1),
      'last phase': phase,
    }
    console.log('\nssekit hub soak\n', figures)

    expect(chaosDisconnects).toBeGreaterThanOrEqual(TARGET_DISCONNECTS)
    // Both kinds of injected disconnect really happened.
    expect(clientAborts).toBeGreaterThan(0)
    expect(destroyedMidEvent).toBeGreaterThan(0)
    // During the pause every publish waited (none failed: publishVia throws on a non-201).
    expect(publishWaits).toBeGreaterThanOrEqual(1)
    expect(beforeRestart).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0 })
    expect(gaps).toEqual(SUBSCRIBER_TOPICS.map(() => 1))
    expect(afterRestart).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0 })
  }, 140_000)
})
