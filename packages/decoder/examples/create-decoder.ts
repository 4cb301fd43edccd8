import { createDecoder, decode } from '@ssekit/decoder'

// A whole stream at once:
console.log(decode('data: a\ndata: b\n\n')) // [ { data: 'a\nb' } ]

// Or chunk by chunk, cut anywhere, even inside a character:
const decoder = createDecoder({
  onEvent: (event) => console.log(event.data),
  onRetry: (retry) => console.log(`retry after ${retry} ms`),
  onError: (error) => console.error(error.code, error.offset),
})
const bytes = new TextEncoder().encode('retry: 3000\ndata: café ☕\n\n')
decoder.feed(bytes.subarray(0, 22)) // ends in the middle of "é"
decoder.feed(bytes.subarray(22))
console.log(decoder.lastEventId === '') // no id was sent
