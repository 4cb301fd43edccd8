import { existsSync } from 'node:fs'
import { toNodeListener } from '@ssekit/test-support/fetch-listener'
import { type LoopbackServer, startLoopbackServer } from '@ssekit/test-support/loopback-server'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DoctorReport } from '../../src/index.ts'
import { createDoctorHandler } from '../../src/index.ts'
import { createDoctorNodeHandler } from '../../src/node/index.ts'
import { type Hop, hasNginx, startNginx } from './proxies.ts'

// Debian's chromium package; playwright-core never downloads a browser here.
const CHROMIUM = process.env.SSEKIT_CHROMIUM ?? '/usr/bin/chromium'
const inCI = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false'
const hasChromium = existsSync(CHROMIUM)
/** A short plan, as query parameters of the page: the page passes them on to the stream. */
/** The nginx case runs wherever nginx is installed (always in CI, which installs it). */
const testWithNginx = hasNginx ? test.concurrent : test.skip
const QUERY = 'primer=300&cadence=200&events=8&steady=24&silences=500&idle=2000&retry=300'

if (!hasChromium && inCI) {
  test('Chromium is installed (CI=true never skips the browser page)', () => {
    expect.fail(`CI needs Chromium at ${CHROMIUM} for the doctor's page: apt-get install chromium.`)
  })
}

describe.skipIf(!hasChromium)("the handler's page runs the doctor in Chromium", () => {
  let browser: Browser | undefined
  const hops: (Hop | LoopbackServer)[] = []

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      timeout: 15_000,
    })
  })

  afterAll(async () => {
    await browser?.close()
    await Promise.all(hops.map((hop) => hop.close()))
  })

  async function reportOf(url: string, ignoreHTTPSErrors = false): Promise<DoctorReport> {
    // The HTTPS case uses the self-signed test certificate.
    const page = await (browser as Browser).newPage({ ignoreHTTPSErrors })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    try {
      await page.goto(url, { waitUntil: 'load' })
      await page.waitForSelector('body[data-state="done"]', { timeout: 40_000 }).catch((error) => {
        throw new Error(`The page never finished: ${errors.join('; ') || '(no page error)'}`, {
          cause: error,
        })
      })
      const text = await page.textContent('#report')
      expect(text).toContain('ssekit doctor:')
      return JSON.parse((await page.textContent('#report-json')) ?? '') as DoctorReport
    } finally {
      await page.close()
    }
  }

  test.concurrent('served by createDoctorHandler (fetch), the page reports a clean HTTP/1.1 stream and a reconnect with EventSource', async () => {
    const server = await startLoopbackServer(toNodeListener(createDoctorHandler()))
    hops.push(server)
    const report = await reportOf(`${server.origin}/ssekit-doctor?${QUERY}`)
    expect(report.summary.buffering).toBe(false)
    expect(report.summary.httpVersion).toBe('http/1.1')
    expect(report.summary.eventsReceived).toBe((report.summary.eventsSent as number) + 2)
    expect(report.findings.map((finding) => finding.code)).toContain('RECONNECT_OK')
    expect(report.ok).toBe(true)
  }, 60_000)

  testWithNginx(
    'through nginx with proxy_buffering on, the page finds the buffer and its size',
    async () => {
      const upstream = await startLoopbackServer(
        createDoctorNodeHandler({ headers: { 'x-accel-buffering': null } }),
      )
      hops.push(upstream)
      const nginx = await startNginx(
        upstream.origin,
        'proxy_buffering on; proxy_buffer_size 4k; proxy_buffers 8 4k;',
      )
      hops.push(nginx)
      const report = await reportOf(`${nginx.origin}/ssekit-doctor?${QUERY}`)
      expect(report.summary.buffering).toBe(true)
      expect(Math.abs((report.summary.bufferBytes as number) - 4096)).toBeLessThanOrEqual(1024)
      expect(report.summary.layers).toContain('nginx')
      expect(report.ok).toBe(false)
    },
    60_000,
  )

  testWithNginx(
    'through nginx with TLS and HTTP/2, the page sees h2 (nextHopProtocol) and no connection limit',
    async () => {
      const upstream = await startLoopbackServer(createDoctorNodeHandler())
      hops.push(upstream)
      const nginx = await startNginx(upstream.origin, 'proxy_buffering off;', { tls: true })
      hops.push(nginx)
      const report = await reportOf(`${nginx.origin}/ssekit-doctor?${QUERY}`, true)
      expect(report.summary.httpVersion).toBe('h2')
      expect(report.summary.buffering).toBe(false)
      const codes = report.findings.map((finding) => finding.code)
      expect(codes).not.toContain('HTTP1_CONNECTION_LIMIT')
      expect(codes).not.toContain('HOP_BY_HOP')
      expect(codes).toContain('RECONNECT_OK')
    },
    60_000,
  )
})
