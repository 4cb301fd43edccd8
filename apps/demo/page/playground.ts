import { readEvents } from '@ssekit/decoder'
import type { ServerSentEvent } from '@ssekit/shared'
import { element, query } from './dom.ts'
import {
  compareEvents,
  type DraftEvent,
  type PreparedEvent,
  prepareEvent,
} from './roundtrip-model.ts'
import { byteLength, renderWire, splitBlocks } from './wire.ts'

type PresetName = 'json' | 'multiline' | 'unicode' | 'blank' | 'invalid'

const PRESETS: Record<PresetName, Omit<DraftEvent, 'id'> & { id?: string }> = {
  json: {
    type: 'order',
    retry: '',
    dataKind: 'json',
    data: JSON.stringify(
      { user: 'ada', items: [{ sku: 'A-1', qty: 2 }], total: 19.5, paid: true, note: null },
      null,
      2,
    ),
  },
  multiline: {
    type: 'log',
    retry: '',
    dataKind: 'text',
    data: 'first line\n  an indented line\n\ndata: looks like a field, stays data\n: not a comment\n',
  },
  unicode: {
    type: 'i18n',
    retry: '2500',
    dataKind: 'text',
    data: 'héllo wörld · 日本語 · שלום · e\u0301 · 🚀🧪 · 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 · \u{10348}',
  },
  blank: { type: '', retry: '', dataKind: 'text', data: '' },
  invalid: {
    type: 'order',
    id: '7\\ndata: forged',
    retry: '',
    dataKind: 'text',
    data: 'an id with a line break would inject a field',
  },
}

/** The error body of `POST /api/roundtrip` when the encoder refuses an event. */
interface EncoderErrorBody {
  error: { name: string; code: string; field?: string; message: string }
  index: number
}

/**
 * Wires the round-trip playground: the event editor, the presets, and the results that show
 * the bytes on the wire beside each decoded event.
 *
 * @param root - the playground panel
 */
export function setUpPlayground(root: HTMLElement): void {
  const form = query<HTMLFormElement>(root, '[data-testid="editor"]')
  const list = query(root, '[data-testid="event-list"]')
  const summary = query(root, '[data-testid="roundtrip-summary"]')
  const errorBox = query(root, '[data-testid="roundtrip-error"]')
  const results = query(root, '[data-testid="results"]')
  const sendButton = query<HTMLButtonElement>(root, '[data-testid="send"]')
  let nextId = 1

  function addEvent(preset: PresetName): void {
    const { id, ...rest } = PRESETS[preset]
    list.append(createCard({ ...rest, id: id ?? String(nextId++) }))
    renumber()
  }

  function renumber(): void {
    list.querySelectorAll('.event-card').forEach((card, index) => {
      query(card, '.index').textContent = `#${index + 1}`
    })
  }

  for (const button of root.querySelectorAll<HTMLButtonElement>('[data-preset]')) {
    button.addEventListener('click', () => addEvent(button.dataset.preset as PresetName))
  }
  list.addEventListener('click', (event) => {
    const target = event.target as HTMLElement
    if (target.closest('[data-action="remove"]')) {
      target.closest('.event-card')?.remove()
      renumber()
    }
  })
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    sendButton.disabled = true
    roundTrip().finally(() => {
      sendButton.disabled = false
    })
  })

  function showError(title: string, details: [string, string][], message: string): void {
    errorBox.replaceChildren(
      element('strong', '', title),
      ...details.map(([name, value]) => {
        const item = element('span', 'detail')
        item.append(element('span', 'muted', `${name} `), element('code', '', value))
        return item
      }),
      element('p', '', message),
    )
    errorBox.hidden = false
  }

  async function roundTrip(): Promise<void> {
    errorBox.hidden = true
    errorBox.removeAttribute('data-code')
    results.replaceChildren()
    root.dataset.status = 'sending'
    const drafts = [...list.querySelectorAll<HTMLElement>('.event-card')].map(readCard)
    const prepared: PreparedEvent[] = []
    for (const [index, draft] of drafts.entries()) {
      try {
        prepared.push(prepareEvent(draft))
      } catch (error) {
        root.dataset.status = 'error'
        summary.textContent = 'Nothing was sent.'
        showError('The page refused the input', [['event', `#${index + 1}`]], String(error))
        errorBox.dataset.code = 'INVALID_JSON'
        return
      }
    }
    if (prepared.length === 0) {
      summary.textContent = 'Add an event first.'
      root.dataset.status = 'idle'
      return
    }

    let response: Response
    try {
      response = await fetch('/api/roundtrip', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events: prepared.map((p) => p.request) }),
      })
    } catch (error) {
      root.dataset.status = 'error'
      showError('The request failed', [], String(error))
      return
    }
    if (!response.ok) {
      const body = (await response.json().catch(() => undefined)) as EncoderErrorBody | undefined
      root.dataset.status = 'error'
      summary.textContent = `HTTP ${response.status}: the server encoded nothing.`
      if (body?.error) {
        const { error, index } = body
        showError(
          `The encoder refused event #${index + 1}: ${error.name}`,
          [
            ['code', error.code],
            ['field', error.field ?? '–'],
          ],
          error.message,
        )
        errorBox.dataset.code = error.code
        if (error.field !== undefined) errorBox.dataset.field = error.field
      } else {
        showError('The server failed', [['status', String(response.status)]], '')
      }
      return
    }
    if (response.body === null) throw new Error('The round-trip response has no body.')

    const headerLine = `HTTP ${response.status} · content-type: ${response.headers.get('content-type')} · cache-control: ${response.headers.get('cache-control')}`
    summary.textContent = headerLine
    const rows = prepared.map((p, index) => createResultRow(index, p))
    results.replaceChildren(...rows.map((row) => row.item))

    // Read the same bytes twice: one branch shows them raw, the other goes through the decoder.
    const [rawBranch, decodeBranch] = response.body.tee()
    const decoded: ServerSentEvent[] = []
    let wireText = ''
    const readRaw = (async () => {
      const text = new TextDecoder()
      for await (const chunk of iterate(rawBranch)) {
        wireText += text.decode(chunk, { stream: true })
        splitBlocks(wireText).forEach((block, index) => {
          rows[index]?.showWire(block)
        })
      }
      wireText += text.decode()
    })()
    const readDecoded = (async () => {
      for await (const event of readEvents(decodeBranch)) {
        const row = rows[decoded.length]
        decoded.push(event)
        row?.showDecoded(event)
      }
    })()
    await Promise.all([readRaw, readDecoded])

    const matches = rows.filter((row) => row.equal).length
    const total = byteLength(wireText)
    const allMatch = matches === prepared.length && decoded.length === prepared.length
    root.dataset.status = allMatch ? 'match' : 'mismatch'
    summary.replaceChildren(
      element(
        'strong',
        allMatch ? 'ok' : 'bad',
        allMatch
          ? `✓ All ${matches} events decoded equal to the input`
          : `✗ ${prepared.length - matches} of ${prepared.length} events differ`,
      ),
      element('span', 'muted', ` · ${total} bytes on the wire · ${headerLine}`),
    )
    summary.dataset.matches = String(matches)
    summary.dataset.total = String(prepared.length)
  }

  for (const preset of ['json', 'multiline', 'unicode'] as const) addEvent(preset)
}

