import { existsSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { encode } from '@ssekit/encoder'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type DemoServer, startDemoServer, UNFINISHED_EVENT } from '../server/demo-server.ts'

// Debian's chromium package; playwright-core never downloads a browser here.
const CHROMIUM = process.env.SSEKIT_CHROMIUM ?? '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]
const inCI = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false'
const hasChromium = existsSync(CHROMIUM)
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url))
const WAIT = { timeout: 10_000 }

if (!hasChromium && !inCI) {
  console.warn(`Skipping the demo's e2e: no Chromium at ${CHROMIUM} (apt-get install chromium).`)
}
if (!hasChromium && inCI) {
  // A failing test, not a failing hook, so the run's report counts it.
  test('Chromium is installed (CI=true never skips the browser e2e)', () => {
    expect.fail(`CI needs Chromium at ${CHROMIUM} for the demo's e2e: apt-get install chromium.`)
  })
}

/** What the page exposes for this test: every live event it received, in order. */
interface DemoRecord {
  connection: number
  id: string | undefined
  type: string
  seq: number | undefined
}

describe.skipIf(!hasChromium)('the demo in headless Chromium', () => {
  let demo: DemoServer | undefined
  let browser: Browser | undefined
  let page: Page
  const pageErrors: string[] = []
  // Failed requests log here too (the 422 and the dropped stream): only shown when the page breaks.
  const consoleErrors: string[] = []

  beforeAll(async () => {
    demo = await startDemoServer({ port: 0 })
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 15_000,
    })
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    page.on('pageerror', (error) => pageErrors.push(error.message))
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text())
    })
    await page.goto(demo.url, { waitUntil: 'load' })
    try {
      await page.waitForSelector('body[data-ready="true"]', WAIT)
    } catch (error) {
      const seen = [...pageErrors, ...consoleErrors].join('\n  ') || '(no error in the page)'
      throw new Error(`The page's script never started:\n  ${seen}`, { cause: error })
    }
  })

  afterAll(async () => {
    await browser?.close()
    await demo?.close()
  })

  test('the live stream arrives: tokens fill the answer and the ticker shows ids, types and times', async () => {
    await page.waitForSelector('[data-testid="connection-state"][data-state="open"]', WAIT)
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="ticker"] tr').length >= 5,
      undefined,
      WAIT,
    )
    await page.waitForFunction(
      () => (document.querySelector('[data-testid="answer"]')?.textContent ?? '').length > 20,
      undefined,
      WAIT,
    )
    const row = await page.$$eval('[data-testid="ticker"] tr', (rows) =>
      [...(rows.at(-1)?.querySelectorAll('td') ?? [])].map((cell) => cell.textContent ?? ''),
    )
    const [time, id, type, seq] = row
    expect(time).toMatch(/^\d\d:\d\d:\d\d\.\d\d\d$/)
    expect(id).not.toBe('')
    expect(['answer-start', 'token', 'answer-end']).toContain(type)
    expect(Number(seq)).toBeGreaterThan(0)
  })

  test('a round trip of JSON, multi-line and unicode events decodes equal to the input', async () => {
    // The page starts with three events: JSON, multi-line text and unicode with astral characters.
    await page.click('[data-preset="blank"]')
    await page.locator('.event-card').last().locator('[name="data"]').fill('🚀 astral\r\nsecond')
    await page.click('[data-testid="send"]')
    await page.waitForSelector('.panel.playground[data-status="match"]', WAIT)

    const summary = page.locator('[data-testid="roundtrip-summary"]')
    expect(await summary.getAttribute('data-matches')).toBe('4')
    expect(await summary.getAttribute('data-total')).toBe('4')
    const verdicts = await page.$$eval('[data-testid="result"]', (items) =>
      items.map((item) => item.getAttribute('data-equal')),
    )
    expect(verdicts).toEqual(['true', 'true', 'true', 'true'])

    // The wire column shows exactly what the encoder writes, with every \n made visible.
    const wires = await page.$$eval('[data-testid="result"] pre.wire', (pres) =>
      pres.map((pre) => pre.textContent ?? ''),
    )
    const visible = (text: string) => text.replaceAll('\n', '\\n\n')
    const json = {
      user: 'ada',
      items: [{ sku: 'A-1', qty: 2 }],
      total: 19.5,
      paid: true,
      note: null,
    }
    expect(wires[0]).toBe(visible(encode({ id: '1', event: 'order', data: json })))
    expect(wires[1]).toContain('data: data: looks like a field, stays data\\n')
    expect(wires[2]).toContain('retry: 2500\\n')
    expect(wires[2]).toContain('🚀🧪 · 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 · \u{10348}')
    expect(wires[3]).toBe(visible(encode({ id: '4', data: '🚀 astral\nsecond' })))

    const decoded = await page.$$eval('[data-testid="result"] pre.decoded', (pres) =>
      pres.map((pre) => JSON.parse(pre.textContent ?? 'null') as unknown),
    )
    expect(decoded[1]).toEqual({
      id: '2',
      event: 'log',
      data: 'first line\n  an indented line\n\ndata: looks like a field, stays data\n: not a comment\n',
    })
    expect(decoded[2]).toMatchObject({ id: '3', event: 'i18n', retry: 2500 })
    expect((decoded[2] as { data: string }).data).toContain('𝔘𝔫𝔦𝔠𝔬𝔡𝔢')
  })

  test("an id with a line break shows the encoder's typed error, and the page keeps working", async () => {
    await page.click('[data-preset="invalid"]')
    await page.click('[data-testid="send"]')
    const error = page.locator('[data-testid="roundtrip-error"]')
    await error.waitFor({ state: 'visible', ...WAIT })
    expect(await error.getAttribute('data-code')).toBe('INVALID_ID')
    expect(await error.getAttribute('data-field')).toBe('id')
    const text = (await error.textContent()) ?? ''
    expect(text).toContain('SSEError')
    expect(text).toContain('#5')
    expect(text).toContain('must be a string without CR, LF or NUL')
    expect(await page.locator('[data-testid="result"]').count()).toBe(0)

    await page.locator('.event-card').last().locator('[data-action="remove"]').click()
    await page.click('[data-testid="send"]')
    await page.waitForSelector('.panel.playground[data-status="match"]', WAIT)
    expect(await error.isHidden()).toBe(true)
  })

  test('a dropped connection reconnects with Last-Event-ID and loses no event', async () => {
    await page.waitForSelector('[data-testid="drop"]:not([disabled])', WAIT)
    await page.click('[data-testid="drop"]')
    await page.waitForFunction(
      () => document.querySelector('[data-testid="connections"]')?.textContent === '2',
      undefined,
      WAIT,
    )
    // Wait for the server's record of the reconnection and for ten events after it.
    await page.waitForFunction(
      () => document.body.dataset.serverConnections === '2',
      undefined,
      WAIT,
    )
    await page.waitForFunction(
      () => {
        const state = (window as unknown as { ssekitDemo: { received: DemoRecord[] } }).ssekitDemo
        return state.received.filter((record) => record.connection === 2).length >= 10
      },
      undefined,
      WAIT,
    )

    const received = await page.evaluate(
      () => (window as unknown as { ssekitDemo: { received: DemoRecord[] } }).ssekitDemo.received,
    )
    const beforeDrop = received.filter((record) => record.connection === 1)
    const afterDrop = received.filter((record) => record.connection === 2)
    const lastBefore = beforeDrop.at(-1)
    expect(lastBefore?.id).toBeTruthy()

    // The client resumed from the last complete event, not from the unfinished one.
    const sent = await page.textContent('[data-testid="sent-last-event-id"]')
    const atServer = await page.textContent('[data-testid="server-last-event-id"]')
    expect(sent).toBe(lastBefore?.id)
    expect(atServer).toBe(lastBefore?.id)
    expect(UNFINISHED_EVENT).not.toContain(`id: ${lastBefore?.id}\n`)

    // Every event arrived exactly once, in order: the sequence numbers have no hole.
    expect(received.every((record) => record.seq !== undefined)).toBe(true)
    const seqs = received.map((record) => record.seq ?? 0)
    const first = seqs[0] ?? 0
    expect(seqs).toEqual(seqs.map((_, index) => first + index))
    expect(afterDrop[0]?.seq).toBe((lastBefore?.seq ?? 0) + 1)
    expect(await page.textContent('[data-testid="lost"]')).toBe('0')
    expect(await page.textContent('[data-testid="duplicated"]')).toBe('0')
  })

  test('three tabs of one browser share one live connection: the server-connections counter shows 1 in each, and each tab gets the stream', async () => {
    const context = await (browser as Browser).newContext({
      viewport: { width: 1280, height: 900 },
    })
    try {
      const tabs: Page[] = []
      for (let i = 0; i < 3; i++) {
        const tab = await context.newPage()
        tab.on('pageerror', (error) => pageErrors.push(error.message))
        await tab.goto(demo?.url ?? '', { waitUntil: 'load' })
        await tab.waitForSelector('body[data-ready="true"]', WAIT)
        tabs.push(tab)
      }
      for (const tab of tabs) {
        await tab.waitForSelector('[data-testid="connection-state"][data-state="open"]', WAIT)
        await tab.waitForFunction(
          () => document.querySelector('[data-testid="server-connections"]')?.textContent === '1',
          undefined,
          WAIT,
        )
        // Ten events arrive in every tab, over that one connection.
        await tab.waitForFunction(
          () =>
            (window as unknown as { ssekitDemo: { received: DemoRecord[] } }).ssekitDemo.received
              .length >= 10,
          undefined,
          WAIT,
        )
      }
      const roles = await Promise.all(
        tabs.map((tab) => tab.textContent('[data-testid="tab-role"]')),
      )
      expect(roles).toEqual(['leader', 'follower', 'follower'])
      // Still one after the others have run a while (the counter is polled every second).
      for (const tab of tabs) {
        expect(await tab.textContent('[data-testid="server-connections"]')).toBe('1')
        expect(await tab.textContent('[data-testid="lost"]')).toBe('0')
        expect(await tab.textContent('[data-testid="duplicated"]')).toBe('0')
      }
      // The leader's tab closes: another tab leads, and the counter is back to 1.
      await tabs[0]?.close()
      await tabs[1]?.waitForFunction(
        () => document.querySelector('[data-testid="tab-role"]')?.textContent === 'leader',
        undefined,
        WAIT,
      )
      for (const tab of tabs.slice(1)) {
        await tab.waitForFunction(
          () => document.querySelector('[data-testid="server-connections"]')?.textContent === '1',
          undefined,
          WAIT,
        )
      }
      expect(await tabs[2]?.textContent('[data-testid="duplicated"]')).toBe('0')
      expect(await tabs[2]?.textContent('[data-testid="lost"]')).toBe('0')
    } finally {
      await context.close()
    }
  })

  test('the page rendered without a script error (screenshot saved)', async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: `${ARTIFACTS}demo.png`, fullPage: true })
    expect(pageErrors).toEqual([])
  })
})
