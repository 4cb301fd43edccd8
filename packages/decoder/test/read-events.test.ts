import { isSSEError } from '@ssekit/shared'
import { listenForTest } from '@ssekit/test-support/loopback-server'
import { expect, test } from 'vitest'
import { readEvents } from '../src/read-events.ts'

const utf8 = new TextEncoder()

async function collectAll<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const value of iterable) out.push(value)
  return out
}

test('readEvents reads an async iterable of byte and text chunks', async () => {
  async function* chunks() {
    yield utf8.encode('data: a\n')
    yield '\ndata: '
    yield utf8.encode('b\n\n')
  }
  expect(await collectAll(readEvents(chunks()))).toStrictEqual([{ data: 'a' }, { data: 'b' }])
})

test('readEvents reads a Response body, and a body-less Response has no events', async () => {
  const response = new Response('event: x\ndata: 1\n\n', {
    headers: { 'content-type': 'text/event-stream' },
  })
  expect(await collectAll(readEvents(response))).toStrictEqual([{ event: 'x', data: '1' }])
  expect(await collectAll(readEvents(new Response(null, { status: 204 })))).toStrictEqual([])
})

test('breaking out of the loop cancels a ReadableStream source and releases its reader', async () => {
  let cancelled: unknown = 'not cancelled'
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(utf8.encode('data: tick\n\n'))
    },
    cancel(reason) {
      cancelled = reason
    },
  })
  let count = 0
  for await (const event of readEvents(stream)) {
    expect(event).toStrictEqual({ data: 'tick' })
    if (++count === 3) break
  }
  expect(cancelled).toBeUndefined()
  expect(stream.locked).toBe(false)
})

test('breaking out of the loop calls the async iterable’s return()', async () => {
  let returned = false
  const iterable: AsyncIterable<string> = {
    [Symbol.asyncIterator]() {
      return {
        next: async () => ({ done: false, value: 'data: x\n\n' }),
        return: async () => {
          returned = true
          return { done: true, value: undefined }
        },
      }
    },
  }
  for await (const _ of readEvents(iterable)) break
  expect(returned).toBe(true)
})

test('aborting the signal rejects with its reason and closes a real HTTP response', async () => {
  let closed!: () => void
  const serverClosed = new Promise<void>((resolve) => {
    closed = resolve
  })
  const server = await listenForTest((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write('data: first\n\n')
    req.on('close', closed)
  })
  const controller = new AbortController()
  const response = await fetch(server.url('/'))
  const seen: unknown[] = []
  const reason = new Error('stop')
  const failure = await (async () => {
    for await (const event of readEvents(response, { signal: controller.signal })) {
      seen.push(event)
      controller.abort(reason)
    }
  })().then(
    () => undefined,
    (error: unknown) => error,
  )
  expect(seen).toStrictEqual([{ data: 'first' }])
  expect(failure).toBe(reason)
  await serverClosed
})

test('an already aborted signal rejects before reading', async () => {
  const controller = new AbortController()
  controller.abort(new Error('early'))
  await expect(
    collectAll(readEvents(new Response('data: x\n\n'), { signal: controller.signal })),
  ).rejects.toThrow('early')
})

test('a broken limit rejects with the typed error and cancels the source', async () => {
  let cancelled = false
  const stream = new ReadableStream<string>({
    pull(controller) {
      controller.enqueue('data: xxxxxxxxxxxxxxxxxxxxxxxx')
    },
    cancel() {
      cancelled = true
    },
  })
  const failure = await collectAll(readEvents(stream, { maxLineLength: 50 })).then(
    () => undefined,
    (error: unknown) => error,
  )
  expect(isSSEError(failure, 'LINE_TOO_LONG')).toBe(true)
  expect(cancelled).toBe(true)
})
