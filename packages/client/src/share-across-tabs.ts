import type { EventContract } from '@ssekit/shared'
import { connect } from './connect.ts'
import type { ConnectOptions } from './connect-options.ts'
import type { Connection, ConnectionEvent, ConnectionEventOf, ReadyState } from './connection.ts'
import { createEventDelivery } from './event-delivery.ts'
import { RecentIds } from './recent-ids.ts'
import { guard, reportCallbackError } from './report-callback-error.ts'
import { resolveUrl } from './request.ts'
import type {
  ShareAcrossTabsOptions,
  SharedConnection,
  TabChannel,
  TabChannelConstructor,
  TabRole,
} from './share-across-tabs-options.ts'
import { type Leadership, type LockManagerLike, requestLeadership } from './tab-election.ts'
import { fromTabError, isTabMessage, type TabMessage, toTabError } from './tab-messages.ts'

/** A message before its `ssekit` tag is added. */
type Untagged<M> = M extends unknown ? Omit<M, 'ssekit'> : never

const CONNECTING = 0
const OPEN = 1
const CLOSED = 2

/**
 * How many recent event ids each tab remembers to drop a duplicate. A hand-off repeats at most
 * what the new leader had not yet received when it connected, a few events' worth; 1,000 is far
 * more, at a few tens of kilobytes.
 */
const RECENT_IDS = 1000

/**
 * How long a new leader without a last event ID (it joined just before the lead came to it)
 * waits for another tab's, so that it resumes where the group is instead of from now. Tabs answer
 * within a task or two; a group that has received no event yet has no cursor to give.
 */
const CURSOR_WAIT = 50

/**
 * How many events more than `history` a tab keeps and sends to a joining one: those the leader
 * relays between the tab's joining and its reading the tab's hello, a few at most.
 */
const HISTORY_SLACK = 100

/**
 * The messages about the state of the leader's connection that a leader takes from nobody: a late
 * lead, open or retry of the previous leader must not overwrite the state of its own connection.
 */
const STATE_MESSAGES: ReadonlySet<string> = new Set(['lead', 'open', 'retry', 'state', 'resume'])

/**
 * Shares one server connection among all the same-origin tabs (and workers) that open the same
 * stream: the tab holding a Web Lock connects with {@link connect} and relays every event, error
 * and state change over a `BroadcastChannel`; the others queue for the lock and take over in turn
 * when the leader closes, navigates away or crashes. The new leader connects with the group's
 * last event ID, so a server that keeps history (the hub) replays what was missed while the lead
 * moved, and every tab drops an event whose id it already has: no event is lost or delivered
 * twice across a hand-off, provided the events carry ids.
 *
 * The handle reads like a {@link Connection}: async iteration, `readyState`, `lastEventId`,
 * `close()`, and the callbacks of `connect()`, called in every tab (`onOpen` gets the `Response`
 * in the leader's tab only). A hand-off looks like a reconnection without an error: `readyState`
 * goes back to 0, then `onOpen` is called again. Closing a handle leaves the others connected;
 * the last one closes the connection.
 *
 * Without `navigator.locks` (insecure contexts, old browsers) or `BroadcastChannel`, each tab
 * connects on its own with the same options, and `role` says `'standalone'`.
 *
 * @typeParam Contract - the contract given as `events`, which types the events
 * @param url - the stream's URL; relative URLs resolve against the page's location
 * @param options - `connect()`'s options, the `key` that tells shared streams apart, `onRoleChange`
 * @returns the tab's handle on the shared stream
 * @throws TypeError when `url` is not a valid URL, or `events` is not a contract
 *
 * @example
 * ```ts
 * const live = shareAcrossTabs('/api/live', { events: liveEvents })
 * for await (const event of live) render(event) // in every tab, over one connection
 * ```
 */
