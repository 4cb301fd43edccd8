import { defineEvents } from '@ssekit/shared'
import { toStandardJsonSchema } from '@valibot/to-json-schema'
import { type } from 'arktype'
import * as v from 'valibot'
import { z } from 'zod'

/**
 * One contract, written once per validator: a price tick, a chat line whose `sentAt` travels as
 * an ISO string and arrives as a Date (input and output types differ), and the default type.
 */
export const zodEvents = defineEvents({
  price: z.object({ symbol: z.string(), price: z.number() }),
  chat: z.object({
    user: z.string(),
    text: z.string().max(280),
    sentAt: z.iso.datetime().transform((text) => new Date(text)),
  }),
  message: z.string(),
})

export const valibotEvents = defineEvents({
  // Valibot's schemas get Standard JSON Schema through @valibot/to-json-schema.
  price: toStandardJsonSchema(v.object({ symbol: v.string(), price: v.number() })),
  chat: toStandardJsonSchema(
    v.object({
      user: v.string(),
      text: v.pipe(v.string(), v.maxLength(280)),
      sentAt: v.pipe(
        v.string(),
        v.isoTimestamp(),
        v.transform((text) => new Date(text)),
      ),
    }),
  ),
  message: toStandardJsonSchema(v.string()),
})

export const arktypeEvents = defineEvents({
  price: type({ symbol: 'string', price: 'number' }),
  chat: type({ user: 'string', text: 'string <= 280', sentAt: 'string.date.iso.parse' }),
  message: type('string'),
})

/** The three, for tests that run once per validator. */
export const VALIDATORS = [
  ['zod', zodEvents],
  ['valibot', valibotEvents],
  ['arktype', arktypeEvents],
] as const
