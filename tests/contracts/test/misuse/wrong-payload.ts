// Misuse: a payload of the wrong type (a string where the schema wants a number).
// expect: TS2322 Type 'string' is not assignable to type 'number'
import type { ContractEventInput } from '@ssekit/shared'
import type { valibotEvents } from '../contracts.ts'

export const event: ContractEventInput<typeof valibotEvents> = {
  event: 'price',
  data: { symbol: 'A', price: '1' }, // error here
}
