import type { EventContract } from '@ssekit/shared'
import type { Connection } from './connection.ts'
import {
  type ConnectionOpener,
  EventSource,
  type EventSourceInit,
  OPEN_CONNECTION,
} from './event-source.ts'
import { shareAcrossTabs } from './share-across-tabs.ts'
import type {
  ShareAcrossTabsOptions,
  SharedConnection,
  TabRole,
} from './share-across-tabs-options.ts'

/**
 * Options of the {@link SharedEventSource} constructor: those of {@link EventSource}, plus the
 * `key` that tells shared streams apart, `onRoleChange`, and the election's parts (see
 * {@link ShareAcrossTabsOptions}).
 *
 * @typeParam Contract - the contract given as `events`, or `undefined`
 */
export interface SharedEventSourceInit<Contract extends EventContract | undefined = undefined>
  extends EventSourceInit<Contract>,
    Pick<ShareAcrossTabsOptions<Contract>, 'key' | 'onRoleChange' | 'locks' | 'BroadcastChannel'> {}

/**
 * The drop-in {@link EventSource}, over one connection shared by every same-origin tab that opens
 * the same URL (and `key`), as {@link shareAcrossTabs} shares it: the same properties, handler
 * attributes and events in every tab (`open` after each connection or hand-off, `message` and
 * named events with the leader's data and `lastEventId`, `error` before each reconnect and when
 * the connection fails for good), plus the tab's `role`. Without `navigator.locks` or
 * `BroadcastChannel` it is a plain `EventSource` of the tab's own.
 *
 * @typeParam Contract - the contract given as `events`, which types the listeners
 *
 * @example
 * ```ts
 * const source = new SharedEventSource('/api/live')
 * source.addEventListener('price', (event) => render(event.data)) // one connection for all tabs
 * ```
 */
export class SharedEventSource<
  Contract extends EventContract | undefined = undefined,
> extends EventSource<Contract> {
  /** The shared stream, for its role. */
  readonly #shared: SharedConnection<unknown>

  /**
   * Joins the shared stream at once, as the standard constructor opens its connection.
   *
   * @param url - the stream's URL; relative URLs resolve against the page's location
   * @param init - {@link EventSource}'s init, plus `key`, `onRoleChange` and the election's parts
   * @throws DOMException named `SyntaxError` when `url` is not a valid URL, as the standard does
   * @throws TypeError when `events` is not a contract
   */
  constructor(url: string | URL, init: SharedEventSourceInit<Contract> = {}) {
    let shared: SharedConnection<unknown> | undefined
    const open: ConnectionOpener = (href, options): Connection<unknown> => {
      // EventSource's own onOpen takes an absent response (a following tab's).
      shared = shareAcrossTabs(href, options as ShareAcrossTabsOptions<EventContract | undefined>)
      return shared
    }
    super(url, { ...init, [OPEN_CONNECTION]: open } as EventSourceInit<Contract>)
    this.#shared = shared as SharedConnection<unknown>
  }

  /** What this tab does for the stream now: `'leader'`, `'follower'` or `'standalone'`. */
  get role(): TabRole {
    return this.#shared.role
  }
}
