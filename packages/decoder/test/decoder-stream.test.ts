import { expect, test } from 'vitest'
import { EventDecoderStream } from '../src/decoder-stream.ts'

const utf8 = new TextEncoder()

async function readAll<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = []
  for await (const value of stream as unknown as AsyncIterable<T>) out.push(value)
  return out
}

test('EventDecoderStream turns byte and text chunks into events and discards an unfinished one', async () => {
  const bytes = utf8.encode('\uFEFFid: 7\nevent: é\ndata: 😀\n\ndata: b\r\n\r\ndata: unfinished')
  const source = new ReadableStream<Uint8Array | string>({
    start(controller) {
      // Cut inside the BOM, the CRLF and the emoji.
      for (const cut of [
        [0, 1],
        [1, 27],
        [27, 37],
        [37, bytes.length],
      ] as const) {
        controller.enqueue(bytes.subarray(cut[0], cut[1]))
      }
      controller.enqueue('\n')
      controller.close()
    },
  })
  const comments: string[] = []
  const decoderStream = new EventDecoderStream({ onComment: (c) => comments.push(c) })
  const events = await readAll(source.pipeThrough(decoderStream))
  expect(events).toStrictEqual([{ id: '7', event: 'é', data: '😀' }, { data: 'b' }])
  expect(decoderStream.lastEventId).toBe('7')
})

test('EventDecoderStream reports comments, retries and ids through its options', async () => {
  const seen: string[] = []
  const decoderStream = new EventDecoderStream({
    onComment: (comment) => seen.push(`comment ${comment}`),
    onRetry: (retry) => seen.push(`retry ${retry}`),
    onId: (id) => seen.push(`id ${id}`),
    lastEventId: 'x',
  })
  const source = new ReadableStream<string>({
    start(controller) {
      controller.enqueue(': hi\nretry: 5\nid: 2\n\n')
      controller.close()
    },
  })
  expect(await readAll(source.pipeThrough(decoderStream))).toStrictEqual([])
  expect(seen).toStrictEqual(['comment hi', 'retry 5', 'id 2'])
})
