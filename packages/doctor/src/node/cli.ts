#!/usr/bin/env node
/**
 * The `ssekit-doctor` command (`npx @ssekit/doctor <url>`): see `runCli`.
 *
 * @module
 */
import { runCli } from './cli-main.ts'

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
})
