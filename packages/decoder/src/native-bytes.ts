/**
 * Native byte routines that Node (and Bun) have and browsers lack, found at load time. Each is
 * used only when the runtime's `Buffer` is its own, native one: a polyfilled `Buffer` is slower
 * than the portable paths and is ignored.
 */

type BufferMethod<T extends unknown[], R> = (this: Uint8Array, ...args: T) => R

/** `Buffer.prototype[name]` if there is one. */
function bufferMethod<T extends unknown[], R>(name: string): BufferMethod<T, R> | undefined {
  const prototype = (globalThis as { Buffer?: { prototype?: Record<string, unknown> } }).Buffer
    ?.prototype
  const method = prototype?.[name]
  return typeof method === 'function' ? (method as BufferMethod<T, R>) : undefined
}

/** `Buffer.prototype[name]` when it is native code, else undefined. */
function nativeBufferMethod<T extends unknown[], R>(name: string): BufferMethod<T, R> | undefined {
  const method = bufferMethod<T, R>(name)
  return method && /\[native code\]/.test(Function.prototype.toString.call(method))
    ? method
    : undefined
}

/**
 * `Buffer.prototype.latin1Slice`: bytes to a one-byte string with one copy. For ASCII it is the
 * UTF-8 decoding, and Node keeps such strings of over about 1 MB outside V8's heap.
 */
export const latin1Slice: BufferMethod<[number, number], string> | undefined =
  nativeBufferMethod('latin1Slice')

/**
 * `Buffer.prototype.indexOf` and `lastIndexOf` for a byte value: `memchr`/`memrchr` in Node,
 * which beat a JavaScript loop over a long line (BENCHMARKS.md, Decoder: large-json, drip-8mb).
 * Node writes these two in JavaScript around a native search, so they are taken only where
 * `latin1Slice` shows that the `Buffer` is the runtime's own.
 */
export const indexOfByte: BufferMethod<[number, number], number> | undefined =
  latin1Slice && bufferMethod('indexOf')
export const lastIndexOfByte: BufferMethod<[number, number], number> | undefined =
  latin1Slice && bufferMethod('lastIndexOf')
