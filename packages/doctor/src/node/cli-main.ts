import { parseArgs } from 'node:util'
import { type DoctorErrorCode, isSSEError, SSEError } from '@ssekit/shared'
import { analyzeTrace } from '../analyze-trace.ts'
import type { DoctorPlan } from '../plan.ts'
import { renderReport } from '../render-report.ts'
import { type ProbeProgress, runProbe } from '../run-probe.ts'
import { negotiateAlpn } from './negotiate-alpn.ts'

/** Where the command line writes: `process.stdout` and `process.stderr`, or test doubles. */
export interface CliIO {
  stdout: { write(text: string): unknown }
  stderr: { write(text: string): unknown; isTTY?: boolean | undefined }
}

const USAGE = `Usage: ssekit-doctor <url> [options]

Finds why Server-Sent Events arrive late, in bursts or not at all between a server and a browser.
<url> is where createDoctorHandler() is mounted (https://example.com/ssekit-doctor), or, with
--stream, any event stream.

Options:
  --stream             check any event stream, from the stream alone (no self-test handler)
  --duration <time>    with --stream, how long to listen (default 30s)
  --idle <time>        the idle probe: a silence that finds idle cuts; 0 skips it (default 125s)
  --cadence <time>     the interval between events (default 250ms)
  --primer <time>      the wait between the headers and the first byte (default 1s)
  --silences <list>    the silent periods, comma-separated (default 1s,2s,4s)
  --events <n>         small events at the start (default 12)
  --steady <n>         512-byte events that measure a buffer (default 32)
  --retry <time>       the retry: value, used by the reconnect check (default 1s)
  --no-reconnect       skip the reconnect check
  -H, --header <h>     a request header, "name: value" (repeatable)
  --json               print the report as JSON
  --all-fixes          list every layer's fixes, not only those of the layers the headers name
  --strict             exit 1 on warnings too
  -h, --help           show this help

Times take ms or s (250ms, 7s; a bare number is ms, or seconds for --idle and --duration).
Exit code: 0 no problem, 1 problems found, 2 the probe could not run.
`

function invalid(message: string): SSEError<DoctorErrorCode> {
  return new SSEError<DoctorErrorCode>('INVALID_OPTION', message)
}

/** Reads `250ms`, `7s` or a bare number in `unit`. */
function readTime(value: string, name: string, unit: 'ms' | 's'): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value.trim())
  if (match === null) throw invalid(`--${name} takes a time such as 250ms or 7s, not "${value}".`)
  const number = Number(match[1])
  return Math.round((match[2] ?? unit) === 's' ? number * 1000 : number)
}

function readCount(value: string, name: string): number {
  if (!/^\d+$/.test(value)) throw invalid(`--${name} takes a whole number, not "${value}".`)
  return Number(value)
}

function readHeaders(values: string[]): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const value of values) {
    const colon = value.indexOf(':')
    if (colon <= 0) throw invalid(`--header takes "name: value", not "${value}".`)
    headers[value.slice(0, colon).trim().toLowerCase()] = value.slice(colon + 1).trim()
  }
  return headers
}

/** A one-line progress display, redrawn in place on a terminal. */
function createProgress(io: CliIO): { update(progress: ProbeProgress): void; clear(): void } {
  const frames = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏'
  let frame = 0
  let drawn = false
  return {
    update(progress) {
      if (io.stderr.isTTY !== true) return
      frame = (frame + 1) % frames.length
      const total = progress.expected === null ? '' : ` / ${Math.round(progress.expected / 1000)} s`
      const what: Record<ProbeProgress['phase'], string> = {
        connecting: 'connecting',
        streaming: 'events arriving',
        waiting: 'waiting (silence or held bytes)',
        reconnect: 'checking a reconnect',
      }
      io.stderr.write(
        `\r\u001b[2K${frames[frame]} ${what[progress.phase]}: ${(progress.elapsed / 1000).toFixed(1)} s${total}, ${progress.events} events`,
      )
      drawn = true
    },
    clear() {
      if (drawn) io.stderr.write('\r\u001b[2K')
    },
  }
}

