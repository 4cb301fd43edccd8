import { createServer } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { createEventStreamGroup } from '@ssekit/encoder'
import { openEventStream, shutdownServer } from '@ssekit/encoder/node'

// Every stream of this server joins the group, so one call can end them all.
export const streams = createEventStreamGroup()

export const server = createServer(async (req, res) => {
  const stream = openEventStream(res, { group: streams })
  let n = Number(req.headers['last-event-id']) || 0
  try {
    for (;;) {
      n++
      await stream.send({ id: String(n), event: 'tick', data: { n } })
      await sleep(1000, undefined, { signal: stream.signal })
    }
  } catch {
    // The client left, or the shutdown ended the stream: stream.signal aborted either way.
  }
})

server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1')

/** What a deploy's SIGTERM runs: clients are told to come back in 5 s, to the next instance. */
export async function shutdown(): Promise<void> {
  const result = await shutdownServer(server, {
    streams,
    retry: 5000, // the `retry:` hint: clients reconnect after 5 s, with Last-Event-ID
    event: { event: 'shutdown', data: 'restarting' }, // an optional last event
    timeout: 10_000, // whatever is still open after 10 s is destroyed
  })
  console.log(`${result.closed} streams closed, ${result.destroyed} destroyed`)
}

export const onSigterm = (): void => {
  void shutdown().then(() => process.exit(0))
}
process.once('SIGTERM', onSigterm)
