import { EventSource } from '@ssekit/client'

const url = process.env.EVENTS_URL ?? 'http://localhost:3000/events'

// The browser's API, plus what it cannot do: headers (or a method, a body, a custom fetch).
const source = new EventSource(url, { headers: { authorization: 'Bearer my-token' } })

source.onopen = () => console.log('open')
source.onmessage = (event) => console.log(`message: ${event.data} (last id ${event.lastEventId})`)
source.addEventListener('price', (event) => console.log(`price: ${event.data}`))
source.addEventListener('done', () => source.close())
source.onerror = () => {
  if (source.readyState === EventSource.CLOSED) console.log('failed for good')
  else console.log('connection lost, reconnecting')
}
