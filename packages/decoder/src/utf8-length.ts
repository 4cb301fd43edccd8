/**
 * How many bytes `text[start, end)` takes in UTF-8. A lone surrogate counts 3, as the U+FFFD
 * that `TextEncoder` writes for it.
 *
 * @param text - the text
 * @param start - the first code unit counted
 * @param end - one past the last code unit counted
 * @returns the UTF-8 length in bytes
 */
export function utf8Length(text: string, start: number, end: number): number {
  let bytes = end - start
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) continue
    if (code < 0x800) {
      bytes += 1
      continue
    }
    bytes += 2
    // A surrogate pair is 2 code units and 4 bytes: its second unit adds nothing more.
    if (code <= 0xdbff && code >= 0xd800 && i + 1 < end) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) i++
    }
  }
  return bytes
}
