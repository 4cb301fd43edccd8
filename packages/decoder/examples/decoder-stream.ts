import { EventDecoderStream } from '@ssekit/decoder'

const body = new Response('id: 1\ndata: first\n\nid: 2\ndata: second\n\n').body
if (body === null) throw new Error('no body')

const events = body.pipeThrough(new EventDecoderStream())
for await (const event of events) {
  console.log(`#${event.id}: ${event.data}`)
}
