import { listenForTest } from '@ssekit/test-support/loopback-server'
import { describe, expect, test } from 'vitest'
import type { DoctorReport } from '../src/analyze-trace.ts'
import { runCli } from '../src/node/cli-main.ts'
import { createDoctorNodeHandler } from '../src/node/doctor-node-handler.ts'

const SHORT = [
  '--primer',
  '0',
  '--cadence',
  '30ms',
  '--events',
  '2',
  '--steady',
  '4',
  '--silences',
  '50ms',
  '--idle',
  '0',
  '--retry',
  '50',
]

/** Runs the command line with captured output. */
async function run(
  args: string[],
  tty = false,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: tty },
  })
  return { code, stdout, stderr }
}

describe('ssekit-doctor', () => {
  test('--help prints the usage and exits 0', async () => {
    const { code, stdout } = await run(['--help'])
    expect(code).toBe(0)
    expect(stdout).toContain('Usage: ssekit-doctor <url> [options]')
  })

  test.each([
    [[], 'exactly one URL'],
    [['ftp://x'], 'http://'],
    [['http://x', '--idle', 'soon'], '--idle'],
    [['http://x', '--events', '-1'], '--events'],
    [['http://x', '-H', 'no colon'], '--header'],
    [['http://x', '--bogus'], 'bogus'],
  ])('%j is refused with exit code 2 and a message naming the problem', async (args, message) => {
    const { code, stderr } = await run(args)
    expect(code).toBe(2)
    expect(stderr).toContain(message)
  })

  test('an unreachable URL exits 2 without a report', async () => {
    const server = await listenForTest((_req, res) => res.end())
    const url = server.url('/ssekit-doctor')
    await server.close()
    const { code, stdout, stderr } = await run([url])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toContain('Could not reach')
  })

  test('a clean stream exits 0; --json prints the report; a terminal sees the progress line', async () => {
    const doctor = createDoctorNodeHandler()
    const server = await listenForTest((req, res) => void doctor(req, res))
    const { code, stdout, stderr } = await run(
      [server.url('/ssekit-doctor'), ...SHORT, '--json'],
      true,
    )
    expect(code).toBe(0)
    const report = JSON.parse(stdout) as DoctorReport
    expect(report.ok).toBe(true)
    expect(report.summary.buffering).toBe(false)
    expect(report.findings.map((finding) => finding.code)).toContain('RECONNECT_OK')
    // Redrawn in place: carriage return, erase the line, then the state.
    expect(stderr).toContain('\r\u001b[2K')
    expect(stderr).toContain(' events')
  })

  test('--strict turns the HTTP/1.1 warning into exit code 1', async () => {
    const doctor = createDoctorNodeHandler()
    const server = await listenForTest((req, res) => void doctor(req, res))
    const { code, stdout } = await run([
      server.url('/ssekit-doctor'),
      ...SHORT,
      '--strict',
      '--no-reconnect',
    ])
    expect(code).toBe(1)
    expect(stdout).toContain('▲ HTTP1_CONNECTION_LIMIT')
  })

  test('a URL without the handler is a problem in doctor mode; --stream checks it from the stream alone', async () => {
    const server = await listenForTest((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      // Three bursts of four events, then the server ends the stream.
      let burst = 0
      const timer = setInterval(() => {
        res.write('data: a\n\ndata: b\n\ndata: c\n\ndata: d\n\n')
        if (++burst === 3) {
          clearInterval(timer)
          res.end()
        }
      }, 40)
    })
    const doctorMode = await run([server.url('/events')])
    expect(doctorMode.code).toBe(1)
    expect(doctorMode.stdout).toContain('NOT_DOCTOR')

    const streamMode = await run([server.url('/events'), '--stream', '--duration', '5s', '--json'])
    const report = JSON.parse(streamMode.stdout) as DoctorReport
    const codes = report.findings.map((finding) => finding.code)
    expect(codes).toEqual(expect.arrayContaining(['BURSTS', 'CACHE_CONTROL', 'NO_IDS']))
    expect(report.summary.eventsReceived).toBe(12)
    expect(report.mode).toBe('stream')
  })
})
