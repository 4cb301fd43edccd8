import { defineEvents } from '@ssekit/client'
import { z } from 'zod'

// The contract, declared once and imported by the server and its clients alike.
export const priceEvents = defineEvents({
  price: z.object({ symbol: z.string(), price: z.number() }),
  halt: z.object({ symbol: z.string(), reason: z.string() }),
})
