import type { EventContract } from '@ssekit/shared'
import type { ConnectOptions } from './connect-options.ts'
import type { Connection } from './connection.ts'
// For the {@link} tags only.
import type { shareAcrossTabs } from './share-across-tabs.ts'
import type { LockManagerLike } from './tab-election.ts'

/**
 * What a tab does for a stream shared by {@link shareAcrossTabs}: `'leader'` holds the one server
 * connection and relays it, `'follower'` receives the leader's events (or waits for the lead),
 * `'standalone'` has a connection of its own because the browser lacks `navigator.locks` or
 * `BroadcastChannel` (an insecure context, an old browser).
 */
export type TabRole = 'leader' | 'follower' | 'standalone'

/** The part of `BroadcastChannel` a shared stream uses. */
export interface TabChannel {
  postMessage(message: unknown): void
  close(): void
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void
}

/** A `BroadcastChannel` constructor, or one of the same shape. */
export type TabChannelConstructor = new (name: string) => TabChannel

/**
 * Options of {@link shareAcrossTabs}: those of `connect()` (the leading tab's connection uses the
 * request and retry options of its own tab), plus the key that tells streams apart and the
 * election's parts.
 *
 * @typeParam Contract - the contract given as `events`, which types the events
 */
export interface ShareAcrossTabsOptions<Contract extends EventContract | undefined = undefined>
  extends Omit<ConnectOptions<Contract>, 'onOpen' | 'pauseWhenHidden'> {
  /**
   * Tells apart streams of the same URL that must not be shared, since the request differs in
   * what the URL does not show (another user's token in `headers`, another `body`): tabs share a
   * connection when their URL and key are equal.
   * @defaultValue `''`
   */
  key?: string | undefined
  /**
   * Called when the stream opened, in every tab. The leading tab's handles get the `Response`;
   * the other tabs get `undefined`, since the response lives in the leader's tab.
   */
  onOpen?: ((response: Response | undefined) => void) | undefined
  /**
   * How many of the group's latest events a tab that joins an open stream gets first, before the
   * live ones (a chat that shows its last messages at once). Each tab keeps that many: the
   * leader answers with its own. They come with their `id` and `lastEventId`, in order, without
   * a repeat. Not in the fallback (a connection of the tab's own starts live).
   * @defaultValue 0
   */
  history?: number | undefined
  /** Called when this tab's role changes: it took the lead, or fell back to a connection of its own. */
  onRoleChange?: ((role: TabRole) => void) | undefined
  /**
   * The lock manager that elects the leading tab; `null` for a connection of this tab's own.
   * @defaultValue `navigator.locks`
   */
  locks?: LockManagerLike | null | undefined
  /**
   * The channel the leader relays on; `null` for a connection of this tab's own.
   * @defaultValue `globalThis.BroadcastChannel`
   */
  BroadcastChannel?: TabChannelConstructor | null | undefined
}

/**
 * A stream shared across the tabs of an origin, from {@link shareAcrossTabs}: a
 * {@link Connection} (async iteration, `readyState`, `lastEventId`, `url`, `close()`) whose state
 * is the leading tab's connection's, plus this tab's role.
 *
 * @typeParam Event - what it yields
 */
export interface SharedConnection<Event> extends Connection<Event> {
  /** What this tab does for the stream now; see {@link TabRole}. */
  readonly role: TabRole
}
