/**
 * Hub section (issue #7): one publisher fanning out to 1,000 real SSE connections on loopback,
 * read by ssekit's own client (`connect`), with the @ssekit/hub node handler against better-sse's
 * channel broadcast on the same workload and the same client; and in-process fan-out of the
 * memory hub to 10,000 subscribers. The servers run in a child process (hub-server.mjs) so that
 * they do not share the clients' event loop.
 */
import { execSync, fork } from 'node:child_process'
import { once } from 'node:events'
import { get } from 'node:http'
import { connect, createDecoder } from '@ssekit/decoder'
import { createHub } from '@ssekit/hub'
import { describeMachine } from './benchmarks-md.mjs'

export const name = 'hub'

const CONNECTIONS = Number(process.env.HUB_BENCH_CONNECTIONS ?? 1000)
const SUBSCRIBERS = 10_000
const CLIENT = process.env.HUB_BENCH_CLIENT ?? 'connect'
const now = () => performance.timeOrigin + performance.now()

/** Latencies in a histogram of 0.1 ms buckets up to 60 s: constant memory for millions of samples. */
function createHistogram() {
  const buckets = new Uint32Array(600_000)
  let count = 0
  return {
    add(ms) {
      buckets[Math.min(buckets.length - 1, Math.max(0, Math.round(ms * 10)))]++
      count++
    },
    percentile(p) {
      const target = Math.ceil((p / 100) * count)
      let seen = 0
      for (let i = 0; i < buckets.length; i++) {
        seen += buckets[i]
        if (seen >= target) return i / 10
      }
      return Number.NaN
    },
    get count() {
      return count
    },
  }
}

function checkFileDescriptors() {
  let limit = Number.POSITIVE_INFINITY
  try {
    limit = Number(execSync('ulimit -n', { shell: '/bin/sh', encoding: 'utf8' }).trim())
  } catch {}
  // Each connection costs one descriptor here and one in the server process.
  if (limit < CONNECTIONS + 200) {
    throw new Error(
      `ulimit -n is ${limit}: ${CONNECTIONS} connections need more file descriptors; raise it (ulimit -n 4096) or set HUB_BENCH_CONNECTIONS.`,
    )
  }
  return limit
}

async function startServer(kind) {
  const child = fork(new URL('./hub-server.mjs', import.meta.url), [kind], { stdio: 'inherit' })
  const [message] = await once(child, 'message')
  const request = async (payload, reply) => {
    child.send(payload)
    for (;;) {
      const [answer] = await once(child, 'message')
      if (answer.type === reply) return answer
    }
  }
  return { child, url: `http://127.0.0.1:${message.port}/events?topic=bench`, request }
}

/**
 * A diagnostic client (HUB_BENCH_CLIENT=http): node:http and createDecoder without fetch, to tell
 * the client's cost from the servers'.
 */
