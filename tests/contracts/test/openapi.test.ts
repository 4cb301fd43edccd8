import { readFileSync } from 'node:fs'
import { registerSchema, validate as validateAgainst } from '@hyperjump/json-schema/draft-2020-12'
import { toOpenAPI } from '@ssekit/shared'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { describe, expect, test } from 'vitest'
import { VALIDATORS } from './contracts.ts'

/**
 * The OpenAPI 3.2 schema document, vendored (see fixtures/README.md). It is checked with
 * Hyperjump's validator, which implements `$dynamicRef` (the document's way of deferring Schema
 * Objects to a dialect) as draft 2020-12 says; Ajv, used for the plain schemas below, resolves it
 * to the document's root and refuses every valid itemSchema.
 */
const documentSchema = JSON.parse(
  readFileSync(new URL('fixtures/openapi-3.2-schema.json', import.meta.url), 'utf8'),
) as { $id: string }
registerSchema(documentSchema)

async function isOpenAPI32(document: unknown): Promise<boolean> {
  return (await validateAgainst(documentSchema.$id, document as never)).valid
}

function validator() {
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats.default(ajv)
  return ajv
}

/** A whole OpenAPI 3.2 document with one event-stream response. */
function documentWith(mediaType: unknown) {
  return {
    openapi: '3.2.0',
    info: { title: 'Prices', version: '1.0.0' },
    paths: {
      '/events': {
        get: {
          responses: {
            '200': { description: 'The event stream', content: { 'text/event-stream': mediaType } },
          },
        },
      },
    },
  }
}

describe.each(VALIDATORS)('toOpenAPI with %s', (_name, events) => {
  const mediaType = toOpenAPI(events)

  test('gives a document that validates against the OpenAPI 3.2 schema', async () => {
    expect(await isOpenAPI32(documentWith(mediaType))).toBe(true)
  })

  test('its itemSchema accepts the events of the contract as the decoder yields them', () => {
    const item = validator().compile(mediaType.itemSchema)
    expect(item({ event: 'price', data: '{"symbol":"A","price":1}', id: '1' })).toBe(true)
    expect(item({ event: 'chat', data: '{}', retry: 1000 })).toBe(true)
    // The default type travels without an event field.
    expect(item({ data: '"hello"' })).toBe(true)
  })

  test('its itemSchema refuses what the contract does not have', () => {
    const item = validator().compile(mediaType.itemSchema)
    expect(item({ event: 'trade', data: '{}' })).toBe(false)
    expect(item({ event: 'price' })).toBe(false)
    expect(item({ event: 'price', data: { price: 1 } })).toBe(false)
    expect(item({ event: 'price', data: '1', retry: -1 })).toBe(false)
  })

  test('each branch describes data as JSON text with the schema of its input', () => {
    const branches = mediaType.itemSchema.oneOf as { allOf: { properties: { data?: unknown } }[] }[]
    expect(branches).toHaveLength(3)
    const price = branches[0]?.allOf[1]?.properties.data as {
      contentMediaType: string
      contentSchema: { properties: Record<string, { type?: string }> }
    }
    expect(price.contentMediaType).toBe('application/json')
    expect(price.contentSchema.properties.price?.type).toBe('number')
    // The chat's sentAt travels as a string (the schema's input), though it arrives as a Date.
    const chat = branches[1]?.allOf[1]?.properties.data as {
      contentSchema: { properties: Record<string, { type?: string }> }
    }
    expect(chat.contentSchema.properties.sentAt?.type).toBe('string')
    // A contentSchema is a JSON Schema of its own: it compiles, and checks the decoded data.
    const check = validator().compile(price.contentSchema)
    expect(check({ symbol: 'A', price: 1 })).toBe(true)
    expect(check({ symbol: 'A', price: '1' })).toBe(false)
  })
})

test('a document with a broken media type does not validate, so the check above can fail', async () => {
  expect(await isOpenAPI32(documentWith({ itemSchema: { type: 'object' }, encoding: 7 }))).toBe(
    false,
  )
  expect(await isOpenAPI32(documentWith({ itemSchema: 'not a schema' }))).toBe(false)
})
