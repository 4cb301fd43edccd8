/**
 * The defaults of {@link RetryOptions}, in milliseconds: `initialDelay` 3 s (the reconnection
 * time before the server sends a `retry:` field, as browsers use), `maxDelay` 30 s (the cap of
 * the backoff), and the backoff `factor` 2.
 */
export const RETRY_DEFAULTS: {
  readonly initialDelay: number
  readonly maxDelay: number
  readonly factor: number
} = { initialDelay: 3000, maxDelay: 30_000, factor: 2 }

/**
 * How a client reconnects. The spec's rule comes first: after the connection is lost, wait the
 * reconnection time (`initialDelay` until the server sends `retry:`, then the server's value).
 * On top of it, attempts that fail one after another (no response, or no stream) back off
 * exponentially with full jitter, so a fleet of clients does not come back in lock-step after an
 * outage; a successful open resets the backoff.
 */
export interface RetryOptions {
  /**
   * The reconnection time until the server sends a `retry:` field, in milliseconds.
   * @defaultValue 3000
   */
  initialDelay?: number | undefined
  /**
   * The cap of the backoff, in milliseconds. A server's `retry:` above it still wins: the server
   * asked for that much quiet.
   * @defaultValue 30000
   */
  maxDelay?: number | undefined
  /**
   * The growth of the backoff: after `n` consecutive failed attempts the delay is drawn between
   * the reconnection time and `reconnectionTime * factor ** n`.
   * @defaultValue 2
   */
  factor?: number | undefined
  /**
   * The most reconnection attempts in a row without a successful open. When they are used up the
   * connection closes with an `SSEError` of code `RETRY_LIMIT`. Unlimited when absent.
   */
  maxAttempts?: number | undefined
  /**
   * The random source of the jitter, returning a number in [0, 1). Pass `() => 1` for the upper
   * bound every time, or a seeded generator in tests.
   * @defaultValue `Math.random`
   */
  random?: (() => number) | undefined
}

/**
 * The delay before the next reconnection attempt.
 *
 * - With no failed attempt since the last open, it is exactly the reconnection time (the spec).
 * - After `failures` attempts in a row that did not open, it is drawn uniformly between the
 *   reconnection time and `min(maxDelay, reconnectionTime * factor ** failures)`: "full jitter",
 *   except that the floor is the reconnection time instead of 0, so a client is never faster than
 *   the spec allows (no reconnect storms). A reconnection time of 0 grows from `initialDelay`.
 *
 * @param reconnectionTime - the current reconnection time, in milliseconds
 * @param failures - the number of consecutive attempts that did not open a stream
 * @param options - the retry policy
 * @returns the delay in whole milliseconds
 *
 * @example
 * ```ts
 * computeRetryDelay(1000, 0, {}) // 1000
 * computeRetryDelay(1000, 3, { random: () => 1 }) // 8000
 * ```
 */
export function computeRetryDelay(
  reconnectionTime: number,
  failures: number,
  options: RetryOptions,
): number {
  const floor = Math.max(0, reconnectionTime)
  if (failures <= 0) return floor
  const factor = options.factor ?? RETRY_DEFAULTS.factor
  const maxDelay = options.maxDelay ?? RETRY_DEFAULTS.maxDelay
  // A reconnection time of 0 (`retry: 0`) cannot grow by multiplying: the backoff then grows from
  // the initial delay instead, or a down server would be retried with no pause at all.
  const base = floor > 0 ? floor : Math.max(1, options.initialDelay ?? RETRY_DEFAULTS.initialDelay)
  const cap = Math.max(floor, Math.min(maxDelay, base * factor ** failures))
  const random = options.random ?? Math.random
  return Math.round(floor + random() * (cap - floor))
}

// RFC 9110 §9.2.2: the methods whose repetition has the same effect as a single request.
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE'])

/**
 * Whether a request may be sent again without the caller's consent: its method is idempotent
 * (RFC 9110 §9.2.2: GET, HEAD, OPTIONS, TRACE, PUT, DELETE). A POST or PATCH may create or change
 * something each time, so a client re-sends it only when told to.
 *
 * @param method - the request method, in any letter case
 * @returns true for an idempotent method
 */
export function isIdempotentMethod(method: string): boolean {
  return IDEMPOTENT_METHODS.has(method.toUpperCase())
}
