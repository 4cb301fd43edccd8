#!/usr/bin/env node
/**
 * Packs every public package with pnpm and runs publint (strict) and attw (profile esm-only) on
 * each tarball, plus the packed-manifest checks. The matrix (run-matrix.mjs) runs the same checks;
 * this script is the quick way to run only them. Needs the packages built (`pnpm build`).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkManifests, lintTarballs, packPackages } from './lib/tarballs.mjs'

const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..')
const work = await mkdtemp(join(tmpdir(), 'ssekit-tarballs-'))
let failed = 0
let passed = 0
try {
  const packed = await packPackages(REPO_ROOT, work)
  for (const item of [...checkManifests(packed), ...(await lintTarballs(packed))]) {
    if (item.ok) passed++
    else failed++
    console.log(
      `${item.ok ? '✓' : '✗'} ${item.name}${item.ok ? '' : `\n    ${item.error.split('\n').join('\n    ')}`}`,
    )
  }
} finally {
  await rm(work, { recursive: true, force: true })
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
