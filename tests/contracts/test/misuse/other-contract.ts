// Misuse: an event of one contract where another contract's events are expected.
// expect: TS2322 is not assignable to type
import type { ContractEventInput } from '@ssekit/shared'
import { defineEvents } from '@ssekit/shared'
import { z } from 'zod'
import type { zodEvents } from '../contracts.ts'

const chatOnly = defineEvents({ chat: z.object({ user: z.string(), text: z.string() }) })

export function forward(event: ContractEventInput<typeof zodEvents>): void {
  const other: ContractEventInput<typeof chatOnly> = event // error here
  console.log(other)
}
