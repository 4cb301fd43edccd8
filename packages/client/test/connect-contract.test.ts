/** connect() under an event contract: typed, decoded and validated events, and invalid ones. */
import {
  type ContractEvent,
  defineEvents,
  type EventCodec,
  isSSEError,
  SSEContractError,
  type SSEError,
  type StandardSchema,
} from '@ssekit/shared'
import { describe, expect, expectTypeOf, test } from 'vitest'
import { connect } from '../src/connect.ts'
import type { ConnectionEvent, ContractConnectionEvent } from '../src/connection.ts'
import { createFaultServer, hold, stream } from './fault-server.ts'
import { asyncSchema, type Chat, checkPrice, market, Price, schema } from './schemas.ts'

const FAST = { retry: { initialDelay: 20 } }

/** Collects what a connection's loop yields, and what it throws. */
async function drain<E>(connection: AsyncIterable<E>): Promise<{ events: E[]; thrown: unknown }> {
  const events: E[] = []
  try {
    for await (const event of connection) events.push(event)
  } catch (thrown) {
    return { events, thrown }
  }
  return { events, thrown: undefined }
}

const PRICE = 'event: price\ndata: {"symbol":"A","price":1}\n\n'
const CHAT = 'event: chat\ndata: {"user":"ann","text":"hi"}\n\n'
/** A price without its price: the schema refuses it. */
const BAD_PRICE = 'event: price\nid: 7\ndata: {"symbol":"B"}\n\n'

describe('types', () => {
  test('iteration and onEvent yield the contract union with lastEventId; narrowing on event types data', () => {
    const connection = connect('http://127.0.0.1:9/x', {
      events: market,
      signal: AbortSignal.abort(),
    })
    expectTypeOf(connection).toEqualTypeOf<
      import('../src/connection.ts').Connection<ContractConnectionEvent<typeof market>>
    >()
    type Incoming = ContractConnectionEvent<typeof market>
    expectTypeOf<Incoming>().toEqualTypeOf<ContractEvent<typeof market> & { lastEventId: string }>()
    const read = (event: Incoming): string => {
      expectTypeOf(event.lastEventId).toBeString()
      // @ts-expect-error: data is Price | Chat until the event type is narrowed
      event.data.price
      if (event.event === 'price') {
        expectTypeOf(event.data).toEqualTypeOf<Price>()
        return event.data.symbol
      }
      expectTypeOf(event.event).toEqualTypeOf<'chat'>()
      expectTypeOf(event.data).toEqualTypeOf<Chat>()
      return event.data.text
    }
    connect('http://127.0.0.1:9/x', {
      events: market,
      signal: AbortSignal.abort(),
      onEvent: (event) => {
        expectTypeOf(event).toEqualTypeOf<Incoming>()
        read(event)
      },
      onInvalid: (error) => {
        expectTypeOf(error).toEqualTypeOf<SSEContractError>()
        return 'skip'
      },
    })
    // @ts-expect-error: onInvalid decides 'skip' or 'close', nothing else
    connect('http://127.0.0.1:9/x', { events: market, onInvalid: () => 'retry' })
    expect(connection.readyState).toBe(2)
  })

  test('without events, the events are the untyped ones, as before', () => {
    const connection = connect('http://127.0.0.1:9/x', {
      signal: AbortSignal.abort(),
      onEvent: (event) => expectTypeOf(event).toEqualTypeOf<ConnectionEvent>(),
    })
    expectTypeOf(connection[Symbol.asyncIterator]().next()).resolves.toEqualTypeOf<
      IteratorResult<ConnectionEvent, undefined>
    >()
  })
})

