import { SSEError } from '@ssekit/shared'
import { quoteValue } from '@ssekit/shared/internal'

/**
 * The error a client reports when the server answers with something that is not an event stream:
 * a status other than 200 (`INVALID_STATUS`) or a content type other than `text/event-stream`
 * (`INVALID_CONTENT_TYPE`). It carries the response, so the status, the headers and even the body
 * (a JSON problem document, say) can be inspected. Per the spec such a failure is permanent: the
 * client does not reconnect unless `onError` returns `true`.
 *
 * @example
 * ```ts
 * const connection = connect(url, {
 *   onError(error) {
 *     if (error instanceof SSEResponseError && error.status === 401) refreshLogin()
 *   },
 * })
 * ```
 */
/** The two codes of a response that is not an event stream. */
type ResponseErrorCode = 'INVALID_STATUS' | 'INVALID_CONTENT_TYPE'

export class SSEResponseError extends SSEError<ResponseErrorCode> {
  override readonly name: string = 'SSEResponseError'
  /** The response's HTTP status, such as 404 or 503. */
  readonly status: number
  /** The response's `Content-Type` header, or null when it had none. */
  readonly contentType: string | null
  /** The response itself. Its body has not been read, so it can still be. */
  readonly response: Response

  /**
   * @param response - the response that failed to open the stream
   * @param code - `INVALID_STATUS` or `INVALID_CONTENT_TYPE`; derived from the response when omitted
   */
  constructor(response: Response, code?: ResponseErrorCode) {
    const contentType = response.headers.get('content-type')
    const finalCode = code ?? (response.status === 200 ? 'INVALID_CONTENT_TYPE' : 'INVALID_STATUS')
    const where = response.url ? ` from ${response.url}` : ''
    super(
      finalCode,
      finalCode === 'INVALID_STATUS'
        ? `The server answered${where} with status ${response.status}${response.statusText ? ` ${response.statusText}` : ''}, not 200; an event stream must be served with status 200.`
        : `The server answered${where} with content type ${contentType === null ? 'none' : quoteValue(contentType)}, not text/event-stream; serve the stream as "text/event-stream".`,
    )
    this.status = response.status
    this.contentType = contentType
    this.response = response
  }
}
