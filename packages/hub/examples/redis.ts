import { createHub } from '@ssekit/hub'
import { createRedisTransport } from '@ssekit/hub/redis'

// Every server instance creates its hub on the same Redis and namespace: an event published on
// one instance reaches the subscribers of all, and a client may resume on any instance.
export const hub = createHub({
  transport: createRedisTransport({
    url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    namespace: 'chat',
    maxEventsPerNamespace: 50_000, // retained for replay, all topics of the namespace together
    maxAge: 60 * 60_000, // one hour
    timeout: 2000, // publish fails with TRANSPORT_TIMEOUT after 2 s
    onError: (error) => console.warn(error.code, error.message),
  }),
})

export async function say(room: string, text: string): Promise<string> {
  try {
    return await hub.publish(`room:${room}`, { event: 'message', data: { text } })
  } catch (error) {
    // TRANSPORT_ERROR or TRANSPORT_TIMEOUT: tell the sender and let them retry.
    throw new Error('Could not send the message, try again', { cause: error })
  }
}
