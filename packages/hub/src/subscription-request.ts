import { quoteValue } from '@ssekit/shared/internal'
import { isValidTopic, MAX_TOPIC_LENGTH } from './topic.ts'

/**
 * What `authorize` answers: `true` lets the subscription through; `false` or `403` refuses it
 * with 403 Forbidden; `401` refuses it with 401 Unauthorized.
 */
export type AuthorizeResult = boolean | 401 | 403

/** Options shared by the fetch and `node:http` handlers; `R` is their request type. */
export interface HandlerOptions<R> {
  /**
   * Reads the topics of a request. By default, every `topic` query parameter, each of which may
   * list several topics separated by commas: `/events?topic=news&topic=sports` or
   * `/events?topic=news,sports`.
   */
  topics?: ((url: URL, request: R) => readonly string[] | Promise<readonly string[]>) | undefined
  /**
   * Decides whether the request may subscribe to these topics; see {@link AuthorizeResult}. Runs
   * before anything is streamed. Without it, every request is let through.
   */
  authorize?:
    | ((request: R, topics: readonly string[]) => AuthorizeResult | Promise<AuthorizeResult>)
    | undefined
  /**
   * The name of a query parameter that gives the last event id when the request has no
   * `Last-Event-ID` header: for a first connection that resumes from an id the page stored (a
   * browser's EventSource cannot set headers). Off unless named; the header always wins.
   */
  lastEventIdParam?: string | undefined
  /**
   * The heartbeat comment interval in milliseconds, or false for none.
   * @defaultValue 15000 (the encoder's default)
   */
  heartbeat?: number | false | undefined
  /** A reconnection time in milliseconds, sent first as `retry:`. */
  retry?: number | undefined
}

/** A request resolved to a subscription, or to a refusal. */
export type SubscriptionRequest =
  | { readonly ok: true; readonly topics: readonly string[]; readonly lastEventId: string }
  | { readonly ok: false; readonly status: 400 | 401 | 403; readonly message: string }

/**
 * Reads the topics and the last event id of a request and runs `authorize`.
 *
 * @param request - the framework's request, passed to the callbacks
 * @param url - the request URL
 * @param header - the `Last-Event-ID` header, or null
 * @param options - the handler options
 * @returns the subscription, or the status to refuse it with
 */
export async function resolveSubscriptionRequest<R>(
  request: R,
  url: URL,
  header: string | null | undefined,
  options: HandlerOptions<R>,
): Promise<SubscriptionRequest> {
  const topics = options.topics
    ? [...(await options.topics(url, request))]
    : url.searchParams
        .getAll('topic')
        .flatMap((value) => value.split(','))
        .filter((topic) => topic !== '')
  if (topics.length === 0) {
    return { ok: false, status: 400, message: 'Name at least one topic, as ?topic=<name>.' }
  }
  const invalid = topics.find((topic) => !isValidTopic(topic))
  if (invalid !== undefined) {
    return {
      ok: false,
      status: 400,
      message: `Invalid topic ${quoteValue(invalid)}: use 1 to ${MAX_TOPIC_LENGTH} characters without whitespace, control characters or commas.`,
    }
  }
  const unique = [...new Set(topics)]
  if (options.authorize !== undefined) {
    const verdict = await options.authorize(request, unique)
    if (verdict !== true) {
      return verdict === 401
        ? { ok: false, status: 401, message: 'Unauthorized.' }
        : { ok: false, status: 403, message: 'Forbidden.' }
    }
  }
  let lastEventId = header ?? ''
  if (lastEventId === '' && options.lastEventIdParam !== undefined) {
    lastEventId = url.searchParams.get(options.lastEventIdParam) ?? ''
  }
  return { ok: true, topics: unique, lastEventId }
}
