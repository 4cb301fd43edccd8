/**
 * The one cross-runtime smoke suite. It runs, unchanged, under Node 20/22/24 (loaded with `import`
 * and with `require()`), Deno, Bun and Chromium, always against the packages installed from the
 * packed tarballs. The entries (`entry-import.mjs`, `entry-require.cjs`, `entry-browser.mjs`) load
 * the packages their own way and hand the modules in, so this file never names a package itself.
 *
 * Plain JavaScript, no top-level await (a CommonJS entry `require()`s it), no test framework: the
 * tiny harness at the bottom runs the tests one after another and returns per-test results.
 *
 * @module
 */

/** The fixed corpus: what each event is sent as, and the `ServerSentEvent` a decoder must yield. */
export const CORPUS = [
  { send: { data: 'plain ASCII' }, expect: { data: 'plain ASCII' } },
  {
    // Astral characters (4 UTF-8 bytes, surrogate pairs in UTF-16), a combining mark, CJK.
    send: { id: 'unicode-1', event: 'unicode', data: 'héllo wörld — 日本語 — 😀🎉 𝄞 — e\u0301' },
    expect: { id: 'unicode-1', event: 'unicode', data: 'héllo wörld — 日本語 — 😀🎉 𝄞 — e\u0301' },
  },
  {
    // Every line ending: a decoder joins data lines with LF.
    send: { data: 'lf\ncrlf\r\ncr\rlast' },
    expect: { data: 'lf\ncrlf\ncr\nlast' },
  },
  { send: { data: '\n\nblank lines around\n' }, expect: { data: '\n\nblank lines around\n' } },
  { send: { data: ' one leading space' }, expect: { data: ' one leading space' } },
  { send: { data: '' }, expect: { data: '' } },
  {
    send: {
      event: 'json',
      data: { text: 'ünïcødé 🚀', list: [1, 'two', null, true], nested: { a: {} } },
    },
    expect: {
      event: 'json',
      data: JSON.stringify({ text: 'ünïcødé 🚀', list: [1, 'two', null, true], nested: { a: {} } }),
    },
  },
  { send: { data: 42 }, expect: { data: '42' } },
  {
    send: { id: 'id-7', event: 'update', data: 'named, with an id' },
    expect: { id: 'id-7', event: 'update', data: 'named, with an id' },
  },
  {
    send: { id: '', data: 'empty id resets the last event ID' },
    expect: { id: '', data: 'empty id resets the last event ID' },
  },
  { send: { retry: 2500, data: 'with a retry' }, expect: { retry: 2500, data: 'with a retry' } },
  {
    send: { event: 'data:tricky', data: 'id: not a field\nevent: nor this' },
    expect: { event: 'data:tricky', data: 'id: not a field\nevent: nor this' },
  },
]

const EXPECTED = CORPUS.map((entry) => entry.expect)
/**
 * What connect() yields: each event with the last event ID at its dispatch (the corpus has no
 * id-only blocks, so the cursor is the latest event's own id).
 */
const EXPECTED_FROM_CONNECT = (() => {
  let cursor = ''
  return EXPECTED.map((event) => {
    if (event.id !== undefined) cursor = event.id
    return { ...event, lastEventId: cursor }
  })
})()

/**
 * Runs the suite.
 *
 * @param modules - `{ shared, encoder, decoder, client, hub, encoderNode?, hubNode?, resolved? }`: the
 *   packages' namespaces (the `node` entries outside browsers), and where each entry resolved
 * @param env - `{ serverUrl, log? }`: the runner's SSE server base URL, and a line printer
 * @returns `{ runtime, passed, failed, results: [{ name, group, ok, error?, ms }] }`
 */
