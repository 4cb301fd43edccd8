import { type HubErrorCode, SSEError } from '@ssekit/shared'
import { clampTimerDelay } from '@ssekit/shared/internal'
import { createClient, type RedisClientOptions } from 'redis'
import { createEpoch } from '../epoch.ts'
import type {
  HubTransport,
  TransportEntry,
  TransportItem,
  TransportListener,
  TransportMessage,
} from '../transport.ts'
import { type LuaScript, PUBLISH_SCRIPT, READ_SCRIPT } from './scripts.ts'

/** Options of {@link createRedisTransport}. */
export interface RedisTransportOptions {
  /** The Redis URL, as node-redis takes it (`redis://host:port/db`); or use `clientOptions`. */
  url?: string | undefined
  /**
   * Options for node-redis's `createClient` (socket path, TLS, password, reconnect strategy…).
   * The transport opens two connections with them: one for publishing and replay, one for its
   * blocking reader.
   */
  clientOptions?: RedisClientOptions | undefined
  /**
   * The key prefix: hubs with the same namespace share events. The keys are `{<namespace>}:stream`,
   * `{<namespace>}:epoch` and `{<namespace>}:trimmed` (one hash slot, so a Redis Cluster works).
   * @defaultValue `'ssekit'`
   */
  namespace?: string | undefined
  /**
   * How many events the namespace retains for replay, all topics together.
   * @defaultValue 10000
   */
  maxEventsPerNamespace?: number | undefined
  /** How long an event is retained for replay, in milliseconds; no age bound when left out. */
  maxAge?: number | undefined
  /**
   * How long a publish or a replay page may take before it fails with `TRANSPORT_TIMEOUT`, in
   * milliseconds. A publish that timed out may still be stored once Redis answers.
   * @defaultValue 5000
   */
  timeout?: number | undefined
  /**
   * How many stream entries one replay or reader step reads.
   * @defaultValue 1000
   */
  pageSize?: number | undefined
  /**
   * How long one blocking XREAD of the reader waits, in milliseconds; the reader re-checks the
   * epoch at least this often.
   * @defaultValue 5000
   */
  blockTime?: number | undefined
  /**
   * How long the reader waits after a failure before trying again, in milliseconds.
   * @defaultValue 250
   */
  retryDelay?: number | undefined
  /** Told about every failure of the background reader or the connections. */
  onError?: ((error: SSEError<HubErrorCode>) => void) | undefined
}

/** Counters of a Redis transport, for metrics and tests. */
export interface RedisTransportStats {
  /** Pages read for subscribers' replays. */
  replayPages: number
  /** Failures of the background reader (each followed by a retry). */
  readerErrors: number
  /** Gap notices the reader delivered live (a reset or trimmed history noticed while running). */
  liveGaps: number
}

/** A Redis Streams transport with its counters. */
export interface RedisTransport extends HubTransport {
  /** Current counters. */
  stats(): RedisTransportStats
}

/** The Redis transport's defaults. */
export const REDIS_DEFAULTS: {
  readonly namespace: string
  readonly maxEventsPerNamespace: number
  readonly timeout: number
  readonly pageSize: number
  readonly blockTime: number
  readonly retryDelay: number
} = {
  namespace: 'ssekit',
  maxEventsPerNamespace: 10_000,
  timeout: 5000,
  pageSize: 1000,
  blockTime: 5000,
  retryDelay: 250,
}

type Client = ReturnType<typeof createClient>
type RawEntry = [string, string[]]
interface Page {
  epoch: string
  watermark: string
  last: string
  entries: RawEntry[]
  scanned: number
}

