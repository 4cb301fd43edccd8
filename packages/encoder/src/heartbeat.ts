import { MAX_TIMER_DELAY } from '@ssekit/shared/internal'

/**
 * The defaults of the stream helpers' options: `heartbeat`, the interval of heartbeat comments,
 * 15 s. That stays well under the idle timeouts of common proxies and load balancers (nginx 60 s,
 * AWS ALB 60 s, Heroku 55 s) while costing a dozen bytes every quarter minute.
 */
export const EVENT_STREAM_DEFAULTS: { readonly heartbeat: number } = { heartbeat: 15_000 }

/**
 * The comment line a heartbeat writes. Clients ignore comments; it only keeps the connection and
 * every proxy on its way from timing out. It is a whole line and is only written between events,
 * so it never lands inside one.
 */
export const HEARTBEAT_COMMENT = ': heartbeat\n'

/**
 * The heartbeat comment's bytes, made once: every connection sends the same array, so nothing is
 * encoded per tick (and the node helper frames it once for all its sockets).
 */
export const HEARTBEAT_BYTES: Uint8Array = new TextEncoder().encode(HEARTBEAT_COMMENT)

/**
 * Checks a `heartbeat` option and applies its default.
 *
 * @param heartbeat - the interval in milliseconds, `false` for none, or undefined for the default
 * @returns the interval to use, or `false` for none
 * @throws RangeError when the interval is not a positive number of milliseconds that timers accept
 */
export function resolveHeartbeat(heartbeat: number | false | undefined): number | false {
  if (heartbeat === undefined) return EVENT_STREAM_DEFAULTS.heartbeat
  if (heartbeat === false) return false
  if (typeof heartbeat !== 'number' || !(heartbeat > 0 && heartbeat <= MAX_TIMER_DELAY)) {
    throw new RangeError(
      `The heartbeat ${String(heartbeat)} must be a number of milliseconds between 1 and ${MAX_TIMER_DELAY}, or false to send none.`,
    )
  }
  return heartbeat
}

/**
 * The first bytes of a fetch-style event stream that has no `retry:` block to send first: an
 * empty comment line, which clients ignore. Servers that hold a `Response`'s headers until its
 * first body byte (Koa 3, h3 2 on Node) then send them at once.
 */
export const PRIMER_BYTES: Uint8Array = new TextEncoder().encode(':\n')
