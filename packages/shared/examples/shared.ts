import {
  assertValidId,
  createEventStreamHeaders,
  isEventStreamContentType,
  isSSEError,
  isValidEventType,
} from '@ssekit/shared'

// The field rules, to check a value when you store it, long before it is sent.
console.log(isValidEventType('order.created'), isValidEventType('order\ncreated'))
// → true false

try {
  assertValidId('42\0')
} catch (error) {
  if (isSSEError(error, 'INVALID_ID')) console.log(error.code, error.field)
  // → INVALID_ID id
}

// The headers an event stream needs, for a server you write yourself.
console.log(createEventStreamHeaders({ httpVersion: '1.1' }))
// → { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform',
//     'x-accel-buffering': 'no', connection: 'keep-alive' }

// What a client checks before it reads a response body.
console.log(isEventStreamContentType('Text/Event-Stream; charset=UTF-8'))
// → true