/**
 * A transport on Redis Streams, for hubs in many server instances (processes or machines) that
 * share one Redis. Every topic of a namespace goes to ONE stream, the topic being a field of each
 * entry: the stream's entry ids are then one total order over all topics, so one id resumes any set
 * of topics exactly, and each instance needs one blocking reader for everything.
 *
 * Ids are `<epoch>-<ms>-<seq>`: the namespace's epoch (a random token stored in Redis and replaced
 * when Redis lost its data) and the stream entry id. Requires Redis 6.2 or later and node-redis
 * (`redis`) 5 or 6.
 *
 * @param options - where Redis is, the namespace, bounds and timeouts
 * @returns a transport for `createHub`
 *
 * @example
 * ```ts
 * const hub = createHub({ transport: createRedisTransport({ url: 'redis://127.0.0.1:6379' }) })
 * ```
 */
export function createRedisTransport(options: RedisTransportOptions = {}): RedisTransport {
  const namespace = options.namespace ?? REDIS_DEFAULTS.namespace
  const maxEvents = options.maxEventsPerNamespace ?? REDIS_DEFAULTS.maxEventsPerNamespace
  const maxAge = options.maxAge ?? 0
  const timeout = options.timeout ?? REDIS_DEFAULTS.timeout
  const pageSize = options.pageSize ?? REDIS_DEFAULTS.pageSize
  const blockTime = options.blockTime ?? REDIS_DEFAULTS.blockTime
  const retryDelay = options.retryDelay ?? REDIS_DEFAULTS.retryDelay
  const { onError } = options
  for (const [name, value, minimum] of [
    ['maxEventsPerNamespace', maxEvents, 1],
    ['maxAge', maxAge, 0],
    ['timeout', timeout, 1],
    ['pageSize', pageSize, 1],
    ['blockTime', blockTime, 1],
    ['retryDelay', retryDelay, 0],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < minimum) {
      throw new RangeError(`${name} must be an integer of at least ${minimum}, not ${value}.`)
    }
  }
  const keys = [`{${namespace}}:stream`, `{${namespace}}:epoch`, `{${namespace}}:trimmed`] as const
  const clientOptions: RedisClientOptions = { ...options.clientOptions }
  if (options.url !== undefined) clientOptions.url = options.url

  const main: Client = createClient(clientOptions as Parameters<typeof createClient>[0])
  const reader: Client = main.duplicate()
  const report = (error: unknown): void => {
    if (closing) return
    onError?.(toTransportError(error, 'The Redis connection failed'))
  }
  // node-redis emits 'error' for every socket failure and throws when nobody listens; it
  // reconnects by itself.
  main.on('error', report)
  reader.on('error', report)

  const stats: RedisTransportStats = { replayPages: 0, readerErrors: 0, liveGaps: 0 }
  let closing = false
  let listener: TransportListener | undefined
  let readerLoop: Promise<void> | undefined
  /** Resolves once the reader has read the stream's end (see start()); publishes wait for it. */
  let readerStarted: Promise<void> = Promise.resolve()
  // Wakes the reader's retry pause early on close.
  let wake: (() => void) | undefined
  let mainOpen: Promise<unknown> | undefined

  const openMain = (): Promise<unknown> => {
    mainOpen ??= main.connect().catch((error: unknown) => {
      mainOpen = undefined
      throw error
    })
    return mainOpen
  }

  /** Runs a command against a deadline, mapping failures to typed errors. */
  const withTimeout = <T>(run: () => Promise<T>, what: string): Promise<T> => {
    if (closing) {
      return Promise.reject(
        new SSEError('HUB_CLOSED', `The Redis transport is closed; ${what} was not attempted.`),
      )
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new SSEError(
            'TRANSPORT_TIMEOUT',
            `Redis did not answer ${what} within ${timeout} ms; check that it is up (a timed-out publish may still be stored).`,
          ),
        )
      }, clampTimerDelay(timeout))
      run().then(
        (value) => {
          clearTimeout(timer)
          resolve(value)
        },
        (error: unknown) => {
          clearTimeout(timer)
          reject(toTransportError(error, `Redis failed ${what}`))
        },
      )
    })
  }

  const read = async (
    client: Client,
    cursor: string,
    topics: readonly string[],
    count: number,
  ): Promise<Page> => {
    const reply = (await runScript(client, READ_SCRIPT, keys, [
      createEpoch(),
      cursor,
      String(count),
      ...topics,
    ])) as [string, string, string, RawEntry[], number]
    return {
      epoch: String(reply[0]),
      watermark: String(reply[1]),
      last: String(reply[2]),
      entries: reply[3],
      scanned: Number(reply[4]),
    }
  }

  const emit = (item: TransportItem): void => {
    listener?.(item)
  }

  const runReader = async (ready: () => void): Promise<void> => {
    let cursor: string | undefined
    let epoch = ''
    while (!closing) {
      try {
        if (!reader.isOpen) await reader.connect()
        if (cursor === undefined) {
          // Live delivery starts at the current end of the stream.
          const page = await read(reader, '$', [], 0)
          epoch = page.epoch
          cursor = page.last
          ready()
          continue
        }
        const page = await read(reader, cursor, [], pageSize)
        if (page.epoch !== epoch) {
          // Redis lost its data (restarted without persistence, flushed): tell every subscriber
          // once, then deliver the new history from its start.
          const position = page.watermark === '' ? '0-0' : page.watermark
          epoch = page.epoch
          cursor = position
          stats.liveGaps++
          emit({
            gap: true,
            id: `${epoch}-${position}`,
            reason: 'reset',
            topics: [],
            lastEventId: '',
          })
          continue
        }
        if (page.watermark !== '' && comparePositions(page.watermark, cursor) > 0) {
          // This reader fell so far behind that entries were trimmed before it read them.
          cursor = page.watermark
          stats.liveGaps++
          emit({
            gap: true,
            id: `${epoch}-${cursor}`,
            reason: 'trimmed',
            topics: [],
            lastEventId: '',
          })
          continue
        }
        for (const raw of page.entries) emit(toEntry(epoch, raw))
        cursor = page.last
        if (page.scanned < pageSize && !closing) {
          // Caught up: wait (on this dedicated connection) until something follows the cursor.
          await reader.sendCommand([
            'XREAD',
            'BLOCK',
            String(blockTime),
            'COUNT',
            '1',
            'STREAMS',
            keys[0],
            cursor,
          ])
        }
      } catch (error) {
        if (closing) break
        stats.readerErrors++
        report(error)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, clampTimerDelay(retryDelay))
          wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        wake = undefined
      }
    }
  }

  async function* replay(
    topics: readonly string[],
    lastEventId: string,
  ): AsyncGenerator<TransportItem> {
    const resumed = parseId(lastEventId)
    let epoch = resumed?.epoch
    let cursor = resumed?.position ?? '0-0'
    for (;;) {
      await withTimeout(openMain, 'to connect')
      const page = await withTimeout(() => read(main, cursor, topics, pageSize), 'a replay read')
      stats.replayPages++
      if (page.epoch !== epoch) {
        const position = page.watermark === '' ? '0-0' : page.watermark
        yield { gap: true, id: `${page.epoch}-${position}`, reason: 'reset', topics, lastEventId }
        epoch = page.epoch
        cursor = position
        continue
      }
      if (page.watermark !== '' && comparePositions(page.watermark, cursor) > 0) {
        // The events between the cursor and the watermark were trimmed; in one stream for every
        // topic, which of them belonged to these topics is unknown, so all are named.
        yield {
          gap: true,
          id: `${epoch}-${page.watermark}`,
          reason: 'trimmed',
          topics,
          lastEventId,
        }
        cursor = page.watermark
        continue
      }
      for (const raw of page.entries) yield toEntry(epoch, raw)
      cursor = page.last
      if (page.scanned < pageSize) return
    }
  }

  return {
    async start(receive) {
      listener = receive
      let ready: () => void = () => {}
      let notStarted: (error: SSEError) => void = () => {}
      readerStarted = new Promise<void>((resolve, reject) => {
        ready = resolve
        notStarted = reject
      })
      readerStarted.catch(() => {})
      // A reader that ends (close()) before its first read never calls ready(): say so, rather
      // than leave start() and every publish waiting forever.
      readerLoop = runReader(ready).finally(() =>
        notStarted(
          new SSEError('HUB_CLOSED', 'The Redis transport was closed before its reader started.'),
        ),
      )
      await readerStarted
    },
    async publish(message: TransportMessage) {
      const fields = ['t', message.topic, 'd', message.data]
      if (message.event !== undefined) fields.push('e', message.event)
      if (message.retry !== undefined) fields.push('r', String(message.retry))
      const args = [createEpoch(), String(maxEvents), String(maxAge), ...fields]
      const reply = (await withTimeout(async () => {
        // Live delivery starts at the stream's end when the reader first reads it: an event
        // stored before that would never reach this instance's subscribers live.
        await readerStarted
        await openMain()
        return runScript(main, PUBLISH_SCRIPT, keys, args)
      }, 'a publish')) as [string, string]
      return `${reply[0]}-${reply[1]}`
    },
    replay,
    compare(a, b) {
      const left = parseId(a)
      const right = parseId(b)
      if (left === undefined || right === undefined || left.epoch !== right.epoch) return undefined
      return comparePositions(left.position, right.position)
    },
    async close() {
      if (closing) return
      closing = true
      listener = undefined
      wake?.()
      // The reader may be inside a blocking XREAD: only dropping its connection ends that at once.
      if (reader.isOpen) reader.destroy()
      await readerLoop
      if (main.isOpen) {
        // Let in-flight publishes finish, within the timeout; then drop the connection.
        let timer: ReturnType<typeof setTimeout> | undefined
        await Promise.race([
          main.close().catch(() => {}),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, clampTimerDelay(timeout))
          }),
        ])
        clearTimeout(timer)
        if (main.isOpen) main.destroy()
      }
    },
    stats() {
      return { ...stats }
    },
  }
}