export async function runSuite(modules, env) {
  const { shared, encoder, decoder, client, hub, encoderNode, hubNode } = modules
  const runtime = detectRuntime()
  const log = env.log ?? (() => {})
  const tests = []
  const test = (group, name, fn, options = {}) => tests.push({ group, name, fn, ...options })

  // ---- modules: the entries load and expose what the API contract names -------------------
  test('modules', '@ssekit/shared exports the event model helpers and SSEError', () => {
    expectFunctions(shared, [
      'SSEError',
      'isSSEError',
      'createEventStreamHeaders',
      'isEventStreamContentType',
    ])
    assertEqual(shared.CONTENT_TYPE, 'text/event-stream')
  })
  test(
    'modules',
    '@ssekit/encoder exports encode, encodeBytes, encodeComment, EventEncoderStream, createEventStreamResponse',
    () => {
      expectFunctions(encoder, [
        'encode',
        'encodeBytes',
        'encodeComment',
        'EventEncoderStream',
        'createEventStreamResponse',
      ])
    },
  )
  test(
    'modules',
    '@ssekit/decoder exports createDecoder, decode, EventDecoderStream, readEvents',
    () => {
      expectFunctions(decoder, ['createDecoder', 'decode', 'EventDecoderStream', 'readEvents'])
    },
  )
  test('modules', '@ssekit/client exports connect, EventSource and SSEResponseError', () => {
    expectFunctions(client, ['connect', 'EventSource', 'SSEResponseError'])
    // One error class across packages: the client re-exports the shared one.
    assertEqual(client.SSEError, shared.SSEError, 'client.SSEError')
  })
  test('modules', '@ssekit/hub exports createHub and createFetchHandler', () => {
    expectFunctions(hub, ['createHub', 'createFetchHandler'])
  })
  if (runtime !== 'browser') {
    test('modules', '@ssekit/encoder/node exports openEventStream', () => {
      expectFunctions(encoderNode, ['openEventStream'])
    })
    test('modules', '@ssekit/hub/node exports createNodeHandler', () => {
      expectFunctions(hubNode, ['createNodeHandler'])
    })
  }

  if (modules.resolved) {
    test(
      'modules',
      "every entry resolves to the throwaway project's node_modules (the tarballs), never the workspace",
      () => {
        const root = toFileUrl(env.projectDir)
        for (const [name, url] of Object.entries(modules.resolved)) {
          assert(
            url.startsWith(`${root}/node_modules/${name.split('/').slice(0, 2).join('/')}/dist/`),
            `${name} resolved to ${url}, outside ${root}/node_modules`,
          )
        }
      },
    )
  }

  // ---- round trip ---------------------------------------------------------------------------
  test('roundtrip', 'the corpus survives encode → UTF-8 bytes → decode', () => {
    const text = CORPUS.map((entry) => encoder.encode(entry.send)).join('')
    assertEvents(decoder.decode(new TextEncoder().encode(text)), EXPECTED)
    assertEvents(decoder.decode(text), EXPECTED)
  })
  test(
    'roundtrip',
    'the corpus survives encodeBytes → bytes cut into 1 to 7 byte chunks → createDecoder',
    () => {
      const bytes = concatBytes(CORPUS.map((entry) => encoder.encodeBytes(entry.send)))
      for (let size = 1; size <= 7; size++) {
        const events = []
        const parser = decoder.createDecoder({ onEvent: (event) => events.push(event) })
        for (let i = 0; i < bytes.length; i += size) parser.feed(bytes.subarray(i, i + size))
        parser.end()
        assertEvents(events, EXPECTED, `chunk size ${size}`)
      }
    },
  )
  test(
    'roundtrip',
    'the corpus survives EventEncoderStream → 3-byte chunks → EventDecoderStream',
    async () => {
      const events = await collect(
        streamOf(CORPUS.map((entry) => entry.send))
          .pipeThrough(new encoder.EventEncoderStream())
          .pipeThrough(rechunk(3))
          .pipeThrough(new decoder.EventDecoderStream()),
      )
      assertEvents(events, EXPECTED)
    },
  )
  test('roundtrip', 'readEvents reads the corpus back from a Response body', async () => {
    const body = streamOf(CORPUS.map((entry) => entry.send)).pipeThrough(
      new encoder.EventEncoderStream(),
    )
    const events = []
    for await (const event of decoder.readEvents(new Response(body))) events.push(event)
    assertEvents(events, EXPECTED)
  })

  // ---- typed errors ---------------------------------------------------------------------------
  test(
    'errors',
    'an id with a line break is refused with an SSEError (instanceof, code INVALID_ID) from @ssekit/shared',
    () => {
      const error = catchError(() => encoder.encode({ id: 'a\nb', data: 'x' }))
      assert(
        error instanceof shared.SSEError,
        `expected an SSEError from @ssekit/shared, got ${describe(error)}`,
      )
      assert(error instanceof Error, 'an SSEError is an Error')
      assertEqual(error.code, 'INVALID_ID')
      assertEqual(error.field, 'id')
      assert(shared.isSSEError(error, 'INVALID_ID'), 'isSSEError(error, "INVALID_ID")')
    },
  )
  test(
    'errors',
    'an event type with CR and a negative retry are refused with INVALID_EVENT and INVALID_RETRY',
    () => {
      const badEvent = catchError(() => encoder.encode({ event: 'a\rb', data: 'x' }))
      assert(badEvent instanceof shared.SSEError, `expected an SSEError, got ${describe(badEvent)}`)
      assertEqual(badEvent.code, 'INVALID_EVENT')
      const badRetry = catchError(() => encoder.encodeBytes({ retry: -1 }))
      assert(badRetry instanceof shared.SSEError, `expected an SSEError, got ${describe(badRetry)}`)
      assertEqual(badRetry.code, 'INVALID_RETRY')
    },
  )
  test(
    'errors',
    'EventEncoderStream errors its stream with the SSEError of a refused event',
    async () => {
      const stream = streamOf([{ data: 'fine' }, { id: 'bad\0id', data: 'x' }]).pipeThrough(
        new encoder.EventEncoderStream(),
      )
      const error = await collect(stream).then(
        () => undefined,
        (caught) => caught,
      )
      assert(error instanceof shared.SSEError, `expected an SSEError, got ${describe(error)}`)
      assertEqual(error.code, 'INVALID_ID')
    },
  )
  test('errors', "the decoder's limit errors are the same SSEError class as the encoder's", () => {
    const errors = []
    const parser = decoder.createDecoder(
      { onEvent: () => {}, onError: (error) => errors.push(error) },
      { maxLineLength: 8 },
    )
    parser.feed('data: far more than eight characters\n\n')
    assertEqual(errors.length, 1)
    assert(errors[0] instanceof shared.SSEError, `expected an SSEError, got ${describe(errors[0])}`)
    assertEqual(errors[0].code, 'LINE_TOO_LONG')
  })

  // ---- the client against the runner's server, through dropped connections ----------------
  test(
    'client',
    'connect() reconnects after a dropped and an ended connection, sending Last-Event-ID',
    async () => {
      const key = uniqueKey(runtime, 'connect')
      // No retry option: the server's `retry: 20` must set the reconnection delay.
      const connection = client.connect(`${env.serverUrl}/drop?key=${key}`)
      const seen = []
      try {
        for await (const event of connection) {
          seen.push(event)
          // Having read id 2, have the server cut this connection mid-stream.
          if (event.id === '2') await cut(env.serverUrl, key)
          if (event.id === '4') break
        }
      } finally {
        connection.close()
      }
      assertDropScenario(
        seen.map((event) => ({ id: event.id, data: event.data })),
        connection.lastEventId,
      )
      assertEqual(connection.readyState, 2, 'readyState after close()')
    },
  )
  test(
    'client',
    'EventSource reconnects after a dropped and an ended connection, sending Last-Event-ID',
    async () => {
      const key = uniqueKey(runtime, 'eventsource')
      const source = new client.EventSource(`${env.serverUrl}/drop?key=${key}`)
      const seen = []
      let opens = 0
      try {
        await withTimeout(
          new Promise((resolve, reject) => {
            source.onopen = () => {
              opens++
            }
            source.onmessage = (message) => {
              seen.push({ id: message.lastEventId, data: message.data })
              if (message.lastEventId === '2') cut(env.serverUrl, key).catch(reject)
              if (message.lastEventId === '4') resolve()
            }
            source.addEventListener('error', () => {
              if (source.readyState === source.CLOSED)
                reject(new Error('EventSource closed instead of reconnecting'))
            })
          }),
          8000,
          'EventSource never saw event 4',
        )
      } finally {
        source.close()
      }
      assertDropScenario(seen, seen.at(-1)?.id)
      assertEqual(opens, 3, 'open events (one per connection)')
      assertEqual(source.readyState, 2, 'readyState after close()')
    },
  )
  test(
    'client',
    'connect() reports a 500 answer as an SSEResponseError that is an SSEError',
    async () => {
      const errors = []
      const connection = client.connect(`${env.serverUrl}/status/500`, {
        retry: { initialDelay: 10, maxAttempts: 1 },
        onError: (error) => {
          errors.push(error)
          return false
        },
      })
      const thrown = await (async () => {
        for await (const _ of connection) {
          // No event is expected.
        }
      })().then(
        () => undefined,
        (error) => error,
      )
      connection.close()
      const error = thrown ?? errors[0]
      assert(error instanceof shared.SSEError, `expected an SSEError, got ${describe(error)}`)
      assert(error instanceof client.SSEResponseError, 'expected an SSEResponseError')
      assertEqual(error.code, 'INVALID_STATUS')
      assertEqual(error.status, 500)
    },
  )

  // ---- the encoder's servers, on this runtime's own server --------------------------------
  const serverName = {
    node: 'node:http',
    deno: 'Deno.serve',
    bun: 'Bun.serve',
    browser: 'a fetch function',
  }[runtime]
  test(
    'server',
    `createEventStreamResponse served by ${serverName} is read back by connect()`,
    async () => {
      let stopped
      const sourceStopped = new Promise((resolve) => {
        stopped = resolve
      })
      async function* source() {
        try {
          for (const entry of CORPUS) yield entry.send
          // Keep the stream open until the client goes away: the helper must then stop the source
          // with return(), which an async generator answers at its next yield.
          for (;;) {
            await new Promise((resolve) => setTimeout(resolve, 20))
            yield { event: 'tick', data: '' }
          }
        } finally {
          stopped()
        }
      }
      const handler = () => encoder.createEventStreamResponse(source(), { heartbeat: 1000 })
      const server = runtime === 'browser' ? undefined : await serveFetch(runtime, handler)
      const url = server ? `${server.url}/events` : `${env.serverUrl}/never-fetched`
      const options = server ? {} : { fetch: async () => handler() }
      const connection = client.connect(url, options)
      const events = []
      try {
        for await (const event of connection) {
          if (event.event !== 'tick') events.push(event)
          if (events.length === CORPUS.length) break
        }
      } finally {
        connection.close()
      }
      try {
        assertEvents(events, EXPECTED_FROM_CONNECT)
        await withTimeout(
          sourceStopped,
          5000,
          "the source's finally block did not run after the client closed",
        )
      } finally {
        await server?.close()
      }
    },
  )
  if (runtime !== 'browser') {
    test(
      'server',
      'openEventStream (@ssekit/encoder/node) on node:http is read back by connect(), and sees the client leave',
      async () => {
        const http = await import('node:http')
        let streamClosed
        const server = http.createServer((_req, res) => {
          const stream = encoderNode.openEventStream(res, { heartbeat: 1000, retry: 50 })
          streamClosed = stream.closed
          ;(async () => {
            for (const entry of CORPUS) await stream.send(entry.send)
          })().catch(() => {})
        })
        await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
        const { port } = server.address()
        const connection = client.connect(`http://127.0.0.1:${port}/events`)
        const events = []
        try {
          for await (const event of connection) {
            events.push(event)
            if (events.length === CORPUS.length) break
          }
        } finally {
          connection.close()
        }
        try {
          assertEvents(events, EXPECTED_FROM_CONNECT)
          await withTimeout(
            streamClosed,
            5000,
            'stream.closed did not resolve after the client left',
          )
        } finally {
          server.closeAllConnections?.()
          await new Promise((resolve) => server.close(() => resolve()))
        }
      },
    )
  }

  if (runtime !== 'browser') {
    const engages = DIRECT_SOCKET_WRITE[runtime]
    test(
      'direct',
      `openEventStream's direct socket write ${engages ? 'engages for every chunk' : 'stays off (res.write takes every chunk)'} on this node:http, and the wire bytes are res.write's`,
      () => assertDirectSocketWrite(encoder, encoderNode, engages),
    )
    test(
      'direct',
      'openEventStream on a corked node:http response does not overtake a chunk res.write() holds back',
      async () => {
        // Since Node 22 a corked response keeps its chunks itself until uncork(); Node 20, Deno
        // and Bun cork the socket.
        const http = await import('node:http')
        const server = http.createServer((_req, res) => {
          const stream = encoderNode.openEventStream(res, { heartbeat: false })
          res.cork()
          res.write('data: first\n\n')
          stream.send({ data: 'second' }).catch(() => {})
          res.uncork()
          stream.send({ data: 'third' }).catch(() => {})
          stream.close()
        })
        try {
          await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
          const { chunks } = parseChunked(await readRaw(server.address().port), 'the response')
          assertEqual(chunks.join(''), 'data: first\n\ndata: second\n\ndata: third\n\n', 'the body')
        } finally {
          server.closeAllConnections?.()
          await new Promise((resolve) => server.close(() => resolve()))
        }
      },
    )
  }

  // ---- the hub ------------------------------------------------------------------------------
  test(
    'hub',
    'hub (memory): subscribers get published events in order, and lastEventId replays what was missed',
    async () => {
      const theHub = hub.createHub()
      const controller = new AbortController()
      try {
        const live = theHub
          .subscribe(['news'], { signal: controller.signal })
          [Symbol.asyncIterator]()
        const first = live.next()
        // The hub assigns ids itself, so the corpus goes in without them.
        const published = CORPUS.slice(0, 4).map(({ send: { id: _id, ...event } }) => event)
        const ids = []
        for (const event of published) ids.push(await theHub.publish('news', event))
        const received = [await first]
        for (let i = 1; i < published.length; i++) received.push(await live.next())
        assertEqual(
          JSON.stringify(
            received.map((result) => [result.value.topic, result.value.event, result.value.data]),
          ),
          // In process, data is the serialized text as published: line endings are only
          // normalized by a decoder reading the wire.
          JSON.stringify(
            published.map((event) => ['news', event.event, serializeForHub(event.data)]),
          ),
        )
        assertEqual(
          JSON.stringify(received.map((result) => result.value.id)),
          JSON.stringify(ids),
          'each event carries the id publish() returned',
        )
        const replay = theHub
          .subscribe(['news'], { lastEventId: ids[1], signal: controller.signal })
          [Symbol.asyncIterator]()
        const replayed = [await replay.next(), await replay.next()]
        assertEqual(
          JSON.stringify(replayed.map((result) => result.value.id)),
          JSON.stringify(ids.slice(2)),
        )
      } finally {
        controller.abort()
        await theHub.close()
      }
    },
  )

  test(
    'hub',
    `the hub's createFetchHandler served by ${serverName} resumes connect() after its lastEventId, then streams live events`,
    async () => {
      const theHub = hub.createHub()
      const handler = hub.createFetchHandler(theHub, { heartbeat: false })
      const server = runtime === 'browser' ? undefined : await serveFetch(runtime, handler)
      try {
        const url = `${server ? server.url : env.serverUrl}/events?topic=news`
        const fetchOption = server
          ? {}
          : { fetch: (input, init) => handler(new Request(input, init)) }
        await assertHubStream(client, theHub, url, fetchOption)
      } finally {
        await server?.close()
        await theHub.close()
      }
    },
  )
  if (runtime !== 'browser') {
    test(
      'hub',
      "@ssekit/hub/node's createNodeHandler on node:http resumes connect() after its lastEventId, then streams live events",
      async () => {
        const http = await import('node:http')
        const theHub = hub.createHub()
        const handle = hubNode.createNodeHandler(theHub, { heartbeat: false })
        const server = http.createServer((req, res) => {
          handle(req, res).catch(() => res.destroy())
        })
        await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
        try {
          await assertHubStream(
            client,
            theHub,
            `http://127.0.0.1:${server.address().port}/events?topic=news`,
            {},
          )
        } finally {
          server.closeAllConnections?.()
          await new Promise((resolve) => server.close(() => resolve()))
          await theHub.close()
        }
      },
    )
  }

  // ---- run ------------------------------------------------------------------------------------
  const results = []
  for (const { group, name, fn, timeout = 10_000 } of tests) {
    const started = Date.now()
    try {
      await withTimeout(Promise.resolve().then(fn), timeout, `timed out after ${timeout} ms`)
      results.push({ group, name, ok: true, ms: Date.now() - started })
      log(`  ✓ ${name} (${Date.now() - started} ms)`)
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
      results.push({ group, name, ok: false, error: message, ms: Date.now() - started })
      log(`  ✗ ${name} (${Date.now() - started} ms)\n      ${message}`)
    }
  }
  const passed = results.filter((result) => result.ok).length
  return { runtime, passed, failed: results.length - passed, results }
}

