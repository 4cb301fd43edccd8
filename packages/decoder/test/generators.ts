/**
 * Seeded generators of realistic `text/event-stream` workloads, shared by the tests (which check
 * that each workload decodes to its expected events) and the benchmark in `bench/` (which
 * compiles this very file with esbuild, so there is no bench-side copy).
 *
 * It imports only a type and the seeded PRNG (a module without imports), so esbuild can bundle it
 * alone. The benchmarks read `createRandom` from here too.
 */
import type { ServerSentEvent } from '@ssekit/shared'
import { createRandom, cutBytes, randomInteger } from '@ssekit/test-support/seeded-random'

export { createRandom }

/** One benchmark workload: the wire bytes cut into chunks, and the events they must decode to. */
export interface Workload {
  /** A short stable name, used as the benchmark row label. */
  name: string
  /** The issue's description of the workload. */
  description: string
  /** The whole stream, cut as the network would deliver it (views into one buffer). */
  chunks: Uint8Array[]
  /** The events a spec-exact decoder yields for it, in order. */
  events: ServerSentEvent[]
  /** The total number of bytes in `chunks`. */
  bytes: number
}

const WORDS = [
  ' the',
  ' a',
  ' stream',
  ' of',
  ' tokens',
  ',',
  ' server',
  '-sent',
  ' events',
  '.',
  ' Hello',
  ' world',
  '\n',
  ' "quoted"',
  ' fast',
  ' decoder',
]

/** A chat-completion delta like the ones LLM APIs stream: about 200 bytes of JSON. */
function tokenJson(random: () => number, index: number): string {
  const token = WORDS[randomInteger(random, 0, WORDS.length - 1)] ?? ''
  return JSON.stringify({
    id: 'chatcmpl-9x7Yq2LmNoPqRsTuVwXyZ012345',
    object: 'chat.completion.chunk',
    created: 1_717_171_717 + (index >> 6),
    model: 'gpt-4o-2024-08-06',
    choices: [{ index: 0, delta: { content: token }, logprobs: null, finish_reason: null }],
  })
}

const MULTI_BYTE = ['é', 'ü', 'ß', '中', '文', '字', '😀', '🚀', 'Ω', '→', ' ', 'a', 'b', ' ']

function multiByteText(random: () => number, length: number): string {
  let text = ''
  for (let i = 0; i < length; i++)
    text += MULTI_BYTE[randomInteger(random, 0, MULTI_BYTE.length - 1)]
  return text
}

/** A JSON document of roughly `size` bytes: an array of records. */
function largeJson(random: () => number, size: number): string {
  const rows: unknown[] = []
  let approx = 2
  while (approx < size) {
    const row = {
      id: randomInteger(random, 0, 1e9),
      name: `item-${randomInteger(random, 0, 1e6)}`,
      tags: ['alpha', 'beta', 'gamma'].slice(0, randomInteger(random, 1, 3)),
      score: Math.round(random() * 1e6) / 1e3,
      active: random() < 0.5,
    }
    rows.push(row)
    approx += 90
  }
  return JSON.stringify({ rows })
}

const utf8 = new TextEncoder()

function workload(
  name: string,
  description: string,
  wire: string,
  events: ServerSentEvent[],
  cut: (bytes: Uint8Array) => Uint8Array[],
): Workload {
  const bytes = utf8.encode(wire)
  return { name, description, chunks: cut(bytes), events, bytes: bytes.length }
}

/** Builds `data: x\n\n` token events until the wire reaches `size` characters. */
function tokenStream(
  random: () => number,
  size: number,
  lineEnd: string,
): { wire: string; events: ServerSentEvent[] } {
  const parts: string[] = []
  const events: ServerSentEvent[] = []
  let length = 0
  for (let i = 0; length < size; i++) {
    const data = tokenJson(random, i)
    const text = `data: ${data}${lineEnd}${lineEnd}`
    parts.push(text)
    events.push({ data })
    length += text.length
  }
  return { wire: parts.join(''), events }
}

/**
 * Creates the benchmark workloads of issue #3, deterministically.
 *
 * @param scale - multiplies every workload's size except the fixed 8 MB drip (1 = benchmark size)
 * @returns the workloads, in the benchmark's order
 */
