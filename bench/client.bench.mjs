/**
 * Client section: events/s received from a real node:http server on 127.0.0.1 by @ssekit/client's
 * `connect()` and `EventSource` (built `dist`), the `eventsource` package, undici's `EventSource`
 * and @microsoft/fetch-event-source. The server (a child process) writes N pre-encoded events as
 * fast as the socket takes them; each client lives in a child process of its own (so one's
 * globals and JIT state cannot touch another's) and receives the whole stream once per round.
 */
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { describeMachine } from './benchmarks-md.mjs'

export const name = 'client'

/** Events per run and their size: ~100 bytes of wire text each. */
const EVENTS = 100_000
const ROUNDS = 10
const PAD = 'lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor'

/** The data of event `n`: a ~75-character JSON text that differs from event to event. */
const dataOf = (n) => `{"n":${n},"text":"${PAD.slice(0, 40 + (n % 24))}"}`

const SELF = fileURLToPath(import.meta.url)

/** The server: one pre-encoded body, written in 64 KB chunks with backpressure, to every GET. */
async function serve() {
  let text = ''
  for (let n = 0; n < EVENTS; n++) text += `id: ${n}\ndata: ${dataOf(n)}\n\n`
  const body = Buffer.from(text)
  const server = createServer((req, res) => {
    if (req.url !== '/events') {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    res.flushHeaders()
    let offset = 0
    const pump = () => {
      while (offset < body.length) {
        const chunk = body.subarray(offset, offset + 65_536)
        offset += chunk.length
        if (!res.write(chunk)) {
          res.once('drain', pump)
          return
        }
      }
      res.end()
    }
    pump()
  })
  server.listen(0, '127.0.0.1', () => {
    process.send({ port: server.address().port, bytes: body.length })
  })
  process.on('disconnect', () => {
    server.close()
    server.closeAllConnections()
  })
}

/**
 * The clients: each opens `url`, counts the events, checks each one's data, and closes the
 * connection at the N-th event (every client here reconnects when a stream ends).
 */
const CLIENTS = {
  'ssekit connect() onEvent': async () => {
    const { connect } = await import('@ssekit/client')
    return (url, check, done) => {
      const connection = connect(url, {
        onEvent: (event) => {
          if (check(event.data)) {
            connection.close()
            done()
          }
        },
        onError: (error) => done(error),
      })
    }
  },
  'ssekit connect() for await': async () => {
    const { connect } = await import('@ssekit/client')
    return async (url, check, done) => {
      try {
        for await (const event of connect(url)) if (check(event.data)) break
        done()
      } catch (error) {
        done(error)
      }
    }
  },
  'ssekit EventSource': async () => {
    const { EventSource } = await import('@ssekit/client')
    return (url, check, done) => open(EventSource, url, check, done)
  },
  'eventsource 4.1.1': async () => {
    const { EventSource } = await import('eventsource')
    return (url, check, done) => open(EventSource, url, check, done)
  },
  'undici 7.30.2 EventSource': async () => {
    const { EventSource } = await import('undici')
    return (url, check, done) => open(EventSource, url, check, done)
  },
  '@microsoft/fetch-event-source 2.0.1': async () => {
    // It reads `window.fetch`, `window.setTimeout`/`clearTimeout` and `document`'s visibility
    // listeners, which Node lacks: the smallest shims that let it run.
    globalThis.window = globalThis
    globalThis.document = { hidden: false, addEventListener() {}, removeEventListener() {} }
    const { fetchEventSource } = await import('@microsoft/fetch-event-source')
    return (url, check, done) => {
      const controller = new AbortController()
      fetchEventSource(url, {
        signal: controller.signal,
        openWhenHidden: true, // no visibility in Node
        onmessage: (message) => {
          if (check(message.data)) {
            controller.abort()
            done()
          }
        },
        onerror: (error) => {
          done(error)
          throw error // stop retrying
        },
      }).catch(() => {})
    }
  },
}

/** A standard `EventSource` (any of the three) until the N-th message. */
function open(EventSource, url, check, done) {
  const source = new EventSource(url)
  source.onmessage = (message) => {
    if (check(message.data)) {
      source.close()
      done()
    }
  }
  source.onerror = () => {
    if (source.readyState === source.CLOSED) done(new Error('the EventSource failed'))
  }
}

/** A client's process: answers each `{ url }` with one timed, checked receipt of the stream. */
async function runClient(clientName) {
  const start = await CLIENTS[clientName]()
  process.on('message', async ({ url }) => {
    globalThis.gc()
    let count = 0
    let wrong = 0
    let after = 0
    let finished = false
    const check = (data) => {
      if (finished) {
        after++
        return false
      }
      if (data !== dataOf(count)) wrong++
      count++
      return count === EVENTS
    }
    const cpuStart = process.cpuUsage()
    const wallStart = performance.now()
    const error = await new Promise((resolve) => {
      start(url, check, resolve)
    })
    finished = true
    const wall = performance.now() - wallStart
    const cpu = process.cpuUsage(cpuStart)
    // A client that goes on delivering after close() would show here.
    await new Promise((resolve) => setTimeout(resolve, 20))
    process.send({
      wall,
      cpu: (cpu.user + cpu.system) / 1000,
      count,
      wrong,
      after,
      error: error ? String(error?.stack ?? error) : undefined,
    })
  })
  process.send({ ready: true })
}

const role = process.argv[1] === SELF ? process.argv[2] : undefined
if (role === 'server') await serve()
else if (role === 'client') await runClient(process.argv[3])

function startChild(args) {
  const child = fork(SELF, args, {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  return child
}

async function request(child, message) {
  child.send(message)
  const [reply] = await once(child, 'message')
  return reply
}

const fmt = (value, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

export async function run() {
  const server = startChild(['server'])
  const [{ port, bytes }] = await once(server, 'message')
  const url = `http://127.0.0.1:${port}/events`
  const names = Object.keys(CLIENTS)
  const clients = []
  for (const clientName of names) {
    const child = startChild(['client', clientName])
    await once(child, 'message')
    clients.push(child)
  }
  const results = names.map(() => ({ wall: [], cpu: [] }))
  try {
    // Round 0 warms each client up and is not counted; then the order alternates, forward and
    // backward, so no client always follows the same one.
    for (let round = 0; round <= ROUNDS; round++) {
      const order = names.map((_, i) => i)
      if (round % 2 === 1) order.reverse()
      for (const i of order) {
        const reply = await request(clients[i], { url })
        const label = names[i]
        if (reply.error) throw new Error(`${label}: ${reply.error}`)
        if (reply.count !== EVENTS || reply.wrong !== 0 || reply.after !== 0) {
          throw new Error(
            `${label}: received ${reply.count} events (${reply.wrong} with wrong data, ${reply.after} after close), expected ${EVENTS}`,
          )
        }
        if (round === 0) continue
        results[i].wall.push(reply.wall)
        results[i].cpu.push(reply.cpu)
        console.log(
          `round ${round} ${label.padEnd(38)} ${fmt((EVENTS / reply.wall) * 1e3)} events/s, ${fmt((reply.cpu / EVENTS) * 1e3, 2)} µs CPU/event`,
        )
      }
    }
  } finally {
    for (const child of clients) child.disconnect()
    server.disconnect()
  }

  const reference = Math.min(...results[0].wall)
  const referenceMedian = median(results[0].wall)
  const referenceCpu = Math.min(...results[0].cpu)
  const rows = names.map((label, i) => {
    const best = Math.min(...results[i].wall)
    const cpu = Math.min(...results[i].cpu)
    const typical = median(results[i].wall)
    return `| ${label} | ${fmt((EVENTS / best) * 1e3)} | ${fmt(reference / best, 2)}× | ${fmt((EVENTS / typical) * 1e3)} | ${fmt(referenceMedian / typical, 2)}× | ${fmt((cpu / EVENTS) * 1e3, 2)} | ${fmt(referenceCpu / cpu, 2)}× |`
  })

  const markdown = [
    '## Clients',
    '',
    `Events received over HTTP. Machine: ${describeMachine()}.`,
    `A node:http server (a child process) on 127.0.0.1 writes ${fmt(EVENTS)} pre-encoded events`,
    `(\`id: n\` + ~75 bytes of JSON data; ${fmt(bytes)} bytes) in 64 KB chunks as fast as the socket takes`,
    'them. Each client runs in a child process of its own (globals and JIT state apart), opens the',
    "stream, checks every event's data, and closes at the last event: the time is from creating the",
    "client to the last event on the wall clock (the client process's CPU time beside it), GC before",
    `each run. One warm-up run each, then ${ROUNDS} rounds with the clients interleaved (order forward,`,
    'then backward). Every run received exactly the events sent, with the right data, and nothing',
    'after `close()`. Ratios are against `connect()` with `onEvent` (below 1 is slower); the CPU',
    'ratio compares CPU per event (all threads of the client process), the steadiest measure here.',
    '',
    '| client | best events/s | ratio | median events/s | ratio | µs CPU/event (best) | ratio |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    'ssekit `connect()`, its `EventSource`, the `eventsource` package and fetch-event-source use',
    "Node 20's global `fetch` (its bundled undici); undici's `EventSource` uses undici 7's own",
    'fetch. @microsoft/fetch-event-source needs browser globals: it ran with `globalThis.window =',
    'globalThis` and a `document` stub with no-op `addEventListener`/`removeEventListener` (and',
    '`openWhenHidden: true`), which only its own process sees. The server shares the 2 cores with',
    'the client, so the wall clock includes its writes; the CPU column is the client process alone.',
    'Single runs vary by ±30% on this shared machine (see the gap between best and median); the',
    'ratios of the medians and of CPU per event move far less between runs.',
  ].join('\n')
  console.log(`\n${markdown}`)
  return markdown
}
