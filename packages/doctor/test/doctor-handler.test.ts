import { createDecoder } from '@ssekit/decoder'
import { listenForTest } from '@ssekit/test-support/loopback-server'
import { describe, expect, test } from 'vitest'
import { createDoctorHandler } from '../src/doctor-handler.ts'
import { createDoctorNodeHandler } from '../src/node/doctor-node-handler.ts'
import { PAGE_SCRIPT } from '../src/page-script.ts'
import { DOCTOR_EVENTS, type DoctorHello } from '../src/protocol.ts'

const SHORT = {
  primerDelay: 0,
  cadence: 20,
  cadenceEvents: 1,
  steadyEvents: 0,
  silences: [],
  idleProbe: 0,
  retry: 50,
}

/** Reads a response's events until `doctor-done` or the end. */
async function readEvents(
  response: Response,
): Promise<{ type: string; id?: string | undefined; data: string }[]> {
  const events: { type: string; id?: string | undefined; data: string }[] = []
  const decoder = createDecoder({
    onEvent: (event) => events.push({ ...event, type: event.event ?? 'message' }),
  })
  const reader = (response.body as ReadableStream<Uint8Array>).getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    decoder.feed(value)
  }
  return events
}

describe('createDoctorHandler', () => {
  const doctor = createDoctorHandler({ plan: SHORT })
  const get = (path: string, init?: RequestInit) =>
    doctor(new Request(`http://app.test${path}`, init))

  test('serves the page at its path, and the page loads page.js from the same path', async () => {
    const page = await get('/ssekit-doctor')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await page.text()).toContain('<script type="module" src="/ssekit-doctor/page.js">')
    const script = await get('/ssekit-doctor/page.js')
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(await script.text()).toBe(PAGE_SCRIPT)
  })

  test('answers 404 outside its path and for unknown routes, 405 for other methods', async () => {
    expect((await get('/elsewhere')).status).toBe(404)
    expect((await get('/ssekit-doctorx')).status).toBe(404)
    expect((await get('/ssekit-doctor/nope')).status).toBe(404)
    expect((await get('/ssekit-doctor/stream', { method: 'POST' })).status).toBe(405)
  })

  test('a plan parameter out of range gets a 400 that names it', async () => {
    const response = await get('/ssekit-doctor/stream?cadence=1')
    expect(response.status).toBe(400)
    expect(await response.text()).toContain('"cadence"')
  })

  test('the stream says its plan and headers, sends retry, ids and every tick, then doctor-done', async () => {
    const response = await get('/ssekit-doctor/stream?events=2')
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(response.headers.get('x-accel-buffering')).toBe('no')
    expect(response.headers.has('connection')).toBe(false)
    const events = await readEvents(response)
    const hello = JSON.parse(events[0]?.data ?? '') as DoctorHello
    expect(hello.plan).toEqual({ ...SHORT, cadenceEvents: 2 })
    expect(hello.headers['x-accel-buffering']).toBe('no')
    const ticks = events.filter((event) => event.type === DOCTOR_EVENTS.tick)
    expect(ticks.map((tick) => tick.id)).toEqual(ticks.map((_, index) => String(index + 1)))
    expect(events.at(-1)?.type).toBe(DOCTOR_EVENTS.done)
  })

  test('headers set to null are left out, others are set', async () => {
    const handler = createDoctorHandler({
      path: '/diag/',
      plan: SHORT,
      headers: { 'X-Accel-Buffering': null, 'access-control-allow-origin': '*' },
    })
    const response = await handler(new Request('http://app.test/diag/stream'))
    expect(response.headers.has('x-accel-buffering')).toBe(false)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    await response.body?.cancel()
  })

  test('the reconnect check closes after retry and an id, then reports the Last-Event-ID it gets back', async () => {
    const first = await readEvents(await get('/ssekit-doctor/reconnect?session=abc&retry=70'))
    expect(first).toHaveLength(1)
    expect(first[0]).toMatchObject({ type: DOCTOR_EVENTS.bye, id: 'abc-1', data: 'reconnect now' })
    const second = await readEvents(
      await get('/ssekit-doctor/reconnect?session=abc', { headers: { 'last-event-id': 'abc-1' } }),
    )
    expect(second[0]?.type).toBe(DOCTOR_EVENTS.resumed)
    expect(JSON.parse(second[0]?.data ?? '')).toMatchObject({ lastEventId: 'abc-1' })
    expect((await get('/ssekit-doctor/reconnect?session=a%20b')).status).toBe(400)
  })

  test('a client that leaves stops the stream', async () => {
    const abort = new AbortController()
    const response = await get('/ssekit-doctor/stream?idle=60000', { signal: abort.signal })
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    await reader.read()
    abort.abort()
    await reader.cancel()
    await expect(reader.closed).resolves.toBeUndefined()
  })
})

describe('createDoctorNodeHandler', () => {
  test('passes other paths to next (Express), or answers 404 without it', async () => {
    const doctor = createDoctorNodeHandler({ plan: SHORT })
    let passed = 0
    const server = await listenForTest((req, res) => {
      void doctor(req, res, () => {
        passed++
        res.end('app')
      })
    })
    expect(await (await fetch(server.url('/app'))).text()).toBe('app')
    expect(passed).toBe(1)
    const alone = await listenForTest((req, res) => void doctor(req, res))
    expect((await fetch(alone.url('/app'))).status).toBe(404)
  })

  test('streams the same pattern over node:http, with the request HTTP version in doctor-hello', async () => {
    const doctor = createDoctorNodeHandler({ plan: SHORT })
    const server = await listenForTest((req, res) => void doctor(req, res))
    const response = await fetch(server.url('/ssekit-doctor/stream'))
    expect(response.headers.get('connection')).toBe('keep-alive')
    const events = await readEvents(response)
    expect((JSON.parse(events[0]?.data ?? '') as DoctorHello).httpVersion).toBe('1.1')
    expect(events.at(-1)?.type).toBe(DOCTOR_EVENTS.done)
    expect((await fetch(server.url('/ssekit-doctor/stream?idle=x'))).status).toBe(400)
  })
})
