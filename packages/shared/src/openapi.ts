import { type EventContract, JSON_CODEC } from './contract.ts'
import type { StandardSchema } from './standard-schema.ts'

/** A JSON Schema, as a plain object. */
export type JsonSchema = { [keyword: string]: unknown }

/** The OpenAPI 3.2 Media Type Object of an event stream: one `itemSchema` per event. */
export interface OpenAPIEventStreamMediaType {
  /** The schema of each event, as the decoder yields it (`data`, `event`, `id`, `retry`). */
  itemSchema: JsonSchema
}

/** Options of {@link toOpenAPI}. */
export interface ToOpenAPIOptions {
  /**
   * The media type of the data text, for `contentMediaType`: `application/json` for the JSON
   * codec; give it for a custom codec (without it, a custom codec's data is a plain string).
   */
  contentMediaType?: string | undefined
  /**
   * Which side of a schema to describe where input and output differ: the `input` (the value a
   * server sends, which is what travels on the wire) or the `output` (after the client's schema).
   * @defaultValue `'input'`
   */
  io?: 'input' | 'output' | undefined
}

/**
 * Describes a contract as the OpenAPI 3.2 Media Type Object for `text/event-stream`: an
 * `itemSchema` for the events as parsed by the WHATWG rules (OpenAPI 3.2, "Special
 * Considerations for Server-Sent Events"), with one `oneOf` branch per event type. Each branch
 * fixes `event` (absent or `message` for the default type) and describes `data` as a string of
 * `contentMediaType` whose `contentSchema` is the schema's JSON Schema, where the validator
 * provides Standard JSON Schema (Zod 4, ArkType 2, Valibot through `@valibot/to-json-schema`).
 * A validator without it leaves `contentSchema` out: the branch still names the type.
 *
 * @param contract - the contract, from `defineEvents`
 * @param options - the data's media type for a custom codec, and which side of the schemas
 * @returns the Media Type Object, to put under `content['text/event-stream']`
 *
 * @example
 * ```ts
 * const responses = {
 *   200: { description: 'Prices', content: { 'text/event-stream': toOpenAPI(events) } },
 * }
 * ```
 */
export function toOpenAPI(
  contract: EventContract,
  options: ToOpenAPIOptions = {},
): OpenAPIEventStreamMediaType {
  const io = options.io ?? 'input'
  const mediaType =
    options.contentMediaType ?? (contract.codec === JSON_CODEC ? 'application/json' : undefined)
  const branches: JsonSchema[] = Object.keys(contract.events).map((type) => {
    const data: JsonSchema = { type: 'string' }
    if (mediaType !== undefined) {
      data.contentMediaType = mediaType
      const schema = jsonSchemaOf(contract.events[type] as StandardSchema, io)
      if (schema !== undefined) data.contentSchema = schema
    }
    // The default type travels without an `event` field; `event: message` names it too.
    const event: JsonSchema =
      type === 'message'
        ? {
            anyOf: [
              { not: { required: ['event'] } },
              { properties: { event: { const: 'message' } } },
            ],
          }
        : { properties: { event: { const: type } }, required: ['event'] }
    return { allOf: [event, { properties: { data } }] }
  })
  if (contract.message === 'raw' && !Object.hasOwn(contract.events, 'message')) {
    branches.push({ not: { required: ['event'] }, properties: { data: { type: 'string' } } })
  }
  const itemSchema: JsonSchema = {
    type: 'object',
    required: ['data'],
    properties: {
      data: { type: 'string' },
      event: { type: 'string' },
      id: idSchema(contract, io),
      retry: { type: 'integer', minimum: 0 },
    },
  }
  if (branches.length > 0) itemSchema.oneOf = branches
  return { itemSchema }
}

function idSchema(contract: EventContract, io: 'input' | 'output'): JsonSchema {
  const schema = contract.id === undefined ? undefined : jsonSchemaOf(contract.id, io)
  return schema === undefined ? { type: 'string' } : { type: 'string', ...schema }
}

/** A schema's JSON Schema through Standard JSON Schema, without its own `$schema` keyword. */
function jsonSchemaOf(schema: StandardSchema, io: 'input' | 'output'): JsonSchema | undefined {
  const converter = schema['~standard'].jsonSchema
  if (converter === undefined) return undefined
  const { $schema: _dialect, ...rest } = converter[io]({ target: 'draft-2020-12' })
  return rest
}
