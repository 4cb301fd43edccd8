import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * Waits for a server started with `listen(port, '127.0.0.1')` and returns its origin.
 *
 * @param server - the server, listening or about to
 * @returns `http://127.0.0.1:<port>`
 */
export async function originOf(server: Server): Promise<string> {
  if (!server.listening) await once(server, 'listening')
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}
