import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { expect, test } from 'vitest'

const src = join(import.meta.dirname, '..', 'src')

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : [join(dir, entry.name)],
  )
}

test('the public API of each entry point is exactly this list', async () => {
  expect(Object.keys(await import('@ssekit/hub')).sort()).toEqual([
    'GAP_EVENT',
    'HUB_DEFAULTS',
    'JSON_CODEC',
    'MAX_TOPIC_LENGTH',
    'MEMORY_DEFAULTS',
    'SSEContractError',
    'SSEError',
    'assertValidTopic',
    'createEventStreamGroup',
    'createFetchHandler',
    'createHub',
    'createMemoryTransport',
    'defineEvents',
    'isSSEError',
    'isValidTopic',
    'toOpenAPI',
  ])
  expect(Object.keys(await import('@ssekit/hub/node')).sort()).toEqual([
    'createNodeHandler',
    'shutdownServer',
  ])
  // Types only: the transport interface for implementers.
  expect(Object.keys(await import('@ssekit/hub/transport'))).toEqual([])
  expect(Object.keys(await import('@ssekit/hub/redis')).sort()).toEqual([
    'REDIS_DEFAULTS',
    'createRedisTransport',
  ])
})

test('only src/redis imports redis, and only src/node and src/redis import node:*', () => {
  for (const file of sources(src)) {
    const path = relative(src, file)
    const text = readFileSync(file, 'utf8')
    const imports = [...text.matchAll(/from '([^']+)'/g)].map((match) => match[1] as string)
    if (!path.startsWith('redis/')) expect(imports, path).not.toContain('redis')
    if (!path.startsWith('redis/') && !path.startsWith('node/')) {
      expect(
        imports.filter((name) => name.startsWith('node:')),
        path,
      ).toEqual([])
      expect(
        imports.filter((name) => name.endsWith('/node')),
        path,
      ).toEqual([])
    }
  }
})
