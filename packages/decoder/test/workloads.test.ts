import { expect, test } from 'vitest'
import { createDecoder } from '../src/decoder.ts'
import { createWorkloads } from './generators.ts'

// The benchmark (bench/decoder.bench.mjs) measures exactly these fixtures.
for (const workload of createWorkloads()) {
  test(`the ${workload.name} benchmark workload decodes to its expected events`, () => {
    const events: unknown[] = []
    const decoder = createDecoder({ onEvent: (event) => events.push(event) })
    for (const chunk of workload.chunks) decoder.feed(chunk)
    decoder.end()
    expect(events.length).toBe(workload.events.length)
    expect(events).toStrictEqual(workload.events)
    expect(workload.chunks.reduce((sum, chunk) => sum + chunk.length, 0)).toBe(workload.bytes)
  })
}
