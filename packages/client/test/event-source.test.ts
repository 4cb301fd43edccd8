/** What a browser EventSource user relies on: the shape of the class, its events and its order. */
import { describe, expect, test } from 'vitest'
import { EventSource } from '../src/event-source.ts'
import { createFaultServer, hold, redirect, status, stream } from './fault-server.ts'

const FAST = { retry: { initialDelay: 20 } }

/** Resolves with the next event of `type`. */
function next<E extends Event = MessageEvent<string>>(
  source: EventTarget,
  type: string,
): Promise<E> {
  return new Promise((resolve) =>
    source.addEventListener(type, (e) => resolve(e as E), { once: true }),
  )
}

describe('the shape of the standard interface', () => {
  test('constants exist on the class and on instances, with the standard values', () => {
    expect([EventSource.CONNECTING, EventSource.OPEN, EventSource.CLOSED]).toStrictEqual([0, 1, 2])
    const source = new EventSource('http://127.0.0.1:9/x', { signal: AbortSignal.abort() })
    expect([source.CONNECTING, source.OPEN, source.CLOSED]).toStrictEqual([0, 1, 2])
    expect(Object.hasOwn(source, 'OPEN')).toBe(false)
    expect(Object.getOwnPropertyDescriptor(EventSource.prototype, 'OPEN')?.writable).toBe(false)
  })

  test('it is an EventTarget whose toString says EventSource', () => {
    const source = new EventSource('http://127.0.0.1:9/x', { signal: AbortSignal.abort() })
    expect(source).toBeInstanceOf(EventTarget)
    expect(Object.prototype.toString.call(source)).toBe('[object EventSource]')
  })

  test('it type-checks where the standard EventSource is expected', () => {
    const standard: globalThis.EventSource = new EventSource('http://127.0.0.1:9/x', {
      signal: AbortSignal.abort(),
    })
    expect(standard.readyState).toBe(2)
  })

  test('url is absolute, withCredentials reflects the init, readyState starts CONNECTING', async () => {
    const server = await createFaultServer()
    server.route('/s', hold())
    const plain = new EventSource(new URL(server.url('/s?a=1#frag')))
    const credentialed = new EventSource(server.url('/s'), { withCredentials: true })
    expect(plain.url).toBe(`${server.origin}/s?a=1#frag`)
    expect(plain.withCredentials).toBe(false)
    expect(credentialed.withCredentials).toBe(true)
    expect(plain.readyState).toBe(EventSource.CONNECTING)
    plain.close()
    credentialed.close()
    expect(plain.readyState).toBe(EventSource.CLOSED)
  })

  test('an invalid URL throws a SyntaxError DOMException', () => {
    const error = (() => {
      try {
        new EventSource('http://[broken')
      } catch (thrown) {
        return thrown
      }
      return undefined
    })()
    expect(error).toBeInstanceOf(DOMException)
    expect((error as DOMException).name).toBe('SyntaxError')
  })

  test('withCredentials maps to credentials "include", otherwise "same-origin"', async () => {
    const modes: (RequestCredentials | undefined)[] = []
    const fetch = async (_input: string, init: RequestInit) => {
      modes.push(init.credentials)
      return new Response(null, { status: 204 })
    }
    const a = new EventSource('http://127.0.0.1:9/a', { fetch })
    const b = new EventSource('http://127.0.0.1:9/b', { fetch, withCredentials: true })
    await Promise.all([next(a, 'error'), next(b, 'error')])
    expect(modes.sort()).toStrictEqual(['include', 'same-origin'])
  })
})

