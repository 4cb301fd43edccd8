// Misuse: reading one branch's data without narrowing on `event` first.
// expect: TS2339 Property 'price' does not exist on type
import type { ContractEvent } from '@ssekit/shared'
import type { zodEvents } from '../contracts.ts'

export function priceOf(event: ContractEvent<typeof zodEvents>): number {
  return event.data.price // error here
}
