import type { ContractEvent, ContractEventInput } from '@ssekit/shared'
import { describe, expectTypeOf, test } from 'vitest'
import { type arktypeEvents, VALIDATORS, type valibotEvents, type zodEvents } from './contracts.ts'

type Price = { symbol: string; price: number }
type ChatIn = { user: string; text: string; sentAt: string }
type ChatOut = { user: string; text: string; sentAt: Date }

/** The data type of one branch of a union discriminated by `event`. */
type DataOf<Union, Type> =
  Extract<Union, { event: Type }> extends { data: infer Data } ? Data : never

describe('the contract types with real validators', () => {
  test('Zod 4: a client sees each schema output, a server sends each input', () => {
    type In = ContractEvent<typeof zodEvents>
    type Out = ContractEventInput<typeof zodEvents>
    expectTypeOf<In['event']>().toEqualTypeOf<'price' | 'chat' | 'message'>()
    expectTypeOf<DataOf<In, 'price'>>().toEqualTypeOf<Price>()
    expectTypeOf<DataOf<In, 'chat'>>().toEqualTypeOf<ChatOut>()
    expectTypeOf<DataOf<Out, 'chat'>>().toEqualTypeOf<ChatIn>()
    expectTypeOf<DataOf<In, 'message'>>().toEqualTypeOf<string>()
  })

  test('Valibot 1: the same', () => {
    type In = ContractEvent<typeof valibotEvents>
    type Out = ContractEventInput<typeof valibotEvents>
    expectTypeOf<DataOf<In, 'price'>>().toEqualTypeOf<Price>()
    expectTypeOf<DataOf<In, 'chat'>>().toEqualTypeOf<ChatOut>()
    expectTypeOf<DataOf<Out, 'chat'>>().toEqualTypeOf<ChatIn>()
  })

  test('ArkType 2: the same', () => {
    type In = ContractEvent<typeof arktypeEvents>
    type Out = ContractEventInput<typeof arktypeEvents>
    expectTypeOf<DataOf<In, 'price'>>().toEqualTypeOf<Price>()
    expectTypeOf<DataOf<In, 'chat'>>().toEqualTypeOf<ChatOut>()
    expectTypeOf<DataOf<Out, 'chat'>>().toEqualTypeOf<ChatIn>()
  })

  test('narrowing on event gives the branch its data type', () => {
    for (const [, events] of VALIDATORS) {
      const read = (event: ContractEvent<typeof events>): number | undefined => {
        if (event.event === 'price') {
          expectTypeOf(event.data).toEqualTypeOf<Price>()
          return event.data.price
        }
        return undefined
      }
      expectTypeOf(read).returns.toEqualTypeOf<number | undefined>()
    }
  })
})
