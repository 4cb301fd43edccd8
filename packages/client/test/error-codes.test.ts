/**
 * The error-code types say which codes can arrive where: `onError` and `onClose` of the client see
 * the client's codes (its own and the decoder's), never the encoder's or the hub's. These are
 * compile-time checks, run by `pnpm typecheck`; the runtime test pins the codes a real connection
 * reports to the same list.
 */
import type { ClientErrorCode, SSEErrorCode } from '@ssekit/client'
import { expect, expectTypeOf, test } from 'vitest'
import type { ConnectOptions } from '../src/connect-options.ts'
import { SSEResponseError } from '../src/response-error.ts'

type ReportedCode = Parameters<NonNullable<ConnectOptions['onError']>>[0]['code']
type ClosedCode = NonNullable<Parameters<NonNullable<ConnectOptions['onClose']>>[0]>['code']

const CLIENT_CODES = [
  'LINE_TOO_LONG',
  'EVENT_TOO_LARGE',
  'INVALID_STATUS',
  'INVALID_CONTENT_TYPE',
  'NETWORK_ERROR',
  'IDLE_TIMEOUT',
  'RETRY_LIMIT',
  'CONTRACT_VIOLATION',
  'ASYNC_SCHEMA',
] as const satisfies readonly ClientErrorCode[]

test('onError and onClose are typed with exactly the client codes', () => {
  expectTypeOf<ReportedCode>().toEqualTypeOf<ClientErrorCode>()
  expectTypeOf<ClosedCode>().toEqualTypeOf<ClientErrorCode>()
  expectTypeOf<ClientErrorCode>().toEqualTypeOf<(typeof CLIENT_CODES)[number]>()
  // A hub or encoder code is not among them, though every one is an SSEErrorCode.
  expectTypeOf<'HUB_CLOSED'>().not.toExtend<ReportedCode>()
  expectTypeOf<'INVALID_ID'>().not.toExtend<ReportedCode>()
  expectTypeOf<ReportedCode>().toExtend<SSEErrorCode>()
  const onError: NonNullable<ConnectOptions['onError']> = (error) => {
    // @ts-expect-error: the client never reports SLOW_CONSUMER, so comparing with it is an error.
    return error.code === 'SLOW_CONSUMER'
  }
  expect(typeof onError).toBe('function')
})

test('SSEResponseError carries one of the two response codes, derived from the response', () => {
  const status = new SSEResponseError(new Response('', { status: 503 }))
  const type = new SSEResponseError(
    new Response('', { status: 200, headers: { 'content-type': 'text/html' } }),
  )
  expectTypeOf(status.code).toEqualTypeOf<'INVALID_STATUS' | 'INVALID_CONTENT_TYPE'>()
  expect([status.code, type.code]).toEqual(['INVALID_STATUS', 'INVALID_CONTENT_TYPE'])
  expect(CLIENT_CODES).toContain(status.code)
})
