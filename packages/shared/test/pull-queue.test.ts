import { fc, test as propertyTest } from '@fast-check/vitest'
import { describe, expect, test } from 'vitest'
import { PullQueue } from '../src/pull-queue.ts'

describe('PullQueue', () => {
  // The queue compacts its array once 1,024 items were read and they are half of it: runs of
  // pushes and shifts of up to 3,000 items straddle that point many times. The reference is a
  // plain array, whose shift() is slow but obviously right.
  propertyTest.prop(
    [
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 3000 })), {
        minLength: 1,
        maxLength: 12,
      }),
    ],
    { numRuns: 100 },
  )('shifts what was pushed, in order, across its compaction threshold', (runs) => {
    const queue = new PullQueue<number>()
    const reference: number[] = []
    let next = 0
    for (const [pushing, count] of runs) {
      for (let i = 0; i < count; i++) {
        if (pushing) {
          queue.push(next)
          reference.push(next)
          next++
        } else {
          expect(queue.shift()).toBe(reference.shift())
        }
      }
      expect(queue.length).toBe(reference.length)
    }
    const rest: number[] = []
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) rest.push(item)
    expect(rest).toEqual(reference)
    expect(queue.length).toBe(0)
  })

  test('clear() drops every item', () => {
    const queue = new PullQueue<string>()
    queue.push('a')
    queue.push('b')
    queue.clear()
    expect(queue.length).toBe(0)
    expect(queue.shift()).toBeUndefined()
  })

  test('deliver() settles the waiting pull and reports whether one waited', async () => {
    const queue = new PullQueue<string, number>()
    expect(queue.deliver(1)).toBe(false)
    const pull = queue.wait()
    expect(queue.waiting).toBe(true)
    expect(queue.deliver(2)).toBe(true)
    expect(queue.waiting).toBe(false)
    await expect(pull).resolves.toEqual({ done: false, value: 2 })
  })

  test('end() settles the waiting pull with done, fail() rejects it', async () => {
    const queue = new PullQueue<string>()
    const ended = queue.wait()
    queue.end()
    await expect(ended).resolves.toEqual({ done: true, value: undefined })
    const failed = queue.wait()
    const error = new Error('gone')
    expect(queue.fail(error)).toBe(true)
    await expect(failed).rejects.toBe(error)
    expect(queue.fail(error)).toBe(false)
  })

  test('a failed pull rejects its awaiting consumer only: no unhandled rejection is reported', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason)
    }
    process.on('unhandledRejection', onUnhandled)
    try {
      const queue = new PullQueue<string>()
      const failed = queue.wait().catch((error: unknown) => error)
      const error = new Error('gone')
      queue.fail(error)
      expect(await failed).toBe(error)
      for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve))
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
    expect(unhandled).toEqual([])
  })

  test('a second pull while one waits is refused, and the first still settles', async () => {
    const queue = new PullQueue<string>()
    const first = queue.wait()
    await expect(queue.wait()).rejects.toThrow(/next\(\) was called again before it settled/)
    queue.deliver('x')
    await expect(first).resolves.toEqual({ done: false, value: 'x' })
  })
})
