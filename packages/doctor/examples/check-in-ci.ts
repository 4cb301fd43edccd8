import { analyzeTrace, renderReport, runProbe } from '@ssekit/doctor'

// The staging URL of the doctor's handler, through the CDN and load balancer users go through.
const url = process.env.DOCTOR_URL ?? 'https://staging.example.com/ssekit-doctor'
// Longer than the load balancer's 60 s idle timeout, so the check finds it if heartbeats stop.
const idleProbe = Number(process.env.IDLE_PROBE_MS ?? 70_000)

const trace = await runProbe(url, { plan: { idleProbe } })
const report = analyzeTrace(trace)
console.log(renderReport(report))
// report.summary holds the measurements: buffering, bufferBytes, compression, idleCutMs, …
if (!report.ok) process.exitCode = 1