/**
 * Checks what the `/drop` endpoint of the runner's server sent: ids 1 and 2 on the first
 * connection (whose socket `/cut` then destroys), 3 on the second (then the response ends), 4 on the
 * third; each reconnection's first event echoes the `Last-Event-ID` header the server received.
 */
function assertDropScenario(seen, lastEventId) {
  const ids = seen.map((event) => event.id)
  assertEqual(
    JSON.stringify(ids),
    JSON.stringify(['1', '2', '3', '4']),
    'event ids across the reconnections',
  )
  const second = JSON.parse(seen[2].data)
  const third = JSON.parse(seen[3].data)
  assertEqual(second.connection, 2, 'event 3 comes from the second connection')
  assertEqual(second.lastEventId, '2', 'Last-Event-ID sent after the dropped connection')
  assertEqual(third.connection, 3, 'event 4 comes from the third connection')
  assertEqual(third.lastEventId, '3', 'Last-Event-ID sent after the ended connection')
  assertEqual(lastEventId, '4', 'the last event ID')
}

/**
 * Publishes two events, connects with the first one's id as `lastEventId` (sent as the
 * `Last-Event-ID` header), expects the second one replayed, then a third one published live.
 */
async function assertHubStream(client, theHub, url, options) {
  const first = await theHub.publish('news', { data: 'before the resume point' })
  const second = await theHub.publish('news', { event: 'replayed', data: 'after the resume point' })
  const connection = client.connect(url, { ...options, lastEventId: first })
  const events = []
  let third
  try {
    for await (const event of connection) {
      events.push([event.id, event.event, event.data])
      if (event.id === second) third = await theHub.publish('news', { data: 'live ✓ 🛰️' })
      if (events.length === 2) break
    }
  } finally {
    connection.close()
  }
  assertEqual(
    JSON.stringify(events),
    JSON.stringify([
      [second, 'replayed', 'after the resume point'],
      [third, undefined, 'live ✓ 🛰️'],
    ]),
    'events through the hub handler',
  )
}

