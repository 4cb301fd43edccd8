/**
 * The decoder's routines without the `node` export condition (browsers, workers): plain
 * `TextDecoder`, and byte searches by loop only. The same interface as `node.ts`.
 */
export { createUtf8Decoder } from '../web-utf8-decoder.ts'

/** No native byte search here: line-end.ts loops. */
export const indexOfByte: undefined = undefined
export const lastIndexOfByte: undefined = undefined
