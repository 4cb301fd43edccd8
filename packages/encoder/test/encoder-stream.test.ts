import { isSSEError } from '@ssekit/shared'
import { expect, test } from 'vitest'
import type { EncodableEvent } from '../src/encode.ts'
import { EventEncoderStream } from '../src/encoder-stream.ts'
import { decodeStream } from './wire.ts'

function streamOf<T>(items: T[]): ReadableStream<T> {
  return new ReadableStream<T>({
    start(controller) {
      for (const item of items) controller.enqueue(item)
      controller.close()
    },
  })
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = []
  for await (const chunk of stream) chunks.push(chunk)
  return chunks
}

test('events piped through an EventEncoderStream come out as one UTF-8 chunk per event', async () => {
  const events: EncodableEvent[] = [
    { data: 'one' },
    { id: '2', event: 'tick', data: { n: 2 } },
    { retry: 500 },
    { data: 'multi\nline 🚀' },
  ]
  const chunks = await collect(streamOf(events).pipeThrough(new EventEncoderStream()))
  expect(chunks).toHaveLength(4)
  for (const chunk of chunks) expect(chunk).toBeInstanceOf(Uint8Array)
  const decoder = new TextDecoder()
  expect(decoder.decode(chunks[1])).toBe('id: 2\nevent: tick\ndata: {"n":2}\n\n')
  const wire = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0))
  let offset = 0
  for (const chunk of chunks) {
    wire.set(chunk, offset)
    offset += chunk.byteLength
  }
  const decoded = decodeStream(wire)
  expect(decoded.events).toEqual([
    { data: 'one' },
    { id: '2', event: 'tick', data: '{"n":2}' },
    { data: 'multi\nline 🚀' },
  ])
  expect(decoded.retries).toEqual([500])
})

test('the serialize option is used for object data', async () => {
  const stream = streamOf<EncodableEvent>([{ data: { a: 1 } }]).pipeThrough(
    new EventEncoderStream({ serialize: () => 'custom' }),
  )
  const [chunk] = await collect(stream)
  expect(new TextDecoder().decode(chunk)).toBe('data: custom\n\n')
})

test('a refused event errors the stream with its SSEError after the events before it', async () => {
  const stream = streamOf<EncodableEvent>([
    { data: 'ok' },
    { id: 'a\nb', data: 'bad' },
  ]).pipeThrough(new EventEncoderStream())
  const reader = stream.getReader()
  const first = await reader.read()
  expect(new TextDecoder().decode(first.value)).toBe('data: ok\n\n')
  const error = await reader.read().then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(isSSEError(error, 'INVALID_ID')).toBe(true)
})

test('the writable side accepts events written one by one', async () => {
  const encoder = new EventEncoderStream()
  const writer = encoder.writable.getWriter()
  const reading = collect(encoder.readable)
  await writer.write({ event: 'a', data: '1' })
  await writer.write({ data: '' })
  await writer.close()
  const text = (await reading).map((chunk) => new TextDecoder().decode(chunk)).join('')
  expect(text).toBe('event: a\ndata: 1\n\ndata: \n\n')
})
