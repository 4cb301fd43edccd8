import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { computeRetryDelay, isIdempotentMethod, RETRY_DEFAULTS } from '../src/reconnect.ts'

describe('computeRetryDelay', () => {
  test('with no failed attempt the delay is exactly the reconnection time', () => {
    expect(computeRetryDelay(3000, 0, { random: () => 0.99 })).toBe(3000)
    expect(computeRetryDelay(0, 0, {})).toBe(0)
  })

  test('the upper bound doubles with each failure until maxDelay', () => {
    const top = (failures: number) =>
      computeRetryDelay(100, failures, { random: () => 1, maxDelay: 1000 })
    expect([1, 2, 3, 4, 5].map(top)).toStrictEqual([200, 400, 800, 1000, 1000])
  })

  test('the lower bound is the reconnection time, never less', () => {
    expect(computeRetryDelay(100, 5, { random: () => 0 })).toBe(100)
  })

  test('after a retry of 0, failed attempts still back off, growing from the initial delay', () => {
    const top = (failures: number, initialDelay?: number) =>
      computeRetryDelay(0, failures, { random: () => 1, initialDelay })
    expect([1, 2, 3, 4].map((failures) => top(failures))).toStrictEqual([
      6000, 12_000, 24_000, 30_000,
    ])
    expect([1, 2, 3].map((failures) => top(failures, 0))).toStrictEqual([2, 4, 8])
    expect(computeRetryDelay(0, 3, { random: () => 0 })).toBe(0)
  })

  test('a server retry above maxDelay still wins', () => {
    expect(computeRetryDelay(60_000, 3, { random: () => 1, maxDelay: 1000 })).toBe(60_000)
  })

  test('maxDelay defaults to 30 s', () => {
    expect(computeRetryDelay(3000, 10, { random: () => 1 })).toBe(RETRY_DEFAULTS.maxDelay)
  })

  test.prop([
    fc.nat({ max: 120_000 }),
    fc.nat({ max: 64 }),
    fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    fc.integer({ min: 1, max: 300_000 }),
  ])(
    'every delay lies between the reconnection time and the capped backoff',
    (reconnectionTime, failures, random, maxDelay) => {
      const delay = computeRetryDelay(reconnectionTime, failures, {
        random: () => random,
        maxDelay,
      })
      expect(Number.isInteger(delay)).toBe(true)
      expect(delay).toBeGreaterThanOrEqual(reconnectionTime)
      expect(delay).toBeLessThanOrEqual(Math.max(reconnectionTime, maxDelay))
    },
  )
})

describe('isIdempotentMethod', () => {
  test('GET, HEAD, OPTIONS, TRACE, PUT and DELETE are idempotent, in any letter case', () => {
    for (const method of ['GET', 'get', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'delete']) {
      expect(isIdempotentMethod(method)).toBe(true)
    }
  })

  test('POST, PATCH and unknown methods are not', () => {
    for (const method of ['POST', 'post', 'PATCH', 'QUERY', 'SUBSCRIBE']) {
      expect(isIdempotentMethod(method)).toBe(false)
    }
  })
})