// ---- openEventStream's direct socket write ---------------------------------------------------

/**
 * Where `openEventStream` (@ssekit/encoder/node) must write HTTP/1.1 chunks straight to the
 * socket instead of through `res.write()` (src/node/chunked-socket-write.ts reads private
 * `ServerResponse` fields to decide). The test below fails if a runtime listed `true` stops
 * engaging for any chunk, and if one listed `false` starts: that one must be checked, then listed.
 * Bun 1.4's `node:http` reports no chunked encoding on its responses, so it keeps `res.write()`.
 */
const DIRECT_SOCKET_WRITE = { node: true, deno: true, bun: false }

/**
 * Serves the same chunks twice through `openEventStream` on `node:http`, read by a raw TCP client
 * (node:net, so the chunked framing is visible): once as it is, once with `res.write` replaced by
 * a wrapper of the same method, which the direct path must step aside for (a middleware's
 * `write`). "The same bytes" means: both responses are valid chunked encoding (RFC 9112, section
 * 7.1: a hex size, CRLF, exactly that many bytes, CRLF; `0` CRLF CRLF at the end and nothing
 * after), both de-chunked bodies equal the written chunks byte for byte, and both heads are equal
 * but for `Date`. Where the path engages, the whole wire is equal too (one chunk per write, as
 * `res.write()` frames them); elsewhere chunk boundaries are the runtime's own business. Engaged
 * means: `res.write()` was never called for a chunk, and the socket got each chunk's frame in one
 * `write()`; not engaged means `res.write()` got every chunk.
 */
