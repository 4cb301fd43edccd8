// Loads the installed packages with `import` and runs the suite (Node, Deno and Bun).

import * as client from '@ssekit/client'
import * as decoder from '@ssekit/decoder'
import * as encoder from '@ssekit/encoder'
import * as encoderNode from '@ssekit/encoder/node'
import * as hub from '@ssekit/hub'
import * as hubNode from '@ssekit/hub/node'
import * as shared from '@ssekit/shared'
import { runSuite } from './suite.mjs'

const env = (name) =>
  globalThis.Deno ? globalThis.Deno.env.get(name) : globalThis.process.env[name]
const names = [
  '@ssekit/shared',
  '@ssekit/encoder',
  '@ssekit/encoder/node',
  '@ssekit/decoder',
  '@ssekit/client',
  '@ssekit/hub',
  '@ssekit/hub/node',
]
const resolved = Object.fromEntries(names.map((name) => [name, import.meta.resolve(name)]))

runSuite(
  { shared, encoder, encoderNode, decoder, client, hub, hubNode, resolved },
  {
    serverUrl: env('SSEKIT_SERVER_URL'),
    projectDir: env('SSEKIT_PROJECT_DIR'),
    log: (line) => console.log(line),
  },
).then(
  (result) => {
    console.log(`SSEKIT_RESULT ${JSON.stringify(result)}`)
    exit(result.failed === 0 ? 0 : 1)
  },
  (error) => {
    console.error(error)
    exit(2)
  },
)

function exit(code) {
  // Servers a failed test left open must not keep the process alive.
  if (globalThis.Deno) globalThis.Deno.exit(code)
  else globalThis.process.exit(code)
}
