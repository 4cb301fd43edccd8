import type { ContractEvent, EventContract } from '@ssekit/shared'
import { connect } from './connect.ts'
import type { ConnectOptions } from './connect-options.ts'
import type { Connection, ReadyState } from './connection.ts'
import { resolveUrl } from './request.ts'

/**
 * The key of a hidden init member that replaces {@link connect} as the way an {@link EventSource}
 * opens its connection: `SharedEventSource` passes `shareAcrossTabs` through it. Not exported
 * from the package, so a bundle of `EventSource` alone has none of the sharing.
 * @internal
 */
export const OPEN_CONNECTION: unique symbol = Symbol('ssekit.openConnection')

/**
 * What an {@link EventSource} opens its connection with. `onOpen` may be called without a
 * response (a shared stream's following tabs have none).
 * @internal
 */
export type ConnectionOpener = (
  url: string,
  options: ConnectOptions<EventContract | undefined>,
) => Connection<unknown>

/**
 * Options of the {@link EventSource} constructor: the standard `withCredentials`, plus the request
 * and retry options of {@link connect} that the browser's EventSource cannot take, and an event
 * contract (`events`) with its `onInvalid`.
 *
 * @typeParam Contract - the contract given as `events`, or `undefined`
 */
export interface EventSourceInit<Contract extends EventContract | undefined = undefined>
  extends Omit<
    ConnectOptions<Contract>,
    'credentials' | 'onOpen' | 'onEvent' | 'onComment' | 'onRetry' | 'onClose'
  > {
  /**
   * Send cookies and HTTP authentication to other origins too (credentials mode `include`
   * instead of `same-origin`), as the standard `EventSourceInit.withCredentials`.
   * @defaultValue false
   */
  withCredentials?: boolean | undefined
}

/**
 * What an attribute handler's `this` offers. Structural rather than the class itself, so an
 * instance stays assignable to the DOM's `EventSource` type (whose handlers' `this` is the DOM's).
 */
export interface EventSourceLike extends EventTarget {
  readonly url: string
  readonly withCredentials: boolean
  readonly readyState: number
  close(): void
}

/** An `on<event>` attribute handler, as the DOM types it. */
export type EventHandler<E extends Event> = ((this: EventSourceLike, event: E) => unknown) | null

/**
 * The events an {@link EventSource} fires, by type: `open` and `error`, and the messages. Without
 * a contract that is `message` (named events come as `MessageEvent<string>`s too); under a
 * contract, each of its event types as a `MessageEvent` of that type's validated data.
 *
 * @typeParam Contract - the contract given as `events`, or `undefined`
 */
export type EventSourceEventMap<Contract extends EventContract | undefined = undefined> = {
  open: Event
  error: Event
} & (Contract extends EventContract
  ? { [Incoming in ContractEvent<Contract> as Incoming['event']]: MessageEvent<Incoming['data']> }
  : { message: MessageEvent<string> })

/**
 * What a listener for a type missing from {@link EventSourceEventMap} gets: a `MessageEvent<string>`
 * without a contract; under one, a plain `Event`, since no such message is ever dispatched.
 */
type UnlistedEvent<Contract extends EventContract | undefined> = Contract extends EventContract
  ? Event
  : MessageEvent<string>

/**
 * What `onmessage` gets: the `message` entry of the map. A contract without a `message` schema
 * never dispatches one: `unknown` data then, which keeps an instance assignable to the DOM's
 * `EventSource`.
 */
type MessageOf<Contract extends EventContract | undefined> =
  EventSourceEventMap<Contract> extends { message: infer Message extends Event }
    ? Message
    : MessageEvent<unknown>

