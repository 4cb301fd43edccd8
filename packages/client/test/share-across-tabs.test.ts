import { afterEach, describe, expect, expectTypeOf, test } from 'vitest'
import {
  type ContractConnectionEvent,
  defineEvents,
  type ShareAcrossTabsOptions,
  type SharedConnection,
  SharedEventSource,
  SSEError,
  SSEResponseError,
  shareAcrossTabs,
  type TabRole,
} from '../src/index.ts'
import { type FakeBrowser as Browser, FakeBrowser, type FakeTab, until } from './fake-tabs.ts'
import { type Chat, market, type Price } from './schemas.ts'

const URL_ = 'https://app.test/events'

/** One tab's handle and what it saw. */
interface Member {
  tab: FakeTab
  connection: SharedConnection<{ data: string; id?: string | undefined; lastEventId: string }>
  received: string[]
  lastEventIds: string[]
  log: string[]
  roles: TabRole[]
}

const opened: Member[] = []
afterEach(() => {
  for (const member of opened.splice(0)) member.connection.close()
})

function join(tab: FakeTab, options: ShareAcrossTabsOptions = {}, url: string = URL_): Member {
  const received: string[] = []
  const lastEventIds: string[] = []
  const log: string[] = []
  const roles: TabRole[] = []
  const connection = shareAcrossTabs(url, {
    locks: tab.locks,
    BroadcastChannel: tab.BroadcastChannel,
    fetch: tab.fetch,
    retry: { initialDelay: 5, maxDelay: 5 },
    onEvent(event) {
      received.push(event.data)
      lastEventIds.push(event.lastEventId)
    },
    onOpen: (response) => log.push(response === undefined ? 'open' : 'open(response)'),
    onError: (error) => {
      log.push(`error ${error.code}`)
    },
    onRetry: () => log.push('retry'),
    onClose: (error) => log.push(`close ${error?.code ?? ''}`),
    onRoleChange: (role) => roles.push(role),
    ...options,
  })
  const member = { tab, connection, received, lastEventIds, log, roles }
  opened.push(member)
  return member
}

function numbers(count: number, from = 1): string[] {
  return Array.from({ length: count }, (_, i) => String(from + i))
}

async function publishAndAwait(browser: Browser, members: Member[], count: number): Promise<void> {
  for (let i = 0; i < count; i++) browser.server.publish()
  const last = String(browser.server.history.length)
  await until(() => members.every((m) => m.received.at(-1) === last), `every tab has event ${last}`)
}

function leaders(members: Member[]): Member[] {
  return members.filter((m) => m.connection.role === 'leader' && m.connection.readyState !== 2)
}

describe('shareAcrossTabs: one connection for all tabs', () => {
  test('tabs that open the same stream share one server connection, and each tab receives every event in order', async () => {
    const browser = new FakeBrowser()
    const members = [join(browser.tab()), join(browser.tab()), join(browser.tab())]
    await until(() => members.every((m) => m.connection.readyState === 1), 'every tab is open')
    await publishAndAwait(browser, members, 5)
    expect(browser.server.requests).toHaveLength(1)
    expect(browser.server.openConnections).toBe(1)
    for (const member of members) {
      expect(member.received).toEqual(numbers(5))
      expect(member.lastEventIds).toEqual(numbers(5))
    }
    expect(leaders(members)).toHaveLength(1)
    expect(members.filter((m) => m.connection.role === 'follower')).toHaveLength(2)
  })

  test('two tabs racing for the lead in the same tick: exactly one connects', async () => {
    const browser = new FakeBrowser()
    const [a, b] = [join(browser.tab()), join(browser.tab())]
    await until(() => a.connection.readyState === 1 && b.connection.readyState === 1, 'both open')
    expect(leaders([a, b])).toHaveLength(1)
    expect(browser.server.requests).toHaveLength(1)
    // The first to ask leads: the lock manager grants in request order.
    expect(a.connection.role).toBe('leader')
    expect(a.roles).toEqual(['leader'])
    expect(b.roles).toEqual([])
  })

  test('onOpen gets the response in the leading tab and undefined in the others', async () => {
    const browser = new FakeBrowser()
    const [a, b] = [join(browser.tab()), join(browser.tab())]
    await until(() => a.log.length > 0 && b.log.length > 0, 'both opened')
    expect(a.log).toEqual(['open(response)'])
    expect(b.log).toEqual(['open'])
  })

  test('different keys (or URLs) are different streams, each with its own connection', async () => {
    const browser = new FakeBrowser()
    const members = [
      join(browser.tab(), { key: 'alice' }),
      join(browser.tab(), { key: 'bob' }),
      join(browser.tab(), {}, `${URL_}?other`),
    ]
    await until(() => members.every((m) => m.connection.readyState === 1), 'every tab is open')
    expect(browser.server.requests).toHaveLength(3)
    expect(members.map((m) => m.connection.role)).toEqual(['leader', 'leader', 'leader'])
  })
})

