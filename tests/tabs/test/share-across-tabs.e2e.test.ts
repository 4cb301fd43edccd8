import { existsSync } from 'node:fs'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { TabState } from '../page/main.ts'
import { startTabServer, type TabServer } from './tab-server.ts'

// Debian's chromium package; playwright-core never downloads a browser here.
const CHROMIUM = process.env.SSEKIT_CHROMIUM ?? '/usr/bin/chromium'
/** A name that is not localhost: its pages are not a secure context, so navigator.locks is absent. */
const INSECURE_HOST = 'ssekit-test.invalid'
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  `--host-resolver-rules=MAP ${INSECURE_HOST} 127.0.0.1`,
]
const inCI = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false'
const hasChromium = existsSync(CHROMIUM)
const RATE = 50
const PAGES = 10
const HANDOFFS = 20
const WAIT = { timeout: 10_000 }

if (!hasChromium && !inCI) {
  console.warn(`Skipping the tabs e2e: no Chromium at ${CHROMIUM} (apt-get install chromium).`)
}
if (!hasChromium && inCI) {
  test('Chromium is installed (CI=true never skips the browser e2e)', () => {
    expect.fail(`CI needs Chromium at ${CHROMIUM} for the tabs e2e: apt-get install chromium.`)
  })
}

/** A page and the number of events published when its stream was ready. */
interface Tab {
  page: Page
  joinedAt: number
}

function tabState(page: Page): Promise<TabState> {
  return page.evaluate(() => (window as unknown as { tabState: () => TabState }).tabState())
}

/** Nothing twice, nothing skipped, in order: each number one more than the one before. */
function gapsAndRepeats(received: number[]): { missing: number; repeated: number } {
  let missing = 0
  let repeated = 0
  for (let i = 1; i < received.length; i++) {
    const step = (received[i] as number) - (received[i - 1] as number)
    if (step <= 0) repeated++
    else missing += step - 1
  }
  return { missing, repeated }
}

/** Checks one page's events: whole from the first on, and none missing since it joined. */
function checkReceived(state: TabState, joinedAt: number, label: string): void {
  const { missing, repeated } = gapsAndRepeats(state.received)
  expect({ label, missing, repeated }).toEqual({ label, missing: 0, repeated: 0 })
  expect(state.received[0], `${label}: the first event`).toBeLessThanOrEqual(joinedAt + 1)
  // The ids are the hub's: one per event, never the same twice.
  expect(new Set(state.ids).size).toBe(state.ids.length)
}

function summary(values: number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b)
  return {
    min: sorted[0] ?? Number.NaN,
    median: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
  }
}

