import { describe, expect, test } from 'vitest'
import { analyzeTrace } from '../src/analyze-trace.ts'
import type { DoctorPlan } from '../src/plan.ts'
import { renderReport } from '../src/render-report.ts'
import { synthesizeTrace } from './synthetic-trace.ts'

const PLAN: DoctorPlan = {
  primerDelay: 500,
  cadence: 200,
  cadenceEvents: 8,
  steadyEvents: 24,
  silences: [500],
  idleProbe: 5000,
  retry: 300,
}
const codes = (report: ReturnType<typeof analyzeTrace>) => report.findings.map((f) => f.code)

describe('analyzeTrace', () => {
  test('an HTTP/2 origin seen from the command line (ALPN) is not warned about the connection limit', () => {
    const trace = { ...synthesizeTrace(PLAN, { latency: 5 }), offeredHttpVersion: 'h2' }
    const report = analyzeTrace(trace)
    expect(report.summary.httpVersion).toBe('h2')
    expect(codes(report)).not.toContain('HTTP1_CONNECTION_LIMIT')
    // The probe's own connection was HTTP/1.1, where Connection and Transfer-Encoding are fine.
    expect(report.findings.find((f) => f.code === 'HOP_BY_HOP')?.severity).toBe('info')
  })

  test('hop-by-hop headers on an HTTP/2 response are an error', () => {
    const trace = { ...synthesizeTrace(PLAN, { latency: 5 }), httpVersion: 'h2' }
    expect(analyzeTrace(trace).findings.find((f) => f.code === 'HOP_BY_HOP')?.severity).toBe(
      'error',
    )
  })

  test('a compressed stream without no-transform gets a warning, and compression flushed per event is info', () => {
    const report = analyzeTrace(
      synthesizeTrace(PLAN, { latency: 5, headers: { 'content-encoding': 'gzip' } }),
    )
    expect(report.summary.compression).toBe('gzip')
    expect(report.summary.compressionFlushed).toBe(true)
    expect(report.findings.find((f) => f.code === 'NO_TRANSFORM')?.severity).toBe('warning')
    expect(report.findings.find((f) => f.code === 'COMPRESSED')?.severity).toBe('info')
    expect(report.ok).toBe(true)
  })

  test('a compressed stream that is held is two errors: buffering and compression not flushed', () => {
    const report = analyzeTrace(
      synthesizeTrace(PLAN, {
        latency: 5,
        bufferBytes: 4096,
        headers: { 'content-encoding': 'br' },
      }),
    )
    expect(report.summary.compressionFlushed).toBe(false)
    const errors = report.findings.filter((f) => f.severity === 'error').map((f) => f.code)
    expect(errors).toEqual(expect.arrayContaining(['BUFFERED', 'COMPRESSED']))
    expect(report.findings.find((f) => f.code === 'BUFFERED')?.title).toContain(
      'before compression',
    )
  })

  test('a status other than 200 is the only finding', () => {
    const report = analyzeTrace({ ...synthesizeTrace(PLAN, { latency: 5 }), status: 502 })
    expect(codes(report)).toEqual(['UNREACHABLE_STATUS'])
    expect(report.ok).toBe(false)
  })

  test('a retry that does not arrive, and a Last-Event-ID the handler does not get back, are errors', () => {
    const trace = synthesizeTrace(PLAN, { latency: 5 })
    expect(codes(analyzeTrace({ ...trace, retry: null }))).toContain('RETRY_LOST')
    const lost = {
      ...trace,
      reconnect: {
        ...(trace.reconnect as NonNullable<typeof trace.reconnect>),
        receivedLastEventId: null,
      },
    }
    expect(codes(analyzeTrace(lost))).toContain('LAST_EVENT_ID_LOST')
  })

  test('the layers the headers name come first in each finding, and only theirs are rendered', () => {
    const trace = synthesizeTrace(PLAN, {
      latency: 5,
      bufferBytes: 4096,
      headers: { server: 'nginx/1.22.1' },
    })
    const report = analyzeTrace(trace)
    expect(report.summary.layers).toEqual(['nginx'])
    const buffered = report.findings.find((f) => f.code === 'BUFFERED')
    expect(buffered?.fixes.slice(0, 2).map((fix) => fix.layer)).toEqual(['app', 'nginx'])
    const text = renderReport(report)
    expect(text).toContain('fix (nginx): `proxy_buffering off;`')
    expect(text).not.toContain('fix (Traefik)')
    expect(renderReport(report, { allFixes: true })).toContain('fix (Traefik)')
    expect(text).not.toContain('\u001b[')
    expect(renderReport(report, { color: true })).toContain('\u001b[31m✖ BUFFERED')
  })
})
