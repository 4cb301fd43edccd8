import { shareAcrossTabs } from '@ssekit/client'
import { isSSEError } from '@ssekit/shared'
import { liveEvents } from '../contract/live-events.ts'
import { query } from './dom.ts'
import { createLiveView } from './live-view.ts'
import { setUpPlayground } from './playground.ts'
import { createResilienceView } from './resilience-view.ts'

/** The server's record of one `/api/live` request (see `GET /api/connections`). */
interface ConnectionRecord {
  n: number
  lastEventId: string | null
  /** The feed's newest sequence number when the request arrived: older events are replays. */
  headSeq: number
}

// One id per browser, kept in localStorage: its tabs open the same URL, so they share one live
// stream (and the drop button and the connection records concern that stream).
const clientId = browserId()
const liveUrl = `/api/live?client=${clientId}`
// Reconnect after one second: long enough to see, and to miss events the hub must replay.
const RECONNECT_DELAY = 1000

const live = createLiveView(query(document, '.panel.live'))
const resilience = createResilienceView(document)
setUpPlayground(query(document, '.panel.playground'))

let connections = 0
// Sequence numbers received on the current connection, to count the replayed ones.
let seqsThisConnection: number[] = []
let replayedTotal = 0
const replayedSeqs = new Set<number>()
/** What the end-to-end test reads back: every live event received, in order (bounded). */
interface DemoRecord {
  connection: number
  id: string | undefined
  type: string
  seq: number | undefined
}
const MAX_RECORDS = 5000
const received: DemoRecord[] = []
;(window as unknown as { ssekitDemo: { received: DemoRecord[] } }).ssekitDemo = { received }

// Set once the server says which events were already published when this connection began.
let countReplayed: (seq: number) => void = () => {}

// The same contract the server's hub publishes with: events arrive typed, their JSON parsed and
// checked; one the schemas refuse would go to onError instead of reaching the page. All the tabs
// of this browser that show the demo share one server connection: one tab (the leader) holds it
// and relays the events to the others, and when it closes the next one resumes with
// Last-Event-ID.
const connection = shareAcrossTabs(liveUrl, {
  events: liveEvents,
  onRoleChange: showRole,
  retry: { initialDelay: RECONNECT_DELAY, maxDelay: RECONNECT_DELAY },
  onOpen() {
    connections += 1
    seqsThisConnection = []
    countReplayed = () => {}
    const sent = connection.lastEventId
    resilience.setState('open')
    resilience.opened(connections, sent)
    resilience.log(
      connections === 1
        ? `Connected (this tab is the ${connection.role}).`
        : `Reconnected (connection ${connections}) with Last-Event-ID: ${sent || '(none)'}.`,
      connections === 1 ? 'info' : 'good',
    )
    showRole()
    void fetchServerRecord(connections)
    void showServerConnections()
  },
  onError(error) {
    if (error.code === 'CONTRACT_VIOLATION') {
      // An event the contract refuses is reported and skipped; the connection goes on.
      resilience.log(`Refused an event: ${describe(error)}`, 'bad')
      return
    }
    resilience.setState('connecting')
    resilience.log(`Connection lost: ${describe(error)}`, 'bad')
  },
  onRetry(delay, attempt) {
    resilience.setState('connecting')
    resilience.log(`Reconnecting in ${delay} ms (attempt ${attempt}).`)
  },
})

/** This browser's id, shared by its tabs; a fresh one where storage is unavailable. */
function browserId(): string {
  const fresh = Math.random().toString(36).slice(2, 10)
  try {
    const stored = localStorage.getItem('ssekit-demo-browser')
    if (stored !== null) return stored
    localStorage.setItem('ssekit-demo-browser', fresh)
  } catch {
    // Storage is blocked: this tab gets a stream of its own.
  }
  return fresh
}

function showRole(): void {
  query(document, '[data-testid="tab-role"]').textContent = connection.role
}

/** Asks the server how many live streams this browser's tabs hold: 1, however many tabs. */
async function showServerConnections(): Promise<void> {
  try {
    const response = await fetch(`/api/open-connections?client=${clientId}`)
    const { open } = (await response.json()) as { open: number }
    query(document, '[data-testid="server-connections"]').textContent = String(open)
  } catch {
    // The server is gone (the demo stopped): the counter keeps its last value.
  }
}
setInterval(() => void showServerConnections(), 1000)

/** Asks the server which Last-Event-ID it received, and how many events it had then. */
async function fetchServerRecord(connectionNumber: number): Promise<void> {
  const response = await fetch(`/api/connections?client=${clientId}`)
  const records = (await response.json()) as ConnectionRecord[]
  const record = records.at(-1)
  if (record === undefined || connectionNumber !== connections) return
  resilience.serverReceived(record.lastEventId)
  document.body.dataset.serverConnections = String(records.length)
  if (connectionNumber === 1) return
  const isReplay = (seq: number) => seq <= record.headSeq
  countReplayed = (seq) => {
    if (isReplay(seq)) addReplayed(seq)
  }
  for (const seq of seqsThisConnection) countReplayed(seq)
  resilience.log(
    `The server received Last-Event-ID: ${record.lastEventId ?? '(none)'} and replayed the missed events from the hub's history.`,
    'good',
  )
}

function addReplayed(seq: number): void {
  if (replayedSeqs.has(seq)) return
  replayedSeqs.add(seq)
  replayedTotal += 1
  resilience.setReplayed(replayedTotal)
  live.markReplayed(new Set([seq]))
}

resilience.dropButton.addEventListener('click', async () => {
  resilience.dropButton.disabled = true
  resilience.log(
    `Asking the server to cut the stream; last id received: ${connection.lastEventId}.`,
  )
  const response = await fetch(`/api/drop?client=${clientId}`, { method: 'POST' })
  const { dropped, partial } = (await response.json()) as { dropped: number; partial: string }
  resilience.log(
    `The server wrote ${partial.length} bytes of an unfinished event and destroyed ${dropped} socket(s).`,
    'bad',
  )
})

async function readLiveStream(): Promise<void> {
  for await (const event of connection) {
    const seq = event.event === 'ssekit-gap' ? undefined : event.data.seq
    received.push({ connection: connections, id: event.id, type: event.event, seq })
    if (received.length > MAX_RECORDS) received.shift()
    if (event.event === 'ssekit-gap') {
      // The hub's in-band notice: the history no longer holds what this page missed.
      const { reason, lastEventId } = event.data
      resilience.log(
        `The hub could not replay everything (${reason}, after "${lastEventId}"); an application would resync here.`,
        'bad',
      )
    } else {
      seqsThisConnection.push(event.data.seq)
      resilience.count(event.data.seq)
      countReplayed(event.data.seq)
    }
    live.show({
      event,
      replayed: seq !== undefined && replayedSeqs.has(seq),
      receivedAt: Date.now(),
    })
  }
  resilience.setState('closed')
}

document.body.dataset.ready = 'true'
readLiveStream().catch((error: unknown) => {
  resilience.setState('closed')
  resilience.log(`The live stream ended: ${describe(error)}`, 'bad')
})

function describe(error: unknown): string {
  return isSSEError(error) ? `${error.code}: ${error.message}` : String(error)
}
