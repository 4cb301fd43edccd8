/**
 * The page the browser suite opens in many tabs: it joins the shared stream and records what it
 * gets, for the test to read back through `window.tabState()`.
 */
import { shareAcrossTabs, type TabRole } from '@ssekit/client'

/** What the test reads back from a page. */
export interface TabState {
  /** The data of every event, in order: the publisher's sequence numbers. */
  received: number[]
  /** The ids, in order. */
  ids: string[]
  role: TabRole
  readyState: number
  opens: number
  errors: string[]
  /** Whether this page has `navigator.locks` (not in an insecure context). */
  hasLocks: boolean
}

const params = new URLSearchParams(location.search)
// A browser without the Web Locks API, on a secure origin: the fallback must be taken.
if (params.has('nolocks')) Object.defineProperty(navigator, 'locks', { value: undefined })

const received: number[] = []
const ids: string[] = []
const errors: string[] = []
let opens = 0

const connection = shareAcrossTabs('/events', {
  retry: { initialDelay: 250, maxDelay: 1000 },
  // ?history=n: a page that joins gets the group's n latest events first.
  history: Number(params.get('history') ?? 0),
  onEvent(event) {
    received.push(Number(event.data))
    ids.push(event.id ?? '')
  },
  onOpen() {
    opens++
  },
  onError(error) {
    errors.push(error.code)
  },
})

;(window as unknown as { tabState: () => TabState }).tabState = () => ({
  received,
  ids,
  role: connection.role,
  readyState: connection.readyState,
  opens,
  errors,
  hasLocks: 'locks' in navigator && navigator.locks !== undefined,
})
document.body.dataset.ready = 'true'
