/**
 * Differential testing against eventsource-parser 4.1.3 (pinned), fed as a client must feed it:
 * bytes through a streaming TextDecoder (the default one, as its README shows). Its known
 * deviations from the WHATWG algorithm are listed below, each with its own test, and kept out
 * of the generated streams.
 */
import { fc, test } from '@fast-check/vitest'
import type { ServerSentEvent } from '@ssekit/shared'
import { createParser } from 'eventsource-parser'
import { describe, expect } from 'vitest'
import { collect, concatBytes, cutAt } from './decode-helpers.ts'

const utf8 = new TextEncoder()

/** What eventsource-parser reports for `chunks`, shaped like our decoder's report. */
function parseWithEventsourceParser(chunks: Uint8Array[]) {
  const events: ServerSentEvent[] = []
  const retries: number[] = []
  const ids: string[] = []
  const textDecoder = new TextDecoder()
  const parser = createParser({
    onEvent: (message) => {
      const event: ServerSentEvent = { data: message.data }
      if (message.event !== undefined) event.event = message.event
      if (message.id !== undefined) event.id = message.id
      events.push(event)
    },
    onRetry: (retry) => retries.push(retry),
    onId: (id) => ids.push(id),
  })
  for (const chunk of chunks) parser.feed(textDecoder.decode(chunk, { stream: true }))
  parser.feed(textDecoder.decode())
  return { events, retries, ids }
}

function parseWithOurs(chunks: Uint8Array[]) {
  const { events, retries, ids } = collect(chunks)
  // eventsource-parser reports retry through onRetry only.
  return { events: events.map(({ retry: _, ...event }) => event), retries, ids }
}

const PIECES = [
  'data',
  'data:',
  'data: ',
  'event:',
  'event: ',
  'id:',
  'id: ',
  'retry:',
  'retry: ',
  ':',
  ': ',
  'Data:',
  'foo:',
  'x',
  'hello',
  ' ',
  '12',
  '007',
  '-1',
  '1.5',
  '\0',
  'é',
  '中',
  '😀',
  '\uFEFF',
  '\n',
  '\r',
  '\r\n',
  '\n\n',
  '\r\r',
  '\r\n\r\n',
  'data: {"a":1}\n\n',
].map((piece) => utf8.encode(piece))
const INVALID = [[0xff], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0x80], [0xed, 0xa0, 0x80]].map(
  (b) => Uint8Array.from(b),
)

const sseStream = fc
  .array(
    fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...PIECES) },
      { weight: 1, arbitrary: fc.constantFrom(...INVALID) },
    ),
    {
      maxLength: 80,
    },
  )
  .map(concatBytes)
  // Known deviations, tested one by one below.
  .filter((bytes) => !startsWithTwoBOMs(bytes))

function startsWithTwoBOMs(bytes: Uint8Array): boolean {
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)
  return text.startsWith('\uFEFF\uFEFF')
}

test.prop(
  [
    sseStream.chain((bytes) =>
      fc.tuple(
        fc.constant(bytes),
        fc
          .uniqueArray(fc.nat({ max: bytes.length }), { maxLength: 16 })
          .map((a) => a.sort((x, y) => x - y)),
      ),
    ),
  ],
  { numRuns: 1500 },
)('on SSE-shaped streams, events, ids and retries equal eventsource-parser’s', ([bytes, at]) => {
  const chunks = cutAt(bytes, at)
  expect(parseWithOurs(chunks)).toStrictEqual(parseWithEventsourceParser(chunks))
})

describe('documented deviations of eventsource-parser 4.1.3 (+ a default TextDecoder)', () => {
  test('it strips two leading BOMs: the TextDecoder strips one, the parser another; the spec ignores one', () => {
    // "One leading U+FEFF BYTE ORDER MARK character must be ignored if any are present."
    // https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
    // The second BOM is part of the field name `\uFEFFdata`, an unknown field.
    const chunks = [utf8.encode('\uFEFF\uFEFFdata: a\n\n')]
    expect(parseWithOurs(chunks).events).toStrictEqual([])
    expect(parseWithEventsourceParser(chunks).events).toStrictEqual([{ data: 'a' }])
  })

  test('it strips a leading "ï»¿" (a BOM misread as Latin-1), which is ordinary text in UTF-8', () => {
    // The stream is UTF-8 bytes C3 AF C2 BB C2 BF: three characters, the field name's start.
    const chunks = [utf8.encode('\u00EF\u00BB\u00BFdata: a\n\n')]
    expect(parseWithOurs(chunks).events).toStrictEqual([])
    expect(parseWithEventsourceParser(chunks).events).toStrictEqual([{ data: 'a' }])
  })
})