export function createWorkloads(scale = 1): Workload[] {
  const MB = 1024 * 1024
  const workloads: Workload[] = []
  const network = (seed: number) => (bytes: Uint8Array) =>
    cutBytes(bytes, createRandom(seed), 1024, 4096)

  {
    const { wire, events } = tokenStream(createRandom(1), 4 * MB * scale, '\n')
    workloads.push(
      workload(
        'llm-tokens',
        'LLM token stream: ~200-byte JSON events in 1–4 KB chunks',
        wire,
        events,
        network(11),
      ),
    )
  }
  {
    const random = createRandom(2)
    const types = ['update', 'message', 'presence', 'tick']
    const parts: string[] = []
    const events: ServerSentEvent[] = []
    let length = 0
    for (let i = 0; length < 4 * MB * scale; i++) {
      const id = String(1_000_000 + i)
      const event = types[randomInteger(random, 0, types.length - 1)] ?? 'update'
      const data = JSON.stringify({
        seq: i,
        user: `u${randomInteger(random, 0, 9999)}`,
        v: random(),
      })
      const text = `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`
      parts.push(text)
      events.push({ data, event, id })
      length += text.length
    }
    workloads.push(
      workload(
        'named-ids',
        'named events with ids in 1–4 KB chunks',
        parts.join(''),
        events,
        network(12),
      ),
    )
  }
  {
    const random = createRandom(3)
    const parts: string[] = []
    const events: ServerSentEvent[] = []
    let length = 0
    while (length < 8 * MB * scale) {
      const data = largeJson(random, randomInteger(random, 64 * 1024, 1024 * 1024))
      parts.push(`data: ${data}\n\n`)
      events.push({ data })
      length += data.length + 8
    }
    workloads.push(
      workload(
        'large-json',
        '64 KB–1 MB JSON events in 16 KB chunks',
        parts.join(''),
        events,
        (bytes) => cutBytes(bytes, random, 16 * 1024, 16 * 1024),
      ),
    )
  }
  {
    const random = createRandom(4)
    const parts: string[] = []
    const events: ServerSentEvent[] = []
    let length = 0
    while (length < 4 * MB * scale) {
      const lines: string[] = []
      const count = randomInteger(random, 2, 12)
      for (let j = 0; j < count; j++)
        lines.push(`line ${j}: ${'lorem ipsum '.repeat(randomInteger(random, 0, 6))}`)
      const text = `${lines.map((line) => `data: ${line}\n`).join('')}\n`
      parts.push(text)
      events.push({ data: lines.join('\n') })
      length += text.length
    }
    workloads.push(
      workload(
        'multi-line',
        'multi-line data in 1–4 KB chunks',
        parts.join(''),
        events,
        network(14),
      ),
    )
  }
  {
    const random = createRandom(5)
    const parts: string[] = []
    const events: ServerSentEvent[] = []
    let length = 0
    while (length < 4 * MB * scale) {
      const data = multiByteText(random, randomInteger(random, 20, 400))
      parts.push(`data: ${data}\n\n`)
      events.push({ data })
      length += data.length + 8
    }
    workloads.push(
      workload(
        'multi-byte',
        'multi-byte text (é, 中, 😀) cut inside characters, 1–4 KB chunks',
        parts.join(''),
        events,
        network(15),
      ),
    )
  }
  {
    const { wire, events } = tokenStream(createRandom(6), 1 * MB * scale, '\n')
    workloads.push(
      workload('tiny-chunks', 'the token stream in 1–16-byte chunks', wire, events, (bytes) =>
        cutBytes(bytes, createRandom(16), 1, 16),
      ),
    )
  }
  {
    const { wire, events } = tokenStream(createRandom(7), 4 * MB * scale, '\r\n')
    workloads.push(
      workload('crlf', 'the token stream with CRLF line ends', wire, events, network(17)),
    )
  }
  {
    // Fixed size: the point is a single line far longer than any chunk.
    const random = createRandom(8)
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789{}":,'
    const piece = Array.from(
      { length: 4096 },
      () => alphabet[randomInteger(random, 0, alphabet.length - 1)],
    ).join('')
    const data = piece.repeat(2048)
    workloads.push(
      workload(
        'drip-8mb',
        'one 8 MB data line arriving in 64-byte chunks',
        `data: ${data}\n\n`,
        [{ data }],
        (bytes) => cutBytes(bytes, random, 64, 64),
      ),
    )
  }
  return workloads
}
