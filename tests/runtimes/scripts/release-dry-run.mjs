#!/usr/bin/env node
/**
 * The release dry run alone (the matrix runs it too): changeset version in a scratch copy, then
 * pnpm pack, with the checks of lib/release.mjs. Needs the packages built (`pnpm build`).
 */
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { releaseDryRun } from './lib/release.mjs'

const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..')
const { checks, version } = await releaseDryRun(REPO_ROOT)
for (const item of checks) {
  console.log(`${item.ok ? '✓' : '✗'} ${item.name}${item.ok ? '' : `\n    ${item.error}`}`)
}
const failed = checks.filter((item) => !item.ok).length
console.log(`fixed group version after the dry run: ${version}`)
console.log(`${checks.length - failed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