describe('valid events', () => {
  test('the loop yields each event with its data decoded and validated, its type always set', async () => {
    const server = await createFaultServer()
    const message = defineEvents({ ...market.events, message: Price })
    server.route('/s', stream(`id: 1\n${PRICE}${CHAT}data: {"symbol":"M","price":3}\n\n`))
    const { events, thrown } = await drain(
      connect(server.url('/s'), { events: message, method: 'POST' }),
    )
    expect(thrown).toBeUndefined()
    expect(events).toStrictEqual([
      { event: 'price', id: '1', data: { symbol: 'A', price: 1 }, lastEventId: '1' },
      { event: 'chat', data: { user: 'ann', text: 'hi' }, lastEventId: '1' },
      { event: 'message', data: { symbol: 'M', price: 3 }, lastEventId: '1' },
    ])
  })

  test('the schema output is what the application gets, not the decoded input', async () => {
    const server = await createFaultServer()
    const stamp = schema<Date>((value) =>
      typeof value === 'string' ? { value: new Date(value) } : { issues: [{ message: 'no' }] },
    )
    server.route('/s', hold('event: at\ndata: "2026-01-02T03:04:05.000Z"\n\n'))
    for await (const event of connect(server.url('/s'), { events: defineEvents({ at: stamp }) })) {
      expectTypeOf(event.data).toEqualTypeOf<Date>()
      expect(event.data).toStrictEqual(new Date('2026-01-02T03:04:05.000Z'))
      break
    }
  })

  test('onEvent gets the validated events in order, and a loop beside it gets the same ones', async () => {
    const server = await createFaultServer()
    server.route('/s', hold(`${PRICE}event: news\ndata: x\n\n${CHAT}`))
    const seen: unknown[] = []
    const connection = connect(server.url('/s'), {
      events: market,
      onEvent: (event) => seen.push(event.data),
    })
    const looped: unknown[] = []
    for await (const event of connection) {
      looped.push(event.data)
      if (looped.length === 2) break
    }
    expect(seen).toStrictEqual([
      { symbol: 'A', price: 1 },
      { user: 'ann', text: 'hi' },
    ])
    expect(looped).toStrictEqual(seen)
  })

  test('a custom codec decodes the data before the schema sees it', async () => {
    const server = await createFaultServer()
    // "symbol price" as plain text, not JSON.
    const spaced: EventCodec = {
      encode: (value) => `${(value as Price).symbol} ${(value as Price).price}`,
      decode: (text) => {
        const [symbol, price] = text.split(' ')
        return { symbol, price: Number(price) }
      },
    }
    const events = defineEvents({ price: Price }, { codec: spaced })
    server.route('/s', stream('event: price\ndata: A 1.5\n\nevent: price\ndata: B 2\n\n'))
    const { events: seen } = await drain(
      connect(server.url('/s'), { events, retryNonIdempotent: false, method: 'POST' }),
    )
    expect(seen.map((event) => event.data)).toStrictEqual([
      { symbol: 'A', price: 1.5 },
      { symbol: 'B', price: 2 },
    ])
  })

  test("under message: 'raw', plain messages come through as text beside the typed events", async () => {
    const server = await createFaultServer()
    const events = defineEvents({ price: Price }, { message: 'raw' })
    server.route('/s', stream(`data: plain text\n\n${PRICE}`))
    const { events: seen } = await drain(connect(server.url('/s'), { events, method: 'POST' }))
    expect(seen.map((event) => [event.event, event.data])).toStrictEqual([
      ['message', 'plain text'],
      ['price', { symbol: 'A', price: 1 }],
    ])
  })
})

describe('unknown event types', () => {
  test("are dropped silently under unknown: 'ignore', the default", async () => {
    const server = await createFaultServer()
    server.route('/s', stream(`event: news\ndata: {}\n\n${PRICE}data: no type\n\n`))
    const errors: unknown[] = []
    const { events } = await drain(
      connect(server.url('/s'), {
        events: market,
        method: 'POST',
        onError: (e) => void errors.push(e),
      }),
    )
    expect(events.map((event) => event.event)).toStrictEqual(['price'])
    expect(errors).toStrictEqual([])
  })

  test("are reported as CONTRACT_VIOLATION on the event field under unknown: 'error', and the stream goes on", async () => {
    const server = await createFaultServer()
    const strict = defineEvents(market.events, { unknown: 'error' })
    server.route('/s', stream(`event: news\ndata: {}\n\n${PRICE}`))
    const errors: SSEError[] = []
    const { events } = await drain(
      connect(server.url('/s'), {
        events: strict,
        method: 'POST',
        onError: (e) => void errors.push(e),
      }),
    )
    expect(events.map((event) => event.event)).toStrictEqual(['price'])
    expect(errors).toHaveLength(1)
    const error = errors[0] as SSEContractError
    expect(error).toBeInstanceOf(SSEContractError)
    expect([error.code, error.field, error.eventType, error.data]).toStrictEqual([
      'CONTRACT_VIOLATION',
      'event',
      'news',
      '{}',
    ])
  })
})

