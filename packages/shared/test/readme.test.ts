import { readFileSync } from 'node:fs'
import {
  countFencedBlocks,
  findExampleCopies,
  listExampleFiles,
} from '@ssekit/test-support/readme-examples'
import { describe, expect, onTestFinished, test, vi } from 'vitest'

const root = new URL('../', import.meta.url)
const readme = readFileSync(new URL('README.md', root), 'utf8')
const exampleFiles = listExampleFiles(root)
const copies = findExampleCopies(readme)

describe('the README', () => {
  test('shows every example file', () => {
    expect([...new Set(copies.map((copy) => copy.path))].sort()).toEqual(
      exampleFiles.map((name) => `examples/${name}`).sort(),
    )
  })

  test.each(exampleFiles)('its copy of examples/%s is identical to the file', (name) => {
    const file = readFileSync(new URL(`examples/${name}`, root), 'utf8')
    for (const copy of copies.filter(({ path }) => path === `examples/${name}`)) {
      expect(copy.code).toBe(file)
    }
  })

  test('every ts code block is an example file, so none can drift', () => {
    expect(countFencedBlocks(readme, 'ts')).toBe(copies.filter(({ lang }) => lang === 'ts').length)
  })

  test('the errors table lists every SSEErrorCode exactly once', () => {
    const source = readFileSync(new URL('src/errors.ts', root), 'utf8')
    // SSEErrorCode is the union of the packages' unions, each written as a list of literals.
    const unions = source.slice(
      source.indexOf('export type ContractErrorCode'),
      source.indexOf('export type SSEErrorCode'),
    )
    const codes = [...new Set([...unions.matchAll(/'([A-Z_]+)'/g)].map(([, code]) => code))]
    expect(codes.length).toBeGreaterThan(10)
    const rows = [...readme.matchAll(/^\| `([A-Z_]+)` +\|/gm)].map(([, code]) => code)
    // A new code needs a row in packages/shared/README.md's errors table.
    expect(rows.sort()).toEqual(codes.sort())
  })
})

test('examples/shared.ts prints what its comments say', async () => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {})
  onTestFinished(() => log.mockRestore())
  await import('../examples/shared.ts')
  expect(log.mock.calls).toEqual([
    [true, false],
    ['INVALID_ID', 'id'],
    [
      {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
        connection: 'keep-alive',
      },
    ],
    [true],
  ])
})

test('examples/contract.ts prints what its comments say', async () => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {})
  onTestFinished(() => log.mockRestore())
  await import('../examples/contract.ts')
  expect(log.mock.calls).toEqual([['ACME at 12.5'], [2, ['data']]])
})
