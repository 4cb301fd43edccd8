/**
 * Finds a required element, failing loudly when the page and the script disagree.
 *
 * @param root - where to look
 * @param selector - a CSS selector
 * @returns the element
 */
export function query<T extends Element = HTMLElement>(root: ParentNode, selector: string): T {
  const element = root.querySelector<T>(selector)
  if (element === null) throw new Error(`The page has no element matching ${selector}.`)
  return element
}

/**
 * Creates an element with a class and text.
 *
 * @param tag - the tag name
 * @param className - its class, or '' for none
 * @param text - its text content
 * @returns the element
 */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = '',
  text = '',
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  if (className !== '') node.className = className
  if (text !== '') node.textContent = text
  return node
}

/**
 * Formats a time of day with milliseconds.
 *
 * @param ms - ms since the epoch
 * @returns `HH:MM:SS.mmm` in local time
 */
export function formatTime(ms: number): string {
  const date = new Date(ms)
  const pad = (n: number, width = 2) => String(n).padStart(width, '0')
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`
}