describe('invalid events', () => {
  test('by default go to onError with the typed error and the raw data, and the stream goes on', async () => {
    const server = await createFaultServer()
    server.route('/s', stream(`${BAD_PRICE}${PRICE}`), hold())
    const errors: SSEError[] = []
    const connection = connect(server.url('/s'), {
      ...FAST,
      events: market,
      onError: (error) => void errors.push(error),
    })
    const seen: unknown[] = []
    for await (const event of connection) {
      seen.push(event.data)
      break
    }
    expect(seen).toStrictEqual([{ symbol: 'A', price: 1 }])
    expect(errors).toHaveLength(1)
    const error = errors[0] as SSEContractError
    expect(isSSEError(error, 'CONTRACT_VIOLATION')).toBe(true)
    expect(error.eventType).toBe('price')
    expect(error.field).toBe('data')
    expect(error.data).toBe('{"symbol":"B"}')
    expect(error.issues).toStrictEqual([{ message: 'Expected a number', path: ['price'] }])
    expect(error.message).toBe(
      'The data of the "price" event does not match the contract: price: Expected a number.',
    )
    // Reported, not a reason to reconnect: the one request stayed open.
    expect(server.requests).toHaveLength(1)
  })

  test('without onError they are dropped, and the stream goes on', async () => {
    const server = await createFaultServer()
    server.route('/s', stream(`${BAD_PRICE}${PRICE}`))
    const { events, thrown } = await drain(
      connect(server.url('/s'), { events: market, method: 'POST' }),
    )
    expect(thrown).toBeUndefined()
    expect(events.map((event) => event.data)).toStrictEqual([{ symbol: 'A', price: 1 }])
  })

  test('data the codec cannot read is invalid, with the codec error as the cause', async () => {
    const server = await createFaultServer()
    server.route('/s', stream(`event: price\ndata: {not json\n\n${PRICE}`))
    const errors: SSEError[] = []
    const { events } = await drain(
      connect(server.url('/s'), {
        events: market,
        method: 'POST',
        onError: (e) => void errors.push(e),
      }),
    )
    expect(events).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(SSEContractError)
    expect((errors[0] as SSEContractError).cause).toBeInstanceOf(SyntaxError)
    expect((errors[0] as SSEContractError).data).toBe('{not json')
  })

  test('a schema that throws makes the event invalid, with what it threw as the cause', async () => {
    const server = await createFaultServer()
    const boom = new Error('boom')
    const throwing = schema<Price>(() => {
      throw boom
    })
    server.route('/s', stream(PRICE))
    for (const onEvent of [undefined, () => {}]) {
      const errors: SSEError[] = []
      const { thrown } = await drain(
        connect(server.url('/s'), {
          events: defineEvents({ price: throwing }),
          method: 'POST',
          onEvent,
          onError: (e) => void errors.push(e),
        }),
      )
      expect(thrown).toBeUndefined()
      expect(errors.map((e) => [e.code, e.cause, e.message])).toStrictEqual([
        [
          'CONTRACT_VIOLATION',
          boom,
          'The schema of the "price" event threw instead of returning issues: boom.',
        ],
      ])
    }
  })

  test('an id the id schema refuses is invalid on the id field', async () => {
    const server = await createFaultServer()
    const numeric: StandardSchema<string, string> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: (value) =>
          typeof value === 'string' && /^\d+$/.test(value)
            ? { value }
            : { issues: [{ message: 'Expected digits' }] },
      },
    }
    server.route('/s', stream(`id: x\n${PRICE}id: 2\n${PRICE}`))
    const errors: SSEContractError[] = []
    const { events } = await drain(
      connect(server.url('/s'), {
        events: defineEvents(market.events, { id: numeric }),
        method: 'POST',
        onInvalid: (error) => void errors.push(error),
      }),
    )
    expect(events.map((event) => event.id)).toStrictEqual(['2'])
    expect(errors.map((error) => [error.field, error.data])).toStrictEqual([['id', 'x']])
  })

  test("onInvalid returning 'skip' drops them without telling onError", async () => {
    const server = await createFaultServer()
    server.route('/s', stream(`${BAD_PRICE}${PRICE}`))
    const invalid: SSEContractError[] = []
    const errors: SSEError[] = []
    const { events } = await drain(
      connect(server.url('/s'), {
        events: market,
        method: 'POST',
        onInvalid: (error) => {
          invalid.push(error)
          return 'skip'
        },
        onError: (error) => void errors.push(error),
      }),
    )
    expect(events.map((event) => event.event)).toStrictEqual(['price'])
    expect(invalid.map((error) => error.eventType)).toStrictEqual(['price'])
    expect(errors).toStrictEqual([])
  })

  test("onInvalid returning 'close' closes the connection: onError and onClose are told, the loop throws", async () => {
    const server = await createFaultServer()
    server.route('/s', hold(`${PRICE}${BAD_PRICE}${CHAT}`))
    const errors: SSEError[] = []
    const closed: unknown[] = []
    const connection = connect(server.url('/s'), {
      ...FAST,
      events: market,
      onInvalid: () => 'close',
      // Told, but cannot keep the connection open.
      onError: (error) => {
        errors.push(error)
        return true
      },
      onClose: (error) => closed.push(error),
    })
    const { events, thrown } = await drain(connection)
    // The chat after the invalid event is never delivered.
    expect(events.map((event) => event.event)).toStrictEqual(['price'])
    expect(thrown).toBeInstanceOf(SSEContractError)
    expect(errors).toStrictEqual([thrown])
    expect(closed).toStrictEqual([thrown])
    expect(connection.readyState).toBe(2)
    await (await server.request(0)).socketClosed
    expect(server.requests).toHaveLength(1)
  })

  test("with onEvent, 'close' ends the connection after the events before the invalid one", async () => {
    const server = await createFaultServer()
    server.route('/s', hold(`${PRICE}${BAD_PRICE}${CHAT}`))
    const seen: string[] = []
    const closed: unknown[] = []
    await new Promise<void>((resolve) => {
      connect(server.url('/s'), {
        events: market,
        onEvent: (event) => seen.push(event.event),
        onInvalid: () => 'close',
        onClose: (error) => {
          closed.push(error)
          resolve()
        },
      })
    })
    expect(seen).toStrictEqual(['price'])
    expect(isSSEError(closed[0], 'CONTRACT_VIOLATION')).toBe(true)
    await (await server.request(0)).socketClosed
  })

  test('onError returning false closes quietly: the loop ends without throwing', async () => {
    const server = await createFaultServer()
    server.route('/s', hold(`${PRICE}${BAD_PRICE}${CHAT}`))
    const closed: unknown[] = []
    const { events, thrown } = await drain(
      connect(server.url('/s'), {
        events: market,
        onError: () => false,
        onClose: (error) => closed.push(error),
      }),
    )
    expect(thrown).toBeUndefined()
    expect(events.map((event) => event.event)).toStrictEqual(['price'])
    expect(isSSEError(closed[0], 'CONTRACT_VIOLATION')).toBe(true)
  })
})