async function assertDirectSocketWrite(encoder, encoderNode, engages) {
  const http = await import('node:http')
  const { Buffer } = await import('node:buffer')
  const chunks = [
    encoder.encode({ retry: 50 }),
    ...CORPUS.map((entry) => encoder.encode(entry.send)),
    '',
    encoder.encodeComment('a comment\nof two lines'),
    encoder.encodeBytes({ id: 'bytes', data: 'pre-encoded ✓ 🛰️' }),
    // Larger than the socket's buffer: the sends wait for 'drain'.
    encoder.encode({ data: `${'é'.repeat(100_000)}😀`.repeat(3) }),
  ]
  const latin1 = (chunk) =>
    (typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk)).toString('latin1')
  const expectedChunks = chunks.map(latin1).filter((chunk) => chunk !== '')
  const frame = (chunk) => `${chunk.length.toString(16)}\r\n${chunk}\r\n`

  const serve = async (plain) => {
    const proto = http.ServerResponse.prototype
    const own = Object.getOwnPropertyDescriptor(proto, 'write')
    const original = proto.write
    let resWrites = 0
    let resWritesOpen = 0
    const socketWrites = []
    const server = http.createServer((_req, res) => {
      if (plain) {
        res.write = function write(...args) {
          resWrites++
          return original.apply(this, args)
        }
      }
      const socket = res.socket
      const socketWrite = socket.write
      const stream = encoderNode.openEventStream(res, { heartbeat: false, retry: 50 })
      // The retry block went out inside openEventStream: spied from the prototype below.
      socket.write = function write(data, ...rest) {
        socketWrites.push(typeof data === 'string' ? data : Buffer.from(data).toString('latin1'))
        return socketWrite.call(this, data, ...rest)
      }
      ;(async () => {
        for (const entry of CORPUS) await stream.send(entry.send)
        await stream.write('')
        await stream.comment('a comment\nof two lines')
        await stream.write(chunks.at(-2))
        await stream.write(chunks.at(-1))
        resWritesOpen = resWrites
        stream.close()
      })().catch(() => res.destroy())
    })
    // Counts res.write() calls without changing res.write's identity, which the path checks.
    if (!plain) {
      proto.write = function write(...args) {
        resWrites++
        return original.apply(this, args)
      }
    }
    try {
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
      const raw = await readRaw(server.address().port)
      return { raw, resWrites: resWritesOpen, socketWrites }
    } finally {
      if (own) Object.defineProperty(proto, 'write', own)
      else delete proto.write
      server.closeAllConnections?.()
      await new Promise((resolve) => server.close(() => resolve()))
    }
  }

  const direct = await serve(false)
  const plain = await serve(true)
  const wire = (run, what) => {
    const parsed = parseChunked(run.raw, what)
    assertSameText(parsed.chunks.join(''), expectedChunks.join(''), `${what}: the de-chunked body`)
    return parsed
  }
  const directWire = wire(direct, 'the direct run')
  const plainWire = wire(plain, 'the res.write run')
  assertSameText(directWire.head, plainWire.head, 'the heads (status line and headers, but Date)')
  assertEqual(plain.resWrites, chunks.length, 'res.write() calls with the wrapper installed')
  if (engages) {
    assertEqual(direct.resWrites, 0, 'res.write() calls while the direct path is on')
    // The retry block was written before the spy: the socket got the rest, each frame in one write.
    assertSameList(
      direct.socketWrites.slice(0, expectedChunks.length - 1),
      expectedChunks.slice(1).map(frame),
      'socket.write() calls: one whole frame per chunk',
    )
    assertSameList(directWire.chunks, expectedChunks, 'the chunks: one per write')
    assertSameText(directWire.body, plainWire.body, 'the framed bodies')
  } else {
    assertEqual(direct.resWrites, chunks.length, 'res.write() calls (the direct path is off)')
  }
}

