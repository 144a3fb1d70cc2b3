// The Inbox's outbox: the replies sent, waiting or refused, newest first, with "Send now" for
// everything waiting and "Take back" on a message that has not gone yet. The pure helpers are
// unit-tested in outbox.test.ts.

import * as api from './api';
import { ICONS, emptyBox, errorBox, h, icon, loadingBox, replace } from './dom';
import { draftTo } from './drafts';
import { formatFullDate, formatListDate, isoDate } from './format';
import { ListNav } from './listnav';

const DAY = 86_400_000;
/** While something waits, the list re-reads itself this often (the app retries every minute). */
const REFRESH_MS = 30_000;

/** The state badges' words. */
export const OUTBOX_STATE_LABELS: Record<api.OutboxState, string> = {
  queued: 'Waiting',
  sending: 'Sending',
  sent: 'Sent',
  failed: 'Failed',
  cancelled: 'Taken back',
};

/** A state for people: "Waiting", "Taken back"… (an unknown one as it is). */
export function outboxStateLabel(state: string): string {
  return (OUTBOX_STATE_LABELS as Record<string, string>)[state] ?? state;
}

function startOfDay(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** When, relative to today: "at 14:05", "yesterday at 09:30", "tomorrow at 08:00",
 * "on 3 Nov at 10:00" (with the year when it is not this year). */
export function whenText(unixSeconds: number | null, now: Date = new Date(), locale?: string): string {
  if (unixSeconds === null || !Number.isFinite(unixSeconds)) return '';
  const d = new Date(unixSeconds * 1000);
  const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(d);
  const days = Math.round((startOfDay(d) - startOfDay(now)) / DAY);
  if (days === 0) return `at ${time}`;
  if (days === -1) return `yesterday at ${time}`;
  if (days === 1) return `tomorrow at ${time}`;
  const opts: Intl.DateTimeFormatOptions =
    d.getFullYear() === now.getFullYear() ? { day: 'numeric', month: 'short' } : { day: 'numeric', month: 'short', year: 'numeric' };
  return `on ${new Intl.DateTimeFormat(locale, opts).format(d)} at ${time}`;
}

/** "next try at 14:05" for a waiting message ("next try any moment now" once it is due). */
export function nextTryText(nextAttempt: number, now: Date = new Date(), locale?: string): string {
  if (!Number.isFinite(nextAttempt) || nextAttempt * 1000 <= now.getTime()) return 'next try any moment now';
  return `next try ${whenText(nextAttempt, now, locale)}`;
}

/** "Sent at 14:05", "Sent yesterday at 09:30"… ("Sent" alone without a time). */
export function sentText(sentAt: number | null, now: Date = new Date(), locale?: string): string {
  const when = whenText(sentAt, now, locale);
  return when ? `Sent ${when}` : 'Sent';
}

/** What "Send now" did: "1 sent, 0 waiting, 0 failed". */
export function deliveryReportText(r: api.DeliveryReport): string {
  return `${r.sent} sent, ${r.retrying} waiting, ${r.failed} failed`;
}

/** Newest first (by createdAt, then id; the backend sends them so, this keeps it true). */
export function sortOutbox(items: api.OutboxItem[]): api.OutboxItem[] {
  return [...items].sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
}

/** The messages whose subject, recipients or state hold every word of `query` (any case). */
export function filterOutbox(items: api.OutboxItem[], query: string): api.OutboxItem[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return items;
  return items.filter((i) => {
    const text = `${i.subject}\n${i.to.join('\n')}\n${outboxStateLabel(i.state)}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** Is anything still on its way (so the list should look again soon)? */
export function hasPending(items: api.OutboxItem[]): boolean {
  return items.some((i) => i.state === 'queued' || i.state === 'sending');
}

/** The outbox list with its "Send now", loading, empty and error states and j/k selection. */
export class OutboxList {
  readonly el: HTMLElement;
  readonly list: HTMLUListElement;
  readonly nav: ListNav;
  private readonly state: HTMLElement;
  private readonly status: HTMLElement;
  private readonly retry: HTMLButtonElement;
  private items: api.OutboxItem[] = [];
  private query = '';
  private loaded = false;
  private seq = 0;
  private retrying = false;
  /** The messages being taken back. */
  private readonly pending = new Set<number>();
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.retry = h(
      'button',
      {
        type: 'button',
        id: 'outbox-retry',
        class: 'secondary outbox-retry',
        title: 'Hand every waiting message to the server now',
        onclick: () => this.sendNow(),
      },
      icon(ICONS.send),
      'Send now',
    );
    this.status = h('p', { id: 'outbox-status', class: 'outbox-status', role: 'status', 'aria-live': 'polite' });
    this.state = h('div', { class: 'list-state' });
    this.list = h('ul', { id: 'outbox-list', class: 'rows', 'aria-label': 'Outbox' });
    this.list.addEventListener('click', (e) => {
      const button = (e.target as Element).closest<HTMLButtonElement>('button.outbox-cancel');
      const id = Number(button?.closest<HTMLElement>('.outbox-row')?.dataset.id);
      if (button && Number.isFinite(id)) this.takeBack(id);
    });
    this.nav = new ListNav(this.list, '.outbox-row');
    this.el = h(
      'div',
      { class: 'outbox-part' },
      h(
        'div',
        { class: 'outbox-bar' },
        h('p', { class: 'outbox-intro' }, 'Replies you sent: waiting ones are retried every minute.'),
        this.retry,
      ),
      this.status,
      this.state,
      this.list,
    );
  }

  /** Shows only the messages matching `query` (no new request). */
  filter(query: string): void {
    this.query = query.trim();
    if (this.loaded) this.render();
  }

  /** Reads the outbox; `quiet` keeps the list on screen meanwhile. */
  load(quiet = false): void {
    const mine = ++this.seq;
    clearTimeout(this.refreshTimer);
    this.list.setAttribute('aria-busy', 'true');
    if (!quiet || !this.loaded) {
      replace(this.state, loadingBox('Loading the outbox…'));
      if (!quiet) replace(this.list);
    }
    api
      .outboxList()
      .then((items) => {
        if (mine !== this.seq) return;
        this.loaded = true;
        this.items = sortOutbox(items);
        this.render();
        this.scheduleRefresh();
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

  /** While something waits and the list is on screen, look again in a while. */
  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    if (!hasPending(this.items)) return;
    this.refreshTimer = setTimeout(() => {
      if (this.el.isConnected && this.el.closest('[hidden]') === null) this.load(true);
    }, REFRESH_MS);
  }

  private setStatus(text: string, error = false): void {
    this.status.textContent = text;
    this.status.classList.toggle('is-error', error);
  }

  /** "Send now": every waiting message goes to the server; the report, then the list again. */
  private sendNow(): void {
    if (this.retrying) return;
    this.retrying = true;
    this.retry.disabled = true;
    this.setStatus('Sending…');
    api
      .retryOutbox()
      .then((report) => this.setStatus(deliveryReportText(report)))
      .catch((e) => this.setStatus(`Could not send: ${api.toCommandError(e).message}`, true))
      .finally(() => {
        this.retrying = false;
        this.retry.disabled = false;
        this.load(true);
      });
  }

  /** "Take back": a waiting message will not be sent. */
  private takeBack(id: number): void {
    const item = this.items.find((i) => i.id === id);
    if (!item || this.pending.has(id)) return;
    const subject = item.subject.trim() || '(no subject)';
    this.pending.add(id);
    this.render();
    this.setStatus(`Taking back “${subject}”…`);
    api
      .cancelOutgoing(id)
      .then((saved) => {
        this.items = this.items.map((i) => (i.id === id ? saved : i));
        this.setStatus(`Taken back: “${subject}” will not be sent.`);
      })
      .catch((e) => {
        this.setStatus(`Could not take back “${subject}”: ${api.toCommandError(e).message}`, true);
        this.load(true); // it may have gone meanwhile
      })
      .finally(() => {
        this.pending.delete(id);
        this.render();
      });
  }

  /** Renders the rows, keeping the focus on the same row (or its button) when it was in the list. */
  private render(): void {
    const focused = document.activeElement;
    const inList = focused instanceof HTMLElement && this.list.contains(focused);
    const focusedId = inList ? focused.closest<HTMLElement>('.outbox-row')?.dataset.id : undefined;
    const onButton = inList && focused.classList.contains('outbox-cancel');
    const selectedId = this.nav.selected()?.dataset.id ?? null;
    const shown = filterOutbox(this.items, this.query);
    const now = new Date();
    replace(this.list, ...shown.map((i) => outboxRow(i, now, this.pending.has(i.id))));
    this.nav.selectId(selectedId);
    if (inList) {
      const row =
        (focusedId !== undefined && this.list.querySelector<HTMLElement>(`.outbox-row[data-id="${CSS.escape(focusedId)}"]`)) ||
        this.nav.rows()[0];
      const button = onButton ? row?.querySelector<HTMLElement>('button.outbox-cancel:not(:disabled)') : null;
      (button ?? row)?.focus();
    }
    if (this.items.length === 0) {
      replace(
        this.state,
        emptyBox('Nothing in the outbox', 'Replies you send from a conversation show up here: waiting, sent or refused.', { id: 'outbox-empty' }),
      );
    } else if (shown.length === 0) {
      replace(
        this.state,
        emptyBox(`Nothing in the outbox matches “${this.query}”`, 'Try other words, or clear the search to see everything.', { id: 'outbox-empty' }),
      );
    } else {
      replace(this.state);
    }
  }
}

function outboxRow(item: api.OutboxItem, now: Date, takingBack: boolean): HTMLLIElement {
  const subject = item.subject.trim() || '(no subject)';
  const reason = item.lastError?.trim() ?? '';
  const waiting = item.state === 'queued';
  const details = h(
    'div',
    { class: 'outbox-details' },
    h('span', { class: `badge outbox-state state-${item.state}` }, outboxStateLabel(item.state)),
    (waiting || item.state === 'failed') && reason ? h('span', { class: 'outbox-error' }, reason) : null,
    waiting
      ? h(
          'time',
          { class: 'outbox-next', datetime: isoDate(item.nextAttempt) || null, title: formatFullDate(item.nextAttempt) },
          nextTryText(item.nextAttempt, now),
        )
      : null,
    item.state === 'sending' ? h('span', { class: 'outbox-note' }, 'Being handed to the server…') : null,
    item.state === 'sent'
      ? h('time', { class: 'outbox-sent', datetime: isoDate(item.sentAt) || null, title: formatFullDate(item.sentAt) }, sentText(item.sentAt, now))
      : null,
  );
  return h(
    'li',
    { class: `outbox-row state-${item.state}`, 'data-id': item.id, 'data-state': item.state, tabindex: '-1' },
    h(
      'div',
      { class: 'row-line' },
      h('span', { class: 'outbox-subject' }, subject),
      h('time', { class: 'thread-date outbox-date', datetime: isoDate(item.createdAt) || null, title: formatFullDate(item.createdAt) }, formatListDate(item.createdAt, now)),
    ),
    h('span', { class: 'outbox-to' }, draftTo(item.to)),
    h(
      'div',
      { class: 'outbox-line' },
      details,
      waiting
        ? h(
            'button',
            {
              type: 'button',
              class: 'secondary outbox-cancel',
              'aria-label': `${takingBack ? 'Taking back' : 'Take back'} “${subject}”`,
              disabled: takingBack,
            },
            takingBack ? 'Taking back…' : 'Take back',
          )
        : null,
    ),
  );
}
