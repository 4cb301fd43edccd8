/**
 * The Standard Schema v1 interface (https://standardschema.dev), written out here so that ssekit
 * takes no dependency: a validator (Zod 4, Valibot 1, ArkType 2, Effect Schema, …) is a value
 * with a `~standard` property holding a `validate` function. Only the members ssekit reads are
 * declared; any validator that implements the standard matches these types structurally.
 *
 * @module
 */

/** A validator that implements Standard Schema v1, with its input and output types. */
export interface StandardSchema<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaProps<Input, Output>
}

/** The `~standard` property of a {@link StandardSchema}. */
export interface StandardSchemaProps<Input = unknown, Output = Input> {
  /** The version of the standard: 1. */
  readonly version: 1
  /** The name of the validator library, such as `'zod'`. */
  readonly vendor: string
  /** Validates a value: synchronously, or with a promise for async validators. */
  readonly validate: (
    value: unknown,
  ) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>
  /** The inferred types, for the type checker only (never present at run time). */
  readonly types?: { readonly input: Input; readonly output: Output } | undefined
  /**
   * Standard JSON Schema (https://standardschema.dev/json-schema): converters to JSON Schema,
   * where the validator provides them.
   */
  readonly jsonSchema?:
    | {
        readonly input: (options: { readonly target: string }) => Record<string, unknown>
        readonly output: (options: { readonly target: string }) => Record<string, unknown>
      }
    | undefined
}

/** What `validate` returns: the output value, or the issues. */
export type StandardSchemaResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: readonly StandardSchemaIssue[] }

/** One problem a validator found. */
export interface StandardSchemaIssue {
  /** What is wrong, in the validator's words. */
  readonly message: string
  /** Where in the value, as keys (or `{ key }` objects) from the root. */
  readonly path?: readonly (PropertyKey | { readonly key: PropertyKey })[] | undefined
}

/** The input type of a schema: what a server may pass in. */
export type InferSchemaInput<S extends StandardSchema> = NonNullable<
  S['~standard']['types']
>['input']

/** The output type of a schema: what a client receives after validation. */
export type InferSchemaOutput<S extends StandardSchema> = NonNullable<
  S['~standard']['types']
>['output']
