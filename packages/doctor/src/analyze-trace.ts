import { isEventStreamContentType } from '@ssekit/shared'
import { type Fix, fixesFor, type Layer } from './fixes.ts'
import { type DoctorPlan, schedulePlan } from './plan.ts'
import { DOCTOR_EVENTS, type DoctorHello, type DoctorTick } from './protocol.ts'
import type { ArrivedChunk, ProbeTrace } from './trace.ts'

/** How much a finding matters: `error` breaks delivery and fails the run. */
export type Severity = 'error' | 'warning' | 'info'

/** The stable codes of the doctor's findings. */
export type FindingCode =
  | 'UNREACHABLE_STATUS'
  | 'NOT_DOCTOR'
  | 'CONTENT_TYPE'
  | 'BUFFERED'
  | 'COMPRESSED'
  | 'IDLE_CUT'
  | 'CLOSED_EARLY'
  | 'EVENTS_LOST'
  | 'HEADERS_WAITED'
  | 'CACHE_CONTROL'
  | 'NO_TRANSFORM'
  | 'HOP_BY_HOP'
  | 'CONTENT_LENGTH'
  | 'HTTP1_CONNECTION_LIMIT'
  | 'UPSTREAM_HTTP_1_0'
  | 'PROXY_SEEN'
  | 'RETRY_LOST'
  | 'LAST_EVENT_ID_LOST'
  | 'RECONNECT_FAILED'
  | 'RECONNECT_OK'
  | 'BURSTS'
  | 'NO_IDS'

/** One thing the doctor found, with its evidence and the fix for each layer that can cause it. */
export interface Finding {
  code: FindingCode
  severity: Severity
  /** One sentence: what is wrong (or fine). */
  title: string
  /** What was measured that shows it. */
  evidence: string[]
  fixes: Fix[]
}

/** What the doctor measured, as values a test or a CI job can check. */
export interface DoctorSummary {
  status: number
  contentType: string | null
  /**
   * The HTTP version a browser gets from the first hop (`http/1.1`, `h2`), when known: the
   * probe's own, or the one the TLS handshake offers when the probe could not use it.
   */
  httpVersion: string | null
  /** The HTTP version the handler received the request with (the last hop's), when it says. */
  upstreamHttpVersion: string | null
  /** When the headers arrived, in ms after the request. */
  headersMs: number
  /** When the first body byte arrived, in ms after the request, or null. */
  firstByteMs: number | null
  /** Whether the headers were held back until the body's first bytes. */
  headersWaitedForBody: boolean
  /** Whether events sent apart arrived together. */
  buffering: boolean
  /**
   * The estimated size of the buffer that held them, in bytes of the stream as the handler wrote
   * it (before any compression), when releases showed it.
   */
  bufferBytes: number | null
  /**
   * When the buffer is flushed on a timer rather than when full, the timer's interval in ms
   * (`bufferBytes` is then null: its releases depend on the events' sizes).
   */
  flushIntervalMs: number | null
  /** The longest time an event was held, in ms. */
  maxHoldMs: number | null
  /** The `Content-Encoding` of the stream, or null. */
  compression: string | null
  /** For a compressed stream, whether each event still arrived when sent. */
  compressionFlushed: boolean | null
  /** The silence after which the connection was closed, in ms, or null when none was. */
  idleCutMs: number | null
  /** The longest silence the connection survived, in ms. */
  longestSilenceMs: number
  /** The `retry:` received, or null. */
  retry: number | null
  /** Layers the headers name (`Server: nginx`, `CF-Ray`, …). */
  layers: Layer[]
  /** Ticks the handler sent (doctor mode) and events received. */
  eventsSent: number | null
  eventsReceived: number
}

/** The doctor's verdict on one probe. */
export interface DoctorReport {
  url: string
  mode: 'doctor' | 'stream'
  /** True when no finding is an `error`. */
  ok: boolean
  /** How long the probe ran, in ms. */
  durationMs: number
  summary: DoctorSummary
  findings: Finding[]
}

/** Chunks closer than this (ms), or a third of the cadence if less, count as one release. */
const TOGETHER_MS = 25
/**
 * How much larger the steady phase's releases must be than those of the small events for the
 * buffer to count as flushed on a timer. The steady events are 6 to 7 times the small ones, so
 * a timer gives about that ratio and a size buffer about 1.
 */
