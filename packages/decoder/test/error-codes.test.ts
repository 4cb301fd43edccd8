/**
 * The decoder's `onError` is typed with the decoder's two codes only; `pnpm typecheck` runs these
 * compile-time checks, and the runtime half shows a real limit error carries one of them.
 */
import type { DecoderErrorCode } from '@ssekit/decoder'
import { expect, expectTypeOf, test } from 'vitest'
import { createDecoder, type DecoderCallbacks } from '../src/decoder.ts'

type ReportedCode = Parameters<NonNullable<DecoderCallbacks['onError']>>[0]['code']

test('onError is typed with exactly LINE_TOO_LONG and EVENT_TOO_LARGE', () => {
  expectTypeOf<ReportedCode>().toEqualTypeOf<DecoderErrorCode>()
  expectTypeOf<DecoderErrorCode>().toEqualTypeOf<'LINE_TOO_LONG' | 'EVENT_TOO_LARGE'>()
  const codes: ReportedCode[] = []
  const decoder = createDecoder(
    { onEvent: () => {}, onError: (error) => codes.push(error.code) },
    { maxLineLength: 4 },
  )
  decoder.feed('data: too long\n')
  expect(codes).toEqual(['LINE_TOO_LONG'])
})