describe('async validators', () => {
  const slowPrice = defineEvents({
    price: asyncSchema(checkPrice, () => 5),
    chat: market.events.chat,
  })

  test('the loop awaits them, and gets valid events only', async () => {
    const server = await createFaultServer()
    server.route('/s', stream(`${PRICE}${BAD_PRICE}${CHAT}${PRICE}`))
    const errors: SSEError[] = []
    const { events } = await drain(
      connect(server.url('/s'), {
        events: slowPrice,
        method: 'POST',
        onError: (e) => void errors.push(e),
      }),
    )
    expect(events.map((event) => event.event)).toStrictEqual(['price', 'chat', 'price'])
    expect(errors.map((error) => error.code)).toStrictEqual(['CONTRACT_VIOLATION'])
  })

  test('onEvent cannot wait: ASYNC_SCHEMA goes to onError, and the connection closes', async () => {
    const server = await createFaultServer()
    server.route('/s', hold(`${CHAT}${PRICE}${CHAT}`))
    const seen: string[] = []
    const errors: SSEError[] = []
    const closed = await new Promise<unknown>((resolve) => {
      connect(server.url('/s'), {
        events: slowPrice,
        onEvent: (event) => seen.push(event.event),
        // Cannot overrule it.
        onError: (error) => {
          errors.push(error)
          return true
        },
        onClose: resolve,
      })
    })
    expect(seen).toStrictEqual(['chat'])
    expect(errors).toStrictEqual([closed])
    expect(isSSEError(closed, 'ASYNC_SCHEMA')).toBe(true)
    expect((closed as Error).message).toMatch(
      /The schema of the "price" event validates asynchronously/,
    )
    await (await server.request(0)).socketClosed
    expect(server.requests).toHaveLength(1)
  })

  test('close() while one is pending: the event is dropped and the loop ends', async () => {
    const server = await createFaultServer()
    let release!: () => void
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    let started!: () => void
    const validating = new Promise<void>((resolve) => {
      started = resolve
    })
    // An async validator that answers only once released.
    const gated: StandardSchema<unknown, Price> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: (value) => {
          started()
          return gate.then(() => checkPrice(value))
        },
      },
    }
    const held = defineEvents({ price: gated })
    server.route('/s', hold(PRICE))
    const connection = connect(server.url('/s'), { events: held })
    const pending = connection[Symbol.asyncIterator]().next()
    await validating
    connection.close()
    release()
    await expect(pending).resolves.toStrictEqual({ value: undefined, done: true })
  })

  test('a second next() before the first settled is refused', async () => {
    const server = await createFaultServer()
    server.route('/s', hold())
    const connection = connect(server.url('/s'), { events: slowPrice })
    const iterator = connection[Symbol.asyncIterator]()
    const first = iterator.next()
    await expect(iterator.next()).rejects.toThrow(TypeError)
    connection.close()
    await expect(first).resolves.toStrictEqual({ value: undefined, done: true })
  })
})

test('events that are not a contract are refused at once', () => {
  expect(() =>
    connect('http://127.0.0.1:9/x', {
      // @ts-expect-error: a map of schemas is not a contract without defineEvents
      events: { price: Price },
    }),
  ).toThrow(new TypeError('The events option takes an event contract made by defineEvents().'))
})
