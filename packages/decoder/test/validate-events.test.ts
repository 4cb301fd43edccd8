/**
 * Event contracts in the decoder: validateEvents after EventDecoderStream, and readEvents'
 * events option, on real response bodies from a node:http server on 127.0.0.1.
 */
import type { ServerResponse } from 'node:http'
import {
  type ContractEvent,
  defineEvents,
  type ServerSentEvent,
  SSEContractError,
} from '@ssekit/shared'
import { startLoopbackServer } from '@ssekit/test-support/loopback-server'
import { describe, expect, expectTypeOf, onTestFinished, test } from 'vitest'
import { EventDecoderStream } from '../src/decoder-stream.ts'
import { readEvents } from '../src/read-events.ts'
import { validateEvents } from '../src/validate-events.ts'
import { asyncSchema, type Chat, checkChat, checkPrice, market, Price } from './schemas.ts'

const PRICE = 'event: price\ndata: {"symbol":"A","price":1}\n\n'
const BAD_PRICE = 'event: price\nid: 4\ndata: {"symbol":"B"}\n\n'
const CHAT = 'event: chat\ndata: {"user":"ann","text":"hi"}\n\n'
const NEWS = 'event: news\ndata: {}\n\n'

/**
 * A server that writes `chunks` as one text/event-stream response and ends it (or, with `open`,
 * keeps it open until the client goes away); `closed` tells whether the response was complete.
 */
async function serve(
  chunks: string[],
  open = false,
): Promise<{ url: string; closed: Promise<boolean> }> {
  let settle!: (complete: boolean) => void
  const closed = new Promise<boolean>((resolve) => {
    settle = resolve
  })
  const server = await startLoopbackServer((_req, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    // Resolves true when the response was written out, false when the client went away first.
    res.on('close', () => settle(res.writableFinished))
    const writeNext = (index: number): void => {
      if (index === chunks.length) {
        if (!open) res.end()
      } else res.write(chunks[index] as string, () => writeNext(index + 1))
    }
    writeNext(0)
  })
  onTestFinished(() => server.close())
  return { url: server.url('/events'), closed }
}

/** A body of a whole stream, as a fetch would give it. */
function body(text: string): ReadableStream<Uint8Array> {
  return new Response(text).body as ReadableStream<Uint8Array>
}

async function collect<T>(stream: ReadableStream<T>): Promise<{ items: T[]; thrown: unknown }> {
  const items: T[] = []
  try {
    for await (const item of stream) items.push(item)
  } catch (thrown) {
    return { items, thrown }
  }
  return { items, thrown: undefined }
}

