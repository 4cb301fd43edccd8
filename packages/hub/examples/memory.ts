import { createHub, GAP_EVENT } from '@ssekit/hub'

// One process, history in memory: the last 1,000 events of each topic, for at most 5 minutes.
const hub = createHub({ history: { maxEventsPerTopic: 1000, maxAge: 5 * 60_000 } })

const first = await hub.publish('orders', { event: 'created', data: { id: 1 } })
await hub.publish('stock', { event: 'changed', data: { sku: 'A', left: 3 } })
await hub.publish('orders', { event: 'created', data: { id: 2 } })

// A client that saw `first` comes back: one id resumes both topics, in publish order.
const seen: string[] = []
for await (const event of hub.subscribe(['orders', 'stock'], { lastEventId: first })) {
  if (event.event === GAP_EVENT) continue // history was lost: resync the application state
  seen.push(`${event.topic} ${event.event} ${event.data}`)
  if (seen.length === 2) break
}
console.log(seen)
// [ 'stock changed {"sku":"A","left":3}', 'orders created {"id":2}' ]

await hub.close()
