import { isSSEError, SSEError } from '@ssekit/shared'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { type EncodableEvent, encodeBytes } from '../src/encode.ts'
import { HEARTBEAT_COMMENT } from '../src/heartbeat.ts'
import { createEventStreamResponse } from '../src/response.ts'
import { decodeStream } from './wire.ts'

const utf8 = new TextEncoder()

const text = new TextDecoder()

/** A promise with its resolve function, to hold a generator at an await. */
function deferred<T = void>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

/** An endless source of `{ data: 'x' }`; `returned` resolves when its `return()` is called. */
function endlessSource(): { source: AsyncIterable<EncodableEvent>; returned: Promise<void> } {
  const returned = deferred()
  const source: AsyncIterable<EncodableEvent> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => ({ done: false, value: { data: 'x' } }),
      return: async () => {
        returned.resolve()
        return { done: true, value: undefined }
      },
    }),
  }
  return { source, returned: returned.promise }
}

/** A source that yields nothing until `promise` settles, then ends. */
async function* idleUntil(promise: Promise<void>): AsyncGenerator<EncodableEvent> {
  await promise
  yield* []
}

/** Reads one chunk as text; `done` reads as null. */
async function readText(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string | null> {
  const { done, value } = await reader.read()
  return done ? null : text.decode(value)
}

/** A promise's state without waiting: settles pending microtasks first. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false
  promise.then(
    () => {
      settled = true
    },
    () => {
      settled = true
    },
  )
  for (let i = 0; i < 20; i++) await Promise.resolve()
  return settled
}

afterEach(() => {
  vi.useRealTimers()
})

describe('the response', () => {
  test('has status 200 and the event-stream headers without Connection', () => {
    const response = createEventStreamResponse((async function* () {})(), { heartbeat: false })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform')
    expect(response.headers.get('x-accel-buffering')).toBe('no')
    expect(response.headers.has('connection')).toBe(false)
  })

  test('user headers are merged over the defaults', () => {
    const response = createEventStreamResponse((async function* () {})(), {
      heartbeat: false,
      headers: [
        ['Cache-Control', 'private, no-store'],
        ['X-Request-Id', 'r1'],
      ],
    })
    expect(response.headers.get('cache-control')).toBe('private, no-store')
    expect(response.headers.get('x-request-id')).toBe('r1')
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
  })

  test('an invalid retry is refused when the response is created', () => {
    const source = (async function* () {})()
    expect(() => createEventStreamResponse(source, { retry: -1 })).toThrow(SSEError)
    expect(() => createEventStreamResponse(source, { retry: 1.5 })).toThrow(
      expect.objectContaining({ code: 'INVALID_RETRY', field: 'retry' }),
    )
  })

  test.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31])(
    'a heartbeat of %d is refused with a RangeError',
    (heartbeat) => {
      expect(() => createEventStreamResponse((async function* () {})(), { heartbeat })).toThrow(
        RangeError,
      )
    },
  )
})

describe('the body', () => {
  test('streams the events of an async generator, read through Response.body', async () => {
    async function* events(): AsyncGenerator<EncodableEvent> {
      yield { data: 'first' }
      yield { id: '2', event: 'update', data: { ok: true } }
      yield { data: 'line 1\nline 2' }
    }
    const response = createEventStreamResponse(events(), { heartbeat: false, primer: false })
    const wire = await response.text()
    expect(wire).toBe(
      'data: first\n\nid: 2\nevent: update\ndata: {"ok":true}\n\ndata: line 1\ndata: line 2\n\n',
    )
    expect(decodeStream(wire).events).toHaveLength(3)
  })

  test('streams the events of a ReadableStream', async () => {
    const source = new ReadableStream<EncodableEvent>({
      start(controller) {
        controller.enqueue({ data: 'a' })
        controller.enqueue({ data: 'b' })
        controller.close()
      },
    })
    const response = createEventStreamResponse(source, { heartbeat: false, primer: false })
    expect(await response.text()).toBe('data: a\n\ndata: b\n\n')
  })

  test('sends Uint8Array items as they are, between encoded events', async () => {
    const preEncoded = encodeBytes({ id: '7', event: 'tick', data: 'é 😀' })
    async function* items(): AsyncGenerator<EncodableEvent | Uint8Array> {
      yield { data: 'first' }
      yield preEncoded
      yield { data: 'last' }
    }
    const response = createEventStreamResponse(items(), { heartbeat: false, primer: false })
    const bytes = new Uint8Array(await response.arrayBuffer())
    const expected = [
      ...utf8.encode('data: first\n\n'),
      ...preEncoded,
      ...utf8.encode('data: last\n\n'),
    ]
    expect([...bytes]).toStrictEqual(expected)
  })

  test('sends the retry first, as its own block', async () => {
    async function* events(): AsyncGenerator<EncodableEvent> {
      yield { data: 'x' }
    }
    const response = createEventStreamResponse(events(), { heartbeat: false, retry: 2500 })
    const wire = await response.text()
    expect(wire).toBe('retry: 2500\n\ndata: x\n\n')
    expect(decodeStream(wire).retries).toEqual([2500])
  })

  test('uses the serialize option for object data', async () => {
    async function* events(): AsyncGenerator<EncodableEvent> {
      yield { data: { a: 1 } }
    }
    const response = createEventStreamResponse(events(), {
      heartbeat: false,
      primer: false,
      serialize: (value) => `~${JSON.stringify(value)}`,
    })
    expect(await response.text()).toBe('data: ~{"a":1}\n\n')
  })

  test('pulls from the source only as fast as the client reads', async () => {
    let produced = 0
    async function* events(): AsyncGenerator<EncodableEvent> {
      for (;;) {
        produced++
        yield { data: String(produced) }
      }
    }
    const response = createEventStreamResponse(events(), { heartbeat: false, primer: false })
    const reader = response.body?.getReader() as ReadableStreamDefaultReader<Uint8Array>
    expect(await readText(reader)).toBe('data: 1\n\n')
    expect(await readText(reader)).toBe('data: 2\n\n')
    await isSettled(Promise.resolve())
    expect(produced).toBe(2)
    await reader.cancel()
  })

  test('an event that cannot be encoded errors the body with its SSEError and stops the source', async () => {
    let stopped = false
    async function* events(): AsyncGenerator<EncodableEvent> {
      try {
        yield { data: 'fine' }
        yield { id: 'evil\nid: 1', data: 'x' }
        yield { data: 'never' }
      } finally {
        stopped = true
      }
    }
    const response = createEventStreamResponse(events(), { heartbeat: false, primer: false })
    const reader = response.body?.getReader() as ReadableStreamDefaultReader<Uint8Array>
    expect(await readText(reader)).toBe('data: fine\n\n')
    const error = await reader.read().then(
      () => undefined,
      (reason: unknown) => reason,
    )
    expect(isSSEError(error, 'INVALID_ID')).toBe(true)
    expect((error as SSEError).field).toBe('id')
    await vi.waitUntil(() => stopped)
  })

  test('an error thrown by the source errors the body with that error', async () => {
    const failure = new Error('database down')
    async function* events(): AsyncGenerator<EncodableEvent> {
      yield { data: 'a' }
      throw failure
    }
    const response = createEventStreamResponse(events(), { heartbeat: false, primer: false })
    await expect(response.text()).rejects.toBe(failure)
  })
})

describe('stopping', () => {
  test('cancelling the body (the client went away) calls the iterator return() and clears the heartbeat', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    let stopped = false
    async function* events(): AsyncGenerator<EncodableEvent> {
      try {
        for (let i = 0; ; i++) yield { data: String(i) }
      } finally {
        stopped = true
      }
    }
    const response = createEventStreamResponse(events(), { primer: false })
    expect(vi.getTimerCount()).toBe(1)
    const reader = response.body?.getReader() as ReadableStreamDefaultReader<Uint8Array>
    expect(await readText(reader)).toBe('data: 0\n\n')
    await reader.cancel('client gone')
    await vi.waitUntil(() => stopped)
    expect(vi.getTimerCount()).toBe(0)
  })

  test('cancelling the body cancels a ReadableStream source with the reason', async () => {
    const cancelled = deferred<unknown>()
    const source = new ReadableStream<EncodableEvent>({
      pull(controller) {
        controller.enqueue({ data: 'x' })
      },
      cancel(reason) {
        cancelled.resolve(reason)
      },
    })
    const response = createEventStreamResponse(source, { heartbeat: false, primer: false })
    const reader = response.body?.getReader() as ReadableStreamDefaultReader<Uint8Array>
    await readText(reader)
    await reader.cancel('bye')
    expect(await cancelled.promise).toBe('bye')
  })

  test('cancelling before the first read still calls return() on the source iterator', async () => {
    const { source, returned } = endlessSource()
    const response = createEventStreamResponse(source, { heartbeat: false, primer: false })
    await response.body?.cancel()
    await returned
  })

  test('cancelling while the source waits does not wait for the source', async () => {
    const gate = deferred()
    let stopped = false
    let parked = false
    async function* events(): AsyncGenerator<EncodableEvent> {
      try {
        yield { data: 'a' }
        parked = true
        await gate.promise
        yield { data: 'b' }
      } finally {
        stopped = true
      }
    }
    const response = createEventStreamResponse(events(), { heartbeat: false, primer: false })
    const reader = response.body?.getReader() as ReadableStreamDefaultReader<Uint8Array>
    await readText(reader)
    const pending = reader.read()
    await vi.waitUntil(() => parked)
    await reader.cancel()
    expect(await pending).toEqual({ done: true, value: undefined })
    // The generator was parked in an await: its finally runs once that await settles.
    expect(stopped).toBe(false)
    gate.resolve()
    await vi.waitUntil(() => stopped)
  })

  test('aborting the signal ends the body cleanly and stops the source', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const abort = new AbortController()
    let stopped = false
    async function* events(): AsyncGenerator<EncodableEvent> {
      try {
        for (let i = 0; ; i++) yield { data: String(i) }
      } finally {
        stopped = true
      }
    }
    const response = createEventStreamResponse(events(), { signal: abort.signal, primer: false })
    const reader = response.body?.getReader() as ReadableStreamDefaultReader<Uint8Array>
    expect(await readText(reader)).toBe('data: 0\n\n')
    abort.abort()
    let rest = ''
    for (let chunk = await readText(reader); chunk !== null; chunk = await readText(reader)) {
      rest += chunk
    }
    expect(rest.length).toBeLessThan(20)
    await vi.waitUntil(() => stopped)
    expect(vi.getTimerCount()).toBe(0)
  })

  test('an already aborted signal gives an empty body and stops the source', async () => {
    const { source, returned } = endlessSource()
    const response = createEventStreamResponse(source, { signal: AbortSignal.abort() })
    expect(await response.text()).toBe('')
    await returned
  })

  test('a source that ends closes the body and clears the heartbeat', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const response = createEventStreamResponse((async function* () {})())
    expect(vi.getTimerCount()).toBe(1)
    expect(await response.text()).toBe(':\n')
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('the primer', () => {
  test('the body starts with an empty comment before the source yields anything', async () => {
    const gate = deferred()
    const response = createEventStreamResponse(idleUntil(gate.promise), { heartbeat: false })
    const reader = response.body?.getReader() as ReadableStreamDefaultReader<Uint8Array>
    expect(await readText(reader)).toBe(':\n')
    gate.resolve()
    await reader.cancel()
  })

  test('a retry block is the first bytes instead, and primer: false sends nothing first', async () => {
    const empty = async function* (): AsyncGenerator<EncodableEvent> {}
    expect(await createEventStreamResponse(empty(), { heartbeat: false, retry: 10 }).text()).toBe(
      'retry: 10\n\n',
    )
    expect(
      await createEventStreamResponse(empty(), { heartbeat: false, primer: false }).text(),
    ).toBe('')
  })
})

describe('heartbeats', () => {
  test('a heartbeat comment is sent every 15 seconds by default while the source is idle', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const gate = deferred()
    const events = () => idleUntil(gate.promise)
    const response = createEventStreamResponse(events(), { primer: false })
    const reader = response.body?.getReader() as ReadableStreamDefaultReader<Uint8Array>
    const first = readText(reader)
    vi.advanceTimersByTime(14_999)
    expect(await isSettled(first)).toBe(false)
    vi.advanceTimersByTime(1)
    expect(await first).toBe(HEARTBEAT_COMMENT)
    const second = readText(reader)
    vi.advanceTimersByTime(15_000)
    expect(await second).toBe(HEARTBEAT_COMMENT)
    expect(decodeStream(HEARTBEAT_COMMENT).comments).toEqual(['heartbeat'])
    gate.resolve()
    expect(await readText(reader)).toBeNull()
  })

  test('the heartbeat interval is configurable', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const gate = deferred()
    const events = () => idleUntil(gate.promise)
    const response = createEventStreamResponse(events(), { heartbeat: 50, primer: false })
    const reader = response.body?.getReader() as ReadableStreamDefaultReader<Uint8Array>
    const first = readText(reader)
    vi.advanceTimersByTime(50)
    expect(await first).toBe(HEARTBEAT_COMMENT)
    await reader.cancel()
    gate.resolve()
  })

  test('heartbeat false starts no timer', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    createEventStreamResponse((async function* () {})(), { heartbeat: false, primer: false })
    expect(vi.getTimerCount()).toBe(0)
  })

  test('heartbeats do not pile up while the client is not reading', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const gate = deferred()
    async function* events(): AsyncGenerator<EncodableEvent> {
      await gate.promise
      yield { data: 'done' }
    }
    const response = createEventStreamResponse(events(), { heartbeat: 10, retry: 1 })
    const reader = response.body?.getReader() as ReadableStreamDefaultReader<Uint8Array>
    // The retry block waits unread: every heartbeat is skipped.
    vi.advanceTimersByTime(100)
    expect(await readText(reader)).toBe('retry: 1\n\n')
    // A read waits on the source: the next heartbeat answers it, one more may queue.
    const waiting = readText(reader)
    vi.advanceTimersByTime(100)
    expect(await waiting).toBe(HEARTBEAT_COMMENT)
    gate.resolve()
    let rest = ''
    for (let chunk = await readText(reader); chunk !== null; chunk = await readText(reader)) {
      rest += chunk
    }
    expect(rest).toBe(`${HEARTBEAT_COMMENT}data: done\n\n`)
  })
})
