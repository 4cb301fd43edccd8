import { type ContractEvent, defineEvents, toOpenAPI } from '@ssekit/shared'
import { z } from 'zod'

// The events of one stream, declared once: each type and the schema of its data.
export const events = defineEvents({
  price: z.object({ symbol: z.string(), price: z.number() }),
  // Sent as an ISO string, received as a Date: the server types the input, the client the output.
  trade: z.object({ symbol: z.string(), at: z.iso.datetime().transform((text) => new Date(text)) }),
})

// What a client receives: a union discriminated by `event`.
export function describe(event: ContractEvent<typeof events>): string {
  if (event.event === 'price') return `${event.data.symbol} at ${event.data.price}`
  return `${event.data.symbol} traded at ${event.data.at.toISOString()}`
}
console.log(describe({ event: 'price', data: { symbol: 'ACME', price: 12.5 } }))
// → ACME at 12.5

// The same contract as OpenAPI 3.2 documentation of the stream.
const { itemSchema } = toOpenAPI(events)
console.log((itemSchema.oneOf as unknown[]).length, itemSchema.required)
// → 2 [ 'data' ]
