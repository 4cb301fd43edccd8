import { fc, test as propTest } from '@fast-check/vitest'
import { createDecoder } from '@ssekit/decoder'
import { expect, test } from 'vitest'
import { DOCTOR_STEADY_SIZE, type ScheduledTick } from '../src/plan.ts'
import { encodeTick, streamProbe } from '../src/probe-stream.ts'
import { DOCTOR_EVENTS, type DoctorHello } from '../src/protocol.ts'

propTest.prop([
  fc.integer({ min: 1, max: 10_000 }),
  fc.constantFrom(96, 512, 1024, 16_384),
  fc.double({ min: 0, max: 1e6, noNaN: true }),
])(
  'a padded tick is exactly its scheduled size on the wire, and decodes to its number and time',
  (n, size, t) => {
    const tick: ScheduledTick = { n, at: t, phase: 'sizes', size, silenceBefore: 0 }
    const wire = encodeTick(tick, t)
    expect(new TextEncoder().encode(wire).length).toBe(size)
    const events: { id?: string | undefined; data: string }[] = []
    createDecoder({ onEvent: (event) => events.push(event) }).feed(wire)
    expect(events[0]?.id).toBe(String(n))
    expect(JSON.parse(events[0]?.data ?? '')).toMatchObject({ n, t: Math.round(t * 10) / 10 })
  },
)

test('the stream sends the primer, every tick and doctor-done, and stops when aborted', async () => {
  const hello: DoctorHello = {
    protocol: 1,
    plan: {
      primerDelay: 0,
      cadence: 20,
      cadenceEvents: 2,
      steadyEvents: 1,
      silences: [10],
      idleProbe: 0,
      retry: 100,
    },
    headers: {},
    httpVersion: null,
  }
  const types: string[] = []
  let retry: number | undefined
  const decoder = createDecoder({
    onEvent: (event) => types.push(event.event ?? 'message'),
    onRetry: (value) => {
      retry = value
    },
  })
  for await (const chunk of streamProbe(hello, performance.now(), new AbortController().signal)) {
    decoder.feed(chunk)
  }
  expect(retry).toBe(100)
  expect(types[0]).toBe(DOCTOR_EVENTS.hello)
  expect(types.filter((type) => type === DOCTOR_EVENTS.tick)).toHaveLength(2 + 1 + 10 + 1)
  expect(types.at(-1)).toBe(DOCTOR_EVENTS.done)

  const abort = new AbortController()
  const stream = streamProbe(
    { ...hello, plan: { ...hello.plan, primerDelay: 60_000 } },
    performance.now(),
    abort.signal,
  )
  const next = stream.next()
  abort.abort(new Error('gone'))
  await expect(next).rejects.toThrow('gone')
  expect(DOCTOR_STEADY_SIZE).toBe(512)
})