const TIMER_RATIO = 2.5
/** The hop-by-hop headers of HTTP/1.1 (RFC 9110, section 7.6.1), which HTTP/2 and HTTP/3 forbid. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']

/**
 * The HTTP version a browser gets: what the server offers (ALPN, from the command line), else
 * what the probe negotiated, else HTTP/1.1 for plain `http:` (browsers use HTTP/2 only over TLS).
 */
function browserHttpVersion(trace: ProbeTrace): string | null {
  return (
    trace.offeredHttpVersion ??
    trace.httpVersion ??
    (trace.url.startsWith('http:') ? 'http/1.1' : null)
  )
}

/** Layers named by response headers. */
function detectLayers(headers: Record<string, string>): Layer[] {
  const layers = new Set<Layer>()
  const server = (headers.server ?? '').toLowerCase()
  const powered = (headers['x-powered-by'] ?? '').toLowerCase()
  if (server.includes('nginx') || server.includes('openresty')) layers.add('nginx')
  if (server.includes('cloudflare') || headers['cf-ray'] !== undefined) layers.add('Cloudflare')
  if (server.includes('awselb')) layers.add('AWS ALB')
  if (headers['x-amzn-requestid'] !== undefined || headers['x-amz-apigw-id'] !== undefined) {
    layers.add('AWS API Gateway')
  }
  if (powered.includes('next.js')) layers.add('Next.js')
  if (powered.includes('express')) layers.add('Express')
  if (server.includes('bun')) layers.add('Bun')
  if ((headers.via ?? '').toLowerCase().includes('traefik')) layers.add('Traefik')
  return [...layers]
}

/** Puts the fixes of the layers seen first. */
function orderFixes(fixes: Fix[], layers: Layer[]): Fix[] {
  const seen = (fix: Fix): number => (fix.layer === 'app' || layers.includes(fix.layer) ? 0 : 1)
  return [...fixes].sort((a, b) => seen(a) - seen(b))
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
}

function kilobytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/** A set of chunks that arrived together. */
interface Release {
  at: number
  bytes: number
  /** Body bytes received when it ended. */
  end: number
  /** The ticks completed in it: number and send time. */
  ticks: { n: number; t: number; at: number }[]
}

/**
 * Groups chunks that arrived within `together` ms of the one before: one release of a buffer can
 * take several reads. It must stay well under the cadence, or chunks a cadence apart would chain
 * into one release.
 */
function groupReleases(chunks: ArrivedChunk[], together: number): Release[] {
  const releases: Release[] = []
  let end = 0
  let last = Number.NEGATIVE_INFINITY
  for (const chunk of chunks) {
    end += chunk.size
    const current = releases.at(-1)
    if (current !== undefined && chunk.at - last <= together) {
      current.bytes += chunk.size
      current.end = end
    } else {
      releases.push({ at: chunk.at, bytes: chunk.size, end, ticks: [] })
    }
    last = chunk.at
  }
  return releases
}

/** What the analysis of the timing found, for the summary and the findings. */
interface TimingAnalysis {
  buffering: boolean
  bufferBytes: number | null
  /** For a buffer flushed on a timer rather than when full, the timer's interval in ms. */
  flushIntervalMs: number | null
  heldBytesAtLeast: number
  maxHoldMs: number
  heldEvidence: string[]
}

/**
 * The core of the buffering check. Each tick carries the time the handler wrote it; the arrival
 * times are on the client's clock. The least-delayed tick gives the offset between the clocks
 * (latency included), so every other tick's hold is its extra delay. A release (chunks arriving
 * together) that completes ticks written at least 1.5 cadences apart held them; one such release
 * can be a stalled client, so buffering needs two, or one spanning four cadences or more. A
 * buffer that flushes when full releases its size each time: the median release of the held ones
 * before the end of the stream estimates it.
 */
