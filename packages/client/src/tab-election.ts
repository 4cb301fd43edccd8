/**
 * The part of the Web Locks API (`navigator.locks`) the tab election uses: an exclusive lock per
 * name, granted to one requester at a time, in the order of the requests, and released when the
 * callback's promise settles or the holder's page goes away (closed, crashed, discarded).
 * https://w3c.github.io/web-locks/#api-lock-manager-request
 */
export interface LockManagerLike {
  request(
    name: string,
    options: { signal?: AbortSignal },
    callback: (lock: unknown) => Promise<unknown>,
  ): Promise<unknown>
}

/** A place in the queue for a lock, from {@link requestLeadership}. */
export interface Leadership {
  /** Leaves the queue, or gives the lock up when held, so the next tab in the queue gets it. */
  resign(): void
}

/**
 * Queues for the group's lock: `onLead` runs when it is granted, and the lock is held until
 * {@link Leadership.resign}. The lock manager grants requests first come, first served, so the
 * tabs lead in the order they joined (FIFO succession).
 *
 * @param locks - the lock manager (`navigator.locks`)
 * @param name - the lock's name, one per shared stream
 * @param onLead - called once, when this tab holds the lock
 * @returns the handle to resign with
 */
export function requestLeadership(
  locks: LockManagerLike,
  name: string,
  onLead: () => void,
): Leadership {
  const controller = new AbortController()
  /** Ends the held lock's callback, releasing the lock; set once granted. */
  let release: (() => void) | undefined
  let resigned = false
  locks
    .request(name, { signal: controller.signal }, () => {
      // Granted after resign() ran but before the abort reached the queue: give it back at once.
      if (resigned) return Promise.resolve()
      return new Promise<void>((resolve) => {
        release = resolve
        onLead()
      })
    })
    // An aborted request rejects with the signal's reason: the tab left the queue on purpose.
    .catch(() => {})
  return {
    resign() {
      if (resigned) return
      resigned = true
      controller.abort()
      release?.()
    },
  }
}
