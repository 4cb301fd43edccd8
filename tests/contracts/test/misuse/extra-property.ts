// Misuse: a property the strict schema does not allow.
// expect: TS2353 'currency' does not exist in type

import type { ContractEventInput } from '@ssekit/shared'
import { defineEvents } from '@ssekit/shared'
import { z } from 'zod'

const events = defineEvents({ price: z.strictObject({ symbol: z.string(), price: z.number() }) })

export const event: ContractEventInput<typeof events> = {
  event: 'price',
  data: { symbol: 'A', price: 1, currency: 'EUR' }, // error here
}