async function runScript(
  client: Client,
  script: LuaScript,
  keys: readonly string[],
  args: readonly string[],
): Promise<unknown> {
  const rest = [String(keys.length), ...keys, ...args]
  try {
    return await client.sendCommand(['EVALSHA', script.sha, ...rest])
  } catch (error) {
    // A Redis that restarted forgot its scripts: send the source once, which caches it again.
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
    return client.sendCommand(['EVAL', script.source, ...rest])
  }
}

function toEntry(epoch: string, [position, fields]: RawEntry): TransportEntry {
  const entry: { id: string; topic: string; data: string; event?: string; retry?: number } = {
    id: `${epoch}-${position}`,
    topic: '',
    data: '',
  }
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const value = String(fields[index + 1])
    switch (fields[index]) {
      case 't':
        entry.topic = value
        break
      case 'd':
        entry.data = value
        break
      case 'e':
        entry.event = value
        break
      case 'r':
        entry.retry = Number(value)
        break
    }
  }
  return entry
}

const ID = /^([0-9a-z]{1,64})-(\d{1,20}-\d{1,20})$/

function parseId(id: string): { epoch: string; position: string } | undefined {
  const match = ID.exec(id)
  return match === null ? undefined : { epoch: match[1] as string, position: match[2] as string }
}

/** Orders two stream entry ids (`<ms>-<seq>`). */
function comparePositions(a: string, b: string): number {
  const dashA = a.indexOf('-')
  const dashB = b.indexOf('-')
  const msA = Number(a.slice(0, dashA))
  const msB = Number(b.slice(0, dashB))
  if (msA !== msB) return msA - msB
  return Number(a.slice(dashA + 1)) - Number(b.slice(dashB + 1))
}

function toTransportError(error: unknown, what: string): SSEError<HubErrorCode> {
  // The transport's own errors (HUB_CLOSED, TRANSPORT_TIMEOUT) pass through as they are.
  if (error instanceof SSEError) return error as SSEError<HubErrorCode>
  const detail = error instanceof Error ? error.message : String(error)
  return new SSEError('TRANSPORT_ERROR', `${what}: ${detail}`, { cause: error })
}
