import { createHub, defineEvents, SSEContractError } from '@ssekit/hub'
import { z } from 'zod'

// The contract the server and its clients share (here inline; usually a module of its own).
export const events = defineEvents({
  price: z.object({ symbol: z.string(), price: z.number() }),
})

// publish() now only compiles for the contract's events; validate checks them at run time too.
const hub = createHub({ events, validate: true })
console.log(await hub.publish('prices', { event: 'price', data: { symbol: 'ACME', price: 12.5 } }))
// → the id the hub assigned, such as 'k4f0…-1'

try {
  // A value that slipped past the compiler (from JSON, say) is refused, neither stored nor sent.
  const untrusted: unknown = { symbol: 'ACME', price: 'high' }
  await hub.publish('prices', {
    event: 'price',
    data: untrusted as { symbol: string; price: number },
  })
} catch (error) {
  if (error instanceof SSEContractError) console.log(error.code, error.eventType, error.field)
  // → CONTRACT_VIOLATION price data
}
await hub.close()