describe('events', () => {
  test('open, message and error arrive in the standard order and readyState follows', async () => {
    const server = await createFaultServer()
    server.route('/s', stream('retry: 20\ndata: a\n\n'), hold('data: b\n\n'))
    const source = new EventSource(server.url('/s'))
    const log: string[] = []
    source.onopen = () => log.push(`open ${source.readyState}`)
    source.onmessage = (event) => log.push(`message ${event.data} ${source.readyState}`)
    source.onerror = () => log.push(`error ${source.readyState}`)
    await next(source, 'message')
    await next(source, 'message')
    source.close()
    expect(log).toStrictEqual(['open 1', 'message a 1', 'error 0', 'open 1', 'message b 1'])
  })

  test('messages are MessageEvents with data, the persistent lastEventId and the origin', async () => {
    const server = await createFaultServer()
    server.route('/s', hold('id: 7\ndata: first\n\ndata: second\n\nid\ndata: third\n\n'))
    const source = new EventSource(server.url('/s'))
    const events: MessageEvent<string>[] = []
    source.onmessage = (event) => events.push(event)
    await new Promise<void>((resolve) =>
      source.addEventListener('message', () => events.length === 3 && resolve()),
    )
    source.close()
    expect(events.every((e) => e instanceof MessageEvent)).toBe(true)
    expect(events.map((e) => [e.data, e.lastEventId])).toStrictEqual([
      ['first', '7'],
      // An event without an id carries the last one, as in browsers.
      ['second', '7'],
      // An empty id field resets it.
      ['third', ''],
    ])
    const [first] = events
    expect(first?.origin).toBe(server.origin)
    expect(first?.ports).toStrictEqual([])
    expect(first?.source).toBeNull()
    expect(first?.type).toBe('message')
  })

  test('origin is that of the final URL after a redirect', async () => {
    const server = await createFaultServer()
    const target = await createFaultServer()
    target.route('/stream', hold('data: moved\n\n'))
    server.route('/s', redirect(target.url('/stream')))
    const source = new EventSource(server.url('/s'))
    const event = await next(source, 'message')
    source.close()
    expect(event.origin).toBe(target.origin)
    expect(event.origin).not.toBe(server.origin)
    expect(source.url).toBe(server.url('/s'))
  })

  test('named events reach addEventListener(type) listeners and not onmessage', async () => {
    const server = await createFaultServer()
    server.route('/s', hold('event: price\ndata: 42\n\ndata: plain\n\n'))
    const source = new EventSource(server.url('/s'))
    const messages: string[] = []
    source.onmessage = (event) => messages.push(event.data)
    const price = next(source, 'price')
    const plain = next(source, 'message')
    expect((await price).data).toBe('42')
    expect((await price).type).toBe('price')
    await plain
    source.close()
    expect(messages).toStrictEqual(['plain'])
  })

  test('handler attributes: replacing keeps one listener, null removes it', async () => {
    const server = await createFaultServer()
    server.route('/s', hold('data: 1\n\ndata: 2\n\ndata: 3\n\n'))
    const source = new EventSource(server.url('/s'))
    const log: string[] = []
    source.onmessage = () => log.push('old')
    source.onmessage = (event) => {
      log.push(`new ${event.data}`)
      if (event.data === '2') source.onmessage = null
    }
    expect(typeof source.onmessage).toBe('function')
    const third = new Promise<void>((resolve) =>
      source.addEventListener('message', (e) => (e as MessageEvent).data === '3' && resolve()),
    )
    await third
    source.close()
    expect(log).toStrictEqual(['new 1', 'new 2'])
    expect(source.onmessage).toBeNull()
  })

  test('a status other than 200 closes with one error event and readyState CLOSED', async () => {
    const server = await createFaultServer()
    server.route('/s', status(500))
    const source = new EventSource(server.url('/s'), FAST)
    let opens = 0
    source.onopen = () => opens++
    await next(source, 'error')
    expect(source.readyState).toBe(EventSource.CLOSED)
    expect(opens).toBe(0)
  })

  test('every reconnect fires error with readyState CONNECTING', async () => {
    const server = await createFaultServer()
    server.route('/s', stream('data: a\n\n'), stream('data: b\n\n'), hold())
    const source = new EventSource(server.url('/s'), FAST)
    const states: number[] = []
    source.onerror = () => states.push(source.readyState)
    await server.request(2)
    source.close()
    expect(states).toStrictEqual([0, 0])
  })

  test('close() inside a listener stops further events at once', async () => {
    const server = await createFaultServer()
    server.route('/s', hold('data: 1\n\ndata: 2\n\ndata: 3\n\n'))
    const source = new EventSource(server.url('/s'))
    const seen: string[] = []
    const closed = new Promise<void>((resolve) => {
      source.onmessage = (event) => {
        seen.push(event.data)
        source.close()
        resolve()
      }
    })
    await closed
    await (await server.request(0)).socketClosed
    expect(seen).toStrictEqual(['1'])
    expect(source.readyState).toBe(EventSource.CLOSED)
  })
})
