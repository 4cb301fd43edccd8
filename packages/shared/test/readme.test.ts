import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, onTestFinished, test, vi } from 'vitest'

const root = new URL('../', import.meta.url)
const readme = readFileSync(new URL('README.md', root), 'utf8')
const exampleFiles = readdirSync(new URL('examples/', root)).filter((name) => name.endsWith('.ts'))

/** The README's copies of example files: `<!-- example: examples/x.ts -->` then a fenced block. */
function readmeCopies(): Map<string, string[]> {
  const copies = new Map<string, string[]>()
  const pattern = /<!-- example: (examples\/[\w.-]+) -->\n```ts\n([\s\S]*?)```/g
  for (const [, path, code] of readme.matchAll(pattern)) {
    copies.set(path as string, [...(copies.get(path as string) ?? []), code as string])
  }
  return copies
}

describe('the README', () => {
  test('shows every example file', () => {
    expect([...readmeCopies().keys()].sort()).toEqual(
      exampleFiles.map((name) => `examples/${name}`).sort(),
    )
  })

  test.each(exampleFiles)('its copy of examples/%s is identical to the file', (name) => {
    const file = readFileSync(new URL(`examples/${name}`, root), 'utf8')
    for (const copy of readmeCopies().get(`examples/${name}`) ?? []) expect(copy).toBe(file)
  })

  test('every ts code block is an example file, so none can drift', () => {
    expect((readme.match(/```ts\n/g) ?? []).length).toBe([...readmeCopies().values()].flat().length)
  })

  test('the errors table lists every SSEErrorCode exactly once', () => {
    const source = readFileSync(new URL('src/errors.ts', root), 'utf8')
    const union = source.slice(source.indexOf('export type SSEErrorCode'))
    const codes = [...union.slice(0, union.indexOf('\n\n')).matchAll(/\| '([A-Z_]+)'/g)].map(
      ([, code]) => code,
    )
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
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
        connection: 'keep-alive',
      },
    ],
    [true],
  ])
})
