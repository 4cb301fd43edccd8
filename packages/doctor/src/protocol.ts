import type { DoctorPlan } from './plan.ts'

/** The event types of the self-test stream. */
export const DOCTOR_EVENTS = {
  hello: 'doctor-hello',
  tick: 'doctor-tick',
  done: 'doctor-done',
  bye: 'doctor-bye',
  resumed: 'doctor-resumed',
} as const

/** What the handler tells the client in its first event (`doctor-hello`). */
export interface DoctorHello {
  /** The version of this protocol; 1. */
  protocol: 1
  /** The plan the handler follows. */
  plan: DoctorPlan
  /** The response headers the handler sent, so the client can see what the path changed. */
  headers: Record<string, string>
  /** The HTTP version of the request as the handler received it (node:http only), or null. */
  httpVersion: string | null
}

/** The data of a `doctor-tick` event: what the handler says it sent. */
export interface DoctorTick {
  /** Its number, also its id. */
  n: number
  /** When the handler wrote it, in ms after the response headers. */
  t: number
  /** Padding to its scheduled size: pseudo-random base64, so compression cannot shrink it away. */
  pad?: string | undefined
}

/** The data of `doctor-done`. */
export interface DoctorDone {
  /** When the handler wrote it, in ms after the response headers. */
  t: number
  /** How many ticks it sent. */
  ticks: number
}
