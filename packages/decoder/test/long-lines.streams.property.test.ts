/**
 * The long-line property of long-lines.property.test.ts through the `EventDecoderStream`
 * transform; @ssekit/client runs it through `connect()` and a real `node:http` server.
 */
import { fc, test } from '@fast-check/vitest'
import {
  chunkedLine,
  lineContent,
  lineEnding,
  lineSize,
} from '@ssekit/test-support/line-arbitraries'
import { describe, expect } from 'vitest'
import { EventDecoderStream } from '../src/decoder-stream.ts'

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

describe('EventDecoderStream', () => {
  test.prop([lineSize, lineContent, lineEnding, fc.integer(), fc.integer({ min: 0, max: 7 })], {
    numRuns: Math.ceil(RUNS / 6),
  })(
    'a long line arrives as the UTF-8 decoding of its bytes',
    async (size, content, ending, seed, maxIndex) => {
      const value = content(size)
      const { chunks } = chunkedLine(value, ending, seed, maxIndex)
      let next = 0
      const source = new ReadableStream<Uint8Array>({
        pull(controller) {
          const chunk = chunks[next++]
          if (chunk === undefined) controller.close()
          else controller.enqueue(chunk)
        },
      })
      const data: string[] = []
      for await (const event of source.pipeThrough(new EventDecoderStream())) data.push(event.data)
      expectLine(data, value)
    },
    RUNS * 400,
  )
})
