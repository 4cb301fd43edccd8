/**
 * The ssekit deployment doctor: a self-test handler that streams a known pattern, a probe that
 * records what arrives through the real path, and the analysis that turns the two into findings
 * (buffering, compression, idle cuts, headers, time to first byte, reconnects), each with the fix
 * per layer. Web-standard: the command line (`ssekit-doctor`) and the browser page share it. The
 * `node:http` handler and the command line live in `@ssekit/doctor/node`.
 *
 * @module
 */
export type { DoctorErrorCode } from '@ssekit/shared'
export { isSSEError, SSEError } from '@ssekit/shared'
export type {
  DoctorReport,
  DoctorSummary,
  Finding,
  FindingCode,
  Severity,
} from './analyze-trace.ts'
export { analyzeTrace } from './analyze-trace.ts'
export { createDoctorHandler } from './doctor-handler.ts'
export type { DoctorHandlerOptions } from './doctor-routes.ts'
export type { Fix, Layer } from './fixes.ts'
export { FIXES } from './fixes.ts'
export type { DoctorPhase, DoctorPlan, DoctorSchedule, ScheduledTick } from './plan.ts'
export {
  DOCTOR_DEFAULTS,
  DOCTOR_SIZES,
  DOCTOR_STEADY_SIZE,
  readPlan,
  readPlanOverrides,
  schedulePlan,
  writePlan,
} from './plan.ts'
export type { DoctorDone, DoctorHello, DoctorTick } from './protocol.ts'
export { DOCTOR_EVENTS } from './protocol.ts'
export type { RenderOptions } from './render-report.ts'
export { renderReport } from './render-report.ts'
export type { ProbeOptions, ProbeProgress } from './run-probe.ts'
export { runProbe } from './run-probe.ts'
export type { ArrivedChunk, ArrivedEvent, ProbeTrace, ReconnectTrace, TraceEnd } from './trace.ts'
