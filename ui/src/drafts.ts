// The Inbox's drafts list: one row per saved draft, newest first, opening the conversation it
// replies to. The pure helpers are unit-tested in drafts.test.ts.

import * as api from './api';
import { emptyBox, errorBox, h, loadingBox, replace } from './dom';
import { formatFullDate, formatListDate, isoDate } from './format';
import { ListNav } from './listnav';

/** A draft row's data-id ("d7"), distinct from thread and message ids. */
export function draftRowId(id: number): string {
  return `d${id}`;
}

/** "To: Kenneth Moreau, sara@example.com", or "To: no one yet". */
export function draftTo(to: string[]): string {
  const names = to.map((t) => t.trim()).filter((t) => t !== '');
  return `To: ${names.length > 0 ? names.join(', ') : 'no one yet'}`;
}

/** The first line of a draft that has words on it, at most `max` characters (with "…" when cut). */
export function draftFirstLine(body: string, max = 120): string {
  const line = body
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '');
  if (!line) return '';
  const chars = [...line];
  return chars.length > max ? `${chars.slice(0, max - 1).join('').trimEnd()}…` : line;
}

/** Newest first (by updatedAt; the backend sends them so, this keeps it true). */
export function sortDrafts(drafts: api.Draft[]): api.Draft[] {
  return drafts
    .map((d, i) => ({ d, i }))
    .sort((a, b) => b.d.updatedAt - a.d.updatedAt || a.i - b.i)
    .map(({ d }) => d);
}

/** The drafts whose subject, recipients or text hold every word of `query` (any case). */
export function filterDrafts(drafts: api.Draft[], query: string): api.Draft[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return drafts;
  return drafts.filter((d) => {
    const text = `${d.subject}\n${d.to.join('\n')}\n${d.body}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** The list of drafts with its loading, empty and error states and j/k selection. */
export class DraftsList {
  readonly el: HTMLElement;
  readonly list: HTMLUListElement;
  readonly nav: ListNav;
  private readonly state: HTMLElement;
  private drafts: api.Draft[] = [];
  private query = '';
  private loaded = false;
  private seq = 0;
  /** The row to keep selected across reloads. */
  private selectedId: string | null = null;

  constructor(onOpen: (messageId: string, rowId: string) => void) {
    this.state = h('div', { class: 'list-state' });
    this.list = h('ul', { id: 'drafts-list', class: 'rows', 'aria-label': 'Drafts' });
    this.list.addEventListener('click', (e) => {
      const row = (e.target as Element).closest<HTMLElement>('.draft-row');
      if (!row?.dataset.id) return;
      this.select(row.dataset.id);
      if (row.dataset.message) onOpen(row.dataset.message, row.dataset.id);
    });
    this.nav = new ListNav(this.list, '.draft-row');
    this.el = h('div', { class: 'drafts-part' }, this.state, this.list);
  }

  /** Marks a row selected (and keeps it so when the list reloads). */
  select(rowId: string | null): void {
    this.selectedId = rowId;
    this.nav.selectId(rowId);
  }

  /** Shows only the drafts matching `query` (no new request). */
  filter(query: string): void {
    this.query = query.trim();
    if (this.loaded) this.render();
  }

  /** Reads the drafts; `quiet` keeps the list on screen meanwhile. */
  load(quiet = false): void {
    const mine = ++this.seq;
    this.list.setAttribute('aria-busy', 'true');
    if (!quiet || !this.loaded) {
      replace(this.state, loadingBox('Loading your drafts…'));
      if (!quiet) replace(this.list);
    }
    api
      .drafts()
      .then((drafts) => {
        if (mine !== this.seq) return;
        this.loaded = true;
        this.drafts = sortDrafts(drafts);
        this.render();
      })
      .catch((e) => {
        if (mine !== this.seq) return;
        replace(this.list);
        replace(this.state, errorBox(api.toCommandError(e), () => this.load()));
      })
      .finally(() => {
        if (mine === this.seq) this.list.removeAttribute('aria-busy');
      });
  }

  private render(): void {
    const hadFocus = this.list.contains(document.activeElement);
    const shown = filterDrafts(this.drafts, this.query);
    replace(this.list, ...shown.map(draftRow));
    this.nav.selectId(this.selectedId);
    if (hadFocus) (this.nav.selected() ?? this.nav.rows()[0])?.focus();
    if (this.drafts.length === 0) {
      replace(
        this.state,
        emptyBox('No drafts yet', 'Pick a suggested reply in a thread to start one.', { id: 'drafts-empty' }),
      );
    } else if (shown.length === 0) {
      replace(
        this.state,
        emptyBox(`No drafts match “${this.query}”`, 'Try other words, or clear the search to see every draft.', { id: 'drafts-empty' }),
      );
    } else {
      replace(this.state);
    }
  }
}

function draftRow(d: api.Draft): HTMLLIElement {
  const subject = d.subject.trim() || '(no subject)';
  const firstLine = draftFirstLine(d.body);
  const linked = d.message !== null && d.message !== '';
  return h(
    'li',
    null,
    h(
      'button',
      {
        type: 'button',
        class: 'draft-row',
        'data-id': draftRowId(d.id),
        'data-message': linked ? d.message : null,
        'aria-disabled': linked ? null : 'true',
      },
      h(
        'span',
        { class: 'row-line' },
        h('span', { class: 'draft-row-subject' }, subject),
        h('time', { class: 'thread-date draft-date', datetime: isoDate(d.updatedAt) || null, title: formatFullDate(d.updatedAt) }, formatListDate(d.updatedAt)),
      ),
      h('span', { class: 'draft-to' }, draftTo(d.to)),
      h('span', { class: `draft-preview${firstLine ? '' : ' empty-draft'}` }, firstLine || '(empty draft)'),
      linked ? null : h('span', { class: 'draft-unlinked' }, 'Not linked to a conversation'),
    ),
  );
}
