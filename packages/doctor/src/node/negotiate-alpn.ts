import { connect } from 'node:tls'

/**
 * The HTTP version a browser would get from an `https:` origin: the protocol its TLS handshake
 * negotiates when offered `h2` and `http/1.1` (ALPN). Node's `fetch` speaks HTTP/1.1 only, so the
 * probe itself cannot tell.
 *
 * @param url - the URL probed
 * @param timeout - how long to wait for the handshake, in ms
 * @returns `h2` or `http/1.1`, or null for `http:` URLs and failed handshakes
 */
export function negotiateAlpn(url: string, timeout = 5000): Promise<string | null> {
  const { protocol, hostname, port } = new URL(url)
  if (protocol !== 'https:') return Promise.resolve(null)
  return new Promise((resolve) => {
    const socket = connect({
      host: hostname,
      port: Number(port) || 443,
      servername: hostname,
      ALPNProtocols: ['h2', 'http/1.1'],
      // Only the protocol is read, never data: the probe's own fetch checks the certificate.
      rejectUnauthorized: false,
      timeout,
    })
    const finish = (value: string | null): void => {
      socket.destroy()
      resolve(value)
    }
    socket.once('secureConnect', () => finish(socket.alpnProtocol || 'http/1.1'))
    socket.once('error', () => finish(null))
    socket.once('timeout', () => finish(null))
  })
}
