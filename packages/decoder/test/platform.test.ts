/**
 * Under Node, `#platform` is the Node variant, so every other test file exercises the native
 * routines (web-platform.test.ts runs the suites again on the web variant).
 */
import { expect, test } from 'vitest'
import { createUtf8Decoder, indexOfByte, lastIndexOfByte } from '#platform'

test("under Node, #platform has Node's native byte searches", () => {
  expect(typeof indexOfByte).toBe('function')
  expect(typeof lastIndexOfByte).toBe('function')
})

test('under Node, a megabyte of ASCII is decoded through latin1Slice (known to be ASCII)', () => {
  const utf8 = createUtf8Decoder()
  const bytes = new Uint8Array(1024 * 1024).fill(0x61)
  expect(utf8.decode(bytes)).toBe('a'.repeat(1024 * 1024))
  expect(utf8.wasAscii()).toBe(true)
})
