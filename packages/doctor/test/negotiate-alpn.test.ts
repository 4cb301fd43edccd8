import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createSecureServer } from 'node:http2'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:tls'
import { expect, onTestFinished, test } from 'vitest'
import { negotiateAlpn } from '../src/node/negotiate-alpn.ts'

// A self-signed certificate for 127.0.0.1, for these tests only (openssl, valid for 100 years).
const tls = {
  key: readFileSync(new URL('fixtures/test-key.pem', import.meta.url)),
  cert: readFileSync(new URL('fixtures/test-cert.pem', import.meta.url)),
}

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}/ssekit-doctor`
}

test('a server that offers HTTP/2 is reported as h2, what a browser would get', async () => {
  const url = await listen(createSecureServer({ ...tls, allowHTTP1: true }))
  expect(await negotiateAlpn(url)).toBe('h2')
})

test('a TLS server without HTTP/2 is reported as http/1.1', async () => {
  const url = await listen(createHttpsServer(tls))
  expect(await negotiateAlpn(url)).toBe('http/1.1')
})

test('plain http: and unreachable hosts give null', async () => {
  expect(await negotiateAlpn('http://127.0.0.1:1/')).toBeNull()
  const url = await listen(createHttpsServer(tls))
  const closed = url.replace(/:\d+\//, ':1/')
  expect(await negotiateAlpn(closed, 1000)).toBeNull()
})
