/**
 * The `node:http` handler of `@ssekit/hub` (Express and Connect too).
 *
 * @module
 */
export type { NodeHandlerOptions } from './node-handler.ts'
export { createNodeHandler } from './node-handler.ts'
