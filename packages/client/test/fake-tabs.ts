/**
 * In-process stand-ins for what a browser gives shared tabs: a lock manager with the Web Locks
 * semantics the election relies on (exclusive, first come first served, released when the
 * callback settles, when the request is aborted while queued, or when the holder's tab crashes),
 * a `BroadcastChannel` (a message goes to every other open channel of the name, each on its own
 * later task, cloned at posting, in posting order; a closed or crashed channel neither sends nor
 * receives), and a stream server with history and `Last-Event-ID` replay that counts its open
 * connections. Each {@link FakeTab} has its own `locks`, `BroadcastChannel` and `fetch`, and can
 * crash: its locks go at once, its streams break and its channels fall silent, while the messages
 * it had already posted are still delivered, as in a browser.
 */
import type { LockManagerLike, TabChannel } from '../src/index.ts'

interface LockRequest {
  tab: FakeTab
  callback: (lock: unknown) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (reason: unknown) => void
  signal: AbortSignal | undefined
  onAbort?: () => void
}

interface Held {
  request: LockRequest
}

class FakeChannel implements TabChannel {
  closed = false
  readonly #listeners: ((event: MessageEvent) => void)[] = []
  readonly browser: FakeBrowser
  readonly tab: FakeTab
  readonly name: string
  constructor(browser: FakeBrowser, tab: FakeTab, name: string) {
    this.browser = browser
    this.tab = tab
    this.name = name
    browser.channels.add(this)
  }
  postMessage(message: unknown): void {
    if (this.closed) throw new DOMException('The channel is closed.', 'InvalidStateError')
    if (this.tab.crashed) return
    const data = structuredClone(message)
    for (const target of this.browser.channels) {
      if (target === this || target.name !== this.name || target.closed) continue
      target.enqueue(data, this.browser.latency(target.tab))
    }
  }
  /** Messages on their way to this channel, in posting order, each with the time it is due. */
  readonly #inbox: { data: unknown; due: number }[] = []
  #pumping = false
  /** Whether messages are still on their way to this channel. */
  get busy(): boolean {
    return this.#inbox.length > 0
  }
  /** Each receiver gets the messages in posting order, each after its own latency. */
  enqueue(data: unknown, latency: number): void {
    const due = Math.max(Date.now() + latency, this.#inbox.at(-1)?.due ?? 0)
    this.#inbox.push({ data, due })
    if (!this.#pumping) this.#pump()
  }
  #pump(): void {
    const head = this.#inbox[0]
    if (head === undefined) {
      this.#pumping = false
      return
    }
    this.#pumping = true
    setTimeout(
      () => {
        this.#inbox.shift()
        this.receive(head.data)
        this.#pump()
      },
      Math.max(0, head.due - Date.now()),
    )
  }
  receive(data: unknown): void {
    if (this.closed || this.tab.crashed) return
    const event = new MessageEvent('message', { data })
    for (const listener of this.#listeners) listener(event)
  }
  addEventListener(_type: 'message', listener: (event: MessageEvent) => void): void {
    this.#listeners.push(listener)
  }
  close(): void {
    this.closed = true
    this.browser.channels.delete(this)
  }
}

/** One stored event of the fake server. */
export interface StoredEvent {
  id: string
  data: string
}

/** A request that reached the fake server. */
export interface ServedRequest {
  tab: FakeTab
  lastEventId: string | null
  at: number
}

/** One tab of a {@link FakeBrowser}. */
export class FakeTab {
  crashed = false
  /** The streams this tab has open, to break when it crashes. */
  readonly streams = new Set<ReadableStreamDefaultController<Uint8Array>>()
  readonly locks: LockManagerLike
  readonly BroadcastChannel: new (
    name: string,
  ) => TabChannel
  readonly fetch: (input: string, init: RequestInit) => Promise<Response>

  readonly browser: FakeBrowser

  constructor(browser: FakeBrowser) {
    this.browser = browser
    const tab = this
    this.locks = {
      request: (name, options, callback) => browser.request(tab, name, options, callback),
    }
    this.BroadcastChannel = class extends FakeChannel {
      constructor(name: string) {
        super(browser, tab, name)
      }
    }
    this.fetch = (input, init) => browser.server.fetch(tab, input, init)
  }

  /** The page's process dies: no unload, no close(), no more messages from or to it. */
  crash(): void {
    this.crashed = true
    for (const stream of this.streams) {
      this.browser.server.forget(stream)
      stream.error(new TypeError('the tab crashed'))
    }
    this.streams.clear()
    this.browser.dropLocksOf(this)
  }
}

/** The stream server: every published event is stored, and replayed after `Last-Event-ID`. */
export class FakeServer {
  readonly history: StoredEvent[] = []
  readonly requests: ServedRequest[] = []
  readonly #open = new Set<ReadableStreamDefaultController<Uint8Array>>()
  #next = 1
  /** Called with each request as it arrives. */
  onRequest: ((request: ServedRequest) => void) | undefined

  /** How many streams are open now. */
  get openConnections(): number {
    return this.#open.size
  }

  /** Publishes the next numbered event: its id and data are its number. */
  publish(): StoredEvent {
    const event = { id: String(this.#next), data: String(this.#next) }
    this.#next++
    this.history.push(event)
    const bytes = encodeEvent(event)
    for (const stream of this.#open) stream.enqueue(bytes)
    return event
  }

  /** Ends every open stream as a server restart would (the clients reconnect). */
  dropAll(): void {
    for (const stream of this.#open) stream.error(new TypeError('dropped'))
    this.#open.clear()
  }

  fetch(tab: FakeTab, _input: string, init: RequestInit): Promise<Response> {
    if (tab.crashed) return new Promise(() => {})
    const lastEventId = new Headers(init.headers).get('last-event-id')
    const request = { tab, lastEventId, at: Date.now() }
    this.requests.push(request)
    this.onRequest?.(request)
    const open = this.#open
    const after =
      lastEventId === null
        ? this.history.length
        : this.history.findIndex((e) => e.id === lastEventId) + 1
    let controller!: ReadableStreamDefaultController<Uint8Array>
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c
      },
      cancel() {
        open.delete(controller)
        tab.streams.delete(controller)
      },
    })
    for (const event of this.history.slice(after)) controller.enqueue(encodeEvent(event))
    open.add(controller)
    tab.streams.add(controller)
    init.signal?.addEventListener('abort', () => {
      open.delete(controller)
      tab.streams.delete(controller)
    })
    return Promise.resolve(
      new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    )
  }

  /** Forgets a broken stream (a crashed tab's). */
  forget(controller: ReadableStreamDefaultController<Uint8Array>): void {
    this.#open.delete(controller)
  }
}

function encodeEvent(event: StoredEvent): Uint8Array {
  return new TextEncoder().encode(`id: ${event.id}\ndata: ${event.data}\n\n`)
}

/** The tabs of one origin: shared locks, channels and server. */
export class FakeBrowser {
  readonly server = new FakeServer()
  readonly channels = new Set<FakeChannel>()
  readonly #queues = new Map<string, LockRequest[]>()
  readonly #held = new Map<string, Held>()
  /** The delay of each channel delivery to a tab, in ms. */
  readonly latency: (to: FakeTab) => number
  /** The delay of each lock grant, in ms. */
  readonly grantLatency: () => number

  /**
   * @param latency - the delay of each message delivery to a tab (0 by default)
   * @param grantLatency - the delay of each lock grant (0 by default)
   */
  constructor(latency: (to: FakeTab) => number = () => 0, grantLatency: () => number = () => 0) {
    this.latency = latency
    this.grantLatency = grantLatency
  }

  /** Opens a tab. */
  tab(): FakeTab {
    return new FakeTab(this)
  }

  /** The tab holding the lock of a name, if any. */
  holder(name: string): FakeTab | undefined {
    return this.#held.get(name)?.request.tab
  }

  /** Whether every message posted has been delivered. */
  get quiet(): boolean {
    return [...this.channels].every((channel) => !channel.busy)
  }

  /** Every lock name held now. */
  get heldNames(): string[] {
    return [...this.#held.keys()]
  }

  request(
    tab: FakeTab,
    name: string,
    options: { signal?: AbortSignal },
    callback: (lock: unknown) => Promise<unknown>,
  ): Promise<unknown> {
    const signal = options.signal
    if (signal?.aborted) return Promise.reject(signal.reason)
    return new Promise((resolve, reject) => {
      const request: LockRequest = { tab, callback, resolve, reject, signal }
      const queue = this.#queues.get(name) ?? []
      this.#queues.set(name, queue)
      queue.push(request)
      if (signal !== undefined) {
        request.onAbort = () => {
          // Only a request still queued is aborted; a granted lock stays until its callback settles.
          const at = queue.indexOf(request)
          if (at === -1) return
          queue.splice(at, 1)
          reject(signal.reason)
        }
        signal.addEventListener('abort', request.onAbort, { once: true })
      }
      this.#grant(name)
    })
  }

  #grant(name: string): void {
    if (this.#held.has(name)) return
    const queue = this.#queues.get(name)
    const request = queue?.shift()
    if (request === undefined) return
    if (request.onAbort !== undefined) request.signal?.removeEventListener('abort', request.onAbort)
    const held = { request }
    this.#held.set(name, held)
    // Granted on a later task, as a browser does.
    setTimeout(() => {
      if (request.tab.crashed) return
      let settled: Promise<unknown>
      try {
        settled = Promise.resolve(request.callback({ name }))
      } catch (error) {
        settled = Promise.reject(error)
      }
      settled.then(
        (value) => {
          this.#release(name, held)
          request.resolve(value)
        },
        (error: unknown) => {
          this.#release(name, held)
          request.reject(error)
        },
      )
    }, this.grantLatency())
  }

  #release(name: string, held: Held): void {
    if (this.#held.get(name) !== held) return
    this.#held.delete(name)
    this.#grant(name)
  }

  /** A crashed tab's locks are released and its queued requests dropped. */
  dropLocksOf(tab: FakeTab): void {
    for (const [name, queue] of this.#queues) {
      for (let i = queue.length - 1; i >= 0; i--) if (queue[i]?.tab === tab) queue.splice(i, 1)
      const held = this.#held.get(name)
      if (held?.request.tab === tab) this.#release(name, held)
    }
  }
}

/**
 * Waits for a condition, one task at a time, and fails when it does not hold within `tasks`
 * tasks: what the shared stream does happens on later tasks (channel messages, lock grants).
 */
export async function until(condition: () => boolean, what: string, tasks = 2000): Promise<void> {
  for (let i = 0; i < tasks; i++) {
    if (condition()) return
    await new Promise((resolve) => setTimeout(resolve, 0))
  }
  throw new Error(`Timed out waiting until ${what}.`)
}