/**
 * Two tabs, a (leading) and b; b falls behind (it has event 1, not 2, when a leaves), and a third
 * tab joins after event 2 and receives event 3: the new leader b will resume from before the late
 * tab's last event.
 */
async function joinAfterTheNextLeaderFellBehind(): Promise<{
  browser: FakeBrowser
  a: Member
  b: Member
  late: Member
}> {
  const slow = new Set<FakeTab>()
  const browser = new FakeBrowser((to) => (slow.has(to) ? 20 : 0))
  const [a, b] = [join(browser.tab()), join(browser.tab())]
  await until(() => a.connection.readyState === 1 && b.connection.readyState === 1, 'open')
  await publishAndAwait(browser, [a, b], 1)
  // The next leader lags behind: it has event 1 when it takes over, not 2.
  slow.add(b.tab)
  browser.server.publish()
  await until(() => a.received.length === 2, 'the leader relayed event 2')
  const late = join(browser.tab())
  await until(() => late.connection.readyState === 1, 'the late tab is open')
  await publishAndAwait(browser, [a, late], 1)
  return { browser, a, b, late }
}

describe('shareAcrossTabs: hand-off', () => {
  test('the leader closing hands the lead to the next tab, which resumes with Last-Event-ID: nothing lost, nothing twice', async () => {
    const browser = new FakeBrowser()
    const members = [join(browser.tab()), join(browser.tab()), join(browser.tab())]
    await until(() => members.every((m) => m.connection.readyState === 1), 'every tab is open')
    await publishAndAwait(browser, members, 3)
    const [first, second, third] = members as [Member, Member, Member]
    first.connection.close()
    // Published while nobody is connected: the next leader's Last-Event-ID brings them back.
    browser.server.publish()
    browser.server.publish()
    await until(() => second.connection.role === 'leader', 'the second tab leads')
    await publishAndAwait(browser, [second, third], 2)
    expect(browser.server.requests.map((r) => r.lastEventId)).toEqual([null, '3'])
    expect(second.received).toEqual(numbers(7))
    expect(third.received).toEqual(numbers(7))
    expect(first.received).toEqual(numbers(3))
    expect(browser.server.openConnections).toBe(1)
    // A hand-off is a reconnection without an error: open again, no error, no retry.
    expect(third.log).toEqual(['open', 'open'])
    expect(second.roles).toEqual(['leader'])
  })

  test('a crashed leader (no close, no unload) hands the lead on as well', async () => {
    const browser = new FakeBrowser()
    const members = [join(browser.tab()), join(browser.tab()), join(browser.tab())]
    await until(() => members.every((m) => m.connection.readyState === 1), 'every tab is open')
    await publishAndAwait(browser, members, 2)
    const [first, second, third] = members as [Member, Member, Member]
    first.tab.crash()
    browser.server.publish()
    await until(() => second.connection.role === 'leader', 'the second tab leads')
    await publishAndAwait(browser, [second, third], 2)
    expect(second.received).toEqual(numbers(5))
    expect(third.received).toEqual(numbers(5))
    expect(browser.server.openConnections).toBe(1)
    expect(browser.server.requests.at(-1)?.lastEventId).toBe('2')
  })

  test("an event repeated by the new leader's replay is dropped in every tab that already has it", async () => {
    const browser = new FakeBrowser()
    const members = [join(browser.tab()), join(browser.tab())]
    await until(() => members.every((m) => m.connection.readyState === 1), 'both open')
    await publishAndAwait(browser, members, 3)
    const [first, second] = members as [Member, Member]
    // The next leader resumes from further back than what the tabs have (as when it had not yet
    // read the last events of the old leader): the server replays 2 and 3 again.
    browser.server.onRequest = (request) => {
      request.lastEventId = '1'
    }
    const original = browser.server.fetch.bind(browser.server)
    browser.server.fetch = (tab, input, init) =>
      original(tab, input, { ...init, headers: { 'last-event-id': '1' } })
    first.connection.close()
    await until(() => second.connection.role === 'leader', 'the second tab leads')
    await publishAndAwait(browser, [second], 1)
    expect(second.received).toEqual(numbers(4))
  })

  test('a tab that joined after the point the new leader resumes from drops the replay up to its own last event, and keeps the order', async () => {
    const { browser, a, b, late } = await joinAfterTheNextLeaderFellBehind()
    a.connection.close()
    await until(() => browser.server.requests.length === 2, 'the next leader connects')
    expect(browser.server.requests[1]?.lastEventId).toBe('1')
    await publishAndAwait(browser, [b, late], 1)
    // Event 2 came again in the replay, from before the late tab joined: not after event 3.
    expect(late.received).toEqual(['3', '4'])
    expect(b.received).toEqual(numbers(4))
  })

  test("a replay that never comes back to the tab's last event (the server's history lost it) ends the skip after 1,000 events", async () => {
    const { browser, a, late } = await joinAfterTheNextLeaderFellBehind()
    // The server lost events 2 and 3: the replay after 1 starts at 4.
    const history = browser.server.history
    history.splice(1, 2)
    a.connection.close()
    await until(() => browser.server.requests.length === 2, 'the next leader connects')
    for (let i = 0; i < 1005; i++) browser.server.publish()
    const last = String(history.at(-1)?.id)
    await until(() => late.received.at(-1) === last, 'the late tab gets the stream again')
    // Dropped: the 1,000 events of the skip's budget, then it delivers again.
    expect(late.received.length).toBe(1 + 1005 - 1000)
  })

  test("a late message of the previous leader does not turn the new leader's state back", async () => {
    const slow = new Set<FakeTab>()
    const browser = new FakeBrowser((to) => (slow.has(to) ? 20 : 0))
    const [a, b, c] = [join(browser.tab()), join(browser.tab()), join(browser.tab())]
    await until(() => [a, b, c].every((m) => m.connection.readyState === 1), 'open')
    await publishAndAwait(browser, [a, b, c], 1)
    slow.add(c.tab)
    a.connection.close()
    await until(() => b.connection.role === 'leader' && b.connection.readyState === 1, 'b leads')
    // b's lead and open are still on their way to c when c takes over.
    b.connection.close()
    await until(
      () => c.connection.role === 'leader' && c.log.at(-1) === 'open(response)',
      'c leads',
    )
    await until(() => browser.quiet, 'every message is delivered')
    expect(c.connection.readyState).toBe(1)
    // Not told again that the stream opened, by b's late open.
    expect(c.log.at(-1)).toBe('open(response)')
    await publishAndAwait(browser, [c], 1)
  })

  test('the leader aborting while its request is in flight: the next tab connects, the aborted request is cancelled', async () => {
    const browser = new FakeBrowser()
    const signals: AbortSignal[] = []
    const pending = browser.tab()
    const stuck = join(pending, {
      fetch: (_input, init) => {
        if (init.signal) signals.push(init.signal)
        return new Promise(() => {})
      },
    })
    const next = join(browser.tab())
    await until(() => signals.length === 1, 'the first tab is connecting')
    expect(stuck.connection.role).toBe('leader')
    stuck.connection.close()
    expect(signals[0]?.aborted).toBe(true)
    await until(() => next.connection.readyState === 1, 'the next tab is open')
    expect(next.connection.role).toBe('leader')
    await publishAndAwait(browser, [next], 2)
    expect(next.received).toEqual(numbers(2))
    expect(browser.server.requests).toHaveLength(1)
  })

  test('a tab closing while it waits for the lead leaves the queue and never connects', async () => {
    const browser = new FakeBrowser()
    const [a, b, c] = [join(browser.tab()), join(browser.tab()), join(browser.tab())]
    await until(() => [a, b, c].every((m) => m.connection.readyState === 1), 'all open')
    b.connection.close()
    a.connection.close()
    await until(() => browser.server.requests.length === 2, 'the next leader connects')
    expect(c.connection.role).toBe('leader')
    expect(b.roles).toEqual([])
    const names = new Map([
      [a.tab, 'a'],
      [b.tab, 'b'],
      [c.tab, 'c'],
    ])
    expect(browser.server.requests.map((r) => names.get(r.tab))).toEqual(['a', 'c'])
  })
})

