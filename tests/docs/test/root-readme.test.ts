import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { findExampleCopies } from '@ssekit/test-support/readme-examples'
import { describe, expect, test } from 'vitest'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const readme = readFileSync(`${root}README.md`, 'utf8')

describe('the root README', () => {
  test('shows the two Quick start commands that CI runs verbatim', () => {
    const ci = readFileSync(`${root}.ci/run`, 'utf8')
    const testCommand = /readme_test_command='([^']+)'/.exec(ci)?.[1]
    expect(testCommand).toBe('npx -y pnpm@10 install && npx -y pnpm@10 test')
    expect(readme).toContain(`\n${testCommand}\n`)
    expect(readme).toContain('\nnpx -y pnpm@10 install && npx -y pnpm@10 dev\n')
  })

  test('has a usage example for every public package', () => {
    const paths = findExampleCopies(readme).map((block) => block.path)
    for (const name of ['shared', 'encoder', 'decoder', 'client', 'hub', 'doctor']) {
      expect(paths.some((path) => path.startsWith(`packages/${name}/examples/`))).toBe(true)
    }
  })

  const blocks = findExampleCopies(readme)
  test.each(blocks)(
    'shows $path exactly as the file that its package test runs',
    ({ path, code }) => {
      expect(existsSync(`${root}${path}`)).toBe(true)
      expect(code).toBe(readFileSync(`${root}${path}`, 'utf8'))
    },
  )
})
