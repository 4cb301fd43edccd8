import { encode } from '@ssekit/encoder'
import { expect, test } from 'vitest'
import { createDecoder } from '../src/decoder.ts'

test('decodes what the encoder wrote, cut at every position', () => {
  const wire =
    encode({ id: '1', event: 'x', data: 'a\r\nb\rc\nd é 😀' }) + encode({ data: ' lead' })
  const bytes = new TextEncoder().encode(`\uFEFF${wire}`)
  for (let cut = 0; cut <= bytes.length; cut++) {
    const events: unknown[] = []
    const d = createDecoder({ onEvent: (e) => events.push(e) })
    d.feed(bytes.subarray(0, cut))
    d.feed(bytes.subarray(cut))
    expect(events).toStrictEqual([
      { id: '1', event: 'x', data: 'a\nb\nc\nd é 😀' },
      { data: ' lead' },
    ])
    expect(d.lastEventId).toBe('1')
  }
})