/** Sends one GET over node:net and resolves with the raw response (Latin-1) once its body ended. */
async function readRaw(port) {
  const net = await import('node:net')
  const socket = net.connect(port, '127.0.0.1')
  let received = ''
  try {
    await withTimeout(
      new Promise((resolve, reject) => {
        socket.setEncoding('latin1')
        socket.on('error', reject)
        socket.on('data', (data) => {
          received += data
          if (received.endsWith('\r\n0\r\n\r\n')) resolve()
        })
        socket.on('end', resolve)
        socket.write('GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
      }),
      8000,
      'the raw response never ended',
    )
  } finally {
    socket.destroy()
  }
  return received
}

/**
 * Parses a raw HTTP/1.1 response with a chunked body, strictly (RFC 9112, section 7.1).
 *
 * @returns `{ head, body, chunks }`: the head without its Date header, the framed body, the chunks
 */
function parseChunked(raw, what) {
  const end = raw.indexOf('\r\n\r\n')
  assert(end !== -1, `${what}: no end of the head in ${JSON.stringify(raw.slice(0, 200))}`)
  const headLines = raw.slice(0, end).split('\r\n')
  assert(/^HTTP\/1\.1 200 /.test(headLines[0]), `${what}: status line ${headLines[0]}`)
  assert(
    headLines.some((line) => /^transfer-encoding:\s*chunked$/i.test(line)),
    `${what}: not chunked: ${headLines.join(' | ')}`,
  )
  const head = headLines.filter((line) => !/^date:/i.test(line)).join('\r\n')
  const body = raw.slice(end + 4)
  const chunks = []
  let at = 0
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at)
    assert(lineEnd !== -1, `${what}: a chunk size line is cut at byte ${at}`)
    const sizeLine = body.slice(at, lineEnd)
    assert(/^[0-9a-f]+$/i.test(sizeLine), `${what}: bad chunk size ${JSON.stringify(sizeLine)}`)
    const size = Number.parseInt(sizeLine, 16)
    if (size === 0) {
      assertEqual(body.slice(lineEnd), '\r\n\r\n', `${what}: what follows the last chunk`)
      return { head, body, chunks }
    }
    const data = body.slice(lineEnd + 2, lineEnd + 2 + size)
    assertEqual(data.length, size, `${what}: bytes of the chunk at ${at}`)
    assertEqual(
      body.slice(lineEnd + 2 + size, lineEnd + 4 + size),
      '\r\n',
      `${what}: CRLF after the chunk at ${at}`,
    )
    chunks.push(data)
    at = lineEnd + 4 + size
  }
}

