// Misuse: an event type the contract does not have.
// expect: TS2820 '"pricee"' is not assignable
import type { ContractEventInput } from '@ssekit/shared'
import type { zodEvents } from '../contracts.ts'

export const event: ContractEventInput<typeof zodEvents> = {
  event: 'pricee', // error here
  data: { symbol: 'A', price: 1 },
}
