#!/usr/bin/env node
/**
 * Copies the support table of the last full matrix run (SUPPORT.md) into the root README.md,
 * between `<!-- support-table:start -->` and `<!-- support-table:end -->`, and nothing else.
 */
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { END, START, updateReadme } from './lib/support-table.mjs'

const PACKAGE_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '..')
const support = await readFile(join(PACKAGE_DIR, 'SUPPORT.md'), 'utf8')
const table = support.slice(support.indexOf(START) + START.length, support.indexOf(END)).trim()
if (await updateReadme(join(PACKAGE_DIR, '../../README.md'), table))
  console.log('README.md: support table updated')
else {
  console.error(`README.md has no ${START} … ${END} block to fill`)
  process.exit(1)
}
