import { readFileSync } from 'node:fs'

/**
 * A CPU clock in ns for the calling thread where Linux exposes one, else for the process. The
 * benchmarks time on it rather than on the wall clock: on a shared 2-core machine, wall-clock
 * ratios swung by ±30% with other work.
 *
 * It reads `/proc/thread-self/schedstat`, whose first field is the scheduler's exact on-CPU time
 * in ns. `/proc/thread-self/stat` (used before) counts 10 ms ticks by sampling, which under-counts
 * some rounds; with best-of-N rounds those outliers won, and one workload's ratio swung from 1.2×
 * to 2.6× between two quiet runs.
 */
export function threadCpuClock() {
  try {
    const read = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0])
    if (!Number.isFinite(read())) throw new Error('no schedstat')
    return read
  } catch {
    return () => {
      const usage = process.cpuUsage()
      return (usage.user + usage.system) * 1000
    }
  }
}