/** Asks the runner's server to destroy the first connection of a `/drop` scenario. */
async function cut(serverUrl, key) {
  const response = await fetch(`${serverUrl}/cut?key=${key}`)
  if (response.status !== 204)
    throw new Error(`/cut answered ${response.status}: no open first connection`)
}

// ---- this runtime's own fetch-style server -------------------------------------------------

async function serveFetch(runtime, handler) {
  if (runtime === 'deno') {
    const controller = new AbortController()
    let listening
    const ready = new Promise((resolve) => {
      listening = resolve
    })
    const server = globalThis.Deno.serve(
      {
        port: 0,
        hostname: '127.0.0.1',
        signal: controller.signal,
        onListen: (addr) => listening(addr),
      },
      handler,
    )
    const addr = await ready
    return {
      url: `http://127.0.0.1:${addr.port}`,
      close: async () => {
        controller.abort()
        await withTimeout(server.finished, 5000, 'Deno.serve did not finish')
      },
    }
  }
  if (runtime === 'bun') {
    const server = globalThis.Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: handler })
    return { url: `http://127.0.0.1:${server.port}`, close: async () => server.stop(true) }
  }
  // Node: serve the web Response on node:http by piping its body, stopping it when the client goes.
  const http = await import('node:http')
  const server = http.createServer(async (req, res) => {
    const headers = new Headers()
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      headers.append(req.rawHeaders[i], req.rawHeaders[i + 1])
    const aborter = new AbortController()
    res.on('close', () => aborter.abort())
    const response = await handler(
      new Request(`http://127.0.0.1${req.url}`, {
        method: req.method,
        headers,
        signal: aborter.signal,
      }),
    )
    res.writeHead(response.status, Object.fromEntries(response.headers))
    res.flushHeaders()
    const reader = response.body.getReader()
    res.on('close', () => {
      reader.cancel().catch(() => {})
    })
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        if (!res.write(value)) await new Promise((resolve) => res.once('drain', resolve))
      }
      res.end()
    } catch {
      res.destroy()
    }
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: async () => {
      server.closeAllConnections?.()
      await new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

// ---- helpers ---------------------------------------------------------------------------------

function detectRuntime() {
  if (typeof globalThis.Deno !== 'undefined') return 'deno'
  if (typeof globalThis.Bun !== 'undefined') return 'bun'
  if (typeof globalThis.window !== 'undefined' && typeof globalThis.document !== 'undefined')
    return 'browser'
  return 'node'
}

function toFileUrl(path) {
  return `file://${String(path).replace(/\/+$/, '')}`
}

let keyCounter = 0
function uniqueKey(runtime, name) {
  keyCounter++
  return `${runtime}-${name}-${keyCounter}-${Math.random().toString(36).slice(2)}`
}

function serializeForHub(data) {
  if (typeof data === 'string') return data
  return typeof data === 'object' ? JSON.stringify(data) : String(data)
}

function streamOf(items) {
  return new ReadableStream({
    start(controller) {
      for (const item of items) controller.enqueue(item)
      controller.close()
    },
  })
}

function rechunk(size) {
  return new TransformStream({
    transform(chunk, controller) {
      for (let i = 0; i < chunk.length; i += size) controller.enqueue(chunk.slice(i, i + size))
    },
  })
}

async function collect(stream) {
  const items = []
  const reader = stream.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return items
    items.push(value)
  }
}

