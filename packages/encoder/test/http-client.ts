/**
 * A real node:http client for the encoder's server tests, and a probe for whether a promise has
 * settled.
 */
import { once } from 'node:events'
import { type IncomingMessage, request } from 'node:http'
import { onTestFinished } from 'vitest'

/** A real HTTP client reading a streamed response as text. */
export interface StreamClient {
  response: IncomingMessage
  /** Everything received so far. */
  readonly text: string
  /** Resolves once the received text satisfies `predicate`, or rejects when the response ends first. */
  waitFor(predicate: (text: string) => boolean): Promise<string>
  /** Resolves when the response has ended. */
  ended: Promise<void>
  /** Drops the connection, as a closed browser tab does. */
  disconnect(): void
}

/**
 * Opens a GET request with node:http and collects the body. With `paused`, the body is not read
 * until `response.resume()`, so the server's socket buffer fills up.
 */
export async function connect(
  url: string,
  options: { paused?: boolean } = {},
): Promise<StreamClient> {
  const req = request(url, { agent: false })
  req.end()
  const [response] = (await once(req, 'response')) as [IncomingMessage]
  onTestFinished(() => {
    req.destroy()
  })
  let text = ''
  let waiters: Array<() => void> = []
  const wake = () => {
    const current = waiters
    waiters = []
    for (const waiter of current) waiter()
  }
  let ended = false
  response.setEncoding('utf8')
  response.on('data', (chunk: string) => {
    text += chunk
    wake()
  })
  const endedPromise = new Promise<void>((resolve) => {
    const end = () => {
      ended = true
      wake()
      resolve()
    }
    response.on('end', end)
    response.on('close', end)
    response.on('error', end)
  })
  if (options.paused) response.pause()
  return {
    response,
    get text() {
      return text
    },
    async waitFor(predicate) {
      while (!predicate(text)) {
        if (ended)
          throw new Error(
            `the response ended before the expected text; got ${JSON.stringify(text)}`,
          )
        await new Promise<void>((resolve) => waiters.push(resolve))
      }
      return text
    },
    ended: endedPromise,
    disconnect() {
      req.destroy()
    },
  }
}

/** Whether a promise has settled, after letting pending I/O callbacks and microtasks run. */
export async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false
  promise.then(
    () => {
      settled = true
    },
    () => {
      settled = true
    },
  )
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
  return settled
}
