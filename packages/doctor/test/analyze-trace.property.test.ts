import { fc, test } from '@fast-check/vitest'
import { expect } from 'vitest'
import { analyzeTrace } from '../src/analyze-trace.ts'
import { DOCTOR_DEFAULTS, type DoctorPlan, schedulePlan } from '../src/plan.ts'
import { synthesizeTrace } from './synthetic-trace.ts'

/** Plans as the tests and real checks use them: cadences from 50 ms to 1 s. */
const plans: fc.Arbitrary<DoctorPlan> = fc.record({
  primerDelay: fc.integer({ min: 0, max: 2000 }),
  cadence: fc.integer({ min: 50, max: 1000 }),
  cadenceEvents: fc.integer({ min: 0, max: 20 }),
  steadyEvents: fc.integer({ min: 16, max: 40 }),
  silences: fc.array(fc.integer({ min: 100, max: 4000 }), { maxLength: 3 }),
  idleProbe: fc.integer({ min: 0, max: 130_000 }),
  retry: fc.integer({ min: 0, max: 5000 }),
})

test.prop(
  [
    plans,
    fc.integer({ min: 0, max: 100 }),
    fc.array(fc.double({ min: 0, max: 0.3, noNaN: true }), { maxLength: 120 }),
  ],
  {
    numRuns: 200,
  },
)(
  'a direct path, even with jitter up to 0.3 cadences per event, is never called buffered, and nothing is an error',
  (plan, latency, jitter) => {
    const report = analyzeTrace(
      synthesizeTrace(plan, { latency, jitter: jitter.map((share) => share * plan.cadence) }),
    )
    expect(report.summary.buffering).toBe(false)
    expect(report.summary.idleCutMs).toBeNull()
    expect(report.summary.compression).toBeNull()
    expect(report.findings.filter((finding) => finding.severity === 'error')).toEqual([])
    expect(report.ok).toBe(true)
  },
)

// Below about three steady events (1.5 KB) a buffer holds each event less than 1.5 cadences, which
// the check does not count as holding: a release must span more than a stalled client could.
test.prop([plans, fc.integer({ min: 1536, max: 12 * 1024 }), fc.integer({ min: 0, max: 100 })], {
  numRuns: 200,
})(
  'a buffer that flushes when full is found, and its size is estimated to within 1 KB',
  (plan, bufferBytes, latency) => {
    // The steady phase must fill it at least twice for a release that is not the stream's end.
    fc.pre(plan.steadyEvents * 512 >= 2 * bufferBytes + 1024)
    const report = analyzeTrace(synthesizeTrace(plan, { latency, bufferBytes }))
    expect(report.summary.buffering).toBe(true)
    expect(report.summary.bufferBytes).not.toBeNull()
    expect(Math.abs((report.summary.bufferBytes as number) - bufferBytes)).toBeLessThanOrEqual(1024)
    expect(report.summary.flushIntervalMs).toBeNull()
    expect(report.findings.map((finding) => finding.code)).toContain('BUFFERED')
    expect(report.ok).toBe(false)
  },
)

test.prop([plans, fc.integer({ min: 1536, max: 12 * 1024 }), fc.integer({ min: 0, max: 100 })], {
  numRuns: 200,
})(
  'a proxy that batches whole writes until it holds enough is found, its batch size within 1 KB',
  (plan, bufferBytes, latency) => {
    fc.pre(plan.steadyEvents * 512 >= 2 * bufferBytes + 1024)
    const report = analyzeTrace(synthesizeTrace(plan, { latency, bufferBytes, wholeWrites: true }))
    expect(report.summary.buffering).toBe(true)
    expect(Math.abs((report.summary.bufferBytes as number) - bufferBytes)).toBeLessThanOrEqual(1024)
  },
)

test.prop(
  [plans, fc.integer({ min: 0, max: 100 }), fc.double({ min: 0.05, max: 0.95, noNaN: true })],
  {
    numRuns: 200,
  },
)(
  'a cut during the idle probe is found, and its silence measured to within 1 s',
  (plan, latency, share) => {
    const idleCut = Math.round(plan.idleProbe * share)
    // A cut shorter than a silence or the cadence happens before the idle probe: keep it there.
    fc.pre(idleCut > plan.cadence && plan.silences.every((silence) => silence < idleCut))
    const report = analyzeTrace(synthesizeTrace(plan, { latency, idleCut }))
    expect(report.summary.idleCutMs).not.toBeNull()
    expect(Math.abs((report.summary.idleCutMs as number) - idleCut)).toBeLessThanOrEqual(1000)
    expect(report.findings.map((finding) => finding.code)).toContain('IDLE_CUT')
    const heartbeat = Math.max(1, Math.floor(idleCut / 2000))
    const fix = report.findings.find((finding) => finding.code === 'IDLE_CUT')?.fixes[0]?.fix
    expect(fix).toContain(`every ${heartbeat} s`)
  },
)

test.prop([plans])('every tick of a complete stream is counted, none is reported lost', (plan) => {
  const report = analyzeTrace(synthesizeTrace(plan, { latency: 5 }))
  const ticks = schedulePlan(plan).ticks.length
  expect(report.summary.eventsSent).toBe(ticks)
  expect(report.summary.eventsReceived).toBe(ticks + 2)
  expect(report.findings.map((finding) => finding.code)).not.toContain('EVENTS_LOST')
})

// A timer under about three cadences holds events less than the 1.5 cadences the check counts.
test.prop([plans, fc.integer({ min: 0, max: 100 }), fc.double({ min: 3, max: 6, noNaN: true })], {
  numRuns: 200,
})(
  'a buffer flushed on a timer is told from one flushed when full, and its interval measured',
  (plan, latency, cadences) => {
    const flushEvery = Math.round(plan.cadence * cadences)
    // The small events must fill at least one flush for the two phases to be compared.
    fc.pre(plan.cadenceEvents * plan.cadence >= 2 * flushEvery)
    const report = analyzeTrace(synthesizeTrace(plan, { latency, flushEvery }))
    expect(report.summary.buffering).toBe(true)
    expect(report.summary.bufferBytes).toBeNull()
    expect(Math.abs((report.summary.flushIntervalMs as number) - flushEvery)).toBeLessThanOrEqual(
      plan.cadence,
    )
  },
)

test('the default plan finds the 4 KB and 8 KB buffers of nginx (one memory page and two)', () => {
  for (const bufferBytes of [4096, 8192]) {
    const report = analyzeTrace(synthesizeTrace(DOCTOR_DEFAULTS, { latency: 20, bufferBytes }))
    expect(report.summary.bufferBytes).toBe(bufferBytes)
  }
})
