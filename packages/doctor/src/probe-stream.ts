import { encode, encodeComment } from '@ssekit/encoder'
import { type ScheduledTick, schedulePlan } from './plan.ts'
import { DOCTOR_EVENTS, type DoctorDone, type DoctorHello, type DoctorTick } from './protocol.ts'

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** Seeded base64 noise (a xorshift generator): the same for every run, incompressible enough. */
function noise(length: number, seed: number): string {
  let state = seed | 1
  let text = ''
  for (let i = 0; i < length; i++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    text += BASE64[(state >>> 0) & 63]
  }
  return text
}

/**
 * Encodes one tick, padded to its scheduled size when it has one.
 *
 * @param tick - the scheduled tick
 * @param t - when it is written, in ms after the headers
 * @returns the wire text
 */
export function encodeTick(tick: ScheduledTick, t: number): string {
  const data: DoctorTick = { n: tick.n, t: Math.round(t * 10) / 10 }
  const event = { id: String(tick.n), event: DOCTOR_EVENTS.tick, data }
  if (tick.size === null) return encode(event)
  // `,"pad":""` adds 9 bytes; the padding fills the rest (all ASCII, so characters are bytes).
  const room = tick.size - encode(event).length - 9
  if (room <= 0) return encode(event)
  return encode({ ...event, data: { ...data, pad: noise(room, tick.n) } })
}

/** Resolves after `ms`, or rejects when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason)
      return
    }
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * The body of the self-test stream, as wire text written when due: the primer (a comment,
 * `retry:` and `doctor-hello`), the ticks, the silences and the idle probe, then `doctor-done`.
 * Each tick carries the time it was written, measured on the handler's clock from `start`. Times
 * are kept against the schedule, so a late timer does not delay what follows.
 *
 * @param hello - the first event's data
 * @param start - `performance.now()` when the headers were sent
 * @param signal - aborts when the client goes away: the generator then rejects and ends
 * @returns the chunks to write, each as soon as it is yielded
 */
export async function* streamProbe(
  hello: DoctorHello,
  start: number,
  signal: AbortSignal,
): AsyncGenerator<string, void, undefined> {
  const schedule = schedulePlan(hello.plan)
  const until = async (at: number): Promise<void> => {
    const wait = at - (performance.now() - start)
    if (wait > 0) await sleep(wait, signal)
  }
  await until(schedule.helloAt)
  yield `${encodeComment('ssekit doctor: primer')}${encode({ retry: hello.plan.retry })}${encode({ event: DOCTOR_EVENTS.hello, data: hello })}`
  for (const tick of schedule.ticks) {
    await until(tick.at)
    yield encodeTick(tick, performance.now() - start)
  }
  await until(schedule.doneAt)
  const done: DoctorDone = { t: performance.now() - start, ticks: schedule.ticks.length }
  yield encode({ event: DOCTOR_EVENTS.done, data: done })
}
