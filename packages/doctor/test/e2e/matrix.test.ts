import { mkdirSync, writeFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { type LoopbackServer, startLoopbackServer } from '@ssekit/test-support/loopback-server'
import compression from 'compression'
import express from 'express'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  analyzeTrace,
  type DoctorPlan,
  type DoctorReport,
  renderReport,
  runProbe,
} from '../../src/index.ts'
import { createDoctorNodeHandler, runCli } from '../../src/node/index.ts'
import {
  type Hop,
  hasNginx,
  NGINX,
  startBatchingProxy,
  startNginx,
  startTimedProxy,
} from './proxies.ts'

/**
 * Every duration short, so each cell takes about 18 s: the idle probe (7 s) is longer than the
 * 5 s `proxy_read_timeout` cell, and the steady phase (24 × 512 B) shows a 4 KB buffer 3 times.
 */
const PLAN: DoctorPlan = {
  primerDelay: 300,
  cadence: 200,
  cadenceEvents: 10,
  steadyEvents: 24,
  silences: [500, 1000],
  idleProbe: 7000,
  retry: 300,
}
const inCI = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false'
/** The reports, for the note: `packages/doctor/artifacts/matrix/<cell>.txt`. */
const ARTIFACTS = new URL('../../artifacts/matrix/', import.meta.url)

