/** EventSource under an event contract: typed listeners, validated data, invalid events. */
import { defineEvents, isSSEError, SSEContractError, type SSEError } from '@ssekit/shared'
import { describe, expect, expectTypeOf, test } from 'vitest'
import { EventSource } from '../src/event-source.ts'
import { createFaultServer, hold } from './fault-server.ts'
import { asyncSchema, type Chat, checkPrice, market, Price } from './schemas.ts'

const PRICE = 'event: price\ndata: {"symbol":"A","price":1}\n\n'
const BAD_PRICE = 'event: price\ndata: {"symbol":"B"}\n\n'
const CHAT = 'event: chat\ndata: {"user":"ann","text":"hi"}\n\n'

/** Resolves with the next event of `type`. */
function next<E extends Event>(source: EventTarget, type: string): Promise<E> {
  return new Promise((resolve) =>
    source.addEventListener(type, (e) => resolve(e as E), { once: true }),
  )
}

describe('types', () => {
  test("listeners are typed by the contract: addEventListener('price') gets a MessageEvent<Price>", () => {
    const source = new EventSource('http://127.0.0.1:9/x', {
      events: market,
      signal: AbortSignal.abort(),
    })
    expectTypeOf(source).toEqualTypeOf<EventSource<typeof market>>()
    source.addEventListener('price', (event) => {
      expectTypeOf(event).toEqualTypeOf<MessageEvent<Price>>()
      expectTypeOf(event.data.price).toBeNumber()
    })
    source.addEventListener('chat', (event) => {
      expectTypeOf(event.data).toEqualTypeOf<Chat>()
    })
    source.addEventListener('open', (event) => expectTypeOf(event).toEqualTypeOf<Event>())
    source.addEventListener('error', (event) => expectTypeOf(event).toEqualTypeOf<Event>())
    // @ts-expect-error: the contract has no "news" event, so its listener gets no data
    source.addEventListener('news', (event) => event.data)
    // @ts-expect-error: a price is not a chat
    source.addEventListener('price', (event) => event.data.text)
    // Listener objects and plain EventListeners still work, as on any EventTarget.
    source.addEventListener('news', { handleEvent: () => {} })
    // No message schema: onmessage is never called, and its data is unknown.
    source.onmessage = (event) => expectTypeOf(event.data).toBeUnknown()
    // Typed or not, it goes where the DOM's EventSource is expected.
    const standard: globalThis.EventSource = source
    expect(standard).toBe(source)
    expect(source.readyState).toBe(2)
  })

  test('with a message schema, onmessage is typed by it; without a contract, by string', () => {
    const typed = new EventSource('http://127.0.0.1:9/x', {
      events: defineEvents({ message: Price }),
      signal: AbortSignal.abort(),
    })
    typed.onmessage = (event) => expectTypeOf(event.data).toEqualTypeOf<Price>()
    const plain = new EventSource('http://127.0.0.1:9/x', { signal: AbortSignal.abort() })
    plain.onmessage = (event) => expectTypeOf(event.data).toBeString()
    plain.addEventListener('anything', (event) => expectTypeOf(event.data).toBeString())
    expect(typed.onmessage).not.toBeNull()
  })
})

describe('dispatch', () => {
  test('messages carry the validated data; unknown types are not dispatched', async () => {
    const server = await createFaultServer()
    server.route('/s', hold(`id: 3\n${PRICE}event: news\ndata: x\n\n${CHAT}`))
    const source = new EventSource(server.url('/s'), { events: market })
    const seen: unknown[] = []
    source.addEventListener('news', () => seen.push('news'))
    source.addEventListener('price', (event) => seen.push(['price', event.data, event.lastEventId]))
    const chat = await next<MessageEvent<Chat>>(source, 'chat')
    source.close()
    expect(seen).toStrictEqual([['price', { symbol: 'A', price: 1 }, '3']])
    expect(chat.data).toStrictEqual({ user: 'ann', text: 'hi' })
    expect(chat).toBeInstanceOf(MessageEvent)
    expect(chat.origin).toBe(server.origin)
  })

  test('an invalid event is not dispatched and fires no error event: it goes to onError, and the stream goes on', async () => {
    const server = await createFaultServer()
    server.route('/s', hold(`${BAD_PRICE}${PRICE}`))
    const errors: SSEError[] = []
    const fired: string[] = []
    const source = new EventSource(server.url('/s'), {
      events: market,
      onError: (error) => void errors.push(error),
    })
    source.onerror = () => fired.push('error')
    const price = await next<MessageEvent<Price>>(source, 'price')
    source.close()
    expect(price.data).toStrictEqual({ symbol: 'A', price: 1 })
    expect(fired).toStrictEqual([])
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(SSEContractError)
    expect((errors[0] as SSEContractError).data).toBe('{"symbol":"B"}')
  })

  test("onInvalid returning 'close' closes the source: error fires with readyState CLOSED", async () => {
    const server = await createFaultServer()
    server.route('/s', hold(`${BAD_PRICE}${PRICE}`))
    const invalid: SSEContractError[] = []
    const source = new EventSource(server.url('/s'), {
      events: market,
      onInvalid: (error) => {
        invalid.push(error)
        return 'close'
      },
    })
    const prices: unknown[] = []
    source.addEventListener('price', (event) => prices.push(event.data))
    await next(source, 'error')
    expect(source.readyState).toBe(EventSource.CLOSED)
    expect(prices).toStrictEqual([])
    expect(invalid.map((error) => error.eventType)).toStrictEqual(['price'])
    await (await server.request(0)).socketClosed
  })

  test('an async validator is refused: ASYNC_SCHEMA to onError, and error fires with CLOSED', async () => {
    const server = await createFaultServer()
    server.route('/s', hold(PRICE))
    const errors: SSEError[] = []
    const source = new EventSource(server.url('/s'), {
      events: defineEvents({ price: asyncSchema(checkPrice) }),
      onError: (error) => void errors.push(error),
    })
    await next(source, 'error')
    expect(source.readyState).toBe(EventSource.CLOSED)
    expect(errors.map((error) => isSSEError(error, 'ASYNC_SCHEMA'))).toStrictEqual([true])
    expect(errors[0]?.message).toMatch(/which onEvent \(or EventSource\) cannot wait for/)
  })
})
