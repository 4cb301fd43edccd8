/**
 * The real components of the proxy matrix, each on 127.0.0.1 with a free port: Debian's nginx
 * with a configuration per cell, Express with the `compression` middleware, and a small Node
 * proxy that delays and batches.
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import { connect, createServer as createNetServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type LoopbackServer, startLoopbackServer } from '@ssekit/test-support/loopback-server'

/** Debian's nginx, which `.ci/run` installs. */
export const NGINX = process.env.SSEKIT_NGINX ?? '/usr/sbin/nginx'
export const hasNginx: boolean = existsSync(NGINX)

/** A running component of the matrix. */
export interface Hop {
  origin: string
  close(): Promise<void>
}

/** A port that was free a moment ago (nginx needs one in its configuration). */
async function freePort(): Promise<number> {
  const server = createNetServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Resolves once `port` accepts connections, or rejects after `timeout` ms. */
async function waitForPort(port: number, timeout: number, process: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeout
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (open) return
    if (process.exitCode !== null) throw new Error(`nginx exited with ${process.exitCode}`)
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port} in ${timeout} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The test certificate for 127.0.0.1 (test/fixtures), for HTTPS and HTTP/2 cells. */
export const TEST_CERTIFICATE = {
  cert: fileURLToPath(new URL('../fixtures/test-cert.pem', import.meta.url)),
  key: fileURLToPath(new URL('../fixtures/test-key.pem', import.meta.url)),
}

/**
 * Starts nginx in the foreground with one server proxying `/` to `upstream`, its pid, logs and
 * temporary files in a fresh folder that `close()` removes.
 *
 * @param upstream - the origin nginx proxies to
 * @param directives - the location's directives (`proxy_buffering on;` …)
 * @param options - `tls`: listen with HTTPS and HTTP/2, with the test certificate
 * @returns the running nginx
 */
export async function startNginx(
  upstream: string,
  directives: string,
  options: { tls?: boolean } = {},
): Promise<Hop> {
  const dir = await mkdtemp(join(tmpdir(), 'ssekit-doctor-nginx-'))
  const port = await freePort()
  const listen =
    options.tls === true
      ? `listen 127.0.0.1:${port} ssl http2;
    ssl_certificate ${TEST_CERTIFICATE.cert};
    ssl_certificate_key ${TEST_CERTIFICATE.key};`
      : `listen 127.0.0.1:${port};`
  const config = `
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/client;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    ${listen}
    location / {
      proxy_pass ${upstream};
      ${directives}
    }
  }
}
`
  await writeFile(join(dir, 'nginx.conf'), config)
  const child = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk) => {
    stderr += chunk
  })
  try {
    await waitForPort(port, 5000, child)
  } catch (error) {
    child.kill('SIGKILL')
    await rm(dir, { recursive: true, force: true })
    throw new Error(`${(error as Error).message}\n${stderr}`)
  }
  let closing: Promise<void> | undefined
  return {
    origin: `${options.tls === true ? 'https' : 'http'}://127.0.0.1:${port}`,
    close() {
      closing ??= (async () => {
        if (child.exitCode === null) {
          // SIGTERM is nginx's fast shutdown: open streams are closed at once.
          child.kill('SIGTERM')
          await once(child, 'exit')
        }
        await rm(dir, { recursive: true, force: true })
      })()
      return closing
    },
  }
}

/**
 * Starts a Node proxy to `upstream` that passes the request on as it is and hands each upstream
 * response, its status and headers already sent on, to `relay`, which decides when its body goes.
 */
async function startRelayingProxy(
  upstream: string,
  relay: (upstreamRes: IncomingMessage, res: ServerResponse) => void,
): Promise<LoopbackServer> {
  return startLoopbackServer((req, res) => {
    const forward = httpRequest(`${upstream}${req.url}`, {
      method: req.method,
      headers: { ...req.headers, host: new URL(upstream).host },
    })
    forward.on('response', (upstreamRes: IncomingMessage) => {
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers)
      res.flushHeaders()
      relay(upstreamRes, res)
    })
    forward.on('error', () => res.destroy())
    res.on('close', () => forward.destroy())
    req.pipe(forward)
  })
}

/**
 * Starts a Node proxy that delays and batches: it holds the upstream's body until at least
 * `batch` bytes are waiting, then sends them at once `delay` ms later; the rest goes at the end.
 *
 * @param upstream - the origin it proxies to
 * @param batch - the bytes it collects before sending
 * @param delay - the extra delay of each batch, in ms
 * @returns the running proxy
 */
export async function startBatchingProxy(
  upstream: string,
  batch: number,
  delay: number,
): Promise<LoopbackServer> {
  return startRelayingProxy(upstream, (upstreamRes, res) => {
    let pending: Buffer[] = []
    let pendingBytes = 0
    // Batches leave in order: each waits for the one before.
    let queue = Promise.resolve()
    const send = (chunks: Buffer[]): void => {
      queue = queue
        .then(() => new Promise((resolve) => setTimeout(resolve, delay)))
        .then(() => {
          if (!res.destroyed) res.write(Buffer.concat(chunks))
        })
    }
    upstreamRes.on('data', (chunk: Buffer) => {
      pending.push(chunk)
      pendingBytes += chunk.length
      if (pendingBytes >= batch) {
        send(pending)
        pending = []
        pendingBytes = 0
      }
    })
    upstreamRes.on('end', () => {
      if (pending.length > 0) send(pending)
      void queue.then(() => res.end())
    })
  })
}

/**
 * Starts a Node proxy that flushes on a timer, as Go's `httputil.ReverseProxy` does with a
 * positive `FlushInterval`: it holds the upstream's body and sends what it holds every
 * `interval` ms, and the rest at the end.
 *
 * @param upstream - the origin it proxies to
 * @param interval - the flush interval, in ms
 * @returns the running proxy
 */
export async function startTimedProxy(upstream: string, interval: number): Promise<LoopbackServer> {
  return startRelayingProxy(upstream, (upstreamRes, res) => {
    let pending: Buffer[] = []
    const flush = (): void => {
      if (pending.length > 0 && !res.destroyed) res.write(Buffer.concat(pending))
      pending = []
    }
    const timer = setInterval(flush, interval)
    upstreamRes.on('data', (chunk: Buffer) => pending.push(chunk))
    upstreamRes.on('end', () => {
      clearInterval(timer)
      flush()
      res.end()
    })
    res.on('close', () => clearInterval(timer))
  })
}
