/**
 * Splits the text of an event stream into its blocks, each ending with the blank line that
 * dispatches it. The demo's server writes LF line endings only (as `@ssekit/encoder` does), so
 * a block ends at `\n\n`; whatever follows the last blank line is kept as an unfinished block.
 *
 * @param text - the stream's text so far
 * @returns the blocks, in order; their concatenation is `text`
 */
export function splitBlocks(text: string): string[] {
  const blocks: string[] = []
  let start = 0
  for (let end = text.indexOf('\n\n'); end !== -1; end = text.indexOf('\n\n', start)) {
    blocks.push(text.slice(start, end + 2))
    start = end + 2
  }
  if (start < text.length) blocks.push(text.slice(start))
  return blocks
}

const VISIBLE: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0' }

/**
 * Renders wire text with its control characters visible: `\n`, `\r`, `\t` and `\0` become
 * marked escapes (a line feed also breaks the line, so the text stays readable), and any other
 * C0 or C1 control becomes `\u{…}`.
 *
 * @param text - wire text
 * @returns nodes to append to a `<pre>`
 */
export function renderWire(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment()
  let plain = ''
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0
    const isControl = code < 0x20 || (code >= 0x7f && code <= 0x9f)
    if (!isControl) {
      plain += char
      continue
    }
    if (plain !== '') fragment.append(plain)
    plain = ''
    const mark = document.createElement('span')
    mark.className = 'esc'
    mark.textContent = VISIBLE[char] ?? `\\u{${code.toString(16)}}`
    fragment.append(mark)
    if (char === '\n') fragment.append('\n')
  }
  if (plain !== '') fragment.append(plain)
  return fragment
}

const utf8 = new TextEncoder()

/**
 * The number of bytes a string takes in UTF-8, as it travels on the wire.
 *
 * @param text - any text
 * @returns its UTF-8 length
 */
export function byteLength(text: string): number {
  return utf8.encode(text).byteLength
}
