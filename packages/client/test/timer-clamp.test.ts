/**
 * A `retry:` or an option beyond what timers take (2^31 − 1 ms) must not wrap around into an
 * immediate timer (defect 2 of issue #12): the clients clamp every delay they schedule.
 */
import { MAX_TIMER_DELAY } from '@ssekit/shared/internal'
import { describe, expect, onTestFinished, test, vi } from 'vitest'
import { clients } from './client-matrix.ts'
import { createFaultServer, hold, stream } from './fault-server.ts'

/** Records the delay of every `setTimeout` from now on, running them as asked. */
function recordDelays(): number[] {
  const delays: number[] = []
  const real = globalThis.setTimeout
  vi.spyOn(globalThis, 'setTimeout').mockImplementation(((callback: () => void, delay?: number) => {
    delays.push(delay ?? 0)
    return real(callback, delay)
  }) as typeof setTimeout)
  onTestFinished(() => {
    vi.restoreAllMocks()
  })
  return delays
}

const VALUES = [
  MAX_TIMER_DELAY - 1,
  MAX_TIMER_DELAY,
  MAX_TIMER_DELAY + 1,
  99_999_999_999,
  Number.MAX_SAFE_INTEGER,
]

describe.each(clients)('$name', (client) => {
  test.each(VALUES)(
    'retry: %d waits min(retry, 2^31 − 1) ms before reconnecting',
    async (retry) => {
      const server = await createFaultServer()
      server.route('/s', stream(`retry: ${retry}\ndata: x\n\n`), hold())
      const delays = recordDelays()
      const handle = client.open(server.url('/s'))
      await handle.waitFor((o) => o.type === 'retry')
      const expected = Math.min(retry, MAX_TIMER_DELAY)
      expect(delays).toContain(expected)
      expect(delays.every((delay) => delay <= MAX_TIMER_DELAY)).toBe(true)
      // Still waiting: no second request was sent.
      expect(server.requests).toHaveLength(1)
      handle.close()
    },
  )

  test('an idle timeout beyond 2^31 − 1 ms is clamped, not fired at once', async () => {
    const server = await createFaultServer()
    server.route('/s', hold('data: x\n\n'))
    const delays = recordDelays()
    const handle = client.open(server.url('/s'), { idleTimeout: Number.MAX_SAFE_INTEGER })
    await handle.messages(1)
    expect(delays).toContain(MAX_TIMER_DELAY)
    expect(delays.every((delay) => delay <= MAX_TIMER_DELAY)).toBe(true)
    handle.close()
  })
})