function analyzeTiming(
  releases: Release[],
  ticks: { n: number; t: number; at: number }[],
  plan: DoctorPlan,
  endAt: number,
  phaseOf: (n: number) => string | undefined,
): TimingAnalysis & { offset: number } {
  const offset = Math.min(...ticks.map((tick) => tick.at - tick.t))
  let maxHoldMs = 0
  for (const tick of ticks) maxHoldMs = Math.max(maxHoldMs, tick.at - tick.t - offset)
  // Each tick belongs to the last release that began at or before its arrival.
  let index = 0
  for (const tick of [...ticks].sort((a, b) => a.at - b.at)) {
    while (index + 1 < releases.length && (releases[index + 1] as Release).at <= tick.at) index++
    releases[index]?.ticks.push(tick)
  }
  const held = releases.filter((release) => {
    if (release.ticks.length < 2) return false
    const times = release.ticks.map((tick) => tick.t)
    return Math.max(...times) - Math.min(...times) >= 1.5 * plan.cadence
  })
  const span = (release: Release): number => {
    const times = release.ticks.map((tick) => tick.t)
    return Math.max(...times) - Math.min(...times)
  }
  const buffering = held.length >= 2 || held.some((release) => span(release) >= 4 * plan.cadence)
  // Releases that a full buffer caused, not the end of the stream (which flushes what is left).
  const lastRelease = releases.at(-1)
  const filled = held.filter(
    (release) => release !== lastRelease && endAt - (release.at + 0) > TOGETHER_MS,
  )
  // A buffer flushed when full releases the same bytes whatever the events' sizes; one flushed on
  // a timer (Go's ReverseProxy FlushInterval, oauth2-proxy's --flush-interval) releases the same
  // time's worth, so its releases of small events are much smaller than those of 512-byte ones.
  const inPhase = (phase: string): Release[] =>
    filled.filter((release) => release.ticks.every((tick) => phaseOf(tick.n) === phase))
  const small = inPhase('cadence')
  const steady = inPhase('steady')
  const timed =
    buffering &&
    small.length > 0 &&
    steady.length > 0 &&
    median(steady.map((r) => r.bytes)) > TIMER_RATIO * median(small.map((r) => r.bytes))
  const gaps = filled.slice(1).map((release, i) => release.at - (filled[i] as Release).at)
  const flushIntervalMs = timed && gaps.length > 0 ? median(gaps) : null
  const bufferBytes =
    buffering && !timed && filled.length > 0 ? median(filled.map((r) => r.bytes)) : null
  const heldBytesAtLeast = held.reduce((most, release) => Math.max(most, release.bytes), 0)
  const heldEvidence = held.slice(0, 3).map((release) => {
    const first = release.ticks[0] as { n: number; t: number }
    const last = release.ticks.at(-1) as { n: number; t: number }
    return `events ${first.n}–${last.n}, sent over ${seconds(last.t - first.t)}, arrived together at ${seconds(release.at)} (${kilobytes(release.bytes)} at once)`
  })
  return {
    buffering,
    bufferBytes,
    flushIntervalMs,
    heldBytesAtLeast,
    maxHoldMs,
    heldEvidence,
    offset,
  }
}

