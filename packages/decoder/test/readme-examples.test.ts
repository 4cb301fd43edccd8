/** Runs the decoder examples and checks that the README shows them verbatim. */
import { readFileSync } from 'node:fs'
import { fenceFile } from '@ssekit/test-support/readme-examples'
import { afterEach, expect, test, vi } from 'vitest'

afterEach(() => {
  vi.restoreAllMocks()
})

function logs(spy: { mock: { calls: unknown[][] } }): unknown[][] {
  return spy.mock.calls
}

test('examples/read-events.ts logs events until "done"', async () => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {})
  await import('../examples/read-events.ts')
  expect(logs(log)).toStrictEqual([['greet: hello'], ['message: {"n":1}']])
})

test('examples/decoder-stream.ts pipes a body through EventDecoderStream', async () => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {})
  await import('../examples/decoder-stream.ts')
  expect(logs(log)).toStrictEqual([['#1: first'], ['#2: second']])
})

test('examples/create-decoder.ts decodes whole and cut streams', async () => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {})
  const error = vi.spyOn(console, 'error').mockImplementation(() => {})
  await import('../examples/create-decoder.ts')
  expect(logs(log)).toStrictEqual([
    [[{ data: 'a\nb' }]],
    ['retry after 3000 ms'],
    ['café ☕'],
    [true],
  ])
  expect(error).not.toHaveBeenCalled()
})

test('examples/validate-events.ts skips the invalid token in a loop, and fails the stream on it', async () => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {})
  await import('../examples/validate-events.ts')
  expect(logs(log)).toStrictEqual([
    ['Hel'],
    ['lo'],
    ['skipped a token: 1 issue'],
    ['done after 2 tokens'],
    ['token'],
    ['token'],
    ['stream failed: SSEContractError'],
  ])
})

test('the README shows the decoder examples verbatim', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  for (const example of [
    'read-events.ts',
    'decoder-stream.ts',
    'create-decoder.ts',
    'validate-events.ts',
  ]) {
    const source = readFileSync(new URL(`../examples/${example}`, import.meta.url), 'utf8')
    expect(readme).toContain(fenceFile(source))
  }
})
