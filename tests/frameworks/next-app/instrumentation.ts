/**
 * Runs once when `next start` boots: the SIGTERM handler, in the Node.js runtime only (the module
 * that installs it uses `process`, which the Edge runtime lacks).
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') await import('./shutdown.ts')
}
