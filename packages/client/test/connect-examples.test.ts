/**
 * Runs the client examples against a local server, and checks that the README shows them
 * verbatim.
 */
import { readFileSync } from 'node:fs'
import { fenceFile } from '@ssekit/test-support/readme-examples'
import { afterEach, expect, test, vi } from 'vitest'
import { createFaultServer, hold, stream } from './fault-server.ts'

function logs(spy: { mock: { calls: unknown[][] } }): string[] {
  return spy.mock.calls.map((call) => call.join(' '))
}

afterEach(() => {
  vi.restoreAllMocks()
  delete process.env.EVENTS_URL
})

test('examples/connect.ts reads events across a reconnect and stops at "done"', async () => {
  const server = await createFaultServer()
  server.route(
    '/events',
    stream('retry: 10\nid: 1\ndata: hello\n\nevent: tick\ndata: 2\n\n'),
    hold('data: again\n\nevent: done\ndata:\n\n'),
  )
  process.env.EVENTS_URL = server.url('/events')
  const log = vi.spyOn(console, 'log').mockImplementation(() => {})
  await import('../examples/connect.ts')
  expect(logs(log)).toStrictEqual([
    'message: hello',
    'tick: 2',
    'reconnecting in 10 ms (attempt 1)',
    'message: again',
  ])
  expect(server.requests.map((r) => r.headers.authorization)).toStrictEqual([
    'Bearer token-from-your-auth-service',
    'Bearer token-from-your-auth-service',
  ])
  expect(server.requests[1]?.headers['last-event-id']).toBe('1')
  await server.requests[1]?.socketClosed
})

test('examples/event-source.ts handles open, messages, named events, a reconnect and close', async () => {
  const server = await createFaultServer()
  server.route(
    '/events',
    stream('retry: 10\nid: 5\ndata: hi\n\nevent: price\ndata: 42\n\n'),
    hold('data: again\n\nevent: done\ndata:\n\n'),
  )
  process.env.EVENTS_URL = server.url('/events')
  const log = vi.spyOn(console, 'log').mockImplementation(() => {})
  await import('../examples/event-source.ts')
  // The example closes the source on "done"; the server then sees the socket close.
  await (await server.request(1)).socketClosed
  expect(logs(log)).toStrictEqual([
    'open',
    'message: hi (last id 5)',
    'price: 42',
    'connection lost, reconnecting',
    'open',
    'message: again (last id 5)',
  ])
  expect(server.requests[0]?.headers.authorization).toBe('Bearer my-token')
})

/** A price, one whose price is text (refused by the contract), an unknown type and a halt. */
const PRICES = [
  'event: price\ndata: {"symbol":"ACME","price":12.5}\n\n',
  'event: price\ndata: {"symbol":"ACME","price":"13"}\n\n',
  'event: news\ndata: {}\n\n',
  'event: halt\ndata: {"symbol":"ACME","reason":"volatility"}\n\n',
]

test('examples/connect-contract.ts gets typed events and reports the one that breaks the contract', async () => {
  const server = await createFaultServer()
  server.route('/prices', hold(...PRICES))
  process.env.EVENTS_URL = server.url('/prices')
  const log = vi.spyOn(console, 'log').mockImplementation(() => {})
  await import('../examples/connect-contract.ts')
  const lines = logs(log)
  expect(lines).toHaveLength(3)
  expect(lines[0]).toBe('ACME 12.50')
  expect(lines[1]).toMatch(
    /^refused: The data of the "price" event does not match the contract: price: /,
  )
  expect(lines[2]).toBe('ACME halted: volatility')
  await (await server.request(0)).socketClosed
})

test('examples/event-source-contract.ts dispatches typed events and drops the invalid one', async () => {
  const server = await createFaultServer()
  server.route('/prices', hold(...PRICES))
  process.env.EVENTS_URL = server.url('/prices')
  const log = vi.spyOn(console, 'log').mockImplementation(() => {})
  await import('../examples/event-source-contract.ts')
  await (await server.request(0)).socketClosed
  expect(logs(log)).toStrictEqual([
    'ACME 12.5',
    'dropped a price event (data)',
    'ACME halted: volatility',
  ])
})

test('examples/share-across-tabs.ts reads the stream; in Node (no navigator.locks) on a connection of its own', async () => {
  const server = await createFaultServer()
  server.route('/events', hold('id: 1\ndata: hello\n\nevent: done\ndata: bye\n\n'))
  process.env.EVENTS_URL = server.url('/events')
  const log = vi.spyOn(console, 'log').mockImplementation(() => {})
  await import('../examples/share-across-tabs.ts')
  expect(logs(log)).toStrictEqual([
    'open (standalone)',
    'message hello (last id 1)',
    'done bye (last id 1)',
  ])
  expect(server.requests[0]?.headers.authorization).toBe('Bearer token-of-user-42')
  await server.requests[0]?.socketClosed
})

test('the README shows the examples verbatim', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  for (const example of [
    'connect.ts',
    'event-source.ts',
    'price-events.ts',
    'connect-contract.ts',
    'event-source-contract.ts',
    'share-across-tabs.ts',
  ]) {
    const source = readFileSync(new URL(`../examples/${example}`, import.meta.url), 'utf8')
    expect(readme).toContain(fenceFile(source))
  }
})
