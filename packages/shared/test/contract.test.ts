import { describe, expect, test } from 'vitest'
import { defineEvents, JSON_CODEC } from '../src/contract.ts'
import { prepareOutgoing, readIncoming } from '../src/contract-check.ts'
import { SSEContractError } from '../src/contract-error.ts'
import { isSSEError } from '../src/errors.ts'
import type { StandardSchema, StandardSchemaResult } from '../src/standard-schema.ts'

/** A Standard Schema by hand: what any validator library provides, without one. */
function schema<Output>(
  check: (value: unknown) => StandardSchemaResult<Output>,
): StandardSchema<unknown, Output> {
  return { '~standard': { version: 1, vendor: 'test', validate: check } }
}

const price = schema<{ symbol: string; price: number }>((value) => {
  const candidate = value as { symbol?: unknown; price?: unknown }
  if (typeof candidate?.price !== 'number') {
    return { issues: [{ message: 'Expected a number', path: ['price'] }] }
  }
  return { value: value as { symbol: string; price: number } }
})
/** Turns an ISO date string into a Date: input and output types differ. */
const stamp = schema<Date>((value) =>
  typeof value === 'string'
    ? { value: new Date(value) }
    : { issues: [{ message: 'Expected a string' }] },
)
const slow = {
  '~standard': {
    version: 1 as const,
    vendor: 'test',
    validate: async (value: unknown) => ({ value }),
  },
}

describe('defineEvents', () => {
  test('refuses a schema that is not a Standard Schema, naming the event', () => {
    expect(() => defineEvents({ price: {} as StandardSchema })).toThrow(
      /The schema of the "price" event is not a Standard Schema v1 validator/,
    )
  })

  test('refuses options it does not know', () => {
    // @ts-expect-error: not a policy
    expect(() => defineEvents({ price }, { unknown: 'drop' })).toThrow(/'ignore' or 'error'/)
    // @ts-expect-error: not a policy
    expect(() => defineEvents({ price }, { message: 'loose' })).toThrow(/'contract' or 'raw'/)
    expect(() => defineEvents({ 'a\nb': price })).toThrow(/no CR or LF/)
  })

  test('defaults to JSON, the message type in the contract, and unknown types ignored', () => {
    const events = defineEvents({ price })
    expect(events.codec).toBe(JSON_CODEC)
    expect(events.message).toBe('contract')
    expect(events.unknown).toBe('ignore')
  })
})

