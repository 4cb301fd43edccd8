/**
 * Graceful shutdown under `next start`: with `NEXT_MANUAL_SIG_HANDLE=1` Next.js leaves SIGTERM to
 * the app, which ends every event stream (the retry hint, the last event) before it exits;
 * without it, Next.js exits at once and every client sees a broken connection.
 */
import { control } from './lib/event-routes.ts'

process.once('SIGTERM', async () => {
  await control.options.streams.close(control.shutdownOptions())
  process.exit(0)
})
