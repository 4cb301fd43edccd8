import { fc, test } from '@fast-check/vitest'
import { createRandom } from '@ssekit/test-support/seeded-random'
import { expect } from 'vitest'
import { type SharedConnection, shareAcrossTabs } from '../src/index.ts'
import { FakeBrowser, type FakeTab, until } from './fake-tabs.ts'

/**
 * What happens to the group next, and whether to let it settle before the step after. A close
 * or a crash hits the leader, or another tab (`which`); a publish is followed by a pause of `ms`,
 * which lets the leader relay the events while the others have not all read them yet.
 */
type Step = { settle: boolean } & (
  | { kind: 'open'; history: number }
  | { kind: 'close' | 'crash'; leader: boolean; which: number }
  | { kind: 'publish'; count: number; ms: number }
)

const action = fc.oneof(
  {
    // Some tabs ask for the group's latest events when they join.
    arbitrary: fc.record({
      kind: fc.constant('open' as const),
      history: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 })),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constantFrom('close' as const, 'crash' as const),
      leader: fc.boolean(),
      which: fc.nat(),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('publish' as const),
      count: fc.integer({ min: 1, max: 4 }),
      ms: fc.integer({ min: 0, max: 6 }),
    }),
    weight: 4,
  },
)
const step: fc.Arbitrary<Step> = fc
  .tuple(action, fc.integer({ min: 0, max: 2 }))
  .map(([next, settle]) => ({ ...next, settle: settle === 0 }))

interface Member {
  tab: FakeTab
  connection: SharedConnection<{ data: string }>
  received: number[]
  /** How many events the server had published when this tab opened the stream. */
  joinedAt: number
  gone: boolean
}

/**
 * A received sequence is whole: strictly one more each time (nothing twice, nothing skipped,
 * in order).
 */
function isContiguous(received: number[]): boolean {
  return received.every((n, i) => i === 0 || n === (received[i - 1] as number) + 1)
}

test.prop([fc.array(step, { minLength: 8, maxLength: 30, size: 'medium' }), fc.integer()], {
  numRuns: 30,
})(
  'any sequence of tabs opening, closing and crashing never has two leaders or two connections, and no tab misses or repeats an event',
  async (steps, seed) => {
    // Messages take 0–9 ms each and lock grants 0–2 ms, so a new leader often connects before
    // it has read the last messages of the old one, and its replay repeats them.
    const random = createRandom(seed)
    const browser = new FakeBrowser(
      () => Math.floor(random() * 10),
      () => Math.floor(random() * 3),
    )
    const members: Member[] = []
    const live = () => members.filter((m) => !m.gone)
    let overlapping = 0
    /** Events published before the latest request without Last-Event-ID: gone for the group. */
    let floor = 0
    let cursorless = 0
    browser.server.onRequest = (request) => {
      // A request while another stream is open: two tabs connected at once.
      if (browser.server.openConnections > 0) overlapping++
      if (request.lastEventId === null) {
        floor = browser.server.history.length
        // Resuming from nowhere is only right when no tab of the group has an event yet.
        if (live().some((m) => m.received.length > 0)) cursorless++
      }
    }
    /** Everyone live is open and has every event published since it joined. */
    const settled = () =>
      live().every(
        (m) =>
          m.connection.readyState === 1 &&
          (browser.server.history.length <= Math.max(m.joinedAt, floor) ||
            m.received.at(-1) === browser.server.history.length),
      )
    const checkLeaders = () => {
      const leading = live().filter((m) => m.connection.role === 'leader')
      expect(leading.length).toBeLessThanOrEqual(1)
    }
    try {
      for (const next of steps) {
        if (next.kind === 'open') {
          const tab = browser.tab()
          const received: number[] = []
          const connection = shareAcrossTabs('https://app.test/events', {
            locks: tab.locks,
            BroadcastChannel: tab.BroadcastChannel,
            fetch: tab.fetch,
            retry: { initialDelay: 1, maxDelay: 1 },
            history: next.history,
            onEvent: (event) => received.push(Number(event.data)),
          })
          members.push({
            tab,
            connection,
            received,
            joinedAt: browser.server.history.length,
            gone: false,
          })
        } else if (next.kind === 'publish') {
          for (let i = 0; i < next.count; i++) browser.server.publish()
          await new Promise((resolve) => setTimeout(resolve, next.ms))
        } else {
          const target =
            (next.leader ? live().find((m) => m.connection.role === 'leader') : undefined) ??
            live()[next.which % Math.max(1, live().length)]
          if (target === undefined) continue
          target.gone = true
          if (next.kind === 'close') target.connection.close()
          else target.tab.crash()
        }
        checkLeaders()
        if (next.settle) {
          await until(() => {
            checkLeaders()
            return settled()
          }, 'the group settles')
        }
      }
      // A last event everyone live must get.
      browser.server.publish()
      await until(settled, 'the group settles at the end')
      expect(overlapping).toBe(0)
      expect(cursorless).toBe(0)
      for (const member of members) {
        expect(isContiguous(member.received), `tab received ${member.received}`).toBe(true)
        if (member.gone) continue
        // From its first event to the last published, and nothing published after it joined
        // is missing.
        const first = member.received[0]
        if (browser.server.history.length > Math.max(member.joinedAt, floor)) {
          expect(first).toBeLessThanOrEqual(Math.max(member.joinedAt, floor) + 1)
          expect(member.received.at(-1)).toBe(browser.server.history.length)
        }
      }
      if (live().length > 0) {
        expect(live().filter((m) => m.connection.role === 'leader')).toHaveLength(1)
        expect(browser.server.openConnections).toBe(1)
      }
    } finally {
      for (const member of members) member.connection.close()
    }
  },
  // About 6 s here; room for a loaded CI machine.
  60_000,
)