/**
 * Runs the `ssekit-doctor` command: probes the URL, analyses what arrived and prints the report
 * (or `--json`), with a progress line on a terminal.
 *
 * @param argv - the arguments after the command's name
 * @param io - where to write
 * @returns the exit code: 0 when no problem was found, 1 when one was (or a warning, with
 * `--strict`), 2 when the arguments are wrong or the probe could not run
 */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  let parsed: ReturnType<typeof parse>
  const parse = (args: string[]) =>
    parseArgs({
      args,
      allowPositionals: true,
      options: {
        stream: { type: 'boolean' },
        duration: { type: 'string' },
        idle: { type: 'string' },
        cadence: { type: 'string' },
        primer: { type: 'string' },
        silences: { type: 'string' },
        events: { type: 'string' },
        steady: { type: 'string' },
        retry: { type: 'string' },
        'no-reconnect': { type: 'boolean' },
        header: { type: 'string', short: 'H', multiple: true },
        json: { type: 'boolean' },
        'all-fixes': { type: 'boolean' },
        strict: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  let url: string
  const plan: Partial<DoctorPlan> = {}
  let headers: Record<string, string>
  let duration: number | undefined
  try {
    parsed = parse(argv)
    const { values, positionals } = parsed
    if (values.help === true) {
      io.stdout.write(USAGE)
      return 0
    }
    if (positionals.length !== 1) throw invalid('Give exactly one URL.')
    url = positionals[0] as string
    if (!/^https?:\/\//.test(url))
      throw invalid(`The URL must start with http:// or https://, not "${url}".`)
    if (values.idle !== undefined) plan.idleProbe = readTime(values.idle, 'idle', 's')
    if (values.cadence !== undefined) plan.cadence = readTime(values.cadence, 'cadence', 'ms')
    if (values.primer !== undefined) plan.primerDelay = readTime(values.primer, 'primer', 'ms')
    if (values.retry !== undefined) plan.retry = readTime(values.retry, 'retry', 'ms')
    if (values.events !== undefined) plan.cadenceEvents = readCount(values.events, 'events')
    if (values.steady !== undefined) plan.steadyEvents = readCount(values.steady, 'steady')
    if (values.silences !== undefined) {
      plan.silences =
        values.silences === ''
          ? []
          : values.silences.split(',').map((v) => readTime(v, 'silences', 'ms'))
    }
    if (values.duration !== undefined) duration = readTime(values.duration, 'duration', 's')
    headers = readHeaders(values.header ?? [])
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    io.stderr.write(`ssekit-doctor: ${message}\n\n${USAGE}`)
    return 2
  }
  const { values } = parsed
  const progress = createProgress(io)
  try {
    const [trace, alpn] = await Promise.all([
      runProbe(url, {
        mode: values.stream === true ? 'stream' : 'doctor',
        plan,
        duration,
        headers,
        reconnect: values['no-reconnect'] !== true,
        onProgress: (state) => progress.update(state),
      }),
      negotiateAlpn(url),
    ])
    progress.clear()
    // Node's fetch speaks HTTP/1.1; a browser gets what the TLS handshake offers.
    trace.offeredHttpVersion = alpn
    const report = analyzeTrace(trace)
    io.stdout.write(
      values.json === true
        ? `${JSON.stringify(report, null, 2)}\n`
        : renderReport(report, {
            color: io.stderr.isTTY === true,
            allFixes: values['all-fixes'] === true,
          }),
    )
    const warned = report.findings.some((finding) => finding.severity === 'warning')
    return !report.ok || (values.strict === true && warned) ? 1 : 0
  } catch (error) {
    progress.clear()
    if (isSSEError(error)) {
      io.stderr.write(`ssekit-doctor: ${error.message}\n`)
      return 2
    }
    throw error
  }
}
