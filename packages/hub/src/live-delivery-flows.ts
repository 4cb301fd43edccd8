import type { EventContract } from '@ssekit/shared'
import type { Hub } from './hub.ts'

/** The hubs whose live delivery is known to flow: their requests need no wait and no signal. */
const flowing = new WeakSet<object>()

/**
 * Waits until the hub's live delivery flows (its transport started), so that a handler sends a
 * stream's headers only when every event published from then on reaches it. A Redis transport
 * starts live delivery at the end of the stream as its reader first reads it: a client answered
 * before that (a server just started, under load) missed the events published in between,
 * although its connection was open.
 *
 * @param hub - the hub the handler streams
 * @param gone - makes the signal that aborts when the client goes away, ending the wait; called
 * only while the hub is starting
 * @returns whether to serve the stream: false when the hub closed before it started, or the
 * client left meanwhile
 */
export async function liveDeliveryFlows<Contract extends EventContract | undefined>(
  hub: Hub<Contract>,
  gone: () => AbortSignal,
): Promise<boolean> {
  if (flowing.has(hub)) return true
  const signal = gone()
  if (signal.aborted) return false
  let onAbort: (() => void) | undefined
  try {
    const started = await Promise.race([
      hub.ready.then(() => true),
      new Promise<boolean>((resolve) => {
        onAbort = () => resolve(false)
        signal.addEventListener('abort', onAbort, { once: true })
      }),
    ])
    if (started) flowing.add(hub)
    return started && !signal.aborted
  } catch {
    return false
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort)
  }
}