/** The findings about headers, which both modes share. */
function headerFindings(
  trace: ProbeTrace,
  layers: Layer[],
  findings: Finding[],
  sent: Record<string, string> | null,
): void {
  const { headers } = trace
  const contentType = headers['content-type'] ?? null
  if (!isEventStreamContentType(contentType)) {
    findings.push({
      code: 'CONTENT_TYPE',
      severity: 'error',
      title: 'The response is not `text/event-stream`: an EventSource refuses it.',
      evidence: [`Content-Type: ${contentType ?? '(none)'}`],
      fixes: fixesFor('CONTENT_TYPE'),
    })
  }
  const cacheControl = (headers['cache-control'] ?? '').toLowerCase()
  if (!cacheControl.includes('no-cache') && !cacheControl.includes('no-store')) {
    findings.push({
      code: 'CACHE_CONTROL',
      severity: 'warning',
      title: 'The stream may be cached: `Cache-Control` has neither `no-cache` nor `no-store`.',
      evidence: [`Cache-Control: ${headers['cache-control'] ?? '(none)'}`],
      fixes: fixesFor('CACHE_CONTROL'),
    })
  }
  if (!cacheControl.includes('no-transform')) {
    const compressed = headers['content-encoding'] !== undefined
    findings.push({
      code: 'NO_TRANSFORM',
      severity: compressed ? 'warning' : 'info',
      title: compressed
        ? 'The stream was compressed on the way, and `Cache-Control` does not forbid it (`no-transform`).'
        : 'Without `no-transform` in `Cache-Control`, a CDN or proxy may compress or rewrite the stream.',
      evidence: [`Cache-Control: ${headers['cache-control'] ?? '(none)'}`],
      fixes: fixesFor('NO_TRANSFORM'),
    })
  }
  if (headers['content-length'] !== undefined) {
    findings.push({
      code: 'CONTENT_LENGTH',
      severity: 'error',
      title:
        'The stream has a `Content-Length`: something in the path read it whole before sending it.',
      evidence: [`Content-Length: ${headers['content-length']}`],
      fixes: fixesFor('BUFFERED'),
    })
  }
  const hopByHop = HOP_BY_HOP.filter((name) => headers[name] !== undefined)
  const http2 = trace.httpVersion !== null && /^(h2|h3|http\/2|http\/3)/i.test(trace.httpVersion)
  if (hopByHop.length > 0) {
    findings.push({
      code: 'HOP_BY_HOP',
      severity: http2 ? 'error' : 'info',
      title: http2
        ? 'Hop-by-hop headers on an HTTP/2 or HTTP/3 response, which those versions forbid.'
        : 'Hop-by-hop headers (fine on HTTP/1.1, for this hop only).',
      evidence: hopByHop.map((name) => `${name}: ${headers[name]}`),
      fixes: [],
    })
  }
  if (sent !== null && sent['x-accel-buffering'] !== undefined) {
    if (headers['x-accel-buffering'] === undefined) {
      findings.push({
        code: 'PROXY_SEEN',
        severity: 'info',
        title: 'A proxy that reads `X-Accel-Buffering` (nginx or alike) consumed it on the way.',
        evidence: [
          `the handler sent X-Accel-Buffering: ${sent['x-accel-buffering']}; it did not arrive`,
        ],
        fixes: [],
      })
    }
  }
  const version = browserHttpVersion(trace)
  if (version !== null && /^http\/1/i.test(version)) {
    const plain = trace.url.startsWith('http:')
    findings.push({
      code: 'HTTP1_CONNECTION_LIMIT',
      severity: 'warning',
      title: `${version.toUpperCase()}: each open stream holds one of the browser's ~6 connections per origin.`,
      evidence: [
        `${trace.offeredHttpVersion === undefined || trace.offeredHttpVersion === null ? 'negotiated' : 'the TLS handshake offers'} ${version}${plain ? ' (plain http: browsers never use HTTP/2 without TLS)' : ''}`,
      ],
      fixes: orderFixes(fixesFor('HTTP1_CONNECTION_LIMIT'), layers),
    })
  }
}

/**
 * Turns what a probe recorded into findings: buffering (with the buffer's size), compression and
 * whether it is flushed per event, idle cuts, headers, time to first byte, the HTTP version, and
 * the reconnect check. It is pure and web-standard: the command line and the browser page share
 * it, and tests feed it synthetic traces.
 *
 * @param trace - what {@link runProbe} recorded
 * @returns the report
 */
