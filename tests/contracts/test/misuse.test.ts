import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, test } from 'vitest'

/**
 * The misuse suite: every file in test/misuse must fail to compile, and for its stated reason.
 * Each states, in a `// expect: TS<code> <text>` line, the diagnostic code and a part of its
 * message, and marks the offending line with `// error here`. A file passes when the compiler
 * reports that diagnostic on that line and nothing anywhere else in the file, so an unrelated
 * error (a broken import, say) cannot stand in for the intended one.
 */
const root = fileURLToPath(new URL('..', import.meta.url))
const misuseDir = fileURLToPath(new URL('misuse/', import.meta.url))
const files = readdirSync(misuseDir)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => `${misuseDir}${name}`)

function compile(): ts.Program {
  const configPath = `${root}tsconfig.json`
  const config = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path))
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root)
  return ts.createProgram({ rootNames: files, options: parsed.options })
}

interface Expectation {
  code: number
  text: string
  line: number
}

function expectationOf(file: string): Expectation {
  const source = readFileSync(file, 'utf8')
  const stated = /^\/\/ expect: TS(\d+) (.+)$/m.exec(source)
  const lines = source.split('\n')
  const line = lines.findIndex((text) => text.includes('// error here'))
  if (stated === null || line === -1) {
    throw new Error(`${file} must state "// expect: TS<code> <text>" and mark "// error here".`)
  }
  return { code: Number(stated[1]), text: stated[2] as string, line }
}

describe('the misuse suite', () => {
  const program = compile()

  test('has a case for each misuse the contract must catch', () => {
    expect(files.length).toBeGreaterThanOrEqual(6)
  })

  test.each(files.map((file) => [file.slice(misuseDir.length), file]))(
    '%s fails to compile for its stated reason',
    (_name, file) => {
      const expected = expectationOf(file)
      const source = program.getSourceFile(file)
      expect(source).toBeDefined()
      const diagnostics = [
        ...program.getSyntacticDiagnostics(source),
        ...program.getSemanticDiagnostics(source),
      ].map((diagnostic) => ({
        code: diagnostic.code,
        line: source?.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line,
        message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
      }))
      // Nothing off the marked line.
      expect(diagnostics.filter((diagnostic) => diagnostic.line !== expected.line)).toEqual([])
      // The stated diagnostic on it.
      expect(diagnostics).toContainEqual({
        code: expected.code,
        line: expected.line,
        message: expect.stringContaining(expected.text),
      })
    },
  )
})
