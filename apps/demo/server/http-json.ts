import type { IncomingMessage, ServerResponse } from 'node:http'

const MAX_BODY_BYTES = 64 * 1024

/** A request the server refuses, with the status to answer. */
export class HttpError extends Error {
  override readonly name: string = 'HttpError'
  readonly status: number

  /**
   * @param status - the HTTP status
   * @param message - shown to the page
   */
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

/**
 * Reads a JSON request body of at most 64 KiB.
 *
 * @param req - the request
 * @returns the parsed body
 * @throws HttpError 413 when the body is too large, 400 when it is not JSON
 */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'The body is larger than 64 KiB.')
    chunks.push(chunk)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new HttpError(400, 'The body is not JSON.')
  }
}

/**
 * Answers with a JSON body.
 *
 * @param res - the response
 * @param status - the HTTP status
 * @param body - any JSON-able value
 */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  })
  res.end(text)
}
