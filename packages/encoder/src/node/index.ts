/**
 * The `node:http` helper of ssekit: stream Server-Sent Events on a Node or Express
 * `ServerResponse` with backpressure, heartbeats and clean disconnects.
 *
 * @module
 */
export type {
  NodeEventStream,
  NodeEventStreamOptions,
  NodeResponse,
  NodeStreamEvent,
} from './open-event-stream.ts'
export { openEventStream } from './open-event-stream.ts'
export type {
  ShutdownableServer,
  ShutdownServerOptions,
  ShutdownServerResult,
} from './shutdown-server.ts'
export { shutdownServer } from './shutdown-server.ts'
