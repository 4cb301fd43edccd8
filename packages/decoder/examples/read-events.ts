import { readEvents } from '@ssekit/decoder'

// Any Response works: `await fetch(url)` in real code.
const response = new Response(
  'event: greet\ndata: hello\n\ndata: {"n":1}\n\nevent: done\ndata:\n\n',
)

for await (const event of readEvents(response)) {
  if (event.event === 'done') break // leaving the loop cancels the body
  console.log(`${event.event ?? 'message'}: ${event.data}`)
}