/** One result row: the wire bytes of an event beside its decoded form. */
interface ResultRow {
  item: HTMLLIElement
  equal: boolean
  showWire(block: string): void
  showDecoded(event: ServerSentEvent): void
}

function createResultRow(index: number, prepared: PreparedEvent): ResultRow {
  const item = element('li', 'result pending')
  item.dataset.testid = 'result'
  const head = element('div', 'result-head')
  const title = element(
    'span',
    'result-title',
    `#${index + 1} ${prepared.request.event ?? 'message'}`,
  )
  const bytes = element('span', 'muted', '')
  const verdict = element('span', 'verdict', 'waiting…')
  head.append(title, bytes, verdict)
  const wire = element('pre', 'wire')
  const decodedView = element('pre', 'decoded')
  const columns = element('div', 'result-columns')
  const wireColumn = element('div', 'column')
  wireColumn.append(element('h3', '', 'on the wire'), wire)
  const decodedColumn = element('div', 'column')
  decodedColumn.append(element('h3', '', 'decoded by readEvents'), decodedView)
  columns.append(wireColumn, decodedColumn)
  item.append(head, columns)
  const row: ResultRow = {
    item,
    equal: false,
    showWire(block) {
      wire.replaceChildren(renderWire(block))
      bytes.textContent = ` · ${byteLength(block)} bytes`
    },
    showDecoded(event) {
      decodedView.textContent = JSON.stringify(event, null, 2)
      const differences = compareEvents(prepared, event)
      row.equal = differences.length === 0
      item.classList.remove('pending')
      item.classList.add(row.equal ? 'equal' : 'different')
      item.dataset.equal = String(row.equal)
      verdict.textContent = row.equal
        ? '✓ decoded = input'
        : `✗ differs in ${differences.join(', ')}`
    },
  }
  return row
}

function createCard(draft: DraftEvent): HTMLLIElement {
  const card = element('li', 'event-card')
  card.innerHTML = `
    <div class="card-head">
      <span class="index"></span>
      <label class="kind">data is
        <select name="dataKind"><option value="text">text</option><option value="json">JSON</option></select>
      </label>
      <button type="button" class="icon" data-action="remove" title="Remove this event" aria-label="Remove this event">✕</button>
    </div>
    <div class="fields">
      <label>type <input name="type" autocomplete="off" spellcheck="false" placeholder="message" /></label>
      <label>id <input name="id" autocomplete="off" spellcheck="false" placeholder="none" /></label>
      <label>retry <input name="retry" autocomplete="off" inputmode="numeric" placeholder="none" /></label>
    </div>
    <label class="data">data <textarea name="data" rows="3" spellcheck="false"></textarea></label>`
  field(card, 'type').value = draft.type
  field(card, 'id').value = draft.id
  field(card, 'retry').value = draft.retry
  field(card, 'dataKind').value = draft.dataKind
  field(card, 'data').value = draft.data
  const textarea = field(card, 'data') as HTMLTextAreaElement
  textarea.rows = Math.min(8, Math.max(2, draft.data.split('\n').length))
  return card
}

function field(
  card: ParentNode,
  name: string,
): HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement {
  return query<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(card, `[name="${name}"]`)
}

function readCard(card: HTMLElement): DraftEvent {
  return {
    type: field(card, 'type').value,
    id: field(card, 'id').value,
    retry: field(card, 'retry').value,
    dataKind: field(card, 'dataKind').value === 'json' ? 'json' : 'text',
    data: field(card, 'data').value,
  }
}

async function* iterate(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      yield value
    }
  } finally {
    reader.releaseLock()
  }
}
