import type { FeedEvent, LiveEvent } from '../contract/live-events.ts'
import { element, formatTime, query } from './dom.ts'

const MAX_TICKER_ROWS = 80

/** What the live panel needs to know about one received event. */
export interface ReceivedEvent {
  /** The event, typed and validated by the live contract. */
  event: LiveEvent
  /** Whether the hub replayed it from history after a reconnection. */
  replayed: boolean
  receivedAt: number
}

/** The live panel: the streaming answer and the ticker of events. */
export interface LiveView {
  show(received: ReceivedEvent): void
  /** Marks the ticker rows of these sequence numbers as replayed (known after the fact). */
  markReplayed(seqs: ReadonlySet<number>): void
}

/**
 * Binds the live panel's elements.
 *
 * @param root - the element that holds the panel
 * @returns the view
 */
export function createLiveView(root: HTMLElement): LiveView {
  const prompt = query(root, '[data-testid="answer-prompt"]')
  const answer = query(root, '[data-testid="answer"]')
  const ticker = query(root, '[data-testid="ticker"]')
  let currentAnswer = -1

  function showAnswer(feed: FeedEvent): void {
    const { data } = feed
    if (feed.event === 'answer-start' || data.answer !== currentAnswer) {
      currentAnswer = data.answer
      answer.textContent = ''
      answer.classList.remove('done')
      prompt.textContent =
        feed.event === 'answer-start'
          ? feed.data.prompt
          : `Answer #${data.answer} (joined mid-answer)`
    }
    if (feed.event === 'token') answer.append(feed.data.text)
    if (feed.event === 'answer-end') answer.classList.add('done')
  }

  return {
    show({ event, replayed, receivedAt }) {
      const row = document.createElement('tr')
      row.className = `type-${event.event}`
      if (replayed) row.classList.add('replayed')
      if (event.event === 'ssekit-gap') {
        const { reason, lastEventId } = event.data
        row.append(
          cell(formatTime(receivedAt)),
          cell(event.id ?? '', 'id'),
          cell(event.event, 'type'),
          cell('', 'num'),
          cell(`${reason} after ${lastEventId || '(live)'}`, 'data'),
        )
      } else {
        showAnswer(event)
        row.dataset.seq = String(event.data.seq)
        row.append(
          cell(formatTime(event.data.ts)),
          cell(event.id ?? '', 'id'),
          cell(event.event, 'type'),
          cell(String(event.data.seq), 'num'),
          cell(summarize(event), 'data'),
        )
      }
      ticker.prepend(row)
      while (ticker.childElementCount > MAX_TICKER_ROWS) ticker.lastElementChild?.remove()
    },
    markReplayed(seqs) {
      for (const row of ticker.querySelectorAll<HTMLElement>('tr[data-seq]')) {
        if (seqs.has(Number(row.dataset.seq))) row.classList.add('replayed')
      }
    },
  }
}

/** The ticker's one-line summary of a feed event. */
function summarize(feed: FeedEvent): string {
  switch (feed.event) {
    case 'answer-start':
      return feed.data.prompt
    case 'token':
      return JSON.stringify(feed.data.text)
    case 'answer-end':
      return `${feed.data.tokens} tokens`
  }
}

function cell(text: string, className = ''): HTMLTableCellElement {
  return element('td', className, text)
}
