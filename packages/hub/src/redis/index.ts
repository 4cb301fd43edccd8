/**
 * The Redis Streams transport of `@ssekit/hub`, for hubs in many server instances behind one
 * Redis. The only module of the hub that loads `redis` (node-redis, an optional peer dependency).
 *
 * @module
 */
export type {
  RedisTransport,
  RedisTransportOptions,
  RedisTransportStats,
} from './redis-transport.ts'
export { createRedisTransport, REDIS_DEFAULTS } from './redis-transport.ts'
