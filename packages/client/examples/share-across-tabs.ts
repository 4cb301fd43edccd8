import { shareAcrossTabs } from '@ssekit/client'

const url = process.env.EVENTS_URL ?? 'http://localhost:3000/events'

// Every tab of this origin that opens this URL with this key shares one server connection.
const live = shareAcrossTabs(url, {
  key: 'user-42', // another user's tabs (another token) must not share this stream
  headers: { authorization: 'Bearer token-of-user-42' },
  onOpen: () => console.log(`open (${live.role})`),
  onRoleChange: (role) => console.log(`this tab is now the ${role}`),
})

// The same loop in every tab: the leader's events, in order, each with its id and lastEventId.
for await (const event of live) {
  console.log(`${event.event ?? 'message'} ${event.data} (last id ${event.lastEventId})`)
  if (event.event === 'done') break // leaves the group; the others keep the connection
}