describe('a server sending under a contract', () => {
  const events = defineEvents({ price, message: price })

  test('codes the data and names the type; the default type writes no event field', () => {
    expect(
      prepareOutgoing(
        events,
        { event: 'price', data: { symbol: 'A', price: 1 }, id: '7' },
        true,
        'x',
      ),
    ).toEqual({
      event: 'price',
      data: '{"symbol":"A","price":1}',
      id: '7',
    })
    expect(prepareOutgoing(events, { event: 'message', data: { price: 2 } }, false, 'x')).toEqual({
      data: '{"price":2}',
    })
  })

  test('with validation, refuses data its schema refuses, with the issues and the value', () => {
    let caught: unknown
    try {
      prepareOutgoing(events, { event: 'price', data: { symbol: 'A' } }, true, 'x')
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(SSEContractError)
    const error = caught as SSEContractError
    expect(error.code).toBe('CONTRACT_VIOLATION')
    expect(error.field).toBe('data')
    expect(error.eventType).toBe('price')
    expect(error.issues).toEqual([{ message: 'Expected a number', path: ['price'] }])
    expect(error.data).toEqual({ symbol: 'A' })
    expect(error.message).toBe(
      'The data of the "price" event does not match the contract: price: Expected a number.',
    )
  })

  test('without validation, sends what the application gave', () => {
    expect(prepareOutgoing(events, { event: 'price', data: { wrong: true } }, false, 'x')).toEqual({
      event: 'price',
      data: '{"wrong":true}',
    })
  })

  test('refuses a type the contract does not have, even unvalidated', () => {
    expect(() => prepareOutgoing(events, { event: 'chat', data: 1 }, false, 'x')).toThrow(
      /The contract has no "chat" event; its types are price, message/,
    )
  })

  test('refuses an async validator where it cannot wait, and awaits it where it can', async () => {
    const asyncEvents = defineEvents({ slow })
    expect(() =>
      prepareOutgoing(asyncEvents, { event: 'slow', data: 1 }, true, 'EventEncoderStream'),
    ).toThrow(expect.objectContaining({ code: 'ASYNC_SCHEMA' }))
    await expect(
      prepareOutgoing(asyncEvents, { event: 'slow', data: 1 }, true, undefined),
    ).resolves.toEqual({
      event: 'slow',
      data: '1',
    })
  })

  test('data with no JSON form is INVALID_DATA, naming the event', () => {
    expect(() => prepareOutgoing(events, { event: 'price', data: undefined }, false, 'x')).toThrow(
      expect.objectContaining({
        code: 'INVALID_DATA',
        message: expect.stringContaining('"price"'),
      }),
    )
  })

  test('an id schema refuses a bad id before anything is coded', () => {
    const numeric = schema<string>((value) =>
      typeof value === 'string' && /^\d+$/.test(value)
        ? { value }
        : { issues: [{ message: 'Not a number' }] },
    )
    const withIds = defineEvents({ price }, { id: numeric as StandardSchema<string, string> })
    expect(() =>
      prepareOutgoing(withIds, { event: 'price', data: { price: 1 }, id: 'x' }, true, 'x'),
    ).toThrow(expect.objectContaining({ code: 'CONTRACT_VIOLATION', field: 'id' }))
  })
})

describe('a client reading under a contract', () => {
  test('decodes and validates, and gives the schema output', () => {
    const events = defineEvents({ stamp })
    const result = readIncoming(
      events,
      { event: 'stamp', data: '"2026-12-03T00:00:00.000Z"', id: '1' },
      'x',
    )
    expect(result).toEqual({
      kind: 'event',
      event: { event: 'stamp', data: new Date('2026-12-03T00:00:00.000Z'), id: '1' },
    })
  })

  test('takes the decoded event over: its other fields stay, a refused event is left as it was', () => {
    const events = defineEvents({ price })
    const decoded = { event: 'price', data: '{"price":1}', lastEventId: '9' }
    const result = readIncoming(events, decoded, 'x') as { event: unknown }
    expect(result.event).toBe(decoded)
    expect(decoded).toEqual({ event: 'price', data: { price: 1 }, lastEventId: '9' })
    const refused = { event: 'price', data: '{"symbol":"A"}' }
    readIncoming(events, refused, 'x')
    expect(refused).toEqual({ event: 'price', data: '{"symbol":"A"}' })
  })

  test('an async validator is awaited where the caller can wait, refused where it cannot', async () => {
    const events = defineEvents({ slow })
    await expect(readIncoming(events, { event: 'slow', data: '1' }, undefined)).resolves.toEqual({
      kind: 'event',
      event: { event: 'slow', data: 1 },
    })
    expect(() => readIncoming(events, { event: 'slow', data: '1' }, 'onEvent')).toThrow(
      /validates asynchronously, which onEvent cannot wait for/,
    )
  })

  test('a schema that throws makes the event invalid, with the throw as cause', async () => {
    const broken = new Error('schema bug')
    const throwing = schema<never>(() => {
      throw broken
    })
    const rejecting = {
      '~standard': { version: 1 as const, vendor: 'test', validate: () => Promise.reject(broken) },
    }
    const events = defineEvents({ throwing, rejecting })
    const sync = readIncoming(events, { event: 'throwing', data: '1' }, 'x') as {
      error: SSEContractError
    }
    expect(sync.error.cause).toBe(broken)
    expect(sync.error.message).toMatch(
      /The schema of the "throwing" event threw instead of returning issues: schema bug/,
    )
    const later = (await readIncoming(events, { event: 'rejecting', data: '1' }, undefined)) as {
      error: SSEContractError
    }
    expect(later.error.cause).toBe(broken)
  })

  test('a contract carries the checking, so packages reach it without importing it', () => {
    const events = defineEvents({ price })
    expect(events['~ssekit'].readIncoming).toBe(readIncoming)
    expect(events['~ssekit'].prepareOutgoing).toBe(prepareOutgoing)
  })

  test('an event without a type is the contract message type', () => {
    const events = defineEvents({ message: price })
    expect(readIncoming(events, { data: '{"price":3}' }, 'x')).toEqual({
      kind: 'event',
      event: { event: 'message', data: { price: 3 } },
    })
  })

  test('a raw message passes as text when the contract has no message schema', () => {
    const events = defineEvents({ price }, { message: 'raw' })
    expect(readIncoming(events, { data: 'plain text' }, 'x')).toEqual({
      kind: 'event',
      event: { event: 'message', data: 'plain text' },
    })
  })

  test('refused data is an invalid result carrying the issues and the raw text', () => {
    const events = defineEvents({ price })
    const result = readIncoming(events, { event: 'price', data: '{"symbol":"A"}' }, 'x')
    expect(result).toMatchObject({ kind: 'invalid' })
    const error = (result as { error: SSEContractError }).error
    expect(isSSEError(error, 'CONTRACT_VIOLATION')).toBe(true)
    expect(error.data).toBe('{"symbol":"A"}')
    expect(error.issues).toHaveLength(1)
  })

  test('data the codec cannot read is invalid, with the codec error as cause', () => {
    const events = defineEvents({ price })
    const result = readIncoming(events, { event: 'price', data: 'not json' }, 'x') as {
      error: SSEContractError
    }
    expect(result.error.field).toBe('data')
    expect(result.error.message).toMatch(/The data of the "price" event could not be decoded: /)
    expect(result.error.cause).toBeInstanceOf(SyntaxError)
  })

  test('an unknown type is ignored, or an error under unknown: error', () => {
    expect(readIncoming(defineEvents({ price }), { event: 'chat', data: '1' }, 'x')).toEqual({
      kind: 'ignored',
    })
    const strict = defineEvents({ price }, { unknown: 'error' })
    const result = readIncoming(strict, { event: 'chat', data: '1' }, 'x') as {
      error: SSEContractError
    }
    expect(result.error.field).toBe('event')
    expect(result.error.eventType).toBe('chat')
  })

  test("Object.prototype's names are not event types", () => {
    const strict = defineEvents({ price }, { unknown: 'error' })
    for (const type of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(readIncoming(strict, { event: type, data: '1' }, 'x')).toMatchObject({
        kind: 'invalid',
      })
    }
  })

  test('a contract keeps the types it was defined with, whatever later happens to the object', () => {
    const schemas: Record<string, typeof price> = { price }
    const contract = defineEvents(schemas, { unknown: 'error' })
    schemas.chat = price
    delete schemas.price
    expect(readIncoming(contract, { event: 'chat', data: '{"price":1}' }, 'x')).toMatchObject({
      kind: 'invalid',
    })
    expect(readIncoming(contract, { event: 'price', data: '{"price":1}' }, 'x')).toMatchObject({
      kind: 'event',
    })
    expect(() => prepareOutgoing(contract, { event: 'chat', data: {} }, false, 'x')).toThrow(
      SSEContractError,
    )
  })

  test("a schema's ~standard is read once, when the contract is defined, not per event", () => {
    // ArkType's `~standard` is a getter that makes a new object and function on each read.
    let reads = 0
    const counted = {
      get '~standard'() {
        reads++
        return { version: 1 as const, vendor: 'test', validate: (value: unknown) => ({ value }) }
      },
    }
    const contract = defineEvents({ tick: counted }, { id: counted as never })
    const readsWhenDefined = reads
    for (let i = 0; i < 5; i++) {
      expect(readIncoming(contract, { event: 'tick', id: `${i}`, data: '1' }, 'x')).toMatchObject({
        kind: 'event',
      })
      prepareOutgoing(contract, { event: 'tick', id: `${i}`, data: 1 }, true, 'x')
    }
    expect(reads).toBe(readsWhenDefined)
  })

  test('a custom codec replaces JSON on both ends', () => {
    const csv = {
      encode: (value: unknown) => (value as string[]).join(','),
      decode: (text: string) => text.split(','),
    }
    const list = schema<string[]>((value) => ({ value: value as string[] }))
    const events = defineEvents({ list }, { codec: csv })
    expect(prepareOutgoing(events, { event: 'list', data: ['a', 'b'] }, true, 'x')).toEqual({
      event: 'list',
      data: 'a,b',
    })
    expect(readIncoming(events, { event: 'list', data: 'a,b' }, 'x')).toEqual({
      kind: 'event',
      event: { event: 'list', data: ['a', 'b'] },
    })
  })
})
