/**
 * Joins byte arrays into one, for generators that build a stream from parts.
 *
 * @param parts - the arrays, in order
 * @returns a new array holding every byte of `parts`
 */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}