describe('shareAcrossTabs: joining, state and closing', () => {
  test('a tab that joins late is open at once and receives the events from then on', async () => {
    const browser = new FakeBrowser()
    const first = join(browser.tab())
    await until(() => first.connection.readyState === 1, 'open')
    await publishAndAwait(browser, [first], 3)
    const late = join(browser.tab())
    await until(() => late.connection.readyState === 1, 'the late tab is open')
    expect(late.log).toEqual(['open'])
    expect(late.connection.lastEventId).toBe('3')
    await publishAndAwait(browser, [first, late], 2)
    expect(late.received).toEqual(['4', '5'])
    expect(browser.server.requests).toHaveLength(1)
  })

  test("with history, a tab that joins gets the group's latest events first, then the live ones, in order and once", async () => {
    const browser = new FakeBrowser()
    const first = join(browser.tab(), { history: 3 })
    await until(() => first.connection.readyState === 1, 'open')
    await publishAndAwait(browser, [first], 5)
    const late = join(browser.tab(), { history: 3 })
    // Published while the late tab waits for the leader's answer: held, then delivered after.
    await publishAndAwait(browser, [first, late], 2)
    expect(late.received).toEqual(['3', '4', '5', '6', '7'])
    expect(late.lastEventIds).toEqual(['3', '4', '5', '6', '7'])
    expect(late.log).toEqual(['open'])
    expect(browser.server.requests).toHaveLength(1)
    // Without history (the default), a tab starts with the live events.
    const plain = join(browser.tab())
    await until(() => plain.connection.readyState === 1, 'open')
    await publishAndAwait(browser, [first, late, plain], 1)
    expect(plain.received).toEqual(['8'])
  })

  test("a tab that gets an event before the leader's answer to its hello is told the stream opened", async () => {
    const browser = new FakeBrowser()
    const first = join(browser.tab())
    await until(() => first.connection.readyState === 1, 'open')
    const late = join(browser.tab())
    // The leader relays this event before it reads the late tab's hello.
    await publishAndAwait(browser, [first, late], 1)
    expect(late.log).toEqual(['open'])
    expect(late.connection.readyState).toBe(1)
    await until(() => browser.quiet, 'every message is delivered')
    expect(late.log).toEqual(['open'])
  })

  test('an error and a reconnection of the leader reach every tab: onError, onRetry, readyState 0, then onOpen', async () => {
    const browser = new FakeBrowser()
    const [a, b] = [join(browser.tab()), join(browser.tab())]
    await until(() => a.connection.readyState === 1 && b.connection.readyState === 1, 'open')
    await publishAndAwait(browser, [a, b], 1)
    browser.server.dropAll()
    await until(() => b.log.includes('retry'), 'the follower is told of the retry')
    await until(() => b.connection.readyState === 1 && b.log.length === 4, 'reopened')
    expect(b.log).toEqual(['open', 'error NETWORK_ERROR', 'retry', 'open'])
    expect(a.log).toEqual(['open(response)', 'error NETWORK_ERROR', 'retry', 'open(response)'])
    expect(browser.server.requests.map((r) => r.lastEventId)).toEqual([null, '1'])
  })

  test('a status other than 200 closes every tab with an SSEResponseError of that status, after one request', async () => {
    const browser = new FakeBrowser()
    const errors: unknown[] = []
    let requests = 0
    const notFound = () => {
      requests++
      return Promise.resolve(new Response('gone', { status: 404 }))
    }
    const members = [0, 1, 2].map(() =>
      join(browser.tab(), { fetch: notFound, onClose: (error) => errors.push(error) }),
    )
    await until(() => errors.length === 3, 'every tab is closed')
    for (const error of errors) {
      expect(error).toBeInstanceOf(SSEResponseError)
      expect((error as SSEResponseError).status).toBe(404)
      expect((error as SSEResponseError).code).toBe('INVALID_STATUS')
    }
    expect(members.map((m) => m.connection.readyState)).toEqual([2, 2, 2])
    expect(requests).toBe(1)
  })

  test('a loop ends quietly where onError returned false for the final error, and throws it elsewhere, as with connect()', async () => {
    const browser = new FakeBrowser()
    const gone = () => Promise.resolve(new Response('gone', { status: 410 }))
    const outcomes = [false, undefined].map(async (verdict) => {
      const tab = browser.tab()
      const shared = shareAcrossTabs(URL_, {
        locks: tab.locks,
        BroadcastChannel: tab.BroadcastChannel,
        fetch: gone,
        onError: () => verdict,
      })
      try {
        for await (const _ of shared) {
          // no event comes
        }
        return 'ended'
      } catch (error) {
        return (error as SSEError).code
      }
    })
    expect(await Promise.all(outcomes)).toEqual(['ended', 'INVALID_STATUS'])
  })

  test("closing one tab's handle leaves the others connected; the last one closes the connection", async () => {
    const browser = new FakeBrowser()
    const [a, b] = [join(browser.tab()), join(browser.tab())]
    await until(() => a.connection.readyState === 1 && b.connection.readyState === 1, 'open')
    b.connection.close()
    expect(b.connection.readyState).toBe(2)
    await publishAndAwait(browser, [a], 1)
    expect(browser.server.openConnections).toBe(1)
    a.connection.close()
    expect(browser.server.openConnections).toBe(0)
    await until(() => browser.heldNames.length === 0, 'the lock is released')
  })

  test('a loop iterates a shared stream as it iterates connect(), and break leaves the group', async () => {
    const browser = new FakeBrowser()
    const leader = join(browser.tab())
    await until(() => leader.connection.readyState === 1, 'open')
    const tab = browser.tab()
    const follower = shareAcrossTabs(URL_, {
      locks: tab.locks,
      BroadcastChannel: tab.BroadcastChannel,
      fetch: tab.fetch,
    })
    await until(() => follower.readyState === 1, 'the follower is open')
    browser.server.publish()
    browser.server.publish()
    const seen: string[] = []
    for await (const event of follower) {
      seen.push(event.data)
      if (seen.length === 2) break
    }
    expect(seen).toEqual(['1', '2'])
    expect(follower.readyState).toBe(2)
  })

  test('each tab holds the events to its own contract, and its onInvalid decides for it alone', async () => {
    const browser = new FakeBrowser()
    const contract = defineEvents({
      message: {
        '~standard': {
          version: 1,
          vendor: 'test',
          validate: (value: unknown) =>
            Number(value) % 2 === 1 ? { value } : { issues: [{ message: 'even' }] },
        },
      },
    })
    const plain = join(browser.tab())
    const invalid: string[] = []
    const checked: number[] = []
    const tab = browser.tab()
    const typed = shareAcrossTabs(URL_, {
      locks: tab.locks,
      BroadcastChannel: tab.BroadcastChannel,
      fetch: tab.fetch,
      events: contract,
      onInvalid: (error) => {
        invalid.push(String(error.data))
        return 'skip'
      },
      onEvent: (event) => checked.push(event.data as number),
    })
    opened.push({ ...plain, connection: typed as never, tab })
    await until(() => typed.readyState === 1 && plain.connection.readyState === 1, 'open')
    await publishAndAwait(browser, [plain], 4)
    await until(() => checked.length + invalid.length === 4, 'the typed tab saw all four')
    expect(checked).toEqual([1, 3])
    expect(invalid).toEqual(['2', '4'])
    expect(plain.received).toEqual(numbers(4))
  })

  test('aborting the signal closes the handle as close() does', async () => {
    const browser = new FakeBrowser()
    const controller = new AbortController()
    const member = join(browser.tab(), { signal: controller.signal })
    await until(() => member.connection.readyState === 1, 'open')
    controller.abort()
    expect(member.connection.readyState).toBe(2)
    expect(browser.server.openConnections).toBe(0)
  })

  test('messages on the channel that are not of the protocol are ignored', async () => {
    const browser = new FakeBrowser()
    const member = join(browser.tab())
    await until(() => member.connection.readyState === 1, 'open')
    const name = browser.heldNames[0] as string
    const stranger = new (browser.tab().BroadcastChannel)(name)
    for (const junk of [
      null,
      'event',
      { type: 'event', event: { data: 'x', lastEventId: '' } },
      { ssekit: 1, type: 'event', event: { data: 7 } },
      { ssekit: 1, type: 'close', error: { code: 1 } },
      { ssekit: 2, type: 'close' },
      { ssekit: 1, type: 'nonsense' },
    ]) {
      stranger.postMessage(junk)
    }
    stranger.close()
    await publishAndAwait(browser, [member], 1)
    expect(member.received).toEqual(['1'])
    expect(member.connection.readyState).toBe(1)
  })
})