describe('validateEvents', () => {
  test('types its output as the contract union', () => {
    const stream = validateEvents(market)
    expectTypeOf(stream).toEqualTypeOf<
      TransformStream<ServerSentEvent, ContractEvent<typeof market>>
    >()
    expectTypeOf<ContractEvent<typeof market>>().toEqualTypeOf<
      | { event: 'price'; data: Price; id?: string | undefined; retry?: number | undefined }
      | { event: 'chat'; data: Chat; id?: string | undefined; retry?: number | undefined }
    >()
  })

  test('after EventDecoderStream on a real body, yields the events decoded and validated', async () => {
    const { url } = await serve([`id: 1\n${PRICE}`, NEWS, CHAT])
    const response = (await fetch(url)).body as ReadableStream<Uint8Array>
    const invalid: SSEContractError[] = []
    const { items, thrown } = await collect(
      response
        .pipeThrough(new EventDecoderStream())
        .pipeThrough(validateEvents(market, { onInvalid: (error) => void invalid.push(error) })),
    )
    expect(thrown).toBeUndefined()
    expect(items).toStrictEqual([
      { event: 'price', id: '1', data: { symbol: 'A', price: 1 } },
      { event: 'chat', data: { user: 'ann', text: 'hi' } },
    ])
    // The unknown type is ignored (the contract's default), not invalid.
    expect(invalid).toStrictEqual([])
  })

  test('an invalid event errors the stream by default, and the body is cancelled', async () => {
    const { url, closed } = await serve([PRICE, BAD_PRICE], true)
    const response = (await fetch(url)).body as ReadableStream<Uint8Array>
    const { items, thrown } = await collect(
      response.pipeThrough(new EventDecoderStream()).pipeThrough(validateEvents(market)),
    )
    expect(items.map((event) => event.event)).toStrictEqual(['price'])
    expect(thrown).toBeInstanceOf(SSEContractError)
    const error = thrown as SSEContractError
    expect([error.code, error.eventType, error.field, error.data]).toStrictEqual([
      'CONTRACT_VIOLATION',
      'price',
      'data',
      '{"symbol":"B"}',
    ])
    expect(await closed).toBe(false)
  })

  test('with onInvalid, an invalid event is reported and dropped, and the stream goes on', async () => {
    const { url } = await serve([BAD_PRICE, PRICE, 'event: price\ndata: nope\n\n', CHAT])
    const response = (await fetch(url)).body as ReadableStream<Uint8Array>
    const invalid: SSEContractError[] = []
    const { items, thrown } = await collect(
      response
        .pipeThrough(new EventDecoderStream())
        .pipeThrough(validateEvents(market, { onInvalid: (error) => void invalid.push(error) })),
    )
    expect(thrown).toBeUndefined()
    expect(items.map((event) => event.event)).toStrictEqual(['price', 'chat'])
    expect(invalid.map((error) => [error.field, error.data])).toStrictEqual([
      ['data', '{"symbol":"B"}'],
      ['data', 'nope'],
    ])
    expect(invalid[1]?.cause).toBeInstanceOf(SyntaxError)
  })

  test('onInvalid throwing errors the stream with what it threw', async () => {
    const stop = new Error('stop')
    const { items, thrown } = await collect(
      body(`${PRICE}${BAD_PRICE}${PRICE}`)
        .pipeThrough(new EventDecoderStream())
        .pipeThrough(
          validateEvents(market, {
            onInvalid: () => {
              throw stop
            },
          }),
        ),
    )
    expect(items).toHaveLength(1)
    expect(thrown).toBe(stop)
  })

  test("an unknown type is invalid under unknown: 'error'", async () => {
    const strict = defineEvents(market.events, { unknown: 'error' })
    const { thrown } = await collect(
      body(NEWS).pipeThrough(new EventDecoderStream()).pipeThrough(validateEvents(strict)),
    )
    expect((thrown as SSEContractError).field).toBe('event')
    expect((thrown as SSEContractError).eventType).toBe('news')
  })

  test('awaits an async validator before the next event, so order is kept', async () => {
    // The first event takes longest: without waiting, the later ones would overtake it.
    const delays = [30, 0, 10]
    const slow = defineEvents({
      price: asyncSchema(checkPrice, (value) => delays[(value as Price).price] ?? 0),
    })
    const wire = [0, 1, 2]
      .map((price) => `event: price\ndata: {"symbol":"S","price":${price}}\n\n`)
      .join('')
    const { items } = await collect(
      body(wire).pipeThrough(new EventDecoderStream()).pipeThrough(validateEvents(slow)),
    )
    expect(items.map((event) => event.data.price)).toStrictEqual([0, 1, 2])
  })

  test("leaves the caller's events as they were", async () => {
    const event: ServerSentEvent = { event: 'price', data: '{"symbol":"A","price":1}' }
    const readable = new ReadableStream<ServerSentEvent>({
      start(controller) {
        controller.enqueue(event)
        controller.close()
      },
    })
    const { items } = await collect(readable.pipeThrough(validateEvents(market)))
    expect(items).toStrictEqual([{ event: 'price', data: { symbol: 'A', price: 1 } }])
    expect(event).toStrictEqual({ event: 'price', data: '{"symbol":"A","price":1}' })
  })

  test('refuses what is not a contract', () => {
    // @ts-expect-error: a map of schemas is not a contract without defineEvents
    expect(() => validateEvents({ price: Price })).toThrow(
      new TypeError('validateEvents(contract) takes an event contract made by defineEvents().'),
    )
  })
})

