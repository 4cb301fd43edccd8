/** A body chunk as it arrived. */
export interface ArrivedChunk {
  /** When it arrived, in ms after the request was sent. */
  at: number
  /** Its size in bytes, after any `Content-Encoding` was decoded. */
  size: number
}

/** An event as it arrived. */
export interface ArrivedEvent {
  /** When the chunk that completed it arrived, in ms after the request was sent. */
  at: number
  /** Its type (`message` when the stream named none). */
  type: string
  /** Its id field, or null when it had none. */
  id: string | null
  data: string
  /** The body bytes received up to the end of the chunk that completed it. */
  offset: number
}

/** What the reconnect check saw. */
export interface ReconnectTrace {
  /** The `retry:` the first connection delivered, or null. */
  retry: number | null
  /** The last event ID the first connection delivered, sent back as `Last-Event-ID`. */
  lastEventId: string | null
  /** The `Last-Event-ID` the handler received on the second connection (null: none). */
  receivedLastEventId: string | null
  /** The time between the handler closing the first connection and the second request, in ms. */
  afterMs: number | null
  /** Why the check could not finish, when it could not. */
  error: string | null
}

/** How a probe's stream ended. */
export interface TraceEnd {
  /** When, in ms after the request. */
  at: number
  /**
   * `done`: the handler's `doctor-done` arrived; `closed`: the body ended before it; `error`: the
   * connection failed; `stopped`: the probe stopped listening (its time was up).
   */
  reason: 'done' | 'closed' | 'error' | 'stopped'
  /** The error, for `error`. */
  message: string | null
}

/**
 * Everything a probe recorded: the data the analysis turns into findings. It is plain JSON, the
 * same whether a command line or a browser recorded it.
 */
export interface ProbeTrace {
  url: string
  /** `doctor`: the self-test handler's stream; `stream`: any event stream, from the stream alone. */
  mode: 'doctor' | 'stream'
  status: number
  /** The response headers, names in lower case. */
  headers: Record<string, string>
  /** The HTTP version between this client and the first hop (`http/1.1`, `h2`, `h3`), or null. */
  httpVersion: string | null
  /**
   * The HTTP version the server offers a browser, when the probe itself could not use it: Node's
   * `fetch` speaks HTTP/1.1 only, so the command line asks the TLS handshake (ALPN).
   */
  offeredHttpVersion?: string | null | undefined
  /** When the response headers arrived, in ms after the request. */
  headersAt: number
  chunks: ArrivedChunk[]
  events: ArrivedEvent[]
  /** The last `retry:` received, or null. */
  retry: number | null
  end: TraceEnd
  /** The reconnect check, in `doctor` mode. */
  reconnect: ReconnectTrace | null
}