export function analyzeTrace(trace: ProbeTrace): DoctorReport {
  const findings: Finding[] = []
  const layers = detectLayers(trace.headers)
  const helloEvent = trace.events.find((event) => event.type === DOCTOR_EVENTS.hello)
  const hello = helloEvent === undefined ? null : (JSON.parse(helloEvent.data) as DoctorHello)
  const compression =
    trace.headers['content-encoding'] !== undefined &&
    trace.headers['content-encoding'].toLowerCase() !== 'identity'
      ? trace.headers['content-encoding']
      : null
  const summary: DoctorSummary = {
    status: trace.status,
    contentType: trace.headers['content-type'] ?? null,
    httpVersion: browserHttpVersion(trace),
    upstreamHttpVersion: hello?.httpVersion ?? null,
    headersMs: trace.headersAt,
    firstByteMs: trace.chunks[0]?.at ?? null,
    headersWaitedForBody: false,
    buffering: false,
    bufferBytes: null,
    flushIntervalMs: null,
    maxHoldMs: null,
    compression,
    compressionFlushed: null,
    idleCutMs: null,
    longestSilenceMs: 0,
    retry: trace.retry,
    layers,
    eventsSent: null,
    eventsReceived: trace.events.length,
  }
  const finish = (): DoctorReport => {
    const order: Record<Severity, number> = { error: 0, warning: 1, info: 2 }
    findings.sort((a, b) => order[a.severity] - order[b.severity])
    for (const finding of findings) finding.fixes = orderFixes(finding.fixes, layers)
    return {
      url: trace.url,
      mode: trace.mode,
      ok: findings.every((finding) => finding.severity !== 'error'),
      durationMs: trace.end.at,
      summary,
      findings,
    }
  }

  if (trace.status !== 200) {
    findings.push({
      code: 'UNREACHABLE_STATUS',
      severity: 'error',
      title: `The server answered ${trace.status}, not 200: an EventSource fails the connection.`,
      evidence: [`HTTP ${trace.status} after ${seconds(trace.headersAt)}`],
      fixes: [],
    })
    return finish()
  }
  headerFindings(trace, layers, findings, hello?.headers ?? null)
  if (trace.mode === 'stream') return finishStream(trace, summary, findings, finish)
  if (hello === null) {
    findings.push({
      code: 'NOT_DOCTOR',
      severity: 'error',
      title: "The URL did not answer as the doctor's handler does.",
      evidence: [
        `${trace.events.length} events arrived, none of type ${DOCTOR_EVENTS.hello}; the stream ended (${trace.end.reason}) after ${seconds(trace.end.at)}`,
        'mount createDoctorHandler() there, or run with --stream to check any event stream',
      ],
      fixes: [],
    })
    return finish()
  }

  const plan = hello.plan
  const schedule = schedulePlan(plan)
  summary.eventsSent = schedule.ticks.length
  const ticks = trace.events
    .filter((event) => event.type === DOCTOR_EVENTS.tick)
    .map((event) => {
      const data = JSON.parse(event.data) as DoctorTick
      return { n: data.n, t: data.t, at: event.at }
    })
  const releases = groupReleases(trace.chunks, Math.min(TOGETHER_MS, plan.cadence / 3))
  const phases = new Map(schedule.ticks.map((tick) => [tick.n, tick.phase]))
  const timing =
    ticks.length > 0
      ? analyzeTiming(releases, ticks, plan, trace.end.at, (n) => phases.get(n))
      : null
  const offset = timing?.offset ?? 0

  // Headers: sent at the handler's time 0, the body's first byte `primerDelay` later.
  const firstByte = summary.firstByteMs
  if (
    firstByte !== null &&
    plan.primerDelay >= 200 &&
    trace.headersAt >= 0.8 * plan.primerDelay &&
    firstByte - trace.headersAt < Math.min(100, plan.primerDelay / 2)
  ) {
    summary.headersWaitedForBody = true
    findings.push({
      code: 'HEADERS_WAITED',
      severity: 'warning',
      title: 'The headers waited for the body: `EventSource` opens only when events arrive.',
      evidence: [
        `the handler sent its headers at once and its first byte ${seconds(plan.primerDelay)} later; both arrived together, headers after ${seconds(trace.headersAt)}`,
      ],
      fixes: fixesFor('HEADERS_WAITED'),
    })
  }

  if (timing !== null) {
    summary.buffering = timing.buffering
    summary.bufferBytes = timing.bufferBytes === null ? null : Math.round(timing.bufferBytes)
    summary.flushIntervalMs =
      timing.flushIntervalMs === null ? null : Math.round(timing.flushIntervalMs)
    summary.maxHoldMs = Math.round(timing.maxHoldMs)
    if (timing.buffering) {
      const buffer =
        timing.flushIntervalMs !== null
          ? `a buffer flushed on a timer every ${seconds(timing.flushIntervalMs)},`
          : timing.bufferBytes === null
            ? `a buffer of at least ${kilobytes(timing.heldBytesAtLeast)} (no release showed its size: it held everything until the end)`
            : compression === null
              ? `a buffer of about ${kilobytes(Math.round(timing.bufferBytes))}`
              : `a buffer of about ${kilobytes(Math.round(timing.bufferBytes))} of the stream before compression`
      findings.push({
        code: 'BUFFERED',
        severity: 'error',
        title: `Events are held by ${buffer} and arrive in bursts, up to ${seconds(timing.maxHoldMs)} late.`,
        evidence: timing.heldEvidence,
        fixes: fixesFor(timing.flushIntervalMs === null ? 'BUFFERED' : 'FLUSHED_ON_TIMER'),
      })
    }
  }
  if (compression !== null) {
    summary.compressionFlushed = !summary.buffering
    findings.push({
      code: 'COMPRESSED',
      severity: summary.buffering ? 'error' : 'info',
      title: summary.buffering
        ? `The stream is compressed (${compression}) and not flushed per event.`
        : `The stream is compressed (${compression}), and flushed per event: each arrived when sent.`,
      evidence: [
        `Content-Encoding: ${compression}`,
        `events held up to ${seconds(summary.maxHoldMs ?? 0)}`,
      ],
      fixes: summary.buffering ? fixesFor('COMPRESSED') : [],
    })
  }

  // Silences: the longest gap between two ticks the connection survived.
  for (let i = 1; i < ticks.length; i++) {
    const gap = (ticks[i] as { t: number }).t - (ticks[i - 1] as { t: number }).t
    summary.longestSilenceMs = Math.max(summary.longestSilenceMs, Math.round(gap))
  }
  const lastTick = ticks.at(-1)
  if (trace.end.reason === 'closed' || trace.end.reason === 'error') {
    // When the stream ended, on the handler's clock, and what the handler was due to send next.
    const endedAt = trace.end.at - offset
    const lastSent = lastTick?.t ?? schedule.helloAt
    const next = schedule.ticks.find((tick) => tick.n === (lastTick?.n ?? 0) + 1)
    const nextDue = next?.at ?? schedule.doneAt
    if (endedAt < nextDue) {
      const silence = Math.max(0, endedAt - lastSent)
      summary.idleCutMs = Math.round(silence)
      const heartbeat = Math.max(1, Math.floor(silence / 2000))
      findings.push({
        code: 'IDLE_CUT',
        severity: 'error',
        title: `The connection was closed after ${seconds(silence)} of silence.`,
        evidence: [
          `the last event (${lastTick?.n ?? 'the primer'}) was sent at ${seconds(lastSent)}; the stream ${trace.end.reason === 'error' ? `failed (${trace.end.message})` : 'ended'} ${seconds(silence)} later, while the handler was silent until ${seconds(nextDue)}`,
          `a heartbeat every ${heartbeat} s keeps it open`,
        ],
        fixes: fixesFor('IDLE_CUT', heartbeat),
      })
    } else {
      findings.push({
        code: 'CLOSED_EARLY',
        severity: 'error',
        title: 'The stream ended while the handler was still sending.',
        evidence: [
          `${ticks.length} of ${schedule.ticks.length} events arrived; the stream ${trace.end.reason === 'error' ? `failed (${trace.end.message})` : 'ended'} at ${seconds(trace.end.at)}`,
        ],
        fixes: [],
      })
    }
  } else if (trace.end.reason === 'done' && ticks.length < schedule.ticks.length) {
    findings.push({
      code: 'EVENTS_LOST',
      severity: 'error',
      title: `${schedule.ticks.length - ticks.length} of ${schedule.ticks.length} events never arrived.`,
      evidence: [
        `missing: ${schedule.ticks
          .filter((tick) => !ticks.some((arrived) => arrived.n === tick.n))
          .slice(0, 10)
          .map((tick) => tick.n)
          .join(', ')}`,
      ],
      fixes: [],
    })
  }

  if (hello.httpVersion === '1.0') {
    findings.push({
      code: 'UPSTREAM_HTTP_1_0',
      severity: 'info',
      title: 'A proxy talks HTTP/1.0 to the app (nginx does by default).',
      evidence: ['the handler received an HTTP/1.0 request'],
      fixes: fixesFor('UPSTREAM_HTTP_1_0'),
    })
  }
  if (trace.retry !== plan.retry) {
    findings.push({
      code: 'RETRY_LOST',
      severity: 'error',
      title: 'The `retry:` the handler sent did not arrive.',
      evidence: [`sent retry: ${plan.retry}; received ${trace.retry ?? 'none'}`],
      fixes: fixesFor('RETRY_LOST'),
    })
  }
  reconnectFindings(trace, plan, findings)
  return finish()
}

