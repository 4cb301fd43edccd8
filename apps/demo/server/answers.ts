/** One simulated LLM exchange for the live feed. */
export interface CannedAnswer {
  prompt: string
  answer: string
}

/**
 * The answers the live feed "generates", in a loop. They are about Server-Sent Events, so the
 * demo explains itself while it runs.
 */
export const CANNED_ANSWERS: readonly CannedAnswer[] = [
  {
    prompt: 'What are Server-Sent Events?',
    answer:
      'Server-Sent Events are a plain HTTP response that never ends. The server writes text/event-stream blocks, each a few "field: value" lines closed by a blank line, and the browser turns every block into an event. No WebSocket handshake, no extra protocol: proxies, HTTP/2 and authentication work as they do for any request.',
  },
  {
    prompt: 'How does a client resume after a dropped connection?',
    answer:
      'Every event can carry an id. The client remembers the last id it received and, when it reconnects, sends it back in the Last-Event-ID header. A server that keeps a little history replays everything after that id, so nothing is lost and nothing arrives twice.',
  },
  {
    prompt: 'Why not just use EventSource?',
    answer:
      "The browser's EventSource only does GET, cannot send headers such as Authorization, and gives up on some errors. A fetch-based client keeps the same wire format and the same reconnection rules, but adds headers, POST bodies, backoff and an async iterator you can await.",
  },
  {
    prompt: 'What can go wrong when encoding events by hand?',
    answer:
      'A line break inside an id or an event type silently injects a new field, a NUL makes clients ignore the id, and a multi-line payload needs one data: line per line. A careful encoder refuses bad values with a typed error instead of writing a stream that decodes to something else.',
  },
]

/**
 * Splits text into tokens the way a language model streams it: words with their leading
 * whitespace.
 *
 * @param text - the answer
 * @returns its tokens; joined, they give the text back
 */
export function tokenize(text: string): string[] {
  return text.match(/\s*\S+/g) ?? []
}
