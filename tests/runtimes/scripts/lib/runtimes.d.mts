// The types of runtimes.mjs for TypeScript callers (tests/frameworks installs its Bun and Deno
// with ensureRuntime, so both workspaces run the same exact versions).

/** One runtime of the matrix. */
export interface Runtime {
  id: string
  name: string
  major?: number
  npm?: string
  version?: string
  host?: boolean
  executable?: string
  modes: string[]
}

/** The matrix. */
export const RUNTIMES: Runtime[]

/** Finds or installs a runtime's binary (npm, exact version, cached) and checks its version. */
export function ensureRuntime(
  runtime: Runtime,
  cacheDir: string,
): Promise<{ binary: string; version: string; host?: boolean }>

/** Runs a command, collecting its output, killing it after `timeout` ms. */
export function run(
  command: string,
  args: string[],
  options?: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number },
): Promise<{ code: number; stdout: string; stderr: string; timedOut: boolean; ms: number }>
