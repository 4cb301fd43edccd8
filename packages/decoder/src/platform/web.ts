/**
 * The decoder's routines without the `node` export condition (browsers, workers): the line
 * reader written for size, and plain `TextDecoder`. The same names as `node.ts`.
 */

export { createLineReader } from '../web-line-reader.ts'
export { createUtf8Decoder } from '../web-utf8-decoder.ts'

/** No native byte search here (the web line reader loops). */
export const indexOfByte: undefined = undefined
export const lastIndexOfByte: undefined = undefined
