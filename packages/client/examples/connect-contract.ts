import { connect, SSEContractError } from '@ssekit/client'
import { priceEvents } from './price-events.ts'

const url = process.env.EVENTS_URL ?? 'http://localhost:3000/prices'

const connection = connect(url, {
  events: priceEvents,
  // An event that breaks the contract never reaches the loop: it comes here, and the stream goes on.
  onError: (error) => {
    if (error instanceof SSEContractError) console.log(`refused: ${error.message}`)
  },
})

for await (const event of connection) {
  // Narrowing on `event` types `data`: { symbol: string; price: number } here.
  if (event.event === 'price') console.log(`${event.data.symbol} ${event.data.price.toFixed(2)}`)
  else {
    console.log(`${event.data.symbol} halted: ${event.data.reason}`)
    break
  }
}