export function shareAcrossTabs<Contract extends EventContract | undefined = undefined>(
  url: string | URL,
  options: ShareAcrossTabsOptions<Contract> = {},
): SharedConnection<ConnectionEventOf<Contract>> {
  const href = resolveUrl(url)
  const contract: EventContract | undefined = options.events
  if (contract !== undefined && typeof contract['~ssekit']?.readIncoming !== 'function') {
    throw new TypeError('The events option takes an event contract made by defineEvents().')
  }
  const {
    key,
    locks: locksOption,
    BroadcastChannel: channelOption,
    onRoleChange,
    history: historyOption,
    events: _contract,
    onEvent: eventHandler,
    onInvalid,
    onOpen,
    onComment,
    onError,
    onRetry,
    onClose,
    signal,
    lastEventId: startingId,
    // A tab's own business: the leader must not drop the group's connection when it is hidden.
    pauseWhenHidden: _paused,
    ...requestOptions
  } = options as ShareAcrossTabsOptions<EventContract | undefined> & { pauseWhenHidden?: unknown }
  const locks: LockManagerLike | null | undefined =
    locksOption === undefined
      ? (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks
      : locksOption
  const Channel: TabChannelConstructor | null | undefined =
    channelOption === undefined
      ? (globalThis as { BroadcastChannel?: TabChannelConstructor }).BroadcastChannel
      : channelOption

  if (locks === null || locks === undefined || Channel === null || Channel === undefined) {
    // The fallback: a connection of this tab's own, with the same options.
    const alone = connect(href, options as ConnectOptions<Contract>)
    return {
      get readyState() {
        return alone.readyState
      },
      get lastEventId() {
        return alone.lastEventId
      },
      url: alone.url,
      role: 'standalone',
      close: alone.close,
      [Symbol.asyncIterator]: () => alone[Symbol.asyncIterator](),
    }
  }

  /** The lock's and the channel's name: one group per URL and key. */
  const name = `ssekit:share-across-tabs ${JSON.stringify([href, key ?? ''])}`

  let role: TabRole = 'follower'
  /** The group's readyState, as this tab knows it. */
  let readyState: ReadyState = CONNECTING
  /** True once close() ran or the group's connection closed for good (set by `release`). */
  let closed = false
  /** True once this tab knows the group's state: it leads, the leader answered, or it spoke. */
  let synced = false
  /** The last event ID string of the last event this tab received: where a new leader resumes. */
  let lastEventId = startingId ?? ''
  /** The last event ID string of the last event delivered in this tab (none yet: undefined). */
  let deliveredId: string | undefined
  /**
   * Set when this tab joined after the point a new leader resumes from: the replay then starts
   * with events from before this tab's first one, which it drops until it is back at this id.
   */
  let skipUntil: string | undefined
  /**
   * How many more events the skip may drop. The replay reaches this tab's last event within the
   * few events the new leader lagged behind; if a server's replay never does (its history lost
   * them), the skip ends rather than drop the stream.
   */
  let skipBudget = 0
  /** How many recent events this tab keeps, and asks for when it joins. */
  const historySize =
    historyOption !== undefined && historyOption > 0
      ? Math.min(Math.floor(historyOption), RECENT_IDS)
      : 0
  /** The latest events delivered here, oldest first, for a tab that joins later. */
  const recent: ConnectionEvent[] = []
  /** True while this tab waits for the leader's recent events; the live ones wait in `held`. */
  let awaitingHistory = historySize > 0
  const held: ConnectionEvent[] = []
  /** The ids already delivered here, to drop the repeats of a hand-off. */
  const seen = new RecentIds(RECENT_IDS)
  /** The server connection, while this tab leads. */
  let upstream: Connection | undefined
  /** Whether this tab's onError returned false for the last error of the leader's connection. */
  let declined = false
  /** Cancels the pending start of the leader's connection. */
  let cancelStart: (() => void) | undefined

  // onEvent and the async iteration, as in connect(): a queue read by one loop at a time. A
  // follower cannot slow the leader down, so events wait here for a slow loop. A tab's contract
  // is its own: `onInvalid` decides, then `onError`, in each tab.
  const delivery = createEventDelivery(options, 'onEvent (or SharedEventSource)', release)
  const { close, report, finish } = delivery

  const channel: TabChannel = new Channel(name)
  channel.addEventListener('message', (message) => {
    const data: unknown = message.data
    if (isTabMessage(data)) receive(data)
  })

  /** Sends a message to the other tabs, and applies it in this one. */
  function share(message: Untagged<TabMessage>, response?: Response): void {
    const tagged = { ssekit: 1, ...message } as TabMessage
    post(tagged)
    apply(tagged, response)
  }

  function post(message: Untagged<TabMessage>): void {
    if (closed) return
    try {
      channel.postMessage({ ssekit: 1, ...message })
    } catch (error) {
      // A value the channel cannot clone: cannot happen with strings; never break the stream.
      reportCallbackError(error)
    }
  }

  /** A message from another tab. */
  function receive(message: TabMessage): void {
    if (closed) return
    // The leader's state is its own connection's. The late events of the previous leader are
    // still taken (the repeats are dropped), and so are its errors and its final close: the lock
    // can come to this tab before the messages the previous leader sent before letting it go.
    if (role === 'leader' && STATE_MESSAGES.has(message.type)) return
    switch (message.type) {
      case 'hello':
        if (role === 'leader') {
          post({
            type: 'state',
            readyState: upstream?.readyState ?? CONNECTING,
            lastEventId,
            // More than asked: the events relayed since the tab joined are in it too.
            history: message.history > 0 ? recent.slice(-(message.history + HISTORY_SLACK)) : [],
          })
        } else if (lastEventId !== '') {
          // The joining tab learns the cursor even if the leader is gone before it answers.
          post({ type: 'cursor', lastEventId })
        }
        return
      case 'state':
        if (!synced) {
          synced = true
          // A tab that joins late goes on from the group's cursor, unless it was given its own.
          if (lastEventId === '') lastEventId = message.lastEventId
          if (message.readyState === OPEN) opened(undefined)
        }
        // The leader's latest events, which end with any live one it relayed before answering:
        // those come again here, and are dropped as repeats.
        if (awaitingHistory) endAwaitingHistory(message.history)
        return
      case 'error':
        // The leader's onError decided; here it is told.
        declined = report(fromTabError(message.error)) === false
        return
      case 'lead':
        // A new leader, who did not get the hello: no history will come.
        if (awaitingHistory) endAwaitingHistory([])
        // A new leader may have joined too late to know where the group is.
        if (lastEventId !== '') post({ type: 'cursor', lastEventId })
        apply(message, undefined)
        return
      case 'resume':
        // Every message of the previous leader came first, so this tab has all it relayed. A tab
        // that was there at the resuming point drops the repeats by id; a tab that joined after
        // it drops the replay up to its own last event, which it knows nothing earlier than.
        skipUntil =
          message.lastEventId !== '' &&
          deliveredId !== undefined &&
          deliveredId !== message.lastEventId &&
          !seen.has(message.lastEventId)
            ? deliveredId
            : undefined
        skipBudget = RECENT_IDS
        return
      case 'cursor':
        if (lastEventId !== '') return
        lastEventId = message.lastEventId
        // A leader waiting for a cursor connects now.
        if (role === 'leader' && cancelStart !== undefined) {
          cancelStart()
          cancelStart = onNextTask(connectUpstream)
        }
        return
      default:
        apply(message, undefined)
    }
  }

  /** What the leader's connection did, in this tab. */
  function apply(message: TabMessage, response: Response | undefined): void {
    if (closed) return
    switch (message.type) {
      case 'event':
        if (!synced) {
          // An event before the leader's answer to hello: the stream is open.
          synced = true
          opened(undefined)
        }
        if (awaitingHistory) held.push(message.event)
        else receiveEvent(message.event)
        return
      case 'comment':
        if (onComment !== undefined) guard(() => onComment(message.text))
        return
      case 'open':
        synced = true
        opened(response)
        return
      case 'retry':
        readyState = CONNECTING
        if (onRetry !== undefined) guard(() => onRetry(message.delay, message.attempt))
        return
      case 'close': {
        const error = message.error === undefined ? undefined : fromTabError(message.error)
        // As with connect(): after onError returned false the loop ends without throwing,
        // except for RETRY_LIMIT, which is final whatever onError returns.
        finish(error, declined && error?.code !== 'RETRY_LIMIT')
        return
      }
      case 'lead':
        // A hand-off: the stream reconnects, without an error.
        synced = true
        readyState = CONNECTING
        return
      default:
        return
    }
  }

  function opened(response: Response | undefined): void {
    readyState = OPEN
    if (onOpen !== undefined) guard(() => onOpen(response))
  }

  function receiveEvent(event: ConnectionEvent): void {
    if (skipUntil !== undefined && skipBudget-- > 0) {
      // Replayed from before this tab joined: it has this one and those before.
      if (event.lastEventId === skipUntil) skipUntil = undefined
      if (event.id !== undefined && event.id !== '') seen.add(event.id)
      return
    }
    skipUntil = undefined
    // An id this tab has already had: the repeat of a hand-off.
    if (event.id !== undefined && event.id !== '' && !seen.add(event.id)) return
    lastEventId = event.lastEventId
    deliveredId = event.lastEventId
    if (historySize > 0) {
      // A copy: the contract takes the delivered event over.
      recent.push({ ...event })
      if (recent.length > historySize + HISTORY_SLACK) recent.shift()
    }
    delivery.deliver(event)
  }

  /**
   * The recent events arrived (or will not): the `historySize` events before the first one this
   * tab held go first, then the held ones. The leader's answer also holds the events it relayed
   * before it read the hello, which this tab has held: those are the live ones.
   */
  function endAwaitingHistory(history: ConnectionEvent[]): void {
    awaitingHistory = false
    const firstHeld = held[0]
    const at =
      firstHeld === undefined
        ? -1
        : history.findIndex(
            (event) => event.id === firstHeld.id && event.lastEventId === firstHeld.lastEventId,
          )
    const before = at === -1 ? history : history.slice(0, at)
    for (const event of before.slice(-historySize)) receiveEvent(event)
    for (const event of held.splice(0)) receiveEvent(event)
  }

  // The election: this tab queues for the group's lock; holding it, it connects for everyone.
  const leadership: Leadership = requestLeadership(locks, name, lead)

  function lead(): void {
    if (closed) return
    role = 'leader'
    // Nobody leads to answer: the events held so far go out.
    if (awaitingHistory) endAwaitingHistory([])
    share({ type: 'lead' })
    if (onRoleChange !== undefined) guard(() => onRoleChange('leader'))
    // Connect on the next task, so that the messages already queued on the channel (the last
    // events of the previous leader, or its final close) are likely in first: the Last-Event-ID
    // is then the furthest this tab knows, and a group that closed for good is not reopened.
    // Browsers do not order the lock's grant and the channel's messages, so this only saves
    // repeats; the ids and the resume message keep the events right. Without a last event ID,
    // wait a little for another tab's (a `cursor` message).
    if (lastEventId === '') {
      const timer = setTimeout(connectUpstream, CURSOR_WAIT)
      cancelStart = () => clearTimeout(timer)
    } else {
      cancelStart = onNextTask(connectUpstream)
    }
  }

  function connectUpstream(): void {
    cancelStart = undefined
    if (closed || upstream !== undefined) return
    post({ type: 'resume', lastEventId })
    upstream = connect(href, {
      ...requestOptions,
      lastEventId,
      onOpen(response) {
        share({ type: 'open' }, response)
      },
      onEvent(event) {
        // The channel clones the message when it is posted, before this tab's contract (which
        // takes the event over) sees it.
        share({ type: 'event', event })
      },
      onComment(text) {
        share({ type: 'comment', text })
      },
      onError(error) {
        post({ type: 'error', error: toTabError(error) })
        // The leader's onError decides for the group, as it would for its own connection.
        const decision = report(error)
        declined = decision === false
        return decision
      },
      onRetry(delay, attempt) {
        share({ type: 'retry', delay, attempt })
      },
      onClose(error) {
        share({ type: 'close', error: error === undefined ? undefined : toTabError(error) })
      },
    })
  }

  /** Leaves the group: the connection (when leading), the lock or its queue, the channel. */
  function release(): void {
    closed = true
    readyState = CLOSED
    cancelStart?.()
    cancelStart = undefined
    upstream?.close()
    upstream = undefined
    // The next tab in the queue takes the lead and resumes from its last event ID.
    leadership.resign()
    channel.close()
    signal?.removeEventListener('abort', close)
  }

  if (signal?.aborted) close()
  else {
    signal?.addEventListener('abort', close)
    // Ask the leader, if there is one, where the stream stands.
    post({ type: 'hello', history: historySize })
  }

  const shared: SharedConnection<ConnectionEvent> = {
    get readyState(): ReadyState {
      return readyState
    },
    get lastEventId(): string {
      return lastEventId
    },
    get role(): TabRole {
      return role
    },
    url: href,
    close,
    [Symbol.asyncIterator](): AsyncIterator<ConnectionEvent, undefined> {
      return delivery.iterate()
    },
  }
  return shared as SharedConnection<ConnectionEventOf<Contract>>
}

/**
 * Runs `callback` on a later task, as `setTimeout(callback, 0)` would, through a `MessageChannel`:
 * the tab that takes the lead is usually a hidden one, and browsers throttle the timers of hidden
 * tabs (Chromium runs them at most once a second), not their messages.
 *
 * @param callback - what to run
 * @returns the function that cancels it
 */
function onNextTask(callback: () => void): () => void {
  if (typeof MessageChannel !== 'function') {
    const timer = setTimeout(callback, 0)
    return () => clearTimeout(timer)
  }
  const { port1, port2 } = new MessageChannel()
  port1.onmessage = () => {
    port1.close()
    callback()
  }
  port2.postMessage(undefined)
  return () => port1.close()
}
