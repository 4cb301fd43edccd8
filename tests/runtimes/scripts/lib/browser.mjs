/**
 * The Chromium leg: esbuild bundles `entry-browser.mjs` (the suite plus the packages, resolved from
 * the throwaway project's node_modules, so from the tarballs), the runner's server serves it on
 * 127.0.0.1 beside the SSE endpoints, and Debian's Chromium runs it headless via playwright-core.
 *
 * @module
 */
import { join, relative } from 'node:path'
import { build } from 'esbuild'
import { chromium } from 'playwright-core'

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/**
 * Bundles the browser entry of the project.
 *
 * @returns `{ code, inputs }`: the bundle and the package files it was built from
 */
export async function bundleBrowserEntry(projectDir) {
  const result = await build({
    absWorkingDir: projectDir,
    entryPoints: [join(projectDir, 'entry-browser.mjs')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // The suite imports node:http lazily, only on the server-side runtimes.
    external: ['node:*'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const inputs = Object.keys(result.metafile.inputs).filter((input) => input.includes('@ssekit/'))
  return {
    code: result.outputFiles[0].text,
    inputs: inputs.map((input) => relative(projectDir, join(projectDir, input))),
  }
}

/**
 * Opens the page in Chromium and waits for the suite's result.
 *
 * @returns `{ result, logs }` where result is the suite's `{ passed, failed, results }`
 */
export async function runInChromium(executablePath, pageUrl, timeout = 60_000) {
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  })
  const logs = []
  try {
    const page = await browser.newPage()
    page.on('console', (message) => logs.push(message.text()))
    page.on('pageerror', (error) => logs.push(`page error: ${error.message}`))
    await page.goto(pageUrl, { timeout: 30_000 })
    const handle = await page.waitForFunction(() => globalThis.__ssekitResult, undefined, {
      timeout,
      polling: 100,
    })
    const result = await handle.jsonValue()
    if (result.error) throw new Error(`the suite crashed in the page: ${result.error}`)
    return { result, logs, version: browser.version() }
  } finally {
    await browser.close()
  }
}

/** The page: it only loads the bundle. */
export const PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ssekit runtime smoke</title></head>
<body><script type="module" src="/bundle.js"></script></body></html>
`
