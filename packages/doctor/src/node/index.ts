/**
 * The deployment doctor on Node: the self-test handler for `node:http` and Express, and the
 * command line behind `npx @ssekit/doctor <url>`.
 *
 * @module
 */
export type { CliIO } from './cli-main.ts'
export { runCli } from './cli-main.ts'
export { createDoctorNodeHandler } from './doctor-node-handler.ts'