/** The findings of the reconnect check. */
function reconnectFindings(trace: ProbeTrace, plan: DoctorPlan, findings: Finding[]): void {
  const check = trace.reconnect
  if (check === null) return
  if (check.error !== null) {
    findings.push({
      code: 'RECONNECT_FAILED',
      severity: 'warning',
      title: 'The reconnect check could not finish.',
      evidence: [check.error],
      fixes: [],
    })
    return
  }
  const evidence = [
    `retry: ${check.retry ?? 'none'} (sent ${plan.retry})`,
    `Last-Event-ID sent back: ${check.lastEventId ?? 'none'}; the handler received: ${check.receivedLastEventId ?? 'none'}`,
    `reconnected ${check.afterMs} ms after the handler closed the stream`,
  ]
  if (check.retry !== plan.retry) {
    findings.push({
      code: 'RETRY_LOST',
      severity: 'error',
      title: 'The `retry:` of the reconnect check did not arrive.',
      evidence,
      fixes: fixesFor('RETRY_LOST'),
    })
  } else if (check.lastEventId === null || check.receivedLastEventId !== check.lastEventId) {
    findings.push({
      code: 'LAST_EVENT_ID_LOST',
      severity: 'error',
      title: '`Last-Event-ID` did not survive the reconnect: the app cannot resume.',
      evidence,
      fixes: fixesFor('LAST_EVENT_ID_LOST'),
    })
  } else {
    findings.push({
      code: 'RECONNECT_OK',
      severity: 'info',
      title: '`retry:` and `Last-Event-ID` survive a forced reconnect.',
      evidence,
      fixes: [],
    })
  }
}