/**
 * A drop-in replacement for the browser's `EventSource`, built on {@link connect}: the same
 * properties, constants, handler attributes and events (`open`, `message` and named events as
 * `MessageEvent`s, `error` before each reconnect and when the connection fails for good), so code
 * written against the standard one runs unchanged in Node, Deno, Bun and browsers. Its constructor
 * also takes headers, a method and body, a custom `fetch` and a retry policy.
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#the-eventsource-interface
 *
 * Differences from the standard, all opt-in or invisible to standard code: failed attempts back
 * off (the standard waits the reconnection time every time).
 *
 * With an event contract (`events`), listeners are typed by it (`addEventListener('price', e =>
 * e.data)` gets the `Price`) and messages carry the validated data. An event that breaks the
 * contract is not dispatched: the standard `error` event means a connection problem, so it goes
 * to the `onInvalid` and `onError` init options instead (dropped and reported, the stream goes
 * on), exactly as with {@link connect}; if they close the connection, `error` fires with
 * `readyState` `CLOSED`, as for any failure. Listeners are called synchronously, so an async
 * validator closes the connection with `ASYNC_SCHEMA`: use `connect()`'s loop to await one.
 *
 * @typeParam Contract - the contract given as `events`, which types the listeners
 *
 * @example
 * ```ts
 * const source = new EventSource('https://example.com/events', {
 *   headers: { authorization: `Bearer ${token}` },
 * })
 * source.onmessage = (event) => console.log(event.data, event.lastEventId)
 * source.addEventListener('price', (event) => console.log((event as MessageEvent).data))
 *
 * const typed = new EventSource('/prices', { events: defineEvents({ price: Price }) })
 * typed.addEventListener('price', (event) => console.log(event.data.symbol)) // data: Price
 * ```
 */
export class EventSource<
  Contract extends EventContract | undefined = undefined,
