import { defineEvents, EventDecoderStream, readEvents, validateEvents } from '@ssekit/decoder'
import { z } from 'zod'

const events = defineEvents({
  token: z.object({ text: z.string() }),
  done: z.object({ tokens: z.number() }),
})

// Any Response works: `await fetch(url)` in real code. The third token breaks the contract.
const wire =
  'event: token\ndata: {"text":"Hel"}\n\nevent: token\ndata: {"text":"lo"}\n\n' +
  'event: token\ndata: 42\n\nevent: done\ndata: {"tokens":2}\n\n'

// A loop: with onInvalid, an invalid event is reported and skipped, and the loop goes on.
for await (const event of readEvents(new Response(wire), {
  events,
  onInvalid: (error) => console.log(`skipped a ${error.eventType}: ${error.issues.length} issue`),
})) {
  // Narrowing on `event` types `data`: { text: string } here.
  if (event.event === 'token') console.log(event.data.text)
  else console.log(`done after ${event.data.tokens} tokens`)
}

// Streams: without onInvalid, the first invalid event errors the stream.
const body = new Response(wire).body
if (body === null) throw new Error('no body')
const checked = body.pipeThrough(new EventDecoderStream()).pipeThrough(validateEvents(events))
try {
  for await (const event of checked) console.log(event.event)
} catch (error) {
  console.log(`stream failed: ${(error as Error).name}`)
}
