import { element, formatTime, query } from './dom.ts'

/** The state shown in the page's header badge. */
export type ConnectionState = 'connecting' | 'open' | 'closed'

/** The resilience panel: connection count, sequence accounting, Last-Event-IDs and a log. */
export interface ResilienceView {
  setState(state: ConnectionState): void
  /** A connection opened; `sentLastEventId` is the `Last-Event-ID` it was opened with. */
  opened(connection: number, sentLastEventId: string): void
  /** The server's record of the header it received on that connection. */
  serverReceived(lastEventId: string | null): void
  /** Counts one live event by its sequence number. */
  count(seq: number): void
  setReplayed(total: number): void
  log(message: string, kind?: 'info' | 'good' | 'bad'): void
  /** The drop button. */
  readonly dropButton: HTMLButtonElement
}

const MAX_LOG_LINES = 40

/**
 * Binds the resilience panel's elements.
 *
 * @param root - the whole document (the header badge lives outside the panel)
 * @returns the view
 */
export function createResilienceView(root: ParentNode): ResilienceView {
  const badge = query(root, '[data-testid="connection-state"]')
  const badgeLabel = query(badge, '.label')
  const connections = query(root, '[data-testid="connections"]')
  const received = query(root, '[data-testid="received"]')
  const sequence = query(root, '[data-testid="sequence"]')
  const lost = query(root, '[data-testid="lost"]')
  const duplicated = query(root, '[data-testid="duplicated"]')
  const replayed = query(root, '[data-testid="replayed"]')
  const sent = query(root, '[data-testid="sent-last-event-id"]')
  const server = query(root, '[data-testid="server-last-event-id"]')
  const log = query(root, '[data-testid="log"]')
  const dropButton = query<HTMLButtonElement>(root, '[data-testid="drop"]')

  // Sequence accounting: every live event carries seq = previous + 1.
  let first: number | undefined
  let last: number | undefined
  let total = 0
  let lostCount = 0
  let duplicatedCount = 0

  function flag(node: HTMLElement, value: number): void {
    node.textContent = String(value)
    node.parentElement?.classList.toggle('good', value === 0)
    node.parentElement?.classList.toggle('bad', value !== 0)
  }

  return {
    dropButton,
    setState(state) {
      badge.dataset.state = state
      badgeLabel.textContent = state
      dropButton.disabled = state !== 'open'
    },
    opened(connection, sentLastEventId) {
      connections.textContent = String(connection)
      sent.textContent = sentLastEventId === '' ? '(none: first connection)' : sentLastEventId
    },
    serverReceived(lastEventId) {
      server.textContent = lastEventId === null ? '(no header)' : lastEventId
    },
    count(seq) {
      total += 1
      if (first === undefined || last === undefined) {
        first = seq
        last = seq
      } else if (seq === last + 1) {
        last = seq
      } else if (seq <= last) {
        duplicatedCount += 1
        this.log(`Event #${seq} arrived twice.`, 'bad')
      } else {
        lostCount += seq - last - 1
        this.log(`Events #${last + 1} to #${seq - 1} never arrived.`, 'bad')
        last = seq
      }
      received.textContent = String(total)
      sequence.textContent = `#${first} → #${last}`
      flag(lost, lostCount)
      flag(duplicated, duplicatedCount)
    },
    setReplayed(count) {
      replayed.textContent = String(count)
    },
    log(message, kind = 'info') {
      const line = element('li', kind)
      line.append(element('time', '', formatTime(Date.now())), ` ${message}`)
      log.prepend(line)
      while (log.childElementCount > MAX_LOG_LINES) log.lastElementChild?.remove()
    },
  }
}
