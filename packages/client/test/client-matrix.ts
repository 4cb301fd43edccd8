/**
 * One interface over the two clients, so the same behaviour tests run against `connect()` and the
 * `EventSource` class (like h3's describeMatrix): each records what it observes as a list of
 * plain observations that a test can await.
 */
import type { SSEError } from '@ssekit/shared'
import { connect } from '../src/connect.ts'
import type { ConnectOptions } from '../src/connect-options.ts'
import { EventSource } from '../src/event-source.ts'

export type Observation =
  | { type: 'open' }
  | { type: 'message'; event: string; data: string; lastEventId: string }
  /** onError (connect) / init.onError (EventSource): every error reported. */
  | { type: 'error'; error: SSEError }
  /** A reconnection was scheduled (connect: onRetry; EventSource: `error` while CONNECTING). */
  | { type: 'retry' }
  /** The connection closed by itself (connect: onClose; EventSource: `error` while CLOSED). */
  | { type: 'closed' }

export interface ClientHandle {
  readonly observations: Observation[]
  /** Resolves with the first observation after index `from` that matches, or rejects after 5 s. */
  waitFor(
    predicate: (observation: Observation) => boolean,
    options?: { from?: number; label?: string },
  ): Promise<Observation>
  /** Waits until `count` messages have arrived and returns their data. */
  messages(count: number): Promise<string[]>
  readonly readyState: number
  readonly lastEventId: string
  close(): void
}

export interface ClientUnderTest {
  name: 'connect' | 'EventSource'
  open(url: string, options?: ConnectOptions): ClientHandle
}

function createRecorder() {
  const observations: Observation[] = []
  const messages: string[] = []
  const waiters = new Set<() => void>()
  const waitFor = (
    predicate: (observation: Observation) => boolean,
    { from = 0, label = 'an observation' }: { from?: number; label?: string } = {},
  ): Promise<Observation> =>
    new Promise((resolve, reject) => {
      // Scans each observation once, however many arrive.
      let next = from
      const check = (): boolean => {
        for (; next < observations.length; next++) {
          const observation = observations[next] as Observation
          if (!predicate(observation)) continue
          waiters.delete(check)
          clearTimeout(timer)
          resolve(observation)
          return true
        }
        return false
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error(`Timed out waiting for ${label}; saw ${JSON.stringify(observations)}`))
      }, 5000)
      waiters.add(check)
      check()
    })
  return {
    observations,
    waitFor,
    push(observation: Observation): void {
      observations.push(observation)
      if (observation.type === 'message') messages.push(observation.data)
      for (const waiter of [...waiters]) waiter()
    },
    async messages(count: number): Promise<string[]> {
      let seen = 0
      await waitFor((o) => o.type === 'message' && ++seen >= count, { label: `${count} messages` })
      return messages
    },
  }
}

const connectClient: ClientUnderTest = {
  name: 'connect',
  open(url, options = {}) {
    const recorder = createRecorder()
    const connection = connect(url, {
      ...options,
      onOpen(response) {
        recorder.push({ type: 'open' })
        options.onOpen?.(response)
      },
      onEvent(event) {
        recorder.push({
          type: 'message',
          event: event.event ?? 'message',
          data: event.data,
          lastEventId: event.lastEventId,
        })
        options.onEvent?.(event)
      },
      onError(error) {
        recorder.push({ type: 'error', error })
        return options.onError?.(error)
      },
      onRetry(delay, attempt) {
        recorder.push({ type: 'retry' })
        options.onRetry?.(delay, attempt)
      },
      onClose(error) {
        recorder.push({ type: 'closed' })
        options.onClose?.(error)
      },
    })
    return {
      observations: recorder.observations,
      waitFor: recorder.waitFor,
      messages: recorder.messages,
      get readyState() {
        return connection.readyState
      },
      get lastEventId() {
        return connection.lastEventId
      },
      close: () => connection.close(),
    }
  },
}

const eventSourceClient: ClientUnderTest = {
  name: 'EventSource',
  open(url, options = {}) {
    const recorder = createRecorder()
    const { onOpen, onEvent, onRetry, onClose, onComment, credentials, ...init } = options
    const source = new EventSource(url, {
      ...init,
      onError(error) {
        recorder.push({ type: 'error', error })
        return options.onError?.(error)
      },
    })
    const onMessage = (event: Event): void => {
      const message = event as MessageEvent<string>
      recorder.push({
        type: 'message',
        event: message.type,
        data: message.data,
        lastEventId: message.lastEventId,
      })
    }
    source.onopen = () => recorder.push({ type: 'open' })
    source.onmessage = onMessage
    // Named events used by the behaviour tests.
    for (const type of ['tick', 'update']) source.addEventListener(type, onMessage)
    source.onerror = () =>
      recorder.push({ type: source.readyState === EventSource.CLOSED ? 'closed' : 'retry' })
    return {
      observations: recorder.observations,
      waitFor: recorder.waitFor,
      messages: recorder.messages,
      get readyState() {
        return source.readyState
      },
      get lastEventId() {
        const messages = recorder.observations.filter((o) => o.type === 'message')
        const last = messages[messages.length - 1]
        return last?.type === 'message' ? last.lastEventId : ''
      },
      close: () => source.close(),
    }
  },
}

/** Both clients, for `describe.each(clients)`. */
export const clients: ClientUnderTest[] = [connectClient, eventSourceClient]
