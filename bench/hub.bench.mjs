/**
 * Hub section (issue #7): one publisher fanning out to 1,000 real SSE connections on loopback,
 * read by ssekit's own client (`connect`), with the @ssekit/hub node handler against better-sse's
 * channel broadcast on the same workload and the same clients; and in-process fan-out of the
 * memory hub to 10,000 subscribers.
 *
 * Processes: the servers run at once, each in its own child (hub-server.mjs): ssekit, better-sse
 * and the floor (no library: what any server pays per delivery), and the clients are split over
 * HUB_BENCH_CLIENT_PROCESSES children (hub-clients.mjs, default 2), each holding its share of
 * the connections to EVERY server; only one server publishes at a time, the others' connections
 * stay idle (no heartbeats). Each workload runs ssekit, better-sse, floor, then floor,
 * better-sse, ssekit, and the two runs of each server are summed, so none gets the quieter slot. Latency is publish call (in the server) → `onEvent` (in a client), on the shared
 * monotonic clock; throughput is deliveries / (last delivery − first publish); server CPU is the
 * publishing server's user + system time from its first publish to the last delivery.
 *
 * Then (issue #18): the heap of each server while 100 of its 1,000 connections stop reading, and
 * the server CPU time of 1,000 disconnects.
 */
import { execSync, fork } from 'node:child_process'
import { once } from 'node:events'
import { createHub } from '@ssekit/hub'
import { describeMachine } from './benchmarks-md.mjs'

export const name = 'hub'

const CONNECTIONS = Number(process.env.HUB_BENCH_CONNECTIONS ?? 1000)
const CLIENT_PROCESSES = Number(process.env.HUB_BENCH_CLIENT_PROCESSES ?? 2)
const KINDS = ['ssekit', 'better-sse']
/** The fan-out rows also run the floor: no library, one framed write per delivery. */
const FAN_OUT_KINDS = [...KINDS, 'floor']
const LABELS = {
  ssekit: '@ssekit/hub (node handler)',
  'better-sse': 'better-sse channel',
  floor: 'floor: node:http, one write each',
}
const SUBSCRIBERS = 10_000
/** The data size of the paused-subscriber run's events, in bytes. */
const PAUSED_EVENT_SIZE = 16_384

function checkFileDescriptors() {
  let limit = Number.POSITIVE_INFINITY
  try {
    limit = Number(execSync('ulimit -n', { shell: '/bin/sh', encoding: 'utf8' }).trim())
  } catch {}
  // Each client process holds its share of the connections to every server; each server holds
  // all of its own.
  const needed = Math.ceil((FAN_OUT_KINDS.length * CONNECTIONS) / CLIENT_PROCESSES) + 200
  if (limit < needed) {
    throw new Error(
      `ulimit -n is ${limit}: ${CONNECTIONS} connections to each server need ${needed} file descriptors per process; raise it (ulimit -n 4096) or set HUB_BENCH_CONNECTIONS.`,
    )
  }
  return limit
}

/**
 * Forks a bench child and waits for its first message; `request` sends one and awaits a reply,
 * and rejects when the child has exited (a server out of memory), so no run waits forever.
 * `stop()` asks it to exit and waits, unless it is gone already.
 */
