import type { ContractEventInput, EventContract } from '@ssekit/shared'
import { assertEventContract, prepareContractEvent } from './contract-events.ts'
import { type EncodableEvent, type EncodeOptions, encodeBytes } from './encode.ts'

/** Options of an {@link EventEncoderStream}: a serializer, or an event contract. */
export interface EventEncoderStreamOptions<Contract extends EventContract | undefined = undefined>
  extends EncodeOptions {
  /** An event contract (from `defineEvents`): the stream then takes the contract's events. */
  events?: Contract
  /**
   * Check each event against its schema before encoding it (contracts only).
   * @defaultValue false
   */
  validate?: boolean | undefined
}

/** What an {@link EventEncoderStream} takes: any event, or the events of its contract. */
export type EncoderStreamEvent<Contract extends EventContract | undefined> =
  Contract extends EventContract ? ContractEventInput<Contract> : EncodableEvent

/**
 * A `TransformStream` from events to the UTF-8 bytes of `text/event-stream`, shaped like the
 * platform's `TextEncoderStream`. Pipe any stream of events through it and hand the result to a
 * `Response`, a socket or a file.
 *
 * An event that {@link encode} refuses (an id with a line break, a negative retry, …) errors the
 * stream with that `SSEError`: nothing of the refused event is written.
 *
 * With `{ events: contract }` it takes the contract's events (`{ event: 'price', data }`, checked
 * by the compiler), codes their data with the contract's codec and, with `validate: true`,
 * refuses an event its schema refuses (an `SSEContractError`, erroring the stream). An async
 * validator is awaited, in order.
 *
 * @example
 * ```ts
 * // events: a ReadableStream<EncodableEvent>; see examples/encoder-stream.ts
 * const body = events.pipeThrough(new EventEncoderStream())
 * return new Response(body, { headers: { 'content-type': 'text/event-stream; charset=utf-8' } })
 * ```
 */
export class EventEncoderStream<
  Contract extends EventContract | undefined = undefined,
> extends TransformStream<EncoderStreamEvent<Contract>, Uint8Array> {
  /**
   * @param options - a custom serializer for object data, as for {@link encode}; and an event
   * contract as `events`, with `validate` to check each event against its schema
   */
  constructor(options?: EventEncoderStreamOptions<Contract>) {
    const contract = options?.events
    if (contract === undefined) {
      super({
        transform(event, controller) {
          controller.enqueue(encodeBytes(event as EncodableEvent, options))
        },
      })
      return
    }
    assertEventContract(contract)
    const contractOptions = { ...options, events: contract }
    super({
      transform(event, controller): void | Promise<void> {
        const prepared = prepareContractEvent(contractOptions, event)
        if (!(prepared instanceof Promise)) {
          controller.enqueue(encodeBytes(prepared, options))
          return
        }
        // The stream waits for this promise before its next event, so order is kept.
        return prepared.then((wire) => {
          controller.enqueue(encodeBytes(wire, options))
        })
      },
    })
  }
}