describe('readEvents with events', () => {
  test('yields the contract union, typed, from a real response', async () => {
    const { url } = await serve([PRICE, NEWS, CHAT])
    const seen: unknown[] = []
    for await (const event of readEvents(await fetch(url), { events: market })) {
      expectTypeOf(event).toEqualTypeOf<ContractEvent<typeof market>>()
      // @ts-expect-error: data is Price | Chat until the event type is narrowed
      event.data.symbol
      if (event.event === 'price') {
        expectTypeOf(event.data).toEqualTypeOf<Price>()
        seen.push(event.data.symbol)
      } else {
        expectTypeOf(event.data).toEqualTypeOf<Chat>()
        seen.push(event.data.user)
      }
    }
    expect(seen).toStrictEqual(['A', 'ann'])
  })

  test('without events, yields the untyped events, as before', async () => {
    const events: ServerSentEvent[] = []
    for await (const event of readEvents(new Response(PRICE))) {
      expectTypeOf(event).toEqualTypeOf<ServerSentEvent>()
      events.push(event)
    }
    expect(events).toStrictEqual([{ event: 'price', data: '{"symbol":"A","price":1}' }])
  })

  test('an invalid event rejects the loop without onInvalid, and cancels the body', async () => {
    const { url, closed } = await serve([PRICE, BAD_PRICE], true)
    const seen: string[] = []
    const thrown = await (async () => {
      for await (const event of readEvents(await fetch(url), { events: market }))
        seen.push(event.event)
    })().catch((error: unknown) => error)
    expect(seen).toStrictEqual(['price'])
    expect(thrown).toBeInstanceOf(SSEContractError)
    expect((thrown as SSEContractError).issues).toStrictEqual([
      { message: 'Expected a number', path: ['price'] },
    ])
    expect(await closed).toBe(false)
  })

  test('with onInvalid, the loop goes on; async validators are awaited in order', async () => {
    const slow = defineEvents({
      price: asyncSchema(checkPrice, () => 5),
      chat: asyncSchema(checkChat, () => 0),
    })
    const { url } = await serve([PRICE, BAD_PRICE, CHAT, PRICE])
    const invalid: SSEContractError[] = []
    const seen: string[] = []
    for await (const event of readEvents(await fetch(url), {
      events: slow,
      onInvalid: (error) => void invalid.push(error),
    })) {
      seen.push(event.event)
    }
    expect(seen).toStrictEqual(['price', 'chat', 'price'])
    expect(invalid.map((error) => error.eventType)).toStrictEqual(['price'])
  })

  test('a schema that throws makes the event invalid, with what it threw as the cause', async () => {
    const boom = new Error('boom')
    const throwing = defineEvents({
      price: {
        '~standard': {
          version: 1,
          vendor: 'test',
          validate: () => {
            throw boom
          },
        },
      },
    })
    const thrown = await (async () => {
      for await (const _ of readEvents(new Response(PRICE), { events: throwing }))
        expect.unreachable()
    })().catch((error: unknown) => error)
    expect(thrown).toBeInstanceOf(SSEContractError)
    expect((thrown as SSEContractError).cause).toBe(boom)
  })

  test('a custom codec decodes the data before the schema sees it', async () => {
    const csv = defineEvents(
      { price: Price },
      {
        codec: {
          encode: (value) => `${(value as Price).symbol},${(value as Price).price}`,
          decode: (text) => ({ symbol: text.split(',')[0], price: Number(text.split(',')[1]) }),
        },
      },
    )
    const data: Price[] = []
    for await (const event of readEvents(new Response('event: price\ndata: Z,9\n\n'), {
      events: csv,
    })) {
      data.push(event.data)
    }
    expect(data).toStrictEqual([{ symbol: 'Z', price: 9 }])
  })

  test('refuses events that are not a contract', async () => {
    // @ts-expect-error: a map of schemas is not a contract without defineEvents
    const iterator = readEvents(new Response(''), { events: { price: Price } })
    await expect(iterator.next()).rejects.toThrow(
      new TypeError('The events option takes an event contract made by defineEvents().'),
    )
  })
})
