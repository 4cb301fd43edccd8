/**
 * Helpers the ssekit packages share with each other, not API: they may change in any release.
 * Import from `@ssekit/shared` instead; nothing here is documented for applications.
 *
 * @internal
 * @module
 */
export type { CheckedEvent, IncomingResult, MaybePromise, OutgoingEvent } from './contract-check.ts'
export { prepareOutgoing, readIncoming, typeOf } from './contract-check.ts'
export { quoteValue } from './errors.ts'
export { CR, LF, NUL } from './fields.ts'
export { PullQueue } from './pull-queue.ts'
export { clampTimerDelay, MAX_TIMER_DELAY } from './timer-delay.ts'
