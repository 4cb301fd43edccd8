// Misuse: a payload without a required field.
// expect: TS2322 Property 'price' is missing
import type { ContractEventInput } from '@ssekit/shared'
import type { arktypeEvents } from '../contracts.ts'

export const event: ContractEventInput<typeof arktypeEvents> = {
  event: 'price',
  data: { symbol: 'A' }, // error here
}
