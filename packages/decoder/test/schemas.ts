/**
 * Hand-written Standard Schemas for the contract tests: what any validator library provides,
 * without one (real validators are tested in tests/contracts).
 * The client tests have the same file: packages test each other only through their APIs.
 */
import { defineEvents, type StandardSchema, type StandardSchemaResult } from '@ssekit/shared'

/** A synchronous Standard Schema from a check function. */
export function schema<Output>(
  check: (value: unknown) => StandardSchemaResult<Output>,
): StandardSchema<unknown, Output> {
  return { '~standard': { version: 1, vendor: 'test', validate: check } }
}

/** An asynchronous Standard Schema: the check answers after `delay()` milliseconds. */
export function asyncSchema<Output>(
  check: (value: unknown) => StandardSchemaResult<Output>,
  delay: (value: unknown) => number = () => 0,
): StandardSchema<unknown, Output> {
  return {
    '~standard': {
      version: 1,
      vendor: 'test',
      validate: (value) =>
        new Promise((resolve) => setTimeout(() => resolve(check(value)), delay(value))),
    },
  }
}

export interface Price {
  symbol: string
  price: number
}

export interface Chat {
  user: string
  text: string
}

export function checkPrice(value: unknown): StandardSchemaResult<Price> {
  const candidate = value as Partial<Price> | null
  if (typeof candidate?.symbol !== 'string') {
    return { issues: [{ message: 'Expected a string', path: ['symbol'] }] }
  }
  if (typeof candidate.price !== 'number') {
    return { issues: [{ message: 'Expected a number', path: ['price'] }] }
  }
  return { value: { symbol: candidate.symbol, price: candidate.price } }
}

export function checkChat(value: unknown): StandardSchemaResult<Chat> {
  const candidate = value as Partial<Chat> | null
  if (typeof candidate?.user !== 'string' || typeof candidate.text !== 'string') {
    return { issues: [{ message: 'Expected { user, text }' }] }
  }
  return { value: { user: candidate.user, text: candidate.text } }
}

export const Price: StandardSchema<unknown, Price> = schema(checkPrice)
export const Chat: StandardSchema<unknown, Chat> = schema(checkChat)

/** The contract most tests use: two typed events, unknown types ignored. */
export const market = defineEvents({ price: Price, chat: Chat })
