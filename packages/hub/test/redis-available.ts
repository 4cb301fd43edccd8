import { findRedisServer } from '@ssekit/test-support/redis-server'

/**
 * Whether the Redis suites can run. Under CI=true a missing redis-server is an error (the suites
 * must never be skipped there); locally they are skipped with a message.
 */
export const REDIS_AVAILABLE: boolean = (() => {
  if (findRedisServer() !== undefined) return true
  if (process.env.CI === 'true') {
    throw new Error(
      'redis-server is not installed, and CI=true: install it (apt-get install redis-server).',
    )
  }
  console.warn(
    'redis-server not found: the Redis suites are skipped (apt-get install redis-server).',
  )
  return false
})()
