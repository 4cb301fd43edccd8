/**
 * The longest delay `setTimeout` and `setInterval` take, 2^31 − 1 ms (about 24.8 days). They
 * store the delay as a signed 32-bit integer, so a larger one fires almost at once (Node warns
 * with `TimeoutOverflowWarning` and uses 1 ms; browsers stay silent): a `retry: 99999999999`
 * from a server would otherwise make a client reconnect at once, every time.
 */
export const MAX_TIMER_DELAY: number = 2 ** 31 - 1

/**
 * Clamps a delay to what timers take: not a number or negative becomes 0, larger than
 * {@link MAX_TIMER_DELAY} becomes `MAX_TIMER_DELAY`. Every timer ssekit sets goes through it.
 *
 * @param delay - the delay in milliseconds
 * @returns the delay to pass to `setTimeout` or `setInterval`
 *
 * @example
 * ```ts
 * setTimeout(reconnect, clampTimerDelay(99_999_999_999)) // waits 24.8 days, not 1 ms
 * ```
 */
export function clampTimerDelay(delay: number): number {
  if (!(delay > 0)) return 0
  return Math.min(delay, MAX_TIMER_DELAY)
}
