import type { ServerResponse } from 'node:http'
import { fc, test as propertyTest } from '@fast-check/vitest'
import {
  defineEvents,
  isSSEError,
  SSEContractError,
  type StandardSchema,
  type StandardSchemaResult,
} from '@ssekit/shared'
import { listenForTest } from '@ssekit/test-support/loopback-server'
import { describe, expect, expectTypeOf, test } from 'vitest'
import { EventEncoderStream } from '../src/encoder-stream.ts'
import { openEventStream } from '../src/node/open-event-stream.ts'
import { createEventStreamResponse } from '../src/response.ts'
import { connect } from './http-client.ts'
import { decodeStream } from './wire.ts'

/** A Standard Schema by hand (the real validators are tested in tests/contracts). */
function schema<Output>(
  check: (value: unknown) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>,
): StandardSchema<Output, Output> {
  return { '~standard': { version: 1, vendor: 'test', validate: check } }
}

interface Price {
  symbol: string
  price: number
}
const price = schema<Price>((value) =>
  typeof (value as Price)?.price === 'number'
    ? { value: value as Price }
    : { issues: [{ message: 'Expected a number', path: ['price'] }] },
)
const note = schema<string>((value) =>
  typeof value === 'string' ? { value } : { issues: [{ message: 'Expected a string' }] },
)
const events = defineEvents({ price, note })

/** A schema that answers after `delays[n]` ms for its n-th call: async, and out of order. */
function delayed(delays: number[]) {
  let call = 0
  return schema<number>(async (value) => {
    const wait = delays[call++ % delays.length] ?? 0
    await new Promise((resolve) => setTimeout(resolve, wait))
    return { value: value as number }
  })
}

/** A server whose one route opens a stream and hands it to `use`. */
async function serve(use: (res: ServerResponse) => Promise<void>) {
  return listenForTest((_req, res) => {
    use(res).catch(() => {})
  })
}

describe('openEventStream with a contract', () => {
  test('send takes only the contract events, typed by their schemas', async () => {
    const server = await serve(async (res) => {
      const stream = openEventStream(res, { events })
      expectTypeOf(stream.send)
        .parameter(0)
        .toEqualTypeOf<
          | { event: 'price'; data: Price; id?: string | undefined; retry?: number | undefined }
          | { event: 'note'; data: string; id?: string | undefined; retry?: number | undefined }
        >()
      // Compile errors, in a function never called:
      const misuse = () => {
        // @ts-expect-error: the contract has no `trade` event
        void stream.send({ event: 'trade', data: 1 })
        // @ts-expect-error: a price's price is a number
        void stream.send({ event: 'price', data: { symbol: 'A', price: '1' } })
      }
      expect(typeof misuse).toBe('function')
      await stream.send({ event: 'price', data: { symbol: 'A', price: 1 }, id: '1' })
      await stream.send({ event: 'note', data: 'line one\nline two' })
      stream.close()
    })
    const client = await connect(server.url('/'))
    await client.ended
    expect(decodeStream(client.text).events).toEqual([
      { event: 'price', data: '{"symbol":"A","price":1}', id: '1' },
      { event: 'note', data: '"line one\\nline two"' },
    ])
  })

  test('with validate, a refused event rejects with the issues and writes nothing', async () => {
    let refusal: unknown
    const server = await serve(async (res) => {
      const stream = openEventStream(res, { events, validate: true })
      await stream.send({ event: 'note', data: 'before' })
      refusal = await stream
        .send({ event: 'price', data: { symbol: 'A' } as Price })
        .catch((error) => error)
      // The stream stays open for the next event.
      await stream.send({ event: 'note', data: 'after' })
      stream.close()
    })
    const client = await connect(server.url('/'))
    await client.ended
    expect(refusal).toBeInstanceOf(SSEContractError)
    expect(refusal).toMatchObject({ code: 'CONTRACT_VIOLATION', eventType: 'price', field: 'data' })
    expect((refusal as SSEContractError).issues).toEqual([
      { message: 'Expected a number', path: ['price'] },
    ])
    expect(decodeStream(client.text).events.map((event) => event.data)).toEqual([
      '"before"',
      '"after"',
    ])
  })

  test('without validate, the schemas are not run', async () => {
    const server = await serve(async (res) => {
      const stream = openEventStream(res, { events })
      await stream.send({ event: 'price', data: { symbol: 'A' } as Price })
      stream.close()
    })
    const client = await connect(server.url('/'))
    await client.ended
    expect(decodeStream(client.text).events).toEqual([{ event: 'price', data: '{"symbol":"A"}' }])
  })

  test('a value that is not a contract is refused at once', () => {
    expect(() => openEventStream({} as ServerResponse, { events: { price } as never })).toThrow(
      /takes an event contract made by defineEvents/,
    )
  })

  propertyTest.prop([fc.array(fc.integer({ min: 0, max: 15 }), { minLength: 2, maxLength: 12 })], {
    numRuns: 15,
  })(
    'async validators are awaited, and events leave in the order they were sent',
    async (delays) => {
      const slow = defineEvents({ n: delayed(delays), note })
      const server = await serve(async (res) => {
        const stream = openEventStream(res, { events: slow, validate: true })
        // Sent without awaiting: slow and sync validations interleave.
        const sends = delays.map((_, index) =>
          index % 3 === 2
            ? stream.send({ event: 'note', data: `note ${index}` })
            : stream.send({ event: 'n', data: index }),
        )
        await Promise.all(sends)
        stream.close()
      })
      const client = await connect(server.url('/'))
      await client.ended
      const expected = delays.map((_, index) =>
        index % 3 === 2 ? `"note ${index}"` : String(index),
      )
      expect(decodeStream(client.text).events.map((event) => event.data)).toEqual(expected)
      await server.close()
    },
  )
})