function concatBytes(parts) {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

function withTimeout(promise, ms, message) {
  let timer
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}

function catchError(fn) {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw, but nothing was thrown')
}

function expectFunctions(namespace, names) {
  assert(namespace !== undefined && namespace !== null, 'the module did not load')
  const missing = names.filter((name) => typeof namespace[name] !== 'function')
  assert(missing.length === 0, `missing exports: ${missing.join(', ')}`)
}

/** Compares events as `ServerSentEvent`s: the same keys with the same values, in order. */
function assertEvents(actual, expected, context = '') {
  const canonical = (events) =>
    JSON.stringify(
      events.map((event) =>
        Object.fromEntries(
          Object.keys(event)
            .filter((key) => event[key] !== undefined)
            .sort()
            .map((key) => [key, event[key]]),
        ),
      ),
    )
  const a = canonical(actual)
  const e = canonical(expected)
  if (a !== e)
    throw new Error(
      `events differ${context ? ` (${context})` : ''}:\n  actual   ${a}\n  expected ${e}`,
    )
}

/** Compares long texts, reporting the first differing offset with a short excerpt of each. */
function assertSameText(actual, expected, what) {
  if (actual === expected) return
  let at = 0
  while (at < actual.length && actual[at] === expected[at]) at++
  const excerpt = (text) => JSON.stringify(text.slice(Math.max(0, at - 20), at + 20))
  throw new Error(
    `${what}: differ at offset ${at} (lengths ${actual.length} and ${expected.length}): got ${excerpt(actual)}, expected ${excerpt(expected)}`,
  )
}

function assertSameList(actual, expected, what) {
  for (let i = 0; i < Math.max(actual.length, expected.length); i++)
    assertSameText(actual[i] ?? '(none)', expected[i] ?? '(none)', `${what}, item ${i}`)
}

function assert(condition, message) {
  if (!condition) throw new Error(message)
}

function assertEqual(actual, expected, what = 'value') {
  if (actual !== expected)
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
}

function describe(value) {
  if (value instanceof Error)
    return `${value.constructor?.name ?? 'Error'}(${value.code ?? ''}: ${value.message})`
  return String(value)
}
