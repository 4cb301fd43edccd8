import { type ContractRuntime, createContractRuntime } from './contract-check.ts'
import type { InferSchemaInput, InferSchemaOutput, StandardSchema } from './standard-schema.ts'

/** The schemas of a contract: an event type maps to the schema of its data. */
export type EventSchemas = { readonly [type: string]: StandardSchema }

/** How a contract codes data to text and back. */
export interface EventCodec {
  /** Turns a value into the text of the event's data lines. */
  encode(value: unknown): string
  /** Turns the text of an event's data back into a value (before validation). */
  decode(text: string): unknown
}

/** What an event without an `event:` field (type `message`) is to the contract. */
export type MessagePolicy = 'contract' | 'raw'

/** Options of {@link defineEvents}. */
export interface EventContractOptions {
  /**
   * How data is coded: JSON by default (`JSON.stringify` on the server, `JSON.parse` on the
   * client, before the schema sees the value).
   * @defaultValue {@link JSON_CODEC}
   */
  codec?: EventCodec | undefined
  /**
   * What an event of the default type `message` (one without an `event:` field) is: `'contract'`
   * means the contract's `message` schema types it (and without one it is an unknown type);
   * `'raw'` lets it through untyped, as its data text, when the contract has no `message` schema
   * (for streams that mix typed events with plain messages).
   * @defaultValue `'contract'`
   */
  message?: MessagePolicy | undefined
  /**
   * What a client does with an event type the contract does not know: `'ignore'` it (as an
   * `EventSource` ignores a type nobody listens to, so a server may add types first), or report
   * it as an `'error'` (`CONTRACT_VIOLATION` with `field: 'event'`).
   * @defaultValue `'ignore'`
   */
  unknown?: 'ignore' | 'error' | undefined
  /** A schema every event id must pass (a UUID or a number, say); ids are free text without it. */
  id?: StandardSchema<string, string> | undefined
}

/**
 * An event contract, made by {@link defineEvents}: the one value a server and its clients share
 * so that both ends agree on every event type and the type of its data.
 *
 * @typeParam Schemas - the event types and the schemas of their data
 * @typeParam Message - what an event of the default type is, see {@link EventContractOptions.message}
 */
export interface EventContract<
  Schemas extends EventSchemas = EventSchemas,
  Message extends MessagePolicy = MessagePolicy,
> {
  /** The event types and their schemas, as given. */
  readonly events: Schemas
  /** How data is coded. */
  readonly codec: EventCodec
  /** What an event of the default type `message` is. */
  readonly message: Message
  /** What a client does with an unknown type. */
  readonly unknown: 'ignore' | 'error'
  /** The schema of ids, if any. */
  readonly id: StandardSchema<string, string> | undefined
  /**
   * How the ssekit packages hold events to this contract, carried by the contract so that code
   * without one bundles none of it. Not API: it may change in any release.
   * @internal
   */
  readonly '~ssekit': ContractRuntime
}

/** One branch of a contract's event union. */
interface ContractBranch<Type extends string, Data> {
  /** The event type, `'message'` for an event without an `event:` field. */
  event: Type
  /** The data, decoded and (on a client) validated. */
  data: Data
  /** The event's own id, when its block carried one. */
  id?: string | undefined
  /** The event's `retry`, when its block carried one. */
  retry?: number | undefined
}

/** The untyped `message` branch of a contract whose `message` policy is `'raw'`. */
type RawMessage<Schemas extends EventSchemas, Message extends MessagePolicy, Data> = [
  Message,
] extends ['raw']
  ? 'message' extends keyof Schemas
    ? never
    : ContractBranch<'message', Data>
  : never

/**
 * The events a client receives under a contract: a union discriminated by `event`, whose `data`
 * is each schema's output type.
 *
 * @example
 * ```ts
 * const events = defineEvents({ price: Price, chat: Chat })
 * type Incoming = ContractEvent<typeof events>
 * // { event: 'price'; data: Price; … } | { event: 'chat'; data: Chat; … }
 * ```
 */