async function startChild(file, args, extraExecArgv = []) {
  const child = fork(new URL(file, import.meta.url), args, {
    stdio: 'inherit',
    // HUB_BENCH_PROFILE=<dir>: each server writes a V8 CPU profile there when it exits.
    execArgv: [
      ...(process.env.HUB_BENCH_PROFILE && file.includes('server')
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.HUB_BENCH_PROFILE}`]
        : process.execArgv),
      ...extraExecArgv,
    ],
  })
  const exited = once(child, 'exit').then(([code, signal]) => {
    throw new Error(`${file} ${args.join(' ')} exited (${signal ?? code})`)
  })
  exited.catch(() => {})
  const [first] = await Promise.race([once(child, 'message'), exited])
  const request = async (payload, reply) => {
    if (!child.connected) await exited
    child.send(payload)
    for (;;) {
      const [answer] = await Promise.race([once(child, 'message'), exited])
      if (answer.type === reply) return answer
    }
  }
  const stop = async () => {
    if (!child.connected) return
    child.send({ type: 'exit' })
    await exited.catch(() => {})
  }
  return { child, first, request, stop }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Latency percentiles from merged sparse histograms of 0.1 ms buckets. */
function percentiles(histograms, ...ps) {
  const buckets = new Map()
  let count = 0
  for (const sparse of histograms) {
    for (let i = 0; i < sparse.length; i += 2) {
      buckets.set(sparse[i], (buckets.get(sparse[i]) ?? 0) + sparse[i + 1])
      count += sparse[i + 1]
    }
  }
  const sorted = [...buckets].sort((a, b) => a[0] - b[0])
  return ps.map((p) => {
    const target = Math.ceil((p / 100) * count)
    let seen = 0
    for (const [bucket, n] of sorted) {
      seen += n
      if (seen >= target) return bucket / 10
    }
    return Number.NaN
  })
}

/** One run of a workload on one server: publish, wait (60 s at most) for every delivery. */
async function runOnce(server, clients, workload) {
  const expected = workload.count * CONNECTIONS
  const { start } = await server.request(
    { type: 'publish', count: workload.count, rate: workload.rate },
    'published',
  )
  for (let turn = 0; turn < 1200; turn++) {
    const counts = await Promise.all(clients.map((c) => c.request({ type: 'count' }, 'count')))
    if (counts.reduce((sum, c) => sum + c.delivered, 0) >= expected) break
    await sleep(50)
  }
  const { micros } = await server.request({ type: 'cpu' }, 'cpu')
  const reports = await Promise.all(clients.map((c) => c.request({ type: 'report' }, 'report')))
  const lastDelivery = Math.max(...reports.map((report) => report.lastDelivery))
  return {
    delivered: reports.reduce((sum, report) => sum + report.delivered, 0),
    expected,
    seconds: (lastDelivery - start) / 1000,
    cpuMicros: micros,
    histograms: reports.map((report) => report.histogram),
  }
}

/** Both servers up, every client connected to both, then each workload ABBA. */
async function measureServers(workloads) {
  const servers = {}
  for (const kind of FAN_OUT_KINDS) {
    const server = await startChild('./hub-server.mjs', [kind])
    server.url = `http://127.0.0.1:${server.first.port}/events?topic=bench`
    servers[kind] = server
  }
  const clients = []
  for (let i = 0; i < CLIENT_PROCESSES; i++) clients.push(await startChild('./hub-clients.mjs', []))
  for (const kind of FAN_OUT_KINDS) {
    clients.forEach((client, i) => {
      const share =
        Math.floor(CONNECTIONS / CLIENT_PROCESSES) + (i < CONNECTIONS % CLIENT_PROCESSES ? 1 : 0)
      client.child.send({ type: 'open', url: servers[kind].url, count: share })
    })
    for (let turn = 0; turn < 600; turn++) {
      const { count } = await servers[kind].request({ type: 'subscribers' }, 'subscribers')
      if (count === CONNECTIONS) break
      await sleep(50)
    }
  }
  await sleep(500)
  // Warm-up, not reported: both servers' and the clients' code is compiled by V8 only after it
  // ran a while. Without it the first workload timed interpreted code, which is what its p99
  // reflected (138 ms vs 82 ms with 6 bursts, the first of them cold), not steady service.
  for (const kind of FAN_OUT_KINDS) {
    await runOnce(servers[kind], clients, { count: 200, rate: 0 })
    await runOnce(servers[kind], clients, { count: 20, rate: 20 })
    await sleep(300)
  }
  const rows = []
  for (const workload of workloads) {
    const runs = Object.fromEntries(FAN_OUT_KINDS.map((kind) => [kind, []]))
    for (const kind of [...FAN_OUT_KINDS, ...[...FAN_OUT_KINDS].reverse()]) {
      runs[kind].push(await runOnce(servers[kind], clients, workload))
      await sleep(300)
    }
    for (const kind of FAN_OUT_KINDS) {
      const sum = (key) => runs[kind].reduce((total, run) => total + run[key], 0)
      const [p50, p99] = percentiles(
        runs[kind].flatMap((run) => run.histograms),
        50,
        99,
      )
      const row = {
        kind,
        workload,
        delivered: sum('delivered'),
        expected: sum('expected'),
        perSecond: sum('delivered') / sum('seconds'),
        cpuPerDelivery: sum('cpuMicros') / sum('delivered'),
        p50,
        p99,
      }
      console.log('hub:', { ...row, workload: workload.label })
      rows.push(row)
    }
  }
  for (const client of clients) {
    client.child.send({ type: 'exit' })
    await once(client.child, 'exit')
  }
  for (const kind of FAN_OUT_KINDS) {
    servers[kind].child.send({ type: 'exit' })
    await once(servers[kind].child, 'exit')
  }
  return rows
}

/** CPU per delivery above the floor's, ssekit's over better-sse's; "-" where the floor is not below both. */
function aboveFloor(ours, theirs, floor) {
  const ourExtra = ours.cpuPerDelivery - floor.cpuPerDelivery
  const theirExtra = theirs.cpuPerDelivery - floor.cpuPerDelivery
  if (ourExtra <= 0 || theirExtra <= 0) return '-'
  return `${(ourExtra / theirExtra).toFixed(2)}× (${ourExtra.toFixed(2)} ÷ ${theirExtra.toFixed(2)} µs)`
}

/**
 * In-process fan-out: 10,000 memory-hub subscribers, each an async iteration loop. One round to
 * warm up (V8 compiles the code and sizes its allocations on the first; that round's heap figure
 * was ~80 B per subscriber higher), then three, each reported.
 */
async function measureInProcess() {
  await measureInProcessOnce()
  const rounds = []
  for (let round = 0; round < 3; round++) rounds.push(await measureInProcessOnce())
  return rounds
}

async function measureInProcessOnce() {
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

/**
 * The paused-subscriber run: one server at a time, 1,000 connections of which 100 never read,
 * 10 events/s of ~16 KB for 30 s (4.9 MB per connection: at ~4 KB, 1.2 MB per connection, the
 * kernel's socket buffers took it all and neither server had anything to hold back). The heap after a full GC and the bytes waiting in the sockets'
 * own buffers, at the start and every 10 s.
 */
async function measurePaused(kind) {
  // A bounded heap: a server that buffers for every paused connection would take the machine's
  // memory (better-sse's reached 3.9 GB in one run before V8's default limit stopped it).
  const server = await startChild('./hub-server.mjs', [kind], ['--max-old-space-size=1024'])
  const url = `http://127.0.0.1:${server.first.port}/events?topic=bench`
  const clients = []
  for (let i = 0; i < CLIENT_PROCESSES; i++) clients.push(await startChild('./hub-clients.mjs', []))
  const paused = 100
  clients.forEach((client, i) => {
    const share = (n) => Math.floor(n / CLIENT_PROCESSES) + (i < n % CLIENT_PROCESSES ? 1 : 0)
    client.child.send({ type: 'open', url, count: share(CONNECTIONS - paused) })
    client.child.send({ type: 'open-paused', url, count: share(paused) })
  })
  for (let turn = 0; turn < 600; turn++) {
    const { count } = await server.request({ type: 'subscribers' }, 'subscribers')
    if (count === CONNECTIONS) break
    await sleep(50)
  }
  await sleep(500)
  const samples = [await server.request({ type: 'heap' }, 'heap')]
  const expected = 300 * (CONNECTIONS - paused)
  let delivered = 0
  let died
  const start = performance.now()
  try {
    const published = server.request(
      { type: 'publish', count: 300, rate: 10, size: PAUSED_EVENT_SIZE },
      'published',
    )
    published.catch(() => {})
    for (const second of [10, 20, 30]) {
      await sleep(Math.max(0, start + second * 1000 - performance.now()))
      samples.push(await server.request({ type: 'heap' }, 'heap'))
    }
    await published
  } catch {
    died = (performance.now() - start) / 1000
  }
  for (let turn = 0; turn < 200 && delivered < expected; turn++) {
    const counts = await Promise.all(clients.map((c) => c.request({ type: 'count' }, 'count')))
    delivered = counts.reduce((sum, c) => sum + c.delivered, 0)
    if (delivered < expected && died === undefined) await sleep(50)
    else break
  }
  for (const client of clients) await client.stop()
  await server.stop()
  return { kind, samples, delivered, expected, died }
}

/**
 * Closing: 1,000 clients disconnect at once from one server at a time (both in their child
 * processes, as above); the server's CPU time from just before the first disconnect until it has
 * no subscriber left, per disconnect. A warm-up round, then three.
 */
async function measureDisconnects(kind) {
  const server = await startChild('./hub-server.mjs', [kind])
  const url = `http://127.0.0.1:${server.first.port}/events?topic=bench`
  const clients = []
  for (let i = 0; i < CLIENT_PROCESSES; i++) clients.push(await startChild('./hub-clients.mjs', []))
  const subscribers = async () =>
    (await server.request({ type: 'subscribers' }, 'subscribers')).count
  const rounds = []
  for (let round = 0; round < 4; round++) {
    clients.forEach((client, i) => {
      const share =
        Math.floor(CONNECTIONS / CLIENT_PROCESSES) + (i < CONNECTIONS % CLIENT_PROCESSES ? 1 : 0)
      client.child.send({ type: 'open', url, count: share })
    })
    for (let turn = 0; turn < 600 && (await subscribers()) < CONNECTIONS; turn++) await sleep(50)
    await sleep(300)
    // A publish of no events starts the server's CPU clock.
    await server.request({ type: 'publish', count: 0, rate: 0 }, 'published')
    for (const client of clients) client.child.send({ type: 'close-all' })
    for (let turn = 0; turn < 600 && (await subscribers()) > 0; turn++) await sleep(20)
    const { micros } = await server.request({ type: 'cpu' }, 'cpu')
    if (round > 0) rounds.push(micros / CONNECTIONS)
  }
  for (const client of clients) {
    client.child.send({ type: 'exit' })
    await once(client.child, 'exit')
  }
  server.child.send({ type: 'exit' })
  await once(server.child, 'exit')
  return rounds
}

const format = (value) => Math.round(value).toLocaleString('en-US')

const milliseconds = (ms) => (ms >= 1000 ? `${format(ms)} ms` : `${ms.toFixed(1)} ms`)

export async function run() {
  const limit = checkFileDescriptors()
  console.log(
    `hub: ulimit -n ${limit}, ${CONNECTIONS} connections, ${CLIENT_PROCESSES} client processes`,
  )
  const inProcess = await measureInProcess()
  console.log('hub: in-process', inProcess)
  const disconnects = {}
  for (const kind of KINDS) {
    disconnects[kind] = await measureDisconnects(kind)
    console.log('hub: server µs per disconnect', kind, disconnects[kind])
  }
  // Rates are published events/s; each is delivered to every connection. The target
  // ("1,000 connections and 1,000 events/s") read as deliveries is the first row; read as
  // published events it is the last (1,000,000 deliveries/s offered).
  const offered = (rate) => format(rate * CONNECTIONS)
  const workloads = [
    { label: `1 event/s for 10 s (${offered(1)} deliveries/s)`, count: 11, rate: 1 },
    { label: `10 events/s for 3 s (${offered(10)}/s)`, count: 30, rate: 10 },
    { label: `50 events/s for 3 s (${offered(50)}/s)`, count: 150, rate: 50 },
    { label: `100 events/s for 2 s (${offered(100)}/s)`, count: 200, rate: 100 },
    { label: 'max throughput, 300 events in bursts of 20', count: 300, rate: 0 },
    { label: `1,000 events/s for 1 s (${offered(1000)}/s offered)`, count: 1000, rate: 1000 },
  ]
  // HUB_BENCH_WORKLOADS=1,2 runs only those rows (1-based), for quick comparisons.
  const only = process.env.HUB_BENCH_WORKLOADS?.split(',').map(Number)
  const rows = await measureServers(
    only ? workloads.filter((_, index) => only.includes(index + 1)) : workloads,
  )
  // HUB_BENCH_PAUSED=0 skips the paused-subscriber run (a minute), for quick comparisons.
  const paused = []
  if (process.env.HUB_BENCH_PAUSED !== '0') {
    for (const kind of KINDS) {
      paused.push(await measurePaused(kind))
      console.log('hub: paused', paused.at(-1))
    }
  }
  const table = [
    '## Hub',
    '',
    `Hub fan-out, ${describeMachine()}. Both servers in their own child processes, ${format(CONNECTIONS)} connections to each on 127.0.0.1, read by ssekit's \`connect()\` in ${CLIENT_PROCESSES} client processes; both servers send the same bytes (no heartbeats). Each workload runs ssekit, better-sse, the floor, then the same in reverse, and sums the two runs of each. Latency: the server's publish call → the client's \`onEvent\`, on the shared monotonic clock. Server CPU: the publishing server's user + system time per delivery. The floor row is a server with no library (each event framed once into one Buffer and written to each socket with one write): what it costs per delivery, the kernel's loopback write and Node's socket write, any library pays too; "above the floor" compares what each library adds to it. Server and clients share the 2 cores: up to ~100,000 deliveries/s the clients keep up and latency is the time to write 1,000 sockets and parse 1,000 events; above that the clients saturate and both servers queue. Before the rows, both servers get a warm-up (200 events as fast as they go, then 20 at 20/s; not reported), so the rows time compiled code, not V8's first runs. The target of issue #7, p99 under 50 ms at 1,000 connections and 1,000 events/s, is met by both servers read as 1,000 deliveries/s (first row); read as 1,000 published events/s (last row: 1,000,000 deliveries/s offered), neither server comes near it on 2 cores shared with 1,000 clients.`,
    '',
    '| workload | server | delivered/s | p50 latency | p99 latency | server CPU / delivery | delivered |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const workload of workloads) {
    if (!rows.some((row) => row.workload === workload)) continue
    const ours = rows.find((row) => row.kind === 'ssekit' && row.workload === workload)
    const theirs = rows.find((row) => row.kind === 'better-sse' && row.workload === workload)
    const floor = rows.find((row) => row.kind === 'floor' && row.workload === workload)
    for (const row of [ours, theirs, floor]) {
      table.push(
        `| ${workload.label} | ${LABELS[row.kind]} | ${format(row.perSecond)} | ${milliseconds(row.p50)} | ${milliseconds(row.p99)} | ${row.cpuPerDelivery.toFixed(2)} µs | ${format(row.delivered)} / ${format(row.expected)} |`,
      )
    }
    table.push(
      `| | ssekit ÷ better-sse | ${(ours.perSecond / theirs.perSecond).toFixed(2)}× | ${(ours.p50 / theirs.p50).toFixed(2)}× | ${(ours.p99 / theirs.p99).toFixed(2)}× | ${(ours.cpuPerDelivery / theirs.cpuPerDelivery).toFixed(2)}× | |`,
      `| | above the floor: ssekit ÷ better-sse | | | | ${aboveFloor(ours, theirs, floor)} | |`,
    )
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
  const spread = (values, digits = 0) =>
    `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`
  const bytes = inProcess.map((round) => round.bytesPerSubscriber)
  table.push(
    '',
    `In-process fan-out (memory transport, ${format(SUBSCRIBERS)} subscribers each iterating \`hub.subscribe()\` in its own \`for await\` loop; a warm-up round, then three): ${format(median(inProcess.map((round) => round.eventsPerSecond)))} published events/s fully delivered (${format(median(inProcess.map((round) => round.deliveriesPerSecond)))} deliveries/s), ${spread(bytes)} bytes of heap per idle subscriber (median, range), the consumer's own suspended async function included.`,
    '',
    `Closing: ${format(CONNECTIONS)} clients disconnecting at once cost the server ${spread(disconnects.ssekit, 1)} µs of CPU each with @ssekit/hub's node handler and ${spread(disconnects['better-sse'], 1)} µs with better-sse (median and range of three rounds after a warm-up; server CPU from the first disconnect until no subscriber is left).`,
  )
  if (paused.length > 0) {
    const mb = (value) => (value / 1e6).toFixed(1)
    table.push(
      '',
      `Paused subscribers: ${format(CONNECTIONS)} connections to one server at a time (its heap limited to 1 GB), 100 of which never read, 10 events/s of ${format(PAUSED_EVENT_SIZE / 1024)} KB for 30 s (${mb(300 * PAUSED_EVENT_SIZE)} MB per connection, more than loopback's socket buffers take). The server's heap after a full GC and the bytes waiting in its own socket buffers (written, not yet taken by the kernel), in MB, at the start and every 10 s; the hub's history (1,000 events) holds all 300 events:`,
      '',
      '| server | heap 0 s | 10 s | 20 s | 30 s | socket buffers 0 s | 10 s | 20 s | 30 s | delivered to the readers |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    )
    for (const run of paused) {
      // A server that died (out of its 1 GB heap) has no later samples.
      const cells = (key) =>
        [0, 1, 2, 3]
          .map((i) =>
            run.samples[i] ? mb(run.samples[i][key]) : `died at ${run.died.toFixed(0)} s`,
          )
          .join(' | ')
      table.push(
        `| ${run.kind === 'ssekit' ? '@ssekit/hub (node handler)' : 'better-sse channel'} | ${cells('heapUsed')} | ${cells('buffered')} | ${format(run.delivered)} / ${format(run.expected)} |`,
      )
    }
  }
  return table.join('\n')
}
