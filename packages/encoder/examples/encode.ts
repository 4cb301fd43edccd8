import { encode, encodeBytes, encodeComment, isSSEError } from '@ssekit/encoder'

// One event: fields in the order id, event, retry, data, then a blank line.
console.log(encode({ id: '42', event: 'update', data: { ok: true } }))
// → 'id: 42\nevent: update\ndata: {"ok":true}\n\n'

// Line breaks in data become several data lines; the client joins them with \n again.
console.log(encode({ data: 'line one\r\nline two' }))
// → 'data: line one\ndata: line two\n\n'

// Only a retry (no data line): tells clients to wait 5 s before reconnecting.
console.log(encode({ retry: 5000 }))
// → 'retry: 5000\n\n'

// A comment, which clients ignore: heartbeats, debugging notes.
console.log(encodeComment('keep-alive'))
// → ': keep-alive\n'

// Bytes for servers that write bytes.
console.log(encodeBytes({ data: 'héllo' }).byteLength)
// → 14

// A value that would inject a field is refused, never rewritten.
try {
  encode({ id: '1\nevent: admin', data: 'x' })
} catch (error) {
  if (isSSEError(error, 'INVALID_ID')) console.log(error.code, error.field)
  // → INVALID_ID id
}