test('under a contract a shared stream and a SharedEventSource are typed as connect() and EventSource are', () => {
  const shared = shareAcrossTabs(URL_, { events: market, signal: AbortSignal.abort() })
  expectTypeOf(shared).toEqualTypeOf<SharedConnection<ContractConnectionEvent<typeof market>>>()
  const source = new SharedEventSource(URL_, { events: market, signal: AbortSignal.abort() })
  source.addEventListener('price', (event) => {
    expectTypeOf(event.data).toEqualTypeOf<Price>()
  })
  source.addEventListener('chat', (event) => {
    expectTypeOf(event.data).toEqualTypeOf<Chat>()
  })
  expect(shared.readyState).toBe(2)
  expect(source.readyState).toBe(2)
})

describe('shareAcrossTabs: the fallback', () => {
  test.each([
    ['navigator.locks', { locks: null }],
    ['BroadcastChannel', { BroadcastChannel: null }],
  ] as const)('without %s each tab connects on its own, with the same API', async (_, missing) => {
    const browser = new FakeBrowser()
    const members = [join(browser.tab(), missing), join(browser.tab(), missing)]
    await until(() => members.every((m) => m.connection.readyState === 1), 'open')
    expect(members.map((m) => m.connection.role)).toEqual(['standalone', 'standalone'])
    expect(browser.server.requests).toHaveLength(2)
    await publishAndAwait(browser, members, 2)
    expect(members[1]?.received).toEqual(numbers(2))
    expect(members[0]?.log).toEqual(['open(response)'])
  })

  test('in a runtime without navigator.locks (Node), the default is a connection of its own', () => {
    const connection = shareAcrossTabs(URL_, { fetch: () => new Promise(() => {}) })
    expect(connection.role).toBe('standalone')
    connection.close()
  })
})