function openRawClient(url, onEvent) {
  const decoder = createDecoder({ onEvent })
  const request = get(url, { agent: false }, (response) => {
    response.on('data', (chunk) => decoder.feed(chunk))
  })
  request.on('error', () => {})
  return { close: () => request.destroy() }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** One server kind: open the connections, then run each workload. */
async function measureServer(kind, workloads) {
  const server = await startServer(kind)
  let histogram = createHistogram()
  let delivered = 0
  let lastDelivery = 0
  const connections = []
  const onEvent = (event) => {
    const t = now()
    delivered++
    lastDelivery = t
    histogram.add(t - JSON.parse(event.data).t)
  }
  for (let i = 0; i < CONNECTIONS; i++) {
    connections.push(
      CLIENT === 'http'
        ? openRawClient(server.url, onEvent)
        : connect(server.url, { retry: { initialDelay: 1000 }, onEvent }),
    )
  }
  for (let turn = 0; turn < 600; turn++) {
    const { count } = await server.request({ type: 'subscribers' }, 'subscribers')
    if (count === CONNECTIONS) break
    await sleep(50)
  }
  const results = []
  for (const workload of workloads) {
    histogram = createHistogram()
    delivered = 0
    const expected = workload.count * CONNECTIONS
    const start = now()
    await server.request(
      { type: 'publish', count: workload.count, rate: workload.rate },
      'published',
    )
    // Bounded wait for the last deliveries (60 s).
    for (let turn = 0; turn < 1200 && delivered < expected; turn++) await sleep(50)
    const seconds = (lastDelivery - start) / 1000
    results.push({
      kind,
      workload,
      delivered,
      expected,
      perSecond: delivered / seconds,
      p50: histogram.percentile(50),
      p99: histogram.percentile(99),
    })
    await sleep(200)
  }
  for (const connection of connections) connection.close()
  server.child.send({ type: 'exit' })
  await once(server.child, 'exit')
  return results
}

/** In-process fan-out: 10,000 memory-hub subscribers, each an async iteration loop. */
async function measureInProcess() {
  globalThis.gc()
  const heapBefore = process.memoryUsage().heapUsed
  const hub = createHub()
  const events = 200
  let delivered = 0
  let resolveDone
  const done = new Promise((resolve) => {
    resolveDone = resolve
  })
  const loops = []
  for (let i = 0; i < SUBSCRIBERS; i++) {
    loops.push(
      (async () => {
        let received = 0
        for await (const _event of hub.subscribe('bench')) {
          delivered++
          if (++received === events) break
        }
        if (delivered === events * SUBSCRIBERS) resolveDone()
      })(),
    )
  }
  await sleep(50)
  globalThis.gc()
  const heapSubscribed = process.memoryUsage().heapUsed
  const start = performance.now()
  for (let i = 0; i < events; i++) await hub.publish('bench', { data: `{"i":${i}}` })
  await done
  const seconds = (performance.now() - start) / 1000
  await Promise.all(loops)
  await hub.close()
  return {
    bytesPerSubscriber: (heapSubscribed - heapBefore) / SUBSCRIBERS,
    eventsPerSecond: events / seconds,
    deliveriesPerSecond: (events * SUBSCRIBERS) / seconds,
  }
}

const format = (value) => Math.round(value).toLocaleString('en-US')

export async function run() {
  const limit = checkFileDescriptors()
  console.log(`hub: ulimit -n ${limit}, ${CONNECTIONS} connections`)
  const inProcess = await measureInProcess()
  console.log('hub: in-process', inProcess)
  // Offered deliveries per second are events/s × connections: 10k, 50k and 1M at 1,000
  // connections. The last is the issue's target load.
  const workloads = [
    { label: 'max throughput, 300 events', count: 300, rate: 0 },
    { label: '10 events/s for 3 s', count: 30, rate: 10 },
    { label: '50 events/s for 3 s', count: 150, rate: 50 },
    { label: '1,000 events/s for 1 s', count: 1000, rate: 1000 },
  ]
  const rows = []
  for (const kind of ['ssekit', 'better-sse']) {
    const results = await measureServer(kind, workloads)
    for (const result of results) console.log('hub:', result)
    rows.push(...results)
  }
  const table = [
    '## Hub',
    '',
    `Hub fan-out, ${describeMachine()}. Server in a child process, ${CONNECTIONS} connections on 127.0.0.1 read by ${CLIENT === 'http' ? 'node:http + `createDecoder` (HUB_BENCH_CLIENT=http)' : "ssekit's `connect()`"} in the bench process; latency is publish → client \`onEvent\`. Both servers send the same bytes to the same client; with 2 cores shared by the server and 1,000 clients, the client side is most of the cost, so the ratios compare the servers only loosely.`,
    '',
    '| workload | server | delivered events/s | p50 latency | p99 latency | delivered |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  ]
  for (const workload of workloads) {
    const ours = rows.find((row) => row.kind === 'ssekit' && row.workload === workload)
    const theirs = rows.find((row) => row.kind === 'better-sse' && row.workload === workload)
    for (const row of [ours, theirs]) {
      table.push(
        `| ${workload.label} | ${row.kind === 'ssekit' ? '@ssekit/hub (node handler)' : 'better-sse channel'} | ${format(row.perSecond)} | ${row.p50.toFixed(1)} ms | ${row.p99.toFixed(1)} ms | ${format(row.delivered)} / ${format(row.expected)} |`,
      )
    }
    table.push(`| | ratio | ${(ours.perSecond / theirs.perSecond).toFixed(2)}× | | | |`)
  }
  table.push(
    '',
    `In-process fan-out (memory transport, ${format(SUBSCRIBERS)} subscribers each iterating \`hub.subscribe()\`): ${format(inProcess.eventsPerSecond)} published events/s fully delivered (${format(inProcess.deliveriesPerSecond)} deliveries/s), ${format(inProcess.bytesPerSubscriber)} bytes of heap per idle subscriber.`,
  )
  return table.join('\n')
}
