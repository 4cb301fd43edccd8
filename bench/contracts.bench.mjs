/**
 * Contracts section: what validating every event costs a client. On the llm-tokens workload
 * (~200-byte JSON chunks of an LLM completion stream), the decoder's events are either parsed
 * with JSON.parse (the baseline: what a client without a contract does anyway), or held to a
 * contract by the client's own code path (`readIncoming` from @ssekit/shared/internal: JSON
 * codec, schema lookup, validation), once per validator, each in a fresh process.
 */
import { fileURLToPath } from 'node:url'
import { createDecoder } from '@ssekit/decoder'
import { defineEvents } from '@ssekit/shared'
import { readIncoming } from '@ssekit/shared/internal'
import { type } from 'arktype'
import { do_not_optimize } from 'mitata'
import * as v from 'valibot'
import { z } from 'zod'
import { describeMachine } from './benchmarks-md.mjs'
import { loadGenerators } from './generators.mjs'
import { runInProcess } from './in-process.mjs'

export const name = 'contracts'

/** The shape of one chunk of the workload, in each validator. */
const SCHEMAS = {
  // A Standard Schema that accepts everything: the cost of ssekit's own path, without a validator.
  'none (pass-through)': () => ({
    '~standard': { version: 1, vendor: 'bench', validate: (value) => ({ value }) },
  }),
  zod: () =>
    z.object({
      id: z.string(),
      object: z.literal('chat.completion.chunk'),
      created: z.number().int(),
      model: z.string(),
      choices: z.array(
        z.object({
          index: z.number().int(),
          delta: z.object({ content: z.string().optional() }),
          logprobs: z.null(),
          finish_reason: z.string().nullable(),
        }),
      ),
    }),
  valibot: () =>
    v.object({
      id: v.string(),
      object: v.literal('chat.completion.chunk'),
      created: v.pipe(v.number(), v.integer()),
      model: v.string(),
      choices: v.array(
        v.object({
          index: v.pipe(v.number(), v.integer()),
          delta: v.object({ content: v.optional(v.string()) }),
          logprobs: v.null(),
          finish_reason: v.nullable(v.string()),
        }),
      ),
    }),
  arktype: () =>
    type({
      id: 'string',
      object: "'chat.completion.chunk'",
      created: 'number.integer',
      model: 'string',
      choices: type({
        index: 'number.integer',
        delta: { 'content?': 'string' },
        logprobs: 'null',
        finish_reason: 'string | null',
      }).array(),
    }),
}

/** Decodes the workload and hands each event to `handle`; returns the number of events. */
function decodeAll(chunks, handle) {
  let count = 0
  const decoder = createDecoder({
    onEvent(event) {
      count++
      do_not_optimize(handle(event))
    },
  })
  for (let i = 0; i < chunks.length; i++) decoder.feed(chunks[i])
  decoder.end()
  return count
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/** Times one validator against the baseline, alternating, wall clock with GC included. */
async function measure(validator) {
  const { createWorkloads } = await loadGenerators()
  const workload = createWorkloads().find((candidate) => candidate.name === 'llm-tokens')
  const events = defineEvents({ message: SCHEMAS[validator]() })
  const parse = (event) => JSON.parse(event.data)
  const check = (event) => {
    const result = readIncoming(events, event, 'the bench')
    if (result.kind !== 'event') throw new Error(`${validator} refused an event: ${result.kind}`)
    return result.event
  }
  // Every event must pass, or the timing measures a failure path.
  if (decodeAll(workload.chunks, check) !== workload.events.length) throw new Error('lost events')
  // The validator's own share: its validate() over the same values, already parsed, so that the
  // overhead can be split into what the validator costs and what ssekit's path adds to it.
  const schema = events.events.message
  const values = workload.events.map((event) => JSON.parse(event.data))
  const validateOnly = () => {
    for (let i = 0; i < values.length; i++) do_not_optimize(schema['~standard'].validate(values[i]))
  }
  // The same work without ssekit's contract path: the validator called on JSON.parse's result in
  // the decoder's callback, as an application would write it by hand.
  const validate = schema['~standard'].validate
  const direct = (event) => validate(JSON.parse(event.data))
  const sides = {
    baseline: () => decodeAll(workload.chunks, parse),
    validated: () => decodeAll(workload.chunks, check),
    direct: () => decodeAll(workload.chunks, direct),
    validator: validateOnly,
  }
  const samples = { baseline: [], validated: [], direct: [], validator: [] }
  const timeRound = (fn, into) => {
    globalThis.gc()
    const until = process.hrtime.bigint() + 300_000_000n
    do {
      const start = process.hrtime.bigint()
      fn()
      into.push(Number(process.hrtime.bigint() - start))
    } while (process.hrtime.bigint() < until || into.length < 3)
  }
  const names = Object.keys(sides)
  for (let round = 0; round < 8; round++) {
    // Each round runs the sides in a rotated order, so drift hits them alike.
    for (let i = 0; i < names.length; i++) {
      const side = names[(round + i) % names.length]
      timeRound(sides[side], samples[side])
    }
  }
  return {
    bytes: workload.bytes,
    events: workload.events.length,
    baseline: median(samples.baseline),
    validated: median(samples.validated),
    direct: median(samples.direct),
    validator: median(samples.validator),
  }
}

// Worker mode: `node --expose-gc contracts.bench.mjs <validator>` prints one validator's result.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2]) {
  process.stdout.write(JSON.stringify(await measure(process.argv[2])))
}

/** Runs every validator in its own process and returns the section's Markdown. */
export async function run() {
  const rows = []
  for (const validator of Object.keys(SCHEMAS)) {
    const result = runInProcess(import.meta.url, validator)
    const mbps = (ns) => result.bytes / (1024 * 1024) / (ns / 1e9)
    const overhead = result.validated / result.baseline - 1
    const own = result.validator / result.baseline
    const byHand = result.direct / result.baseline - 1
    const percent = (ratio) => `${(ratio * 100).toFixed(1)} %`
    const target = validator === 'zod' || validator === 'valibot' ? '≤ 20 %' : ''
    rows.push(
      `| ${validator} | ${mbps(result.baseline).toFixed(0)} | ${mbps(result.validated).toFixed(0)} | ${percent(overhead)} | ${percent(byHand)} | ${percent(own)} | ${target} |`,
    )
    console.log(
      `contracts ${validator}: ${percent(overhead)} overhead, ${percent(byHand)} by hand, ${percent(own)} the validator alone`,
    )
  }
  return [
    '## Contracts',
    '',
    `Validation overhead. Machine: ${describeMachine()}. The llm-tokens workload (4 MB of ~200-byte`,
    'JSON chunks, one event each) decoded by @ssekit/decoder (built `dist`); the baseline parses',
    "each event's data with `JSON.parse`, as any client does; the validated side holds each event to",
    "a contract through the client's own path (`readIncoming`: JSON codec, schema lookup, the",
    "validator's `~standard.validate`) against a schema of the chunk's full shape. Median wall-clock",
    'time per run, garbage collection included, 8 rotating rounds of ≥ 300 ms each, one process',
    'per validator. "By hand" is the same work without ssekit\'s contract path: the validator called',
    "on JSON.parse's result in the decoder's callback, as an application would write it. \"The",
    'validator alone" is its `validate()` over the same values already parsed, as a share of the',
    "baseline. Both show the validator's own cost, which no SSE library can remove. Issue #14",
    'targets at most 20 % for Valibot and Zod 4.',
    '',
    '| validator | decode + JSON.parse MB/s | decode + parse + validate MB/s | overhead | by hand, without ssekit | the validator alone | target |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    '',
  ].join('\n')
}