describe.skipIf(!hasChromium)('shareAcrossTabs in Chromium, against a hub over HTTP/1.1', () => {
  let server: TabServer
  let browser: Browser
  const pageErrors: string[] = []

  beforeAll(async () => {
    server = await startTabServer(RATE)
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 15_000,
    })
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    expect(pageErrors).toEqual([])
  })

  /** Opens a page of the group and waits until its stream is open. */
  async function openTab(context: BrowserContext, url: string): Promise<Tab> {
    const page = await context.newPage()
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(url, { waitUntil: 'load' })
    await page.waitForFunction(
      () => (window as unknown as { tabState?: () => TabState }).tabState?.().readyState === 1,
      undefined,
      WAIT,
    )
    return { page, joinedAt: server.published }
  }

  /** Waits until every page has received the event published last when this is called. */
  async function allCaughtUp(tabs: Tab[]): Promise<void> {
    const target = server.published
    await Promise.all(
      tabs.map(({ page }) =>
        page.waitForFunction(
          (n) =>
            ((window as unknown as { tabState: () => TabState }).tabState().received.at(-1) ?? 0) >=
            n,
          target,
          WAIT,
        ),
      ),
    )
  }

  async function leaderOf(tabs: Tab[]): Promise<Tab> {
    const roles = await Promise.all(tabs.map(({ page }) => tabState(page).then((s) => s.role)))
    expect(roles.filter((role) => role === 'leader')).toHaveLength(1)
    return tabs[roles.indexOf('leader')] as Tab
  }

  /**
   * Takes the leader away `HANDOFFS` times (closed, or crashed), each time measuring how long
   * until the server sees the next leader's request, and opening a new page in its place (a
   * late joiner). Every page's events are checked before it goes and at the end.
   */
  async function handOffRepeatedly(how: 'close' | 'crash'): Promise<{
    latencies: number[]
    checkedPages: number
    checkedEvents: number
    overlaps: number[]
  }> {
    const context = await browser.newContext()
    const origin = `http://127.0.0.1:${server.port}/`
    let tabs: Tab[] = []
    const latencies: number[] = []
    let checkedPages = 0
    let checkedEvents = 0
    try {
      for (let i = 0; i < PAGES; i++) tabs.push(await openTab(context, origin))
      await allCaughtUp(tabs)
      const before = server.requests.length
      for (let round = 0; round < HANDOFFS; round++) {
        const leader = await leaderOf(tabs)
        const last = await tabState(leader.page)
        checkReceived(last, leader.joinedAt, `leader of round ${round}`)
        checkedPages++
        checkedEvents += last.received.length
        tabs = tabs.filter((tab) => tab !== leader)
        const next = server.nextRequest()
        const start = Date.now()
        if (how === 'close') {
          await leader.page.close()
        } else {
          const cdp = await context.newCDPSession(leader.page)
          // The renderer dies at once; the command gets no answer.
          void cdp.send('Page.crash').catch(() => {})
        }
        const request = await next
        latencies.push(request.at - start)
        // The new leader resumes where the group was.
        expect(request.lastEventId).toMatch(/.+/)
        if (how === 'crash') await leader.page.close().catch(() => {})
        // A late joiner takes the place of the page that went.
        tabs.push(await openTab(context, origin))
        await allCaughtUp(tabs)
      }
      expect(server.requests.length - before).toBe(HANDOFFS)
      await allCaughtUp(tabs)
      for (const [i, tab] of tabs.entries()) {
        const state = await tabState(tab.page)
        checkReceived(state, tab.joinedAt, `page ${i} at the end`)
        checkedPages++
        checkedEvents += state.received.length
      }
      // One connection, but for the moment the old leader's socket takes to close on the
      // server while the new leader connects.
      expect(server.peak).toBeLessThanOrEqual(2)
      expect(server.open).toBe(1)
    } finally {
      await context.close()
      await server.drained()
    }
    return { latencies, checkedPages, checkedEvents, overlaps: [...server.overlaps] }
  }

  test('10 pages of one origin share exactly one server connection, and every page receives every event', async () => {
    const context = await browser.newContext()
    const before = server.requests.length
    server.resetPeak()
    try {
      const tabs: Tab[] = []
      for (let i = 0; i < PAGES; i++)
        tabs.push(await openTab(context, `http://127.0.0.1:${server.port}/`))
      // Two seconds of events (100) through the one connection.
      const until = server.published + 2 * RATE
      await Promise.all(
        tabs.map(({ page }) =>
          page.waitForFunction(
            (n) =>
              ((window as unknown as { tabState: () => TabState }).tabState().received.at(-1) ??
                0) >= n,
            until,
            WAIT,
          ),
        ),
      )
      expect(server.requests.length - before).toBe(1)
      expect(server.peak).toBe(1)
      const states = await Promise.all(tabs.map(({ page }) => tabState(page)))
      for (const [i, state] of states.entries()) {
        checkReceived(state, tabs[i]?.joinedAt ?? 0, `page ${i}`)
        expect(state.hasLocks).toBe(true)
      }
      expect(states.map((s) => s.role).sort()).toEqual([
        ...Array<string>(PAGES - 1).fill('follower'),
        'leader',
      ])
      // The first page leads: it held the lock first.
      expect(states[0]?.role).toBe('leader')
      expect(states.every((s) => s.errors.length === 0)).toBe(true)
    } finally {
      await context.close()
      await server.drained()
    }
  })

  test.each([
    ['close', 'closing the leader 20 times at 50 events/s'],
    ['crash', 'crashing the leader page 20 times (CDP Page.crash)'],
  ] as const)(
    '%s: %s, the next page leads within 1 s with Last-Event-ID, and no page misses or repeats an event',
    async (mode, _what) => {
      server.resetPeak()
      const { latencies, checkedPages, checkedEvents, overlaps } = await handOffRepeatedly(mode)
      const { min, median, max } = summary(latencies)
      const overlap = summary(overlaps)
      console.log(
        `hand-off after ${mode}, ${HANDOFFS} times: min ${min} ms, median ${median} ms, max ${max} ms; ${checkedPages} pages, ${checkedEvents} events checked, 0 lost, 0 repeated; old and new connection both open on the server ${overlaps.length === 0 ? 'never' : `${overlaps.length} times, for max ${overlap.max} ms`}`,
      )
      expect(max).toBeLessThan(1000)
      // The old leader's socket is gone within a second of the new one's request, if not before.
      expect(overlap.max || 0).toBeLessThan(1000)
    },
  )

  test('a page that opens the stream after the others receives the events from then on, over the same connection', async () => {
    const context = await browser.newContext()
    const origin = `http://127.0.0.1:${server.port}/`
    try {
      const first = await openTab(context, origin)
      await allCaughtUp([first])
      const requests = server.requests.length
      const late = await openTab(context, origin)
      await allCaughtUp([first, late])
      const state = await tabState(late.page)
      checkReceived(state, late.joinedAt, 'the late page')
      expect(state.role).toBe('follower')
      // It joined an open stream: open once, without a request of its own.
      expect(state.opens).toBe(1)
      expect(server.requests.length).toBe(requests)
    } finally {
      await context.close()
      await server.drained()
    }
  })

  test("a page that asks for history gets the group's 20 latest events first, then the live ones, in order", async () => {
    const context = await browser.newContext()
    const origin = `http://127.0.0.1:${server.port}/?history=20`
    try {
      const first = await openTab(context, origin)
      // More than 20 events before the late page opens.
      await first.page.waitForFunction(
        (n) =>
          ((window as unknown as { tabState: () => TabState }).tabState().received.at(-1) ?? 0) >=
          n,
        server.published + 30,
        WAIT,
      )
      const firstOfFirst = (await tabState(first.page)).received[0] ?? 0
      const late = await openTab(context, origin)
      await allCaughtUp([first, late])
      const state = await tabState(late.page)
      checkReceived(state, late.joinedAt, 'the late page')
      // It starts 20 events before the point it joined at (give or take the events relayed
      // while it loaded), and with events the first page had.
      expect(state.received[0]).toBeLessThanOrEqual(late.joinedAt - 19)
      expect(state.received[0]).toBeGreaterThanOrEqual(firstOfFirst)
      expect(state.opens).toBe(1)
    } finally {
      await context.close()
      await server.drained()
    }
  })

  test.each([
    [
      'an origin that is not potentially trustworthy (no navigator.locks)',
      `http://${INSECURE_HOST}:PORT/`,
    ],
    ['a page whose navigator.locks was removed', 'http://127.0.0.1:PORT/?nolocks'],
  ])(
    'on %s each page has a connection of its own, and still receives every event',
    async (_, template) => {
      const context = await browser.newContext()
      const url = template.replace('PORT', String(server.port))
      const before = server.requests.length
      try {
        const tabs: Tab[] = []
        for (let i = 0; i < 3; i++) tabs.push(await openTab(context, url))
        await allCaughtUp(tabs)
        expect(server.requests.length - before).toBe(3)
        expect(server.open).toBe(3)
        for (const [i, tab] of tabs.entries()) {
          const state = await tabState(tab.page)
          expect(state.hasLocks).toBe(false)
          expect(state.role).toBe('standalone')
          checkReceived(state, tab.joinedAt, `page ${i}`)
        }
      } finally {
        await context.close()
        await server.drained()
      }
    },
  )
})
