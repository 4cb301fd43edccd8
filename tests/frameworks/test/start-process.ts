import type { ChildProcess } from 'node:child_process'
import type { RemoteApp } from './remote-suite.ts'

/**
 * Waits for a server process to print `listening <port>` (or what `pattern` matches), within 60 s.
 *
 * @param child - the process, its stdout piped
 * @param pattern - the line that says it listens; its first group, when any, is the port
 * @returns the app at `http://127.0.0.1:<port>`
 */
export function startProcess(child: ChildProcess, pattern = /listening (\d+)/): Promise<RemoteApp> {
  return new Promise<RemoteApp>((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the server did not start within 60 s:\n${output}`))
    }, 60_000)
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
      const match = pattern.exec(output)
      if (match !== null) {
        clearTimeout(timer)
        resolve({ origin: `http://127.0.0.1:${match[1] ?? 0}`, child })
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the server exited (${code}) before it listened:\n${output}`))
    })
  })
}
