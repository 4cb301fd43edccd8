/**
 * The `node:http` handler of `@ssekit/hub` (Express and Connect too).
 *
 * @module
 */

// Graceful shutdown of a node:http server, without a second import.
export type { ShutdownServerOptions, ShutdownServerResult } from '@ssekit/encoder/node'
export { shutdownServer } from '@ssekit/encoder/node'
export type { NodeHandlerOptions } from './node-handler.ts'
export { createNodeHandler } from './node-handler.ts'
