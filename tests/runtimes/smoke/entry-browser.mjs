// Bundled by esbuild from the installed packages and run in Chromium: the browser part of the suite.

import * as client from '@ssekit/client'
import * as decoder from '@ssekit/decoder'
import * as encoder from '@ssekit/encoder'
import * as hub from '@ssekit/hub'
import * as shared from '@ssekit/shared'
import { runSuite } from './suite.mjs'

runSuite(
  { shared, encoder, decoder, client, hub },
  { serverUrl: location.origin, log: (line) => console.log(line) },
).then(
  (result) => {
    globalThis.__ssekitResult = result
  },
  (error) => {
    globalThis.__ssekitResult = { error: String(error?.stack ?? error) }
  },
)