/** The checks of `stream` mode: what the stream alone shows, without knowing what was sent. */
function finishStream(
  trace: ProbeTrace,
  summary: DoctorSummary,
  findings: Finding[],
  finish: () => DoctorReport,
): DoctorReport {
  const releases = groupReleases(trace.chunks, TOGETHER_MS)
  const bursts = releases.filter(
    (release) =>
      trace.events.filter((event) => event.at >= release.at && event.at - release.at <= TOGETHER_MS)
        .length >= 3,
  )
  if (trace.events.length >= 10 && bursts.length >= 2) {
    findings.push({
      code: 'BURSTS',
      severity: 'warning',
      title:
        'Events arrive in bursts. The server may send them so, or a buffer holds them: run the self-test (createDoctorHandler) to tell.',
      evidence: bursts
        .slice(0, 3)
        .map((release) => `${kilobytes(release.bytes)} arrived at once at ${seconds(release.at)}`),
      fixes: fixesFor('BUFFERED'),
    })
  }
  if (summary.compression !== null) {
    findings.push({
      code: 'COMPRESSED',
      severity: 'warning',
      title: `The stream is compressed (${summary.compression}); whether it is flushed per event needs the self-test.`,
      evidence: [`Content-Encoding: ${summary.compression}`],
      fixes: fixesFor('COMPRESSED'),
    })
  }
  const last = trace.chunks.at(-1)?.at ?? trace.headersAt
  for (let i = 1; i < trace.chunks.length; i++) {
    const gap = (trace.chunks[i] as ArrivedChunk).at - (trace.chunks[i - 1] as ArrivedChunk).at
    summary.longestSilenceMs = Math.max(summary.longestSilenceMs, Math.round(gap))
  }
  if (trace.end.reason === 'closed' || trace.end.reason === 'error') {
    const silence = trace.end.at - last
    summary.idleCutMs = Math.round(silence)
    const heartbeat = Math.max(1, Math.floor(silence / 2000))
    findings.push({
      code: 'IDLE_CUT',
      severity: silence >= 1000 ? 'error' : 'warning',
      title: `The stream ended after ${seconds(silence)} without data.`,
      evidence: [
        `last bytes at ${seconds(last)}, ${trace.end.reason === 'error' ? `failed (${trace.end.message})` : 'ended'} at ${seconds(trace.end.at)}`,
        silence >= 1000
          ? `if the server did not end it, a heartbeat every ${heartbeat} s keeps it open`
          : 'the server may have ended it; an EventSource reconnects',
      ],
      fixes: silence >= 1000 ? fixesFor('IDLE_CUT', heartbeat) : [],
    })
  }
  if (trace.events.length > 0 && trace.events.every((event) => event.id === null)) {
    findings.push({
      code: 'NO_IDS',
      severity: 'info',
      title: 'No event has an id: a reconnecting client cannot say where it stopped.',
      evidence: [`${trace.events.length} events, none with an id`],
      fixes: [],
    })
  }
  return finish()
}
