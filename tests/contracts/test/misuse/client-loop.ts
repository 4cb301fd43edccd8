// Misuse: reading a branch's data in a connect() loop without narrowing on `event`.
// expect: TS2339 Property 'price' does not exist on type
import { connect } from '@ssekit/client'
import { arktypeEvents } from '../contracts.ts'

export async function prices(): Promise<void> {
  for await (const event of connect('/events', { events: arktypeEvents })) {
    console.log(event.data.price) // error here
  }
}
