const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz'

/**
 * A fresh random epoch: 10 lowercase letters and digits (about 51 bits). Each store of history
 * (a memory transport, a Redis namespace after a restart) gets its own, so an id from a history
 * that no longer exists is recognised instead of being replayed from the wrong place.
 *
 * @returns the epoch, usable in an SSE id and free of `-`
 */
export function createEpoch(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(10))
  let epoch = ''
  for (const byte of bytes) epoch += ALPHABET[byte % 36]
  return epoch
}
