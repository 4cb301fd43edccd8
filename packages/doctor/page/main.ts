/**
 * The doctor's browser page (served by the handler at its path): the same probe and analysis as
 * the command line, run by the browser through whatever sits between it and the server, plus a
 * reconnect check with the browser's own `EventSource`. scripts/build-page-script.mjs bundles it
 * into src/page-script.ts.
 *
 * @module
 */
import { analyzeTrace } from '../src/analyze-trace.ts'
import { readPlanOverrides } from '../src/plan.ts'
import { DOCTOR_EVENTS } from '../src/protocol.ts'
import { renderReport } from '../src/render-report.ts'
import { runProbe } from '../src/run-probe.ts'
import type { ReconnectTrace } from '../src/trace.ts'

/** How long the EventSource reconnect check may take, in ms. */
const RECONNECT_TIMEOUT = 20_000

const body = document.body
const progress = document.getElementById('progress') as HTMLElement
const base = new URL(body.dataset.base ?? '/ssekit-doctor', location.href).href

/**
 * The reconnect check with the browser's EventSource: the handler sends `retry:` and an id, then
 * closes; the browser reconnects by itself after the retry time with `Last-Event-ID`, and the
 * handler says what it received. EventSource does not expose `retry:`, so it counts as received
 * when the browser waited about that long (its default is a few seconds).
 */
function checkReconnect(retry: number): Promise<ReconnectTrace> {
  const session = Math.random().toString(36).slice(2, 12)
  const trace: ReconnectTrace = {
    retry: null,
    lastEventId: null,
    receivedLastEventId: null,
    afterMs: null,
    error: null,
  }
  return new Promise((resolve) => {
    const source = new EventSource(`${base}/reconnect?retry=${retry}&session=${session}`)
    const finish = (error: string | null): void => {
      clearTimeout(timer)
      source.close()
      trace.error = error
      resolve(trace)
    }
    const timer = setTimeout(() => finish('no reconnect within 20 s'), RECONNECT_TIMEOUT)
    source.addEventListener(DOCTOR_EVENTS.bye, (event) => {
      trace.lastEventId = (event as MessageEvent).lastEventId || null
    })
    source.addEventListener(DOCTOR_EVENTS.resumed, (event) => {
      const data = JSON.parse((event as MessageEvent).data) as {
        lastEventId: string | null
        afterMs: number
      }
      trace.receivedLastEventId = data.lastEventId
      trace.afterMs = data.afterMs
      trace.retry = Math.abs(data.afterMs - retry) <= Math.max(1000, retry / 2) ? retry : null
      finish(null)
    })
  })
}

async function main(): Promise<void> {
  const plan = readPlanOverrides(new URLSearchParams(location.search))
  const trace = await runProbe(base, {
    plan,
    reconnect: false,
    onProgress: (state) => {
      const total =
        state.expected === null ? '' : ` of about ${Math.round(state.expected / 1000)} s`
      progress.textContent = `${state.phase}: ${(state.elapsed / 1000).toFixed(1)} s${total}, ${state.events} events`
    },
  })
  const hello = trace.events.find((event) => event.type === DOCTOR_EVENTS.hello)
  if (hello !== undefined) {
    progress.textContent = 'Checking a reconnect with EventSource…'
    const { retry } = (JSON.parse(hello.data) as { plan: { retry: number } }).plan
    trace.reconnect = await checkReconnect(retry)
  }
  const report = analyzeTrace(trace)
  progress.textContent = report.ok ? 'Done: no problem found.' : 'Done: problems found.'
  ;(document.getElementById('report') as HTMLElement).textContent = renderReport(report)
  ;(document.getElementById('report-json') as HTMLElement).textContent = JSON.stringify(report)
  body.dataset.ok = String(report.ok)
  body.dataset.state = 'done'
}

main().catch((error: unknown) => {
  progress.textContent = `The doctor could not run: ${error instanceof Error ? error.message : String(error)}`
  body.dataset.state = 'failed'
})
