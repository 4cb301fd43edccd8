/**
 * Each event carries the last event ID in effect at its dispatch (defect 3 of issue #12): the
 * exact cursor to resume from, whatever the decoder has read beyond it. Both clients.
 */
import { describe, expect, test } from 'vitest'
import { connect } from '../src/connect.ts'
import { clients } from './client-matrix.ts'
import { createFaultServer, hold } from './fault-server.ts'

/** Blocks with and without ids, an id-only block, an empty id and a bare `id` field. */
const STREAM = [
  'data: before any id\n\n',
  'id: 1\ndata: one\n\n',
  'data: after one\n\n',
  'id: 2\n\n', // no data: not dispatched, but it moves the cursor
  'data: after the id-only block\n\n',
  'id:\ndata: empty id\n\n',
  'data: after the empty id\n\n',
  'id: 3\ndata: three\n\n',
  'id\ndata: bare id field\n\n',
  'id: 4\0\ndata: NUL id is ignored\n\n',
].join('')

const EXPECTED = [
  ['before any id', ''],
  ['one', '1'],
  ['after one', '1'],
  ['after the id-only block', '2'],
  ['empty id', ''],
  ['after the empty id', ''],
  ['three', '3'],
  ['bare id field', ''],
  ['NUL id is ignored', ''],
]

describe.each(clients)('$name', (client) => {
  test('every event carries the last event ID string at its dispatch', async () => {
    const server = await createFaultServer()
    server.route('/s', hold(STREAM))
    const handle = client.open(server.url('/s'))
    await handle.messages(EXPECTED.length)
    const seen = handle.observations.flatMap((o) =>
      o.type === 'message' ? [[o.data, o.lastEventId]] : [],
    )
    expect(seen).toStrictEqual(EXPECTED)
    handle.close()
  })
})

describe('connect() iteration', () => {
  test("an event's lastEventId is its own cursor, though the connection's has read ahead", async () => {
    const server = await createFaultServer()
    // One write: the decoder dispatches every event before the loop sees the first.
    server.route('/s', hold(STREAM))
    const connection = connect(server.url('/s'))
    const seen: [string, string][] = []
    const connectionCursor: string[] = []
    for await (const event of connection) {
      seen.push([event.data, event.lastEventId])
      connectionCursor.push(connection.lastEventId)
      if (seen.length === EXPECTED.length) break
    }
    expect(seen).toStrictEqual(EXPECTED)
    // The connection's own cursor had already moved on: saving it would skip events.
    expect(connectionCursor).not.toStrictEqual(EXPECTED.map(([, id]) => id))
  })

  test("resuming from a saved event's lastEventId sends it as Last-Event-ID", async () => {
    const server = await createFaultServer()
    server.route('/s', hold(STREAM), hold())
    const first = connect(server.url('/s'))
    let saved = ''
    for await (const event of first) {
      saved = event.lastEventId
      if (event.data === 'after the id-only block') break
    }
    expect(saved).toBe('2')
    const resumed = connect(server.url('/s'), { lastEventId: saved })
    const request = await server.request(1)
    expect(request.headers['last-event-id']).toBe('2')
    resumed.close()
  })
})
