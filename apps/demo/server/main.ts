import { startDemoServer } from './demo-server.ts'

// `PORT` picks the port; when it is taken, the next nine are tried.
const demo = await startDemoServer({ port: Number(process.env.PORT ?? 5173), portAttempts: 9 })
console.log(`\n  ssekit demo running at ${demo.url}\n  (Ctrl+C to stop)\n`)

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1)
    stopping = true
    demo.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error)
        process.exit(1)
      },
    )
  })
}