describe('SharedEventSource', () => {
  test('every tab gets the messages and named events through the EventSource API, over one connection', async () => {
    const browser = new FakeBrowser()
    const sources = [0, 1, 2].map(() => {
      const tab = browser.tab()
      return new SharedEventSource(URL_, {
        locks: tab.locks,
        BroadcastChannel: tab.BroadcastChannel,
        fetch: tab.fetch,
      })
    })
    const seen = sources.map(() => [] as string[])
    sources.forEach((source, i) => {
      source.onopen = () => seen[i]?.push('open')
      source.addEventListener('message', (event) =>
        seen[i]?.push(`${event.data}/${event.lastEventId}`),
      )
    })
    try {
      await until(() => sources.every((s) => s.readyState === SharedEventSource.OPEN), 'open')
      browser.server.publish()
      await until(() => seen.every((s) => s.length === 2), 'every tab got the event')
      expect(seen).toEqual([
        ['open', '1/1'],
        ['open', '1/1'],
        ['open', '1/1'],
      ])
      expect(sources.map((s) => s.role)).toEqual(['leader', 'follower', 'follower'])
      expect(browser.server.requests).toHaveLength(1)
      expect(sources[1]).toBeInstanceOf(EventTarget)
      expect(String(sources[1])).toBe('[object EventSource]')
    } finally {
      for (const source of sources) source.close()
    }
  })

  test('a final failure fires error with readyState CLOSED in every tab', async () => {
    const browser = new FakeBrowser()
    const states: number[] = []
    const sources = [0, 1].map(() => {
      const tab = browser.tab()
      const source = new SharedEventSource(URL_, {
        locks: tab.locks,
        BroadcastChannel: tab.BroadcastChannel,
        fetch: () => Promise.resolve(new Response('no', { status: 500 })),
      })
      source.onerror = () => states.push(source.readyState)
      return source
    })
    await until(() => states.length === 2, 'both failed')
    expect(states).toEqual([2, 2])
    expect(sources.map((s) => s.readyState)).toEqual([2, 2])
  })
})

test('an error from another tab is an SSEError with the same code and message', async () => {
  const browser = new FakeBrowser()
  const errors: SSEError[] = []
  const failing = () => Promise.reject(new TypeError('offline'))
  const [a, b] = [0, 1].map(() =>
    join(browser.tab(), {
      fetch: failing,
      retry: { initialDelay: 5, maxDelay: 5, maxAttempts: 1 },
      onError: (error) => {
        errors.push(error)
      },
    }),
  )
  await until(() => a?.connection.readyState === 2 && b?.connection.readyState === 2, 'closed')
  const codes = errors.map((e) => e.code)
  expect(codes.filter((c) => c === 'RETRY_LIMIT')).toHaveLength(2)
  for (const error of errors) expect(error).toBeInstanceOf(SSEError)
  expect(errors[1]?.message).toBe(errors[0]?.message)
})