if (!hasNginx && inCI) {
  test('nginx is installed (CI=true never skips the proxy matrix)', () => {
    expect.fail(`CI needs nginx at ${NGINX} for the proxy matrix: apt-get install nginx.`)
  })
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>

/** What a cell must be classified as. */
interface Expected {
  buffering: boolean
  /** The buffer's size in bytes, to within 1 KB. */
  bufferBytes?: number
  /** For a buffer flushed on a timer, its interval in ms, to within one cadence. */
  flushIntervalMs?: number
  compression: string | null
  compressionFlushed?: boolean
  /** The idle cut in ms, to within 1 s, or null for none. */
  idleCutMs: number | null
  headersWaitedForBody?: boolean
  upstreamHttpVersion: string
}

interface Cell {
  name: string
  /** Starts what sits between the client and the handler; returns the doctor's URL. */
  start(): Promise<string>
  expected: Expected
}

describe.skipIf(!hasNginx)('the proxy matrix: the doctor classifies every cell', () => {
  const hops: (Hop | LoopbackServer)[] = []
  let plain: LoopbackServer
  let bare: LoopbackServer
  const reports = new Map<string, DoctorReport>()

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    // What an ssekit app sends, and the same without X-Accel-Buffering, so nginx's own
    // proxy_buffering setting decides.
    const withHeader: Handler = createDoctorNodeHandler({ plan: PLAN })
    const withoutHeader: Handler = createDoctorNodeHandler({
      plan: PLAN,
      headers: { 'x-accel-buffering': null },
    })
    plain = await startLoopbackServer((req, res) => void withHeader(req, res))
    bare = await startLoopbackServer((req, res) => void withoutHeader(req, res))
    hops.push(plain, bare)
  })

  afterAll(async () => {
    await Promise.all(hops.map((hop) => hop.close()))
  })

  async function nginx(directives: string): Promise<string> {
    const hop = await startNginx(bare.origin, directives)
    hops.push(hop)
    return `${hop.origin}/ssekit-doctor`
  }

  const cells: Cell[] = [
    {
      name: 'direct',
      start: async () => `${plain.origin}/ssekit-doctor`,
      expected: {
        buffering: false,
        compression: null,
        idleCutMs: null,
        upstreamHttpVersion: '1.1',
      },
    },
    {
      name: 'nginx proxy_buffering on',
      start: () => nginx('proxy_buffering on; proxy_buffer_size 4k; proxy_buffers 8 4k;'),
      expected: {
        buffering: true,
        bufferBytes: 4096,
        compression: null,
        idleCutMs: null,
        headersWaitedForBody: true,
        upstreamHttpVersion: '1.0',
      },
    },
    {
      name: 'nginx proxy_buffering off',
      start: () => nginx('proxy_buffering off;'),
      expected: {
        buffering: false,
        compression: null,
        idleCutMs: null,
        upstreamHttpVersion: '1.0',
      },
    },
    {
      name: 'nginx gzip on for text/event-stream',
      start: () => nginx('proxy_buffering off; gzip on; gzip_types text/event-stream;'),
      expected: {
        buffering: false,
        compression: 'gzip',
        compressionFlushed: true,
        idleCutMs: null,
        upstreamHttpVersion: '1.0',
      },
    },
    {
      name: 'nginx gzip on with proxy_buffering on',
      start: () =>
        nginx(
          'proxy_buffering on; proxy_buffer_size 4k; proxy_buffers 8 4k; gzip on; gzip_types text/event-stream;',
        ),
      expected: {
        buffering: true,
        compression: 'gzip',
        compressionFlushed: false,
        idleCutMs: null,
        upstreamHttpVersion: '1.0',
      },
    },
    {
      name: 'nginx proxy_read_timeout 5s',
      start: () => nginx('proxy_buffering off; proxy_read_timeout 5s;'),
      expected: {
        buffering: false,
        compression: null,
        idleCutMs: 5000,
        upstreamHttpVersion: '1.0',
      },
    },
    {
      // ssekit's streams carry Cache-Control: no-transform, which the compression middleware
      // honours: the stream passes uncompressed.
      name: 'Express 5 with compression',
      start: async () => {
        const app = express()
        app.use(compression())
        app.use(createDoctorNodeHandler({ plan: PLAN }))
        const server = await startLoopbackServer(app)
        hops.push(server)
        return `${server.origin}/ssekit-doctor`
      },
      expected: {
        buffering: false,
        compression: null,
        idleCutMs: null,
        upstreamHttpVersion: '1.1',
      },
    },
    {
      // The stream's no-transform taken away, so the middleware compresses it: the handler flushes
      // it after each event, as openEventStream does.
      name: 'Express 5 with compression, without no-transform',
      start: async () => {
        const app = express()
        app.use(compression())
        app.use(createDoctorNodeHandler({ plan: PLAN, headers: { 'cache-control': 'no-cache' } }))
        const server = await startLoopbackServer(app)
        hops.push(server)
        return `${server.origin}/ssekit-doctor`
      },
      expected: {
        buffering: false,
        compression: 'gzip',
        compressionFlushed: true,
        idleCutMs: null,
        upstreamHttpVersion: '1.1',
      },
    },
    {
      name: 'a Node proxy that delays 100 ms and batches 2 KB',
      start: async () => {
        const proxy = await startBatchingProxy(bare.origin, 2048, 100)
        hops.push(proxy)
        return `${proxy.origin}/ssekit-doctor`
      },
      expected: {
        buffering: true,
        bufferBytes: 2048,
        compression: null,
        idleCutMs: null,
        upstreamHttpVersion: '1.1',
      },
    },
    {
      name: 'a Node proxy that flushes every second (a Go-style FlushInterval)',
      start: async () => {
        const proxy = await startTimedProxy(bare.origin, 1000)
        hops.push(proxy)
        return `${proxy.origin}/ssekit-doctor`
      },
      expected: {
        buffering: true,
        flushIntervalMs: 1000,
        compression: null,
        idleCutMs: null,
        upstreamHttpVersion: '1.1',
      },
    },
  ]

  test.concurrent.each(cells)(
    '$name',
    async ({ name, start, expected }) => {
      const url = await start()
      const trace = await runProbe(url, { plan: PLAN })
      const report = analyzeTrace(trace)
      reports.set(name, report)
      const text = renderReport(report)
      const file = name.replace(/[^\w]+/g, '-').toLowerCase()
      writeFileSync(new URL(`${file}.txt`, ARTIFACTS), text)
      writeFileSync(
        new URL(`${file}.json`, ARTIFACTS),
        `${JSON.stringify({ trace, report }, null, 2)}\n`,
      )
      const { summary } = report
      const context = `\n${text}`
      expect(summary.buffering, context).toBe(expected.buffering)
      if (expected.bufferBytes !== undefined) {
        expect(summary.bufferBytes, context).not.toBeNull()
        expect(
          Math.abs((summary.bufferBytes as number) - expected.bufferBytes),
          context,
        ).toBeLessThanOrEqual(1024)
      }
      if (expected.flushIntervalMs !== undefined) {
        expect(summary.bufferBytes, context).toBeNull()
        const error = Math.abs((summary.flushIntervalMs as number) - expected.flushIntervalMs)
        expect(error, context).toBeLessThanOrEqual(PLAN.cadence)
      } else {
        expect(summary.flushIntervalMs, context).toBeNull()
      }
      expect(summary.compression, context).toBe(expected.compression)
      if (expected.compressionFlushed !== undefined) {
        expect(summary.compressionFlushed, context).toBe(expected.compressionFlushed)
      }
      if (expected.idleCutMs === null) {
        expect(summary.idleCutMs, context).toBeNull()
      } else {
        expect(summary.idleCutMs, context).not.toBeNull()
        expect(
          Math.abs((summary.idleCutMs as number) - expected.idleCutMs),
          context,
        ).toBeLessThanOrEqual(1000)
      }
      if (expected.headersWaitedForBody !== undefined) {
        expect(summary.headersWaitedForBody, context).toBe(expected.headersWaitedForBody)
      }
      expect(summary.httpVersion, context).toBe('http/1.1')
      expect(summary.upstreamHttpVersion, context).toBe(expected.upstreamHttpVersion)
      expect(report.ok, context).toBe(!expected.buffering && expected.idleCutMs === null)
      expect(
        report.findings.find((f) => f.code === 'RECONNECT_OK'),
        context,
      ).toBeDefined()
    },
    60_000,
  )

  // Any event stream, without the handler: what the stream alone shows.
  test.concurrent('--stream, through nginx with proxy_read_timeout 5s, a stream that falls silent is cut after 5 s', async () => {
    // Five events with ids, then silence, as an app without heartbeats does.
    const app = await startLoopbackServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      let n = 0
      const timer = setInterval(() => {
        res.write(`id: ${++n}\ndata: update ${n}\n\n`)
        if (n === 5) clearInterval(timer)
      }, 100)
      res.on('close', () => clearInterval(timer))
    })
    const nginx = await startNginx(app.origin, 'proxy_buffering off; proxy_read_timeout 5s;')
    try {
      const trace = await runProbe(`${nginx.origin}/events`, { mode: 'stream', duration: 12_000 })
      const report = analyzeTrace(trace)
      const text = renderReport(report)
      writeFileSync(new URL('stream-mode-nginx-proxy_read_timeout-5s.txt', ARTIFACTS), text)
      expect(report.summary.eventsReceived, text).toBe(5)
      expect(Math.abs((report.summary.idleCutMs as number) - 5000), text).toBeLessThanOrEqual(1000)
      expect(report.findings.find((f) => f.code === 'IDLE_CUT')?.severity, text).toBe('error')
      expect(report.summary.layers, text).toEqual(['nginx'])
    } finally {
      await nginx.close()
      await app.close()
    }
  }, 30_000)

  // The command line itself over HTTPS, where the TLS handshake tells the HTTP version.
  test.concurrent('the command line, through nginx with TLS and HTTP/2, reports h2, which the TLS handshake offers', async () => {
    const upstream = await startLoopbackServer(
      createDoctorNodeHandler({ plan: { ...PLAN, idleProbe: 0 } }),
    )
    const nginx = await startNginx(upstream.origin, 'proxy_buffering off;', { tls: true })
    // The test certificate is self-signed: Node's fetch may accept it for this test only.
    const verify = process.env.NODE_TLS_REJECT_UNAUTHORIZED
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'
    try {
      let stdout = ''
      const code = await runCli([`${nginx.origin}/ssekit-doctor`, '--json'], {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: () => true },
      })
      const report = JSON.parse(stdout) as DoctorReport
      const text = renderReport(report)
      writeFileSync(new URL('cli-nginx-https-http2.txt', ARTIFACTS), text)
      expect(code, text).toBe(0)
      expect(report.summary.httpVersion, text).toBe('h2')
      expect(report.summary.buffering, text).toBe(false)
      expect(
        report.findings.map((f) => f.code),
        text,
      ).not.toContain('HTTP1_CONNECTION_LIMIT')
    } finally {
      if (verify === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = verify
      await nginx.close()
      await upstream.close()
    }
  }, 30_000)
})