export type ContractEvent<Contract extends EventContract> =
  Contract extends EventContract<infer Schemas, infer Message>
    ?
        | {
            [Type in keyof Schemas & string]: ContractBranch<Type, InferSchemaOutput<Schemas[Type]>>
          }[keyof Schemas & string]
        | RawMessage<Schemas, Message, string>
    : never

/**
 * The events a server may send under a contract: the same union as {@link ContractEvent}, with
 * each schema's input type (they differ where a schema transforms its value).
 */
export type ContractEventInput<Contract extends EventContract> =
  Contract extends EventContract<infer Schemas, infer Message>
    ?
        | {
            [Type in keyof Schemas & string]: ContractBranch<Type, InferSchemaInput<Schemas[Type]>>
          }[keyof Schemas & string]
        | RawMessage<Schemas, Message, unknown>
    : never

/** The JSON codec, the default: `JSON.stringify` to send, `JSON.parse` to receive. */
export const JSON_CODEC: EventCodec = {
  encode(value: unknown): string {
    const text = JSON.stringify(value)
    // JSON.stringify(undefined), of a function or a symbol, is not JSON text.
    if (text === undefined) throw new TypeError(`${typeof value} has no JSON form.`)
    return text
  },
  decode(text: string): unknown {
    return JSON.parse(text)
  },
}

/**
 * Defines the events of a stream once, for its server and its clients: each event type maps to
 * the schema of its data, in any Standard Schema v1 validator (Zod 4, Valibot 1, ArkType 2,
 * Effect Schema, …). ssekit depends on none of them: a schema is anything with a
 * `~standard.validate` function.
 *
 * The server's `send`/`publish` then only compile for the contract's types and payloads, and the
 * client yields the union {@link ContractEvent}, with data decoded and validated.
 *
 * @param events - each event type and the schema of its data; `message` types events without an
 * `event:` field
 * @param options - the codec, the `message` and unknown-type policies, and a schema for ids
 * @returns the contract
 * @throws TypeError when a schema is not a Standard Schema v1 or an option is not valid
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 *
 * export const events = defineEvents({
 *   price: z.object({ symbol: z.string(), price: z.number() }),
 *   chat: z.object({ user: z.string(), text: z.string() }),
 * })
 * ```
 */
export function defineEvents<
  const Schemas extends EventSchemas,
  const Message extends MessagePolicy = 'contract',
>(
  events: Schemas,
  options: EventContractOptions & { message?: Message | undefined } = {},
): EventContract<Schemas, Message> {
  if (typeof events !== 'object' || events === null) {
    throw new TypeError('defineEvents(events) takes an object mapping event types to schemas.')
  }
  for (const type of Object.keys(events)) {
    if (!isStandardSchema(events[type])) {
      throw new TypeError(
        `The schema of the ${JSON.stringify(type)} event is not a Standard Schema v1 validator (it has no "~standard" property with version 1 and a validate function).`,
      )
    }
    if (type === '' || /[\r\n]/.test(type)) {
      throw new TypeError(
        `${JSON.stringify(type)} cannot be an event type: it must be non-empty and hold no CR or LF.`,
      )
    }
  }
  const { codec = JSON_CODEC, unknown = 'ignore', id } = options
  const message = (options.message ?? 'contract') as Message
  if (typeof codec?.encode !== 'function' || typeof codec.decode !== 'function') {
    throw new TypeError('The codec option needs an encode(value) and a decode(text) function.')
  }
  if (message !== 'contract' && message !== 'raw') {
    throw new TypeError(`The message option is 'contract' or 'raw', not ${String(message)}.`)
  }
  if (unknown !== 'ignore' && unknown !== 'error') {
    throw new TypeError(`The unknown option is 'ignore' or 'error', not ${String(unknown)}.`)
  }
  if (id !== undefined && !isStandardSchema(id)) {
    throw new TypeError('The id option is not a Standard Schema v1 validator.')
  }
  const runtime = createContractRuntime(events, id)
  return Object.freeze({ events, codec, message, unknown, id, '~ssekit': runtime })
}

/** Whether a value is a Standard Schema v1 validator. */
export function isStandardSchema(value: unknown): value is StandardSchema {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false
  const props = (value as { '~standard'?: { version?: unknown; validate?: unknown } })['~standard']
  return props?.version === 1 && typeof props.validate === 'function'
}
