import type { DoctorErrorCode } from '@ssekit/shared'
import { SSEError } from '@ssekit/shared'

/**
 * The pattern the self-test stream sends, in milliseconds and counts. The handler and the client
 * derive the same schedule from it ({@link schedulePlan}), so the client knows when each event
 * left the server.
 */
export interface DoctorPlan {
  /** The wait between the response headers and the first body byte (the primer). */
  primerDelay: number
  /** The interval between two events in the timed phases. */
  cadence: number
  /** How many small stamped events open the stream, `cadence` apart. */
  cadenceEvents: number
  /** How many events of {@link DOCTOR_STEADY_SIZE} bytes follow, `cadence` apart: they measure a buffer's size. */
  steadyEvents: number
  /** The silent periods, in order; each ends with one small event. */
  silences: number[]
  /** The last silence, which finds idle cuts; 0 skips it. */
  idleProbe: number
  /** The `retry:` value sent first, and by the reconnect check. */
  retry: number
}

/** The size in bytes of each event of the steady phase (`id`, `event` and `data` lines included). */
export const DOCTOR_STEADY_SIZE = 512

/** The sizes in bytes of the padded events that follow the steady phase: 32 B to 16 KB, doubling. */
export const DOCTOR_SIZES: readonly number[] = [
  32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384,
]

/**
 * The plan a real deployment check needs: about 22 s of events and short silences, then 125 s of
 * silence, longer than the common idle timeouts (nginx's `proxy_read_timeout` and AWS ALB's
 * 60 s, Cloudflare's 100 s).
 */
export const DOCTOR_DEFAULTS: Readonly<DoctorPlan> = Object.freeze({
  primerDelay: 1000,
  cadence: 250,
  cadenceEvents: 12,
  steadyEvents: 32,
  silences: [1000, 2000, 4000],
  idleProbe: 125_000,
  retry: 1000,
})

/** The query parameter of each plan field, and the range it accepts. */
const PARAMETERS = {
  primerDelay: { name: 'primer', min: 0, max: 10_000 },
  cadence: { name: 'cadence', min: 20, max: 5000 },
  cadenceEvents: { name: 'events', min: 0, max: 200 },
  steadyEvents: { name: 'steady', min: 0, max: 200 },
  idleProbe: { name: 'idle', min: 0, max: 900_000 },
  retry: { name: 'retry', min: 0, max: 60_000 },
} as const

const MAX_SILENCES = 10
const MAX_SILENCE = 600_000

function invalid(message: string): SSEError<DoctorErrorCode> {
  return new SSEError<DoctorErrorCode>('INVALID_OPTION', message)
}

function readInteger(value: string, name: string, min: number, max: number): number {
  const number = Number(value)
  if (!/^\d+$/.test(value) || number < min || number > max) {
    throw invalid(
      `The doctor's "${name}" must be a whole number from ${min} to ${max}, not ${JSON.stringify(value.slice(0, 20))}.`,
    )
  }
  return number
}

/**
 * Reads the plan fields that query parameters set (`primer`, `cadence`, `events`, `steady`,
 * `silences` as a comma-separated list, `idle`, `retry`), leaving out the others.
 *
 * @param params - the request's query
 * @returns the fields set
 * @throws SSEError `INVALID_OPTION` when a value is not a whole number in its range
 */
export function readPlanOverrides(params: URLSearchParams): Partial<DoctorPlan> {
  const plan: Partial<DoctorPlan> = {}
  for (const [field, { name, min, max }] of Object.entries(PARAMETERS)) {
    const value = params.get(name)
    if (value !== null) plan[field as keyof typeof PARAMETERS] = readInteger(value, name, min, max)
  }
  const silences = params.get('silences')
  if (silences !== null) {
    const values = silences === '' ? [] : silences.split(',')
    if (values.length > MAX_SILENCES) {
      throw invalid(`The doctor takes at most ${MAX_SILENCES} silences, not ${values.length}.`)
    }
    plan.silences = values.map((value) => readInteger(value, 'silences', 0, MAX_SILENCE))
  }
  return plan
}

/**
 * Reads a plan from query parameters ({@link readPlanOverrides}), taking the rest from
 * `defaults`.
 *
 * @param params - the request's query
 * @param defaults - the values of absent parameters
 * @defaultValue `defaults` is {@link DOCTOR_DEFAULTS}
 * @returns the plan
 * @throws SSEError `INVALID_OPTION` when a value is not a whole number in its range
 */
export function readPlan(
  params: URLSearchParams,
  defaults: Readonly<DoctorPlan> = DOCTOR_DEFAULTS,
): DoctorPlan {
  return { ...defaults, silences: [...defaults.silences], ...readPlanOverrides(params) }
}

/**
 * Writes the fields of `plan` that differ from `defaults` as query parameters, the inverse of
 * {@link readPlan}.
 *
 * @param plan - the fields to send (the others keep the handler's values)
 * @returns the query parameters
 */
export function writePlan(plan: Partial<DoctorPlan>): URLSearchParams {
  const params = new URLSearchParams()
  for (const [field, { name }] of Object.entries(PARAMETERS)) {
    const value = plan[field as keyof typeof PARAMETERS]
    if (value !== undefined) params.set(name, String(value))
  }
  if (plan.silences !== undefined) params.set('silences', plan.silences.join(','))
  return params
}

/** The phase an event of the self-test belongs to. */
export type DoctorPhase = 'cadence' | 'steady' | 'sizes' | 'silence'

/** One event of the self-test stream, as scheduled. */
export interface ScheduledTick {
  /** Its number and id, from 1. */
  n: number
  /** When it is due, in ms after the response headers. */
  at: number
  phase: DoctorPhase
  /** Its size on the wire in bytes when it is padded, or null for a small event. */
  size: number | null
  /** The silence before it, in ms, for the events that end one; else 0. */
  silenceBefore: number
}

/** The whole schedule of a plan. */
export interface DoctorSchedule {
  /** When the primer (comment, `retry:` and `doctor-hello`) is due. */
  helloAt: number
  ticks: ScheduledTick[]
  /** When `doctor-done` is due, after which the stream ends. */
  doneAt: number
}

/**
 * The schedule of a plan: the primer after `primerDelay`, then `cadenceEvents` small events,
 * `steadyEvents` of {@link DOCTOR_STEADY_SIZE} bytes and one of each of {@link DOCTOR_SIZES}, all
 * `cadence` apart, then each silence followed by a small event, then the idle probe and
 * `doctor-done`.
 *
 * @param plan - the plan
 * @returns when each event is due, in ms after the response headers
 */
export function schedulePlan(plan: DoctorPlan): DoctorSchedule {
  const ticks: ScheduledTick[] = []
  let at = plan.primerDelay
  const helloAt = at
  const push = (phase: DoctorPhase, size: number | null, gap: number): void => {
    at += gap
    const silenceBefore = phase === 'silence' ? gap : 0
    ticks.push({ n: ticks.length + 1, at, phase, size, silenceBefore })
  }
  for (let i = 0; i < plan.cadenceEvents; i++) push('cadence', null, plan.cadence)
  for (let i = 0; i < plan.steadyEvents; i++) push('steady', DOCTOR_STEADY_SIZE, plan.cadence)
  for (const size of DOCTOR_SIZES) push('sizes', size, plan.cadence)
  for (const silence of plan.silences) push('silence', null, silence)
  const doneAt = at + (plan.idleProbe > 0 ? plan.idleProbe : plan.cadence)
  return { helloAt, ticks, doneAt }
}
