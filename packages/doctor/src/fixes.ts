/** A layer of the path between a server and a browser, named in fixes. */
export type Layer =
  | 'app'
  | 'nginx'
  | 'Traefik'
  | 'Cloudflare'
  | 'AWS ALB'
  | 'AWS API Gateway'
  | 'Next.js'
  | 'Bun'
  | 'Express'

/** One layer's fix for a finding, with the documentation that backs it. */
export interface Fix {
  layer: Layer
  fix: string
  source: string
}

const NGINX_PROXY = 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html'

/** The fixes the doctor prints, by finding code. `{n}` is replaced by the measured value. */
export const FIXES: Readonly<Record<string, readonly Fix[]>> = {
  BUFFERED: [
    {
      layer: 'app',
      fix: "send `X-Accel-Buffering: no` with the stream (ssekit's encoder does; nginx honours it unless `proxy_ignore_headers` lists it)",
      source: `${NGINX_PROXY}#proxy_buffering`,
    },
    {
      layer: 'nginx',
      fix: '`proxy_buffering off;` in the location that proxies the stream (and `proxy_cache off;`)',
      source: `${NGINX_PROXY}#proxy_buffering`,
    },
    {
      layer: 'Traefik',
      fix: "remove the `buffering` middleware from the stream's router: it reads whole responses; without it Traefik (Go's reverse proxy) passes a response without `Content-Length` on as it arrives",
      source: 'https://doc.traefik.io/traefik/middlewares/http/buffering/',
    },
    {
      layer: 'AWS API Gateway',
      fix: "REST APIs wait for the whole response unless the proxy integration's response transfer mode is `STREAM`",
      source:
        'https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode.html',
    },
  ],
  FLUSHED_ON_TIMER: [
    {
      layer: 'app',
      fix: "a proxy flushes the stream on a timer: set its flush interval to flush at once for `text/event-stream` (Go's `httputil.ReverseProxy` flushes at once when `FlushInterval` is negative, or for a response without `Content-Length`)",
      source: 'https://pkg.go.dev/net/http/httputil#ReverseProxy',
    },
  ],
  COMPRESSED: [
    {
      layer: 'app',
      fix: "send `Cache-Control: no-cache, no-transform` so intermediaries leave the stream as it is, or flush the compressor after every event (ssekit's `openEventStream` calls `res.flush()`)",
      source: 'https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2.6',
    },
    {
      layer: 'nginx',
      fix: 'leave `text/event-stream` out of `gzip_types` (with `proxy_buffering on` a gzipped stream is held until the response ends)',
      source: 'https://nginx.org/en/docs/http/ngx_http_gzip_module.html#gzip_types',
    },
    {
      layer: 'Express',
      fix: 'the `compression` middleware holds bytes until `res.flush()`: call it after each event (`openEventStream` does), or skip compression for `text/event-stream` with its `filter` option',
      source: 'https://github.com/expressjs/compression#resflush',
    },
    {
      layer: 'Next.js',
      fix: '`next start` gzips responses: set `compress: false` in next.config.js and compress elsewhere, or serve the stream from a route that sets `Content-Encoding: none`',
      source: 'https://nextjs.org/docs/app/api-reference/config/next-config-js/compress',
    },
    {
      layer: 'Cloudflare',
      fix: 'Cloudflare compresses only the content types it lists, and `text/event-stream` is not one of them: a stream that arrives compressed through it matches a Compression Rule, which should leave it out',
      source:
        'https://developers.cloudflare.com/speed/optimization/content/brotli/content-compression/',
    },
  ],
  IDLE_CUT: [
    {
      layer: 'app',
      fix: 'send a heartbeat comment at least every {n} s (`openEventStream(res, { heartbeat })`, `createEventStreamResponse(source, { heartbeat })`)',
      source: 'https://html.spec.whatwg.org/multipage/server-sent-events.html#authoring-notes',
    },
    {
      layer: 'nginx',
      fix: '`proxy_read_timeout` (default 60 s) is the longest silence nginx allows between two reads from the app: raise it above the heartbeat interval',
      source: `${NGINX_PROXY}#proxy_read_timeout`,
    },
    {
      layer: 'AWS ALB',
      fix: 'the connection idle timeout (default 60 s) closes a silent connection: keep heartbeats shorter, or raise `idle_timeout.timeout_seconds`',
      source:
        'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html#connection-idle-timeout',
    },
    {
      layer: 'Cloudflare',
      fix: 'Cloudflare ends a response that sends nothing for 100 s (Proxy Read Timeout, error 524): keep heartbeats well under it',
      source:
        'https://developers.cloudflare.com/support/troubleshooting/http-status-codes/cloudflare-5xx-errors/error-524/',
    },
    {
      layer: 'Bun',
      fix: '`Bun.serve({ idleTimeout })` closes a silent connection after 10 s by default: heartbeat under it, or call `server.timeout(request, 0)` for the stream',
      source: 'https://bun.sh/reference/bun/Serve/HostnamePortServeOptions/idleTimeout',
    },
    {
      layer: 'AWS API Gateway',
      fix: 'a REST API integration times out after 29 s by default unless it streams (`STREAM` transfer mode)',
      source:
        'https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode.html',
    },
  ],
  HEADERS_WAITED: [
    {
      layer: 'app',
      fix: 'flush the headers before the first event (`res.flushHeaders()`; `openEventStream` does), so `EventSource` opens at once',
      source: 'https://nodejs.org/api/http.html#responseflushheaders',
    },
    {
      layer: 'nginx',
      fix: 'with `proxy_buffering on` nginx holds the headers with the first buffer: turn buffering off for the stream',
      source: `${NGINX_PROXY}#proxy_buffering`,
    },
  ],
  HTTP1_CONNECTION_LIMIT: [
    {
      layer: 'app',
      fix: 'serve the page and the stream over HTTP/2 (browsers allow about six HTTP/1.1 connections per origin, each open stream holds one), or share one stream between tabs (a SharedWorker or BroadcastChannel)',
      source: 'https://html.spec.whatwg.org/multipage/server-sent-events.html#authoring-notes',
    },
  ],
  UPSTREAM_HTTP_1_0: [
    {
      layer: 'nginx',
      fix: '`proxy_http_version 1.1;` and `proxy_set_header Connection "";` so nginx keeps the connection to the app open and streams chunked',
      source: `${NGINX_PROXY}#proxy_http_version`,
    },
  ],
  NO_TRANSFORM: [
    {
      layer: 'app',
      fix: 'add `no-transform` to `Cache-Control` (`no-cache, no-transform`): it asks every intermediary to pass the stream on unchanged, uncompressed',
      source: 'https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2.6',
    },
  ],
  CACHE_CONTROL: [
    {
      layer: 'app',
      fix: "send `Cache-Control: no-cache` (ssekit's headers do), so no cache stores or replays the stream",
      source: 'https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2.4',
    },
  ],
  CONTENT_TYPE: [
    {
      layer: 'app',
      fix: 'answer with `Content-Type: text/event-stream`: an `EventSource` fails the connection on any other type',
      source: 'https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model',
    },
  ],
  RETRY_LOST: [
    {
      layer: 'app',
      fix: 'check that nothing in the path rewrites or strips the body: the `retry:` line the server sent did not arrive',
      source:
        'https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation',
    },
  ],
  LAST_EVENT_ID_LOST: [
    {
      layer: 'nginx',
      fix: 'do not clear request headers on the way in: the browser sends `Last-Event-ID` on reconnect, and the app needs it to resume',
      source: `${NGINX_PROXY}#proxy_pass_request_headers`,
    },
  ],
}

/**
 * The fixes of a finding, with `{n}` replaced.
 *
 * @param code - the finding's code
 * @param n - the measured value the fixes quote (a heartbeat interval in seconds, for instance)
 * @returns the fixes, or none for a finding that needs none
 */
export function fixesFor(code: string, n?: number): Fix[] {
  return (FIXES[code] ?? []).map((fix) =>
    n === undefined ? { ...fix } : { ...fix, fix: fix.fix.replaceAll('{n}', String(n)) },
  )
}
