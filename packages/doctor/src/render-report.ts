import type { DoctorReport, Severity } from './analyze-trace.ts'

/** Options of {@link renderReport}. */
export interface RenderOptions {
  /**
   * Whether to colour the report with ANSI escapes (for a terminal).
   * @defaultValue false
   */
  color?: boolean | undefined
  /**
   * Whether to list every layer's fixes. By default a finding lists the app's fixes and those of
   * the layers the headers name (`Server: nginx`, …), or every layer's when none is named.
   * @defaultValue false
   */
  allFixes?: boolean | undefined
}

const MARK: Record<Severity, string> = { error: '✖', warning: '▲', info: '·' }
const COLOR: Record<Severity, string> = { error: '31', warning: '33', info: '2' }

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

function ms(value: number | null): string {
  if (value === null) return '—'
  return value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(2)} s`
}

/**
 * Renders a report as terminal text: a summary of what was measured, then each finding with its
 * evidence and its fixes, errors first, then one closing line.
 *
 * @param report - what {@link analyzeTrace} returned
 * @param options - colour, and whether to list every layer's fixes
 * @returns the text, ending with a line break
 */
export function renderReport(report: DoctorReport, options: RenderOptions = {}): string {
  const paint = (code: string, text: string): string =>
    options.color === true ? `\u001b[${code}m${text}\u001b[0m` : text
  const { summary } = report
  const lines: string[] = []
  const mode = report.mode === 'doctor' ? 'self-test' : 'stream only'
  lines.push(paint('1', `ssekit doctor: ${report.url} (${mode}, ${ms(report.durationMs)})`))
  lines.push(
    `  HTTP ${summary.status}, ${summary.contentType ?? 'no Content-Type'}, ${summary.httpVersion ?? 'HTTP version unknown'}${summary.upstreamHttpVersion === null ? '' : ` (last hop HTTP/${summary.upstreamHttpVersion})`}`,
  )
  lines.push(
    `  headers after ${ms(summary.headersMs)}, first byte after ${ms(summary.firstByteMs)}${summary.headersWaitedForBody ? ' (headers waited for the body)' : ''}`,
  )
  const size =
    summary.flushIntervalMs !== null
      ? `flushed every ${ms(summary.flushIntervalMs)}`
      : summary.bufferBytes === null
        ? 'size unknown'
        : `≈ ${(summary.bufferBytes / 1024).toFixed(1)} KB`
  const buffer = summary.buffering
    ? `yes, ${size}, held up to ${ms(summary.maxHoldMs)}`
    : report.mode === 'doctor'
      ? `no (held at most ${ms(summary.maxHoldMs)})`
      : 'unknown without the self-test'
  lines.push(`  buffering: ${buffer}`)
  const compression =
    summary.compression === null
      ? 'none'
      : `${summary.compression}, ${summary.compressionFlushed === null ? 'flushing unknown' : summary.compressionFlushed ? 'flushed per event' : 'not flushed per event'}`
  lines.push(`  compression: ${compression}`)
  lines.push(
    `  idle cut: ${summary.idleCutMs === null ? `none (longest silence survived ${ms(summary.longestSilenceMs)})` : `after ${ms(summary.idleCutMs)} of silence`}`,
  )
  lines.push(
    `  events: ${summary.eventsReceived} received${summary.eventsSent === null ? '' : ` (${summary.eventsSent} ticks sent)`}, retry: ${summary.retry ?? 'none'}${summary.layers.length === 0 ? '' : `, layers seen: ${summary.layers.join(', ')}`}`,
  )
  lines.push('')
  for (const finding of report.findings) {
    lines.push(
      `${paint(COLOR[finding.severity], `${MARK[finding.severity]} ${finding.code}`)}  ${finding.title}`,
    )
    for (const evidence of finding.evidence) lines.push(`    ${evidence}`)
    const named = finding.fixes.filter((fix) => summary.layers.includes(fix.layer))
    const fixes =
      options.allFixes === true || named.length === 0
        ? finding.fixes
        : finding.fixes.filter((fix) => fix.layer === 'app' || named.includes(fix))
    for (const fix of fixes) {
      lines.push(`    fix (${fix.layer}): ${fix.fix}`)
      lines.push(paint('2', `      ${fix.source}`))
    }
  }
  const count = (severity: Severity): number =>
    report.findings.filter((finding) => finding.severity === severity).length
  lines.push('')
  lines.push(
    report.ok
      ? paint('32', `OK: no problem found (${plural(count('warning'), 'warning')}).`)
      : paint(
          '31',
          `${plural(count('error'), 'problem')}, ${plural(count('warning'), 'warning')}.`,
        ),
  )
  return `${lines.join('\n')}\n`
}
