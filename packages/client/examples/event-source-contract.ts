import { EventSource } from '@ssekit/client'
import { priceEvents } from './price-events.ts'

const url = process.env.EVENTS_URL ?? 'http://localhost:3000/prices'

const source = new EventSource(url, {
  events: priceEvents,
  // Not dispatched, and no `error` event (that one means the connection): return 'close' to stop.
  onInvalid: (error) => {
    console.log(`dropped a ${error.eventType} event (${error.field})`)
    return 'skip'
  },
})

// Typed by the contract: event is a MessageEvent<{ symbol: string; price: number }>.
source.addEventListener('price', (event) => console.log(`${event.data.symbol} ${event.data.price}`))
source.addEventListener('halt', (event) => {
  console.log(`${event.data.symbol} halted: ${event.data.reason}`)
  source.close()
})
