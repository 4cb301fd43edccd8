/**
 * The client side of the hub benchmark, run as 1–2 child processes so that 1,000 clients do not
 * share one event loop: `node hub-clients.mjs`. Over IPC it is told to open `count` connections to
 * a URL with ssekit's `connect()`, and on request reports (and resets)
 * what it received: deliveries, the time of the last one, and a histogram of publish → `onEvent`
 * latencies. `{ type: 'open-paused', url, count }` opens connections that never read a byte (plain
 * `node:http` requests whose responses are paused), for the paused-subscriber run; `close-all`
 * closes every connection. Times are `process.hrtime` (CLOCK_MONOTONIC, the same clock in every process on
 * Linux), in milliseconds, as in hub-server.mjs.
 */
import { get } from 'node:http'
import { connect } from '@ssekit/client'

const now = () => Number(process.hrtime.bigint() / 1000n) / 1000

/** 0.1 ms buckets up to 60 s: constant memory for millions of samples, sent sparse over IPC. */
let buckets = new Uint32Array(600_000)
let delivered = 0
let lastDelivery = 0
const connections = []

function onEvent(event) {
  const t = now()
  delivered++
  lastDelivery = t
  const ms = t - JSON.parse(event.data).t
  buckets[Math.min(buckets.length - 1, Math.max(0, Math.round(ms * 10)))]++
}

process.on('message', (message) => {
  if (message.type === 'open') {
    for (let i = 0; i < message.count; i++) {
      connections.push(connect(message.url, { retry: { initialDelay: 1000 }, onEvent }))
    }
  }
  if (message.type === 'open-paused') {
    for (let i = 0; i < message.count; i++) {
      const request = get(message.url, (response) => response.pause())
      request.on('error', () => {})
      connections.push({ close: () => request.destroy() })
    }
  }
  if (message.type === 'close-all') {
    for (const connection of connections) connection.close()
    connections.length = 0
  }
  if (message.type === 'count') process.send({ type: 'count', delivered })
  if (message.type === 'report') {
    const histogram = []
    for (let i = 0; i < buckets.length; i++) if (buckets[i] > 0) histogram.push(i, buckets[i])
    process.send({ type: 'report', delivered, lastDelivery, histogram })
    buckets = new Uint32Array(600_000)
    delivered = 0
    lastDelivery = 0
  }
  if (message.type === 'exit') {
    for (const connection of connections) connection.close()
    process.exit(0)
  }
})
process.send({ type: 'ready' })
