import type { ServerSentEvent } from '@ssekit/shared'
import { element, formatTime, query } from './dom.ts'
import type { LiveData } from './live-data.ts'

const MAX_TICKER_ROWS = 80

/** What the live panel needs to know about one received event. */
export interface ReceivedEvent {
  event: ServerSentEvent
  data: LiveData | undefined
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

  function showAnswer(type: string, data: LiveData): void {
    if (type === 'answer-start' || data.answer !== currentAnswer) {
      currentAnswer = data.answer
      answer.textContent = ''
      answer.classList.remove('done')
      prompt.textContent =
        type === 'answer-start' && data.prompt !== undefined
          ? data.prompt
          : `Answer #${data.answer} (joined mid-answer)`
    }
    if (type === 'token' && data.text !== undefined) answer.append(data.text)
    if (type === 'answer-end') answer.classList.add('done')
  }

  return {
    show({ event, data, replayed, receivedAt }) {
      const type = event.event ?? 'message'
      if (data !== undefined) showAnswer(type, data)
      const row = document.createElement('tr')
      row.className = `type-${type.replace(/[^a-z-]/gi, '')}`
      if (replayed) row.classList.add('replayed')
      if (data !== undefined) row.dataset.seq = String(data.seq)
      const summary =
        data === undefined
          ? event.data
          : data.text !== undefined
            ? JSON.stringify(data.text)
            : (data.prompt ?? `${data.tokens ?? 0} tokens`)
      row.append(
        cell(formatTime(data?.ts ?? receivedAt)),
        cell(event.id ?? '', 'id'),
        cell(type, 'type'),
        cell(data === undefined ? '' : String(data.seq), 'num'),
        cell(summary, 'data'),
      )
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

function cell(text: string, className = ''): HTMLTableCellElement {
  return element('td', className, text)
}
