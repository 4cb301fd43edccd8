/**
 * The decoder's native routines under the `node` export condition (Node, Bun, Deno): package.json
 * maps `#platform` here, and to `web.ts` everywhere else, so browsers never download them.
 */
export { indexOfByte, lastIndexOfByte } from '../native-bytes.ts'
export { createLineReader } from '../node-line-reader.ts'
export { createUtf8Decoder } from '../node-utf8-decoder.ts'
