// Loads the installed packages with require() (Node >= 20.19 and >= 22.12 require ESM that has no
// top-level await) and runs the same suite, itself required as ESM.
'use strict'
const shared = require('@ssekit/shared')
const encoder = require('@ssekit/encoder')
const encoderNode = require('@ssekit/encoder/node')
const decoder = require('@ssekit/decoder')
const client = require('@ssekit/client')
const hub = require('@ssekit/hub')
const hubNode = require('@ssekit/hub/node')
const { runSuite } = require('./suite.mjs')

const names = [
  '@ssekit/shared',
  '@ssekit/encoder',
  '@ssekit/encoder/node',
  '@ssekit/decoder',
  '@ssekit/client',
  '@ssekit/hub',
  '@ssekit/hub/node',
]
const resolved = Object.fromEntries(
  names.map((name) => [name, require('node:url').pathToFileURL(require.resolve(name)).href]),
)

runSuite(
  { shared, encoder, encoderNode, decoder, client, hub, hubNode, resolved },
  {
    serverUrl: process.env.SSEKIT_SERVER_URL,
    projectDir: process.env.SSEKIT_PROJECT_DIR,
    log: (line) => console.log(line),
  },
).then(
  (result) => {
    console.log(`SSEKIT_RESULT ${JSON.stringify(result)}`)
    process.exit(result.failed === 0 ? 0 : 1)
  },
  (error) => {
    console.error(error)
    process.exit(2)
  },
)
