// Misuse: a typed EventSource listener reading a field its event's schema does not have.
// expect: TS2339 Property 'text' does not exist on type '{ symbol: string; price: number; }'
import { EventSource } from '@ssekit/client'
import { zodEvents } from '../contracts.ts'

const source = new EventSource('/events', { events: zodEvents })
source.addEventListener('price', (event) => {
  console.log(event.data.text) // error here
})
