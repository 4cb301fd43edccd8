import { isSSEError } from '@ssekit/shared'
import { describe, expect, test, vi } from 'vitest'
import { createEventStreamResponse } from '../src/response.ts'
import { createEventStreamGroup, type EventStreamMember } from '../src/stream-group.ts'

/** A source that yields nothing until the test ends it: an idle stream. */
async function* idle(signal: AbortSignal): AsyncGenerator<{ data: string }> {
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()))
}

function responseIn(group: ReturnType<typeof createEventStreamGroup>) {
  const controller = new AbortController()
  const response = createEventStreamResponse(idle(controller.signal), {
    heartbeat: false,
    primer: false,
    signal: controller.signal,
    group,
  })
  return response
}

describe('createEventStreamGroup', () => {
  test('close() sends every stream the retry hint, then the last event, ends it, and resolves with the count', async () => {
    const group = createEventStreamGroup()
    const responses = [responseIn(group), responseIn(group)]
    expect(group.size).toBe(2)
    const closing = group.close({ retry: 2500, event: { event: 'shutdown', data: 'bye' } })
    const texts = await Promise.all(responses.map((response) => response.text()))
    for (const text of texts) expect(text).toBe('retry: 2500\n\nevent: shutdown\ndata: bye\n\n')
    await expect(closing).resolves.toEqual({ closed: 2, destroyed: 0 })
    expect(group.size).toBe(0)
    expect(group.closing).toBe(true)
    expect(group.signal.aborted).toBe(true)
  })

  test('a stream that ends by itself leaves the group', async () => {
    const group = createEventStreamGroup()
    const response = createEventStreamResponse((async function* () {})(), {
      heartbeat: false,
      group,
    })
    expect(group.size).toBe(1)
    await response.text()
    await Promise.resolve()
    expect(group.size).toBe(0)
  })

  test('a stream opened while the group is closing gets the goodbye and ends at once', async () => {
    const group = createEventStreamGroup()
    const closing = group.close({ retry: 100 })
    const late = responseIn(group)
    expect(await late.text()).toBe('retry: 100\n\n')
    expect(group.size).toBe(0)
    await closing
  })

  test('a stream still open at the deadline is destroyed, and close() resolves', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const group = createEventStreamGroup()
      let resolveClosed!: () => void
      const member: EventStreamMember = {
        end: vi.fn(),
        destroy: vi.fn(() => resolveClosed()),
        closed: new Promise<void>((resolve) => {
          resolveClosed = resolve
        }),
      }
      group.add(member)
      const closing = group.close({ timeout: 5000 })
      expect(member.end).toHaveBeenCalledWith(undefined)
      expect(member.destroy).not.toHaveBeenCalled()
      await vi.advanceTimersByTimeAsync(5000)
      await expect(closing).resolves.toEqual({ closed: 0, destroyed: 1 })
      expect(member.destroy).toHaveBeenCalledOnce()
      expect(vi.getTimerCount()).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })

  test('an invalid retry hint or timeout rejects and closes nothing; close() may then be called again', async () => {
    const group = createEventStreamGroup()
    const response = responseIn(group)
    const refused = await group.close({ retry: -1 }).catch((error: unknown) => error)
    expect(isSSEError(refused, 'INVALID_RETRY')).toBe(true)
    await expect(group.close({ timeout: 0 })).rejects.toThrow(RangeError)
    expect(group.size).toBe(1)
    expect(group.signal.aborted).toBe(false)
    await expect(group.close({ retry: 1 })).resolves.toEqual({ closed: 1, destroyed: 0 })
    expect(await response.text()).toBe('retry: 1\n\n')
  })

  test('calling close() again returns the same promise', () => {
    const group = createEventStreamGroup()
    expect(group.close()).toBe(group.close())
  })
})
