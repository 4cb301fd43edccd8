import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { clampTimerDelay, MAX_TIMER_DELAY } from '../src/timer-delay.ts'

describe('clampTimerDelay', () => {
  test.each([
    [0, 0],
    [1, 1],
    [MAX_TIMER_DELAY - 1, MAX_TIMER_DELAY - 1],
    [MAX_TIMER_DELAY, MAX_TIMER_DELAY],
    [MAX_TIMER_DELAY + 1, MAX_TIMER_DELAY],
    [99_999_999_999, MAX_TIMER_DELAY],
    [Number.MAX_SAFE_INTEGER, MAX_TIMER_DELAY],
    [Number.POSITIVE_INFINITY, MAX_TIMER_DELAY],
    [-5, 0],
    [Number.NaN, 0],
  ])('%d becomes %d', (delay, expected) => {
    expect(clampTimerDelay(delay)).toBe(expected)
  })

  test('2^31 − 1 ms is the largest delay a timer takes', () => {
    expect(MAX_TIMER_DELAY).toBe(2_147_483_647)
  })

  test.prop([fc.double()])('any number becomes a delay in [0, 2^31 − 1]', (delay) => {
    const clamped = clampTimerDelay(delay)
    expect(clamped >= 0 && clamped <= MAX_TIMER_DELAY).toBe(true)
    if (delay > 0 && delay <= MAX_TIMER_DELAY) expect(clamped).toBe(delay)
  })
})
