/**
 * Synthetic probe traces: the handler's schedule, sent through a model of the path (direct, a
 * buffer that flushes when full, an idle cut), arriving as chunks that the same decoder reads.
 * The analysis gets exactly what `runProbe` would record, without the clock.
 *
 * @module
 */
import { createDecoder } from '@ssekit/decoder'
import { encode, encodeComment } from '@ssekit/encoder'
import { type DoctorPlan, schedulePlan } from '../src/plan.ts'
import { encodeTick } from '../src/probe-stream.ts'
import { DOCTOR_EVENTS, type DoctorHello } from '../src/protocol.ts'
import type { ArrivedChunk, ArrivedEvent, ProbeTrace, TraceEnd } from '../src/trace.ts'

/** What sits between the handler and the client. */
export interface PathModel {
  /** One-way latency in ms. */
  latency: number
  /** Extra delay of each write, in ms (a jittery network), indexed by write; missing is 0. */
  jitter?: number[]
  /** A buffer that sends exactly this many bytes each time it fills, the rest at the end. */
  bufferBytes?: number
  /**
   * With `bufferBytes`: the buffer sends whole writes, everything it holds once it holds at least
   * `bufferBytes` (a batching proxy), instead of cutting at exactly `bufferBytes` (nginx).
   */
  wholeWrites?: boolean
  /** A buffer flushed on a timer: everything it holds leaves every `flushEvery` ms. */
  flushEvery?: number
  /** The connection is cut after this much silence, in ms. */
  idleCut?: number
  /** Response headers besides the event-stream ones. */
  headers?: Record<string, string>
}

/** A write of the handler: when and what. */
interface Write {
  t: number
  text: string
}

const encoder = new TextEncoder()

function concat(parts: Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    joined.set(part, offset)
    offset += part.length
  }
  return joined
}

/** The handler's writes for a plan, stamped with their scheduled times. */
function writesOf(hello: DoctorHello): { writes: Write[]; doneAt: number } {
  const schedule = schedulePlan(hello.plan)
  const writes: Write[] = [
    {
      t: schedule.helloAt,
      text: `${encodeComment('ssekit doctor: primer')}${encode({ retry: hello.plan.retry })}${encode({ event: DOCTOR_EVENTS.hello, data: hello })}`,
    },
  ]
  for (const tick of schedule.ticks) writes.push({ t: tick.at, text: encodeTick(tick, tick.at) })
  writes.push({
    t: schedule.doneAt,
    text: encode({
      event: DOCTOR_EVENTS.done,
      data: { t: schedule.doneAt, ticks: schedule.ticks.length },
    }),
  })
  return { writes, doneAt: schedule.doneAt }
}

/**
 * The trace a client would record for `plan` through `path`.
 *
 * @param plan - the handler's plan
 * @param path - the model of what sits in between
 * @returns the trace, reconnect check included (it succeeded)
 */
export function synthesizeTrace(plan: DoctorPlan, path: PathModel): ProbeTrace {
  const sentHeaders = {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
  }
  const hello: DoctorHello = { protocol: 1, plan, headers: sentHeaders, httpVersion: '1.1' }
  const { writes } = writesOf(hello)
  // Arrivals on the client's clock: the request left at 0, the headers at `latency`.
  const arrivals: { at: number; bytes: Uint8Array }[] = []
  let cutAt: number | null = null
  let previous: Write | undefined
  for (const [index, write] of writes.entries()) {
    if (
      path.idleCut !== undefined &&
      previous !== undefined &&
      write.t - previous.t > path.idleCut
    ) {
      cutAt = previous.t + path.idleCut + path.latency * 2
      break
    }
    previous = write
    arrivals.push({
      at: write.t + path.latency * 2 + (path.jitter?.[index] ?? 0),
      bytes: encoder.encode(write.text),
    })
  }
  let chunks: { at: number; bytes: Uint8Array }[] = []
  if (path.flushEvery !== undefined) {
    const every = path.flushEvery
    let held: Uint8Array[] = []
    let tick = every
    for (const arrival of arrivals) {
      while (tick < arrival.at) {
        if (held.length > 0) chunks.push({ at: tick, bytes: concat(held) })
        held = []
        tick += every
      }
      held.push(arrival.bytes)
    }
    if (held.length > 0) chunks.push({ at: tick, bytes: concat(held) })
  } else if (path.bufferBytes === undefined) {
    let last = 0
    for (const arrival of arrivals) {
      last = Math.max(last, arrival.at)
      chunks.push({ at: last, bytes: arrival.bytes })
    }
  } else {
    // Fills and flushes exactly bufferBytes at a time, cutting events anywhere.
    let held = new Uint8Array(0)
    for (const arrival of arrivals) {
      const joined = new Uint8Array(held.length + arrival.bytes.length)
      joined.set(held)
      joined.set(arrival.bytes, held.length)
      held = joined
      if (path.wholeWrites === true && held.length >= path.bufferBytes) {
        chunks.push({ at: arrival.at, bytes: held })
        held = new Uint8Array(0)
      }
      while (path.wholeWrites !== true && held.length >= path.bufferBytes) {
        chunks.push({ at: arrival.at, bytes: held.subarray(0, path.bufferBytes) })
        held = held.subarray(path.bufferBytes)
      }
    }
    const endAt = cutAt ?? arrivals.at(-1)?.at ?? 0
    if (held.length > 0 && cutAt === null) chunks.push({ at: endAt, bytes: held })
  }
  chunks = chunks.filter((chunk) => cutAt === null || chunk.at <= cutAt)

  const events: ArrivedEvent[] = []
  const arrived: ArrivedChunk[] = []
  let retry: number | null = null
  let offset = 0
  let at = 0
  const decoder = createDecoder({
    onEvent: (event) =>
      events.push({
        at,
        type: event.event ?? 'message',
        id: event.id ?? null,
        data: event.data,
        offset,
      }),
    onRetry: (value) => {
      retry = value
    },
  })
  for (const chunk of chunks) {
    at = chunk.at
    offset += chunk.bytes.length
    arrived.push({ at: chunk.at, size: chunk.bytes.length })
    decoder.feed(chunk.bytes)
  }
  const done = events.some((event) => event.type === DOCTOR_EVENTS.done)
  const end: TraceEnd =
    cutAt === null
      ? { at: (chunks.at(-1)?.at ?? 0) + 1, reason: done ? 'done' : 'closed', message: null }
      : { at: cutAt, reason: 'error', message: 'terminated' }
  return {
    url: 'http://127.0.0.1:8080/ssekit-doctor/stream',
    mode: 'doctor',
    status: 200,
    headers: { ...sentHeaders, 'transfer-encoding': 'chunked', ...path.headers },
    httpVersion: 'http/1.1',
    headersAt:
      path.bufferBytes === undefined && path.flushEvery === undefined
        ? path.latency * 2
        : (chunks[0]?.at ?? 0),
    chunks: arrived,
    events,
    retry,
    end,
    reconnect: {
      retry: plan.retry,
      lastEventId: 's-1',
      receivedLastEventId: 's-1',
      afterMs: plan.retry + 3,
      error: null,
    },
  }
}
