import { readdirSync, readFileSync } from 'node:fs'
import { findExampleCopies } from '@ssekit/test-support/readme-examples'
import { expect, test } from 'vitest'

const ROOT = new URL('../', import.meta.url)
const README = new URL('../../packages/encoder/README.md', ROOT)
// The README's markers are relative to packages/encoder.
const PREFIX = '../../tests/frameworks/'
const copies = findExampleCopies(readFileSync(README, 'utf8')).filter((copy) =>
  copy.path.startsWith(PREFIX),
)

/** The recipe files: every example, and the Next.js route handler and shutdown module. */
const recipes = [
  ...readdirSync(new URL('examples/', ROOT))
    .filter((name) => name.endsWith('.ts'))
    .map((name) => `examples/${name}`),
  'next-app/app/events/route.ts',
  'next-app/shutdown.ts',
].sort()

test("@ssekit/encoder's README shows every recipe file", () => {
  expect([...new Set(copies.map((copy) => copy.path.slice(PREFIX.length)))].sort()).toEqual(recipes)
})

test.each(recipes)("the README's copy of %s is identical to the file the tests run", (path) => {
  const file = readFileSync(new URL(path, ROOT), 'utf8')
  for (const copy of copies.filter((entry) => entry.path === `${PREFIX}${path}`)) {
    expect(copy.code).toBe(file)
  }
})
