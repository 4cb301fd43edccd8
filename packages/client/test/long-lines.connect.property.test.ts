/**
 * The decoder's long-line property (packages/decoder/test/long-lines.property.test.ts) through
 * `connect()` reading a real `node:http` server on 127.0.0.1 that writes the stream in
 * `write()`s of random sizes.
 */
import { fc, test } from '@fast-check/vitest'
import {
  chunkedLine,
  lineContent,
  lineEnding,
  lineSize,
} from '@ssekit/test-support/line-arbitraries'
import { type LoopbackServer, startLoopbackServer } from '@ssekit/test-support/loopback-server'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import { connect } from '../src/connect.ts'

const RUNS = Number(process.env.LONG_LINE_RUNS ?? 300)
const decodeWhole = (bytes: Uint8Array): string =>
  new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)

/** The data of the three events, compared without a diff of megabyte strings. */
function expectLine(data: string[], value: Uint8Array): void {
  expect(data).toHaveLength(3)
  expect(data[0]).toBe('x')
  expect(data[2]).toBe('y')
  expect(data[1] === decodeWhole(value)).toBe(true)
}

describe('connect() against node:http writing random-size chunks', () => {
  /** What the server sends on `/stream/<n>`: the n-th registered stream, in these writes. */
  const payloads = new Map<string, Uint8Array[]>()
  let server: LoopbackServer | undefined
  let origin = ''

  beforeAll(async () => {
    server = await startLoopbackServer(async (req, res) => {
      const chunks = payloads.get(req.url ?? '')
      if (chunks === undefined) {
        res.writeHead(404).end()
        return
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      for (const chunk of chunks) {
        // Each write is flushed before the next, so the client reads the cuts of this chunking
        // (as TCP delivers them), not one coalesced buffer.
        await new Promise<void>((resolve) => res.write(chunk, () => resolve()))
      }
      // Held open: the client closes once it has the three events.
    })
    origin = server.origin
  })
  afterAll(async () => {
    await server?.close()
  })

  let counter = 0
  test.prop([lineSize, lineContent, lineEnding, fc.integer(), fc.integer({ min: 2, max: 7 })], {
    numRuns: Math.ceil(RUNS / 5),
  })(
    'a long line arrives as the UTF-8 decoding of its bytes',
    async (size, content, ending, seed, maxIndex) => {
      const value = content(size)
      // At least 16-byte writes (maxIndex ≥ 2): a megabyte in one-byte HTTP chunks is slow to
      // frame and adds nothing the in-memory properties do not cover.
      const { chunks } = chunkedLine(value, ending, seed, maxIndex)
      const path = `/stream/${counter++}`
      payloads.set(path, chunks)
      const connection = connect(`${origin}${path}`)
      const data: string[] = []
      try {
        for await (const event of connection) {
          data.push(event.data)
          if (data.length === 3) break
        }
      } finally {
        payloads.delete(path)
      }
      expectLine(data, value)
    },
    RUNS * 1000,
  )
})