describe('createEventStreamResponse with a contract', () => {
  test('yields the contract events, validated and awaited; a refused one errors the body', async () => {
    async function* source() {
      yield { event: 'n' as const, data: 1 }
      yield { event: 'note' as const, data: 'two' }
      yield { event: 'n' as const, data: 'three' as unknown as number }
    }
    const strict = defineEvents({
      n: schema<number>(async (value) =>
        typeof value === 'number' ? { value } : { issues: [{ message: 'Expected a number' }] },
      ),
      note,
    })
    const response = createEventStreamResponse(source(), {
      events: strict,
      validate: true,
      heartbeat: false,
    })
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    let text = ''
    let failure: unknown
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        text += new TextDecoder().decode(value)
      }
    } catch (error) {
      failure = error
    }
    expect(decodeStream(text).events).toEqual([
      { event: 'n', data: '1' },
      { event: 'note', data: '"two"' },
    ])
    expect(isSSEError(failure, 'CONTRACT_VIOLATION')).toBe(true)
  })

  test('a source of another contract does not compile', () => {
    async function* notes() {
      yield { event: 'note' as const, data: 'x' }
    }
    const other = defineEvents({ price })
    // @ts-expect-error: `note` is not an event of `other`
    const response = createEventStreamResponse(notes(), { events: other })
    expect(response.status).toBe(200)
  })
})

describe('EventEncoderStream with a contract', () => {
  test('encodes the contract events in order, awaiting an async validator, with a custom codec', async () => {
    const csv = defineEvents(
      { row: schema<string[]>(async (value) => ({ value: value as string[] })) },
      {
        codec: {
          encode: (value) => (value as string[]).join(','),
          decode: (text) => text.split(','),
        },
      },
    )
    const stream = new EventEncoderStream({ events: csv, validate: true })
    expectTypeOf(stream.writable).toEqualTypeOf<
      WritableStream<{
        event: 'row'
        data: string[]
        id?: string | undefined
        retry?: number | undefined
      }>
    >()
    const writer = stream.writable.getWriter()
    void writer.write({ event: 'row', data: ['a', 'b'] })
    void writer.write({ event: 'row', data: ['c'], id: '2' })
    void writer.close()
    const text = await new Response(stream.readable).text()
    expect(decodeStream(text).events).toEqual([
      { event: 'row', data: 'a,b' },
      { event: 'row', data: 'c', id: '2' },
    ])
  })

  test('a refused event errors the stream with the SSEContractError', async () => {
    const stream = new EventEncoderStream({ events, validate: true })
    const read = new Response(stream.readable).text()
    const writer = stream.writable.getWriter()
    const written = writer.write({ event: 'note', data: 7 as unknown as string })
    await expect(written).rejects.toBeInstanceOf(SSEContractError)
    await expect(read).rejects.toBeInstanceOf(SSEContractError)
  })
})
