/**
 * README examples are copies of files that tests run. A README marks each copy with an HTML
 * comment naming the file (`<!-- example: examples/encode.ts -->`) right above its fenced block;
 * the tests then compare every copy with the file, so the two cannot drift apart.
 *
 * @module
 */
import { readdirSync } from 'node:fs'

/** One fenced block that a README marks as a copy of a file. */
export interface ExampleCopy {
  /** The path in the marker, relative to the README's folder. */
  path: string
  /** The fence's language (`ts`), or `''` for a bare fence. */
  lang: string
  /** The block's text, from the line after the opening fence to the closing fence. */
  code: string
}

/**
 * Finds every `<!-- example: path -->` marker with the fenced block right after it.
 *
 * @param markdown - a README's text
 * @returns the marked copies, in document order (a file may be shown more than once)
 * @example
 * ```ts
 * findExampleCopies('<!-- example: examples/a.ts -->\n```ts\nlet a = 1\n```\n')
 * // [{ path: 'examples/a.ts', lang: 'ts', code: 'let a = 1\n' }]
 * ```
 */
export function findExampleCopies(markdown: string): ExampleCopy[] {
  const copies: ExampleCopy[] = []
  const marker = /<!-- example: (\S+) -->\n```(\w*)\n([\s\S]*?)```/g
  for (const [, path, lang, code] of markdown.matchAll(marker)) {
    copies.push({ path: path as string, lang: lang as string, code: code as string })
  }
  return copies
}

/**
 * Counts the fenced blocks that open with a language, marked as copies or not: a README whose
 * count equals its number of marked copies has no unmarked block that could drift.
 *
 * @param markdown - a README's text
 * @param lang - the fence's language
 * @defaultValue `lang` is `'ts'`
 * @returns how many times ```` ```lang ```` and a line break occur
 */
export function countFencedBlocks(markdown: string, lang = 'ts'): number {
  return markdown.split(`\`\`\`${lang}\n`).length - 1
}

/**
 * The fenced block that shows a whole file, for READMEs that copy examples without a marker.
 *
 * @param source - the file's text (ending in a newline)
 * @param lang - the fence's language
 * @defaultValue `lang` is `'ts'`
 * @returns ```` ```ts ````, a line break, the file and the closing fence
 */
export function fenceFile(source: string, lang = 'ts'): string {
  return `\`\`\`${lang}\n${source}\`\`\``
}

/**
 * Lists a package's example files: the `.ts` files directly in its `examples/` folder.
 *
 * @param packageRoot - the package folder, as a `file:` URL ending in `/`
 * @returns the file names (`encode.ts`, …), in folder order
 */
export function listExampleFiles(packageRoot: URL): string[] {
  return readdirSync(new URL('examples/', packageRoot)).filter((name) => name.endsWith('.ts'))
}
