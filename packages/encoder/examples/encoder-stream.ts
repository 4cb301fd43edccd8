import { type EncodableEvent, EventEncoderStream } from '@ssekit/encoder'

// Any ReadableStream of events, here three prices.
const prices = new ReadableStream<EncodableEvent>({
  start(controller) {
    for (const price of [101.5, 101.75, 101.6]) controller.enqueue({ event: 'price', data: price })
    controller.close()
  },
})

// Events in, UTF-8 bytes out: ready for a Response body, a socket or a file.
const body = prices.pipeThrough(new EventEncoderStream())
console.log(await new Response(body).text())
// → 'event: price\ndata: 101.5\n\nevent: price\ndata: 101.75\n\nevent: price\ndata: 101.6\n\n'
