/**
 * Reports an exception thrown by a user callback without breaking the connection, as
 * `EventTarget` does for listeners: through `reportError` in browsers, as an uncaught exception
 * on the next task elsewhere.
 */
export function reportCallbackError(error: unknown): void {
  const report = (globalThis as { reportError?: (error: unknown) => void }).reportError
  if (typeof report === 'function') report(error)
  else
    setTimeout(() => {
      throw error
    }, 0)
}

/** Runs a user callback; what it throws is reported, not thrown into the connection's code. */
export function guard(callback: () => void): void {
  try {
    callback()
  } catch (error) {
    reportCallbackError(error)
  }
}
