import { Buffer } from 'node:buffer'
import { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { nextTick } from 'node:process'

/**
 * The fields of Node's `ServerResponse` read here beyond its typed surface. They have been there
 * since Node 0.x and are what `res.write()` itself checks; every one is checked before use, and a
 * runtime without them keeps `res.write()`. Per runtime, the matrix in tests/runtimes checks that
 * the path engages for every chunk where it should (Node 20, 22, 24; Deno 2.9) and stays off
 * elsewhere (Bun 1.4, whose responses report no chunked encoding), with the bytes of `res.write()`.
 */
interface ResponseInternals {
  _headerSent?: unknown
  chunkedEncoding?: unknown
  outputData?: unknown
}

/** Each shared chunk's framed bytes, made once however many streams are sent it. */
const framedChunks = new WeakMap<Uint8Array, Buffer>()

const CRLF = '\r\n'

/**
 * One HTTP/1.1 chunk: its size in hex, CRLF, the bytes, CRLF (RFC 9112, section 7.1), in one
 * buffer, so the socket gets one write.
 */
function frame(chunk: string | Uint8Array): Buffer {
  if (typeof chunk !== 'string') {
    let framed = framedChunks.get(chunk)
    if (framed === undefined) {
      const head = `${chunk.byteLength.toString(16)}${CRLF}`
      // Not from Buffer's shared 8 KiB pool: this buffer lives as long as `chunk` (a hub keeps
      // its history's bytes), and a pooled slice would keep its whole pool block alive.
      framed = Buffer.allocUnsafeSlow(head.length + chunk.byteLength + 2)
      framed.write(head, 0, 'latin1')
      framed.set(chunk, head.length)
      framed.write(CRLF, head.length + chunk.byteLength, 'latin1')
      framedChunks.set(chunk, framed)
    }
    return framed
  }
  const size = Buffer.byteLength(chunk, 'utf8')
  const head = `${size.toString(16)}${CRLF}`
  const framed = Buffer.allocUnsafe(head.length + size + 2)
  framed.write(head, 0, 'latin1')
  framed.write(chunk, head.length, 'utf8')
  framed.write(CRLF, head.length + size, 'latin1')
  return framed
}

/** A direct writer for one response: see {@link createChunkedSocketWrite}. */
export interface ChunkedSocketWriter {
  /** The socket written to; its 'drain' says when a full buffer has room again. */
  readonly socket: Socket
  /**
   * Writes one chunk and returns the socket's `write()` result, or `undefined` without writing
   * when, at that moment, `res.write()` must take the chunk: it was replaced by middleware
   * (compression, even one installed later), or the socket is not this response's alone.
   */
  write(chunk: string | Uint8Array): boolean | undefined
}

/**
 * Writes an event stream's chunks straight to the socket of a `node:http` HTTP/1.1 response that
 * uses chunked transfer encoding, each framed as one HTTP chunk in one `socket.write()`. The wire
 * bytes are exactly those `res.write()` sends; the way there is shorter: `res.write()` makes four
 * socket writes per chunk (size, CRLF, bytes, CRLF) through the response's own bookkeeping, so
 * this costs less server CPU and garbage per delivery at many connections (the hub fan-out of
 * BENCHMARKS.md, "Hub", runs through it), and a chunk written to many streams (a hub's broadcast) is framed once.
 *
 * @param res - the response, its headers already sent
 * @returns the writer, or `undefined` when the response must keep using `res.write()`: not a
 * plain `node:http` response (HTTP/2, a runtime's own implementation), not chunked (an HTTP/1.0
 * client), or not yet on its socket (a pipelined request waiting for the one before it)
 */
export function createChunkedSocketWrite(res: object): ChunkedSocketWriter | undefined {
  if (!(res instanceof ServerResponse)) return undefined
  const internals = res as ServerResponse & ResponseInternals
  const socket = res.socket as (Socket & { _httpMessage?: unknown }) | null
  if (
    internals.chunkedEncoding !== true ||
    internals._headerSent !== true ||
    !Array.isArray(internals.outputData) ||
    internals.outputData.length !== 0 ||
    socket === null
  ) {
    return undefined
  }
  /** The tick of this response's last chunk (see {@link currentTick}). */
  let lastTick = -1
  const write = (chunk: string | Uint8Array): boolean | undefined => {
    // What `res.write()` requires to write to the socket rather than queue: the socket is this
    // response's, writable, and nothing is queued before this chunk (read afresh: Node replaces
    // the array when it flushes it). Nor held back in the response: since Node 22 a corked
    // response keeps its chunks until `uncork()`, counted in `writableLength` beside the socket's.
    // Not `res.writableCorked`: on Node 20 and Deno 2.9 it adds the socket's corks, this writer's
    // own included, which turned the path off after each tick's first chunk. And no one replaced
    // `write`.
    if (
      res.write !== ServerResponse.prototype.write ||
      socket._httpMessage !== res ||
      !socket.writable ||
      (internals.outputData as unknown[]).length !== 0 ||
      res.writableLength !== socket.writableLength
    ) {
      return undefined
    }
    // A chunk of size 0 would end the body: there is nothing to write ("0\r\n\r\n" is the end).
    if (chunk.length === 0) return true
    // Chunks written to one socket in the same tick leave in one `writev`, as with `res.write()`:
    // under load a socket gets several events per tick, and a system call per event would cost
    // more than everything else here. But the first chunk of a tick goes out at once, uncorked:
    // at low rates (one event per tick) corking bought nothing but a writev, a nextTick per socket
    // and their garbage. The second chunk of a tick corks the socket until the tick ends.
    const tick = currentTick()
    if (lastTick === tick && socket.writableCorked === 0) {
      socket.cork()
      corkedThisTick.push(socket)
    }
    lastTick = tick
    return socket.write(frame(chunk))
  }
  return { socket, write }
}

/** Counts the ticks in which chunks were written; a writer compares it with its last chunk's. */
let tickCount = 0
/** Whether this tick's end is scheduled: one nextTick a tick for every socket, not one each. */
let tickEndScheduled = false
/** The sockets corked this tick, uncorked (their chunks written in one writev) when it ends. */
const corkedThisTick: Socket[] = []

/** The number of the current tick, scheduling its end at the first chunk written in it. */
function currentTick(): number {
  if (!tickEndScheduled) {
    tickEndScheduled = true
    nextTick(endTick)
  }
  return tickCount
}

function endTick(): void {
  tickEndScheduled = false
  tickCount++
  for (let i = 0; i < corkedThisTick.length; i++) corkedThisTick[i]?.uncork()
  corkedThisTick.length = 0
}
