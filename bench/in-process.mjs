import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/**
 * Runs one workload of a bench file in a fresh Node process (`node --expose-gc <file> <name>`)
 * and returns the JSON it prints. After one workload, V8's code is specialised to it (string
 * representations, chunk sizes), which would skew the next workload's numbers.
 *
 * @param benchUrl - the bench module's `import.meta.url`
 * @param workload - the workload name its worker mode takes
 * @param extraArgs - more arguments for the worker
 * @param node - the Node binary to run it with (this one by default)
 * @returns the parsed result
 */
export function runInProcess(benchUrl, workload, extraArgs = [], node = process.execPath) {
  const output = execFileSync(
    node,
    ['--expose-gc', fileURLToPath(benchUrl), workload, ...extraArgs],
    { encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  return JSON.parse(output)
}