> extends EventTarget {
  /** The connection is being established, or re-established after a drop. */
  static readonly CONNECTING: 0 = 0
  /** The connection is open and dispatching events. */
  static readonly OPEN: 1 = 1
  /** The connection is closed and will not reconnect. */
  static readonly CLOSED: 2 = 2

  /** The connection is being established, or re-established after a drop (on the prototype). */
  declare readonly CONNECTING: 0
  /** The connection is open and dispatching events (on the prototype). */
  declare readonly OPEN: 1
  /** The connection is closed and will not reconnect (on the prototype). */
  declare readonly CLOSED: 2

  static {
    // The standard puts the constants on the prototype as well as on the constructor.
    for (const [name, value] of [
      ['CONNECTING', 0],
      ['OPEN', 1],
      ['CLOSED', 2],
    ] as const) {
      Object.defineProperty(EventSource.prototype, name, { value, enumerable: true })
    }
  }

  /** The connection doing the work. */
  readonly #connection: Connection<unknown>
  /** Whether credentials go to other origins too. */
  readonly #withCredentials: boolean
  /** The origin of the final response URL (after redirects), for `MessageEvent.origin`. */
  #origin = ''
  /** The attribute handlers, and the listeners that call them (added on first assignment). */
  readonly #handlers = new Map<string, { handler: EventHandler<Event>; listener: EventListener }>()

  /**
   * Opens the connection at once, as the standard constructor does.
   *
   * @param url - the stream's URL; relative URLs resolve against the page's location in browsers
   * @param init - `withCredentials`, {@link connect}'s request and retry options, and the contract
   * @throws DOMException named `SyntaxError` when `url` is not a valid URL, as the standard does
   * @throws TypeError when `events` is not a contract
   */
  constructor(url: string | URL, init: EventSourceInit<Contract> = {}) {
    super()
    const {
      withCredentials,
      [OPEN_CONNECTION]: open = connect,
      ...options
    } = init as EventSourceInit<EventContract | undefined> & {
      [OPEN_CONNECTION]?: ConnectionOpener
    }
    this.#withCredentials = withCredentials === true
    let href: string
    try {
      href = resolveUrl(url)
    } catch (error) {
      if (error instanceof TypeError) {
        throw new DOMException(`${String(url)} is not a valid URL.`, 'SyntaxError')
      }
      throw error
    }
    this.#connection = open(href, {
      ...options,
      // "If withCredentials is true, set corsAttributeState to Use Credentials": credentials
      // mode "include"; otherwise "same-origin".
      credentials: this.#withCredentials ? 'include' : 'same-origin',
      onOpen: (response: Response | undefined) => {
        // MessageEvent.origin is "the origin of the event stream's final URL (i.e., the URL
        // after redirects)"; a tab following a shared stream has no response: the URL's origin.
        this.#origin = new URL(response?.url || this.#connection.url).origin
        this.dispatchEvent(new Event('open'))
      },
      onEvent: (event) => {
        this.dispatchEvent(
          new MessageEvent(event.event ?? 'message', {
            data: event.data,
            origin: this.#origin,
            // The spec's persistent "last event ID string" at this dispatch, not only this
            // event's own id.
            lastEventId: event.lastEventId,
          }),
        )
      },
      // "Reestablish the connection": readyState is CONNECTING, then "fire an event named error".
      onRetry: () => {
        this.dispatchEvent(new Event('error'))
      },
      // "Fail the connection": readyState is CLOSED, then "fire an event named error".
      onClose: () => {
        this.dispatchEvent(new Event('error'))
      },
    })
  }

  /** The absolute URL of the stream, as given (redirects are not reflected). */
  get url(): string {
    return this.#connection.url
  }

  /** Whether the stream was opened with `withCredentials: true`. */
  get withCredentials(): boolean {
    return this.#withCredentials
  }

  /** {@link EventSource.CONNECTING}, {@link EventSource.OPEN} or {@link EventSource.CLOSED}. */
  get readyState(): ReadyState {
    return this.#connection.readyState
  }

  /** Called on `open`, like `addEventListener('open', …)`. */
  get onopen(): EventHandler<Event> {
    return this.#getHandler('open')
  }
  set onopen(handler: EventHandler<Event>) {
    this.#setHandler('open', handler)
  }

  /** Called on every unnamed event (`message`); under a contract, with its validated data. */
  get onmessage(): EventHandler<MessageOf<Contract>> {
    return this.#getHandler('message') as EventHandler<MessageOf<Contract>>
  }
  set onmessage(handler: EventHandler<MessageOf<Contract>>) {
    this.#setHandler('message', handler as EventHandler<Event>)
  }

  /** Called on `error`: before each reconnect, and when the connection fails for good. */
  get onerror(): EventHandler<Event> {
    return this.#getHandler('error')
  }
  set onerror(handler: EventHandler<Event>) {
    this.#setHandler('error', handler)
  }

  /**
   * Adds a listener, typed as the DOM types it: `open` and `error` get an `Event`, `message` and
   * named events a `MessageEvent`; under a contract, each of its types a `MessageEvent` of its
   * data, and a type it does not have a plain `Event`.
   *
   * @param type - `open`, `message`, `error`, or the name of an event the server sends
   * @param listener - the function or listener object to call
   * @param options - as `EventTarget.addEventListener`'s
   */
  override addEventListener<K extends keyof EventSourceEventMap<Contract>>(
    type: K,
    listener: (this: EventSourceLike, event: EventSourceEventMap<Contract>[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void
  override addEventListener(
    type: string,
    listener: (this: EventSourceLike, event: UnlistedEvent<Contract>) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null | ((event: never) => unknown),
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener as EventListenerOrEventListenerObject | null, options)
  }

  /**
   * Removes a listener added with {@link EventSource.addEventListener}.
   *
   * @param type - the event type it was added for
   * @param listener - the same function or listener object
   * @param options - as `EventTarget.removeEventListener`'s
   */
  override removeEventListener<K extends keyof EventSourceEventMap<Contract>>(
    type: K,
    listener: (this: EventSourceLike, event: EventSourceEventMap<Contract>[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void
  override removeEventListener(
    type: string,
    listener: (this: EventSourceLike, event: UnlistedEvent<Contract>) => unknown,
    options?: boolean | EventListenerOptions,
  ): void
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null | ((event: never) => unknown),
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, listener as EventListenerOrEventListenerObject | null, options)
  }

  /**
   * Closes the connection for good, in any state: nothing is fired afterwards and no request,
   * timer or listener is left behind.
   */
  close(): void {
    this.#connection.close()
  }

  /** Makes `Object.prototype.toString` say `[object EventSource]`, like the native one. */
  get [Symbol.toStringTag](): string {
    return 'EventSource'
  }

  #getHandler(type: string): EventHandler<Event> {
    return this.#handlers.get(type)?.handler ?? null
  }

  // HTML "event handler attributes": the listener is added when a handler is first set, keeps its
  // place among the other listeners while the handler changes, and is removed when set to null.
  #setHandler(type: string, handler: EventHandler<Event>): void {
    const existing = this.#handlers.get(type)
    const value = typeof handler === 'function' ? handler : null
    if (existing !== undefined) {
      if (value === null) {
        this.removeEventListener(type, existing.listener)
        this.#handlers.delete(type)
      } else {
        existing.handler = value
      }
      return
    }
    if (value === null) return
    const entry = {
      handler: value,
      listener: (event: Event): void => {
        entry.handler?.call(this, event)
      },
    }
    this.#handlers.set(type, entry)
    this.addEventListener(type, entry.listener)
  }
}
