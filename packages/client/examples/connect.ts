import { connect, SSEResponseError } from '@ssekit/client'

const url = process.env.EVENTS_URL ?? 'http://localhost:3000/events'

async function getToken(): Promise<string> {
  return 'token-from-your-auth-service'
}

const connection = connect(url, {
  // Called before every (re)connect: an expired token is refreshed on reconnect.
  headers: async () => ({ authorization: `Bearer ${await getToken()}` }),
  retry: { initialDelay: 1000, maxDelay: 30_000, maxAttempts: 10 },
  idleTimeout: 45_000, // the server sends a heartbeat comment every 15 s
  onRetry: (delay, attempt) => console.log(`reconnecting in ${delay} ms (attempt ${attempt})`),
})

try {
  for await (const event of connection) {
    if (event.event === 'done') break // leaving the loop closes the connection
    console.log(`${event.event ?? 'message'}: ${event.data}`)
  }
} catch (error) {
  // The connection failed for good: a wrong status or content type, or maxAttempts used up.
  if (error instanceof SSEResponseError) console.log(`HTTP ${error.status}`)
  else throw error
}
