import type { IncomingMessage, ServerResponse } from 'node:http'

/** The server's record of one `/api/live` request, served by `GET /api/connections`. */
export interface ConnectionRecord {
  /** 1 for a client's first connection, then 2, 3, … */
  n: number
  /** When the request arrived, in ms since the epoch. */
  at: number
  /** The `Last-Event-ID` header as received, or null when there was none. */
  lastEventId: string | null
  /** The live feed's newest sequence number then: events up to it were replays. */
  headSeq: number
}

const MAX_CLIENTS = 200
const MAX_RECORDS_PER_CLIENT = 20

/**
 * Keeps, per page (a `client` query parameter), the open `/api/live` responses, so the drop
 * button can cut exactly that page's stream, and a short record of its requests, so the page can
 * show which `Last-Event-ID` really reached the server. Both are bounded.
 */
export class LiveConnections {
  readonly #records = new Map<string, ConnectionRecord[]>()
  readonly #open = new Map<string, Set<ServerResponse>>()

  /**
   * Records a request and tracks its response until it closes.
   *
   * @param client - the page's id
   * @param req - the request
   * @param res - its response
   * @param headSeq - the feed's newest sequence number
   */
  track(client: string, req: IncomingMessage, res: ServerResponse, headSeq: number): void {
    const header = req.headers['last-event-id']
    const records = this.#records.get(client) ?? []
    // Re-inserting moves the client to the end, so the oldest client is the one evicted.
    this.#records.delete(client)
    this.#records.set(client, records)
    records.push({
      n: (records.at(-1)?.n ?? 0) + 1,
      at: Date.now(),
      lastEventId: typeof header === 'string' ? header : null,
      headSeq,
    })
    if (records.length > MAX_RECORDS_PER_CLIENT) records.shift()
    if (this.#records.size > MAX_CLIENTS) {
      const oldest = this.#records.keys().next().value
      if (oldest !== undefined) this.#records.delete(oldest)
    }
    let open = this.#open.get(client)
    if (open === undefined) {
      open = new Set()
      this.#open.set(client, open)
    }
    const responses = open
    responses.add(res)
    res.once('close', () => {
      responses.delete(res)
      if (responses.size === 0 && this.#open.get(client) === responses) this.#open.delete(client)
    })
  }

  /**
   * The records of one client, oldest first.
   *
   * @param client - the page's id
   * @returns its records (empty when unknown)
   */
  records(client: string): ConnectionRecord[] {
    return this.#records.get(client) ?? []
  }

  /**
   * How many of a client's streams are open now: 1 for all the tabs of a browser that share the
   * live stream.
   *
   * @param client - the page's (or the group of tabs') id
   * @returns the number of open `/api/live` responses
   */
  openCount(client: string): number {
    return this.#open.get(client)?.size ?? 0
  }

  /**
   * Cuts a client's open streams the rude way: writes the first bytes of an event that never
   * ends, then destroys the socket, as a crashed proxy or a lost network would.
   *
   * @param client - the page's id
   * @param partial - the unfinished event text to write first
   * @returns how many sockets were destroyed
   */
  drop(client: string, partial: string): number {
    const open = this.#open.get(client)
    if (open === undefined) return 0
    let dropped = 0
    for (const res of open) {
      if (res.destroyed || res.writableEnded) continue
      res.write(partial)
      res.socket?.destroy()
      dropped += 1
    }
    return dropped
  }
}
