// The Inbox: threads newest first (or a search), or the drafts, or the outbox, and the open
// thread beside or instead of them.

import * as api from './api';
import type { App, NavParams, View, ViewName } from './app';
import { ICONS, append, emptyBox, errorBox, h, icon, loadingBox, replace } from './dom';
import { DraftsList } from './drafts';
import { formatListDate, formatParticipants, isoDate, localDay, newestDay, plural } from './format';
import type { Shortcut } from './keys';
import { ListNav } from './listnav';
import { OutboxList } from './outbox';
import { createSummaryCard, type SummaryCard } from './summary';
import { ThreadView } from './thread';

const PAGE = 50;

/** What the list shows. */
type ListMode = 'mail' | 'drafts' | 'outbox';

const SEARCH_PLACEHOLDERS: Record<ListMode, string> = {
  mail: 'Search mail',
  drafts: 'Search drafts',
  outbox: 'Search the outbox',
};

export class InboxView implements View {
  readonly el: HTMLElement;
  private readonly split: HTMLElement;
  private readonly search: HTMLInputElement;
  private readonly unread: HTMLInputElement;
  private readonly draftsButton: HTMLButtonElement;
  private readonly outboxButton: HTMLButtonElement;
  private readonly mailPart: HTMLElement;
  private readonly drafts: DraftsList;
  private readonly outbox: OutboxList;
  /** The list shown: the mail (threads), the drafts or the outbox. */
  private mode: ListMode = 'mail';
  private readonly list: HTMLUListElement;
  private readonly state: HTMLElement;
  private readonly more: HTMLButtonElement;
  private readonly nav: ListNav;
  private readonly thread: ThreadView;
  private readonly dayButton: HTMLButtonElement;
  private readonly dayPanel: HTMLElement;
  private readonly dayDate: HTMLInputElement;
  /** The day whose summary the panel shows or is loading. */
  private dayShown = '';
  private readonly dayCard: SummaryCard;
  private threads: api.InboxThread[] = [];
  private seq = 0;
  private loaded = false;
  private from: ViewName | undefined;
  private openId: string | null = null;

  constructor(private readonly app: App) {
    this.search = h('input', {
      id: 'inbox-search',
      type: 'search',
      placeholder: 'Search mail',
      title: 'Words to find; from:name for a sender',
      autocomplete: 'off',
      spellcheck: 'false',
      'aria-label': 'Search mail',
    });
    this.search.addEventListener('input', () => {
      if (this.mode === 'drafts') this.drafts.filter(this.search.value); // drafts filter as you type
      else if (this.mode === 'outbox') this.outbox.filter(this.search.value); // so does the outbox
      else if (this.search.value.trim() === '' && this.loaded) this.load(); // cleared: back to everything
    });
    this.unread = h('input', { id: 'inbox-unread', type: 'checkbox' });
    this.unread.addEventListener('change', () => this.load());
    this.draftsButton = h(
      'button',
      {
        type: 'button',
        id: 'filter-drafts',
        class: 'filter-toggle',
        'aria-pressed': 'false',
        'aria-controls': 'drafts-list',
        title: 'Show the drafts instead of the mail',
        onclick: () => this.setMode(this.mode === 'drafts' ? 'mail' : 'drafts'),
      },
      'Drafts',
    );
    this.outboxButton = h(
      'button',
      {
        type: 'button',
        id: 'filter-outbox',
        class: 'filter-toggle',
        'aria-pressed': 'false',
        'aria-controls': 'outbox-list',
        title: 'Show the replies sent and waiting to be sent',
        onclick: () => this.setMode(this.mode === 'outbox' ? 'mail' : 'outbox'),
      },
      'Outbox',
    );
    const form = h(
      'form',
      { class: 'search', role: 'search' },
      this.search,
      h(
        'div',
        { class: 'filters', role: 'group', 'aria-label': 'Filters' },
        h('label', { class: 'toggle' }, this.unread, h('span', null, 'Unread only')),
        this.draftsButton,
        this.outboxButton,
      ),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (this.mode === 'drafts') this.drafts.filter(this.search.value);
      else if (this.mode === 'outbox') this.outbox.filter(this.search.value);
      else this.load();
    });
    this.list = h('ul', { id: 'inbox-list', class: 'rows', 'aria-label': 'Conversations' });
    this.list.addEventListener('click', (e) => {
      const row = (e.target as Element).closest<HTMLElement>('.thread-row');
      if (row?.dataset.id) this.openThread(row.dataset.id);
    });
    this.state = h('div', { class: 'list-state' });
    this.more = h('button', { type: 'button', class: 'load-more secondary', hidden: true, onclick: () => this.load(true) }, 'Show older');
    this.nav = new ListNav(this.list, '.thread-row');
    this.mailPart = h('div', { class: 'mail-part' }, this.state, this.list, this.more);
    this.drafts = new DraftsList((messageId, rowId) => {
      this.openThread(messageId);
      this.drafts.select(rowId);
    });
    this.drafts.el.hidden = true;
    this.outbox = new OutboxList();
    this.outbox.el.hidden = true;
    this.thread = new ThreadView({
      app,
      onBack: () => this.back(),
      onOpened: (t) => this.markRead(t.id),
      onShowOutbox: () => this.showOutbox(),
      onSent: () => {
        // The draft left the drafts for the outbox: whichever of the two is listed changed.
        if (this.mode === 'drafts') this.drafts.load(true);
        if (this.mode === 'outbox') this.outbox.load(true);
      },
    });
    this.dayButton = h(
      'button',
      {
        type: 'button',
        id: 'day-summary-button',
        class: 'secondary day-summary-button',
        'aria-label': 'Summary of the day',
        'aria-controls': 'day-summary',
        'aria-expanded': 'false',
        title: 'Summarise a day of mail and notes',
        onclick: () => (this.dayPanel.hidden ? this.openDaySummary() : this.closeDaySummary()),
      },
      icon(ICONS.calendar),
      'Summary of the day',
    );
    this.dayDate = h('input', { id: 'day-summary-date', type: 'date', required: true });
    this.dayDate.addEventListener('change', () => {
      if (!this.dayDate.value) this.dayDate.value = localDay(new Date()); // cleared: today
      // WebKit also reports a "change" when the field merely loses focus: same day, no new run.
      if (this.dayDate.value === this.dayShown) return;
      this.dayShown = this.dayDate.value;
      this.dayCard.load('day', this.dayDate.value);
    });
    this.dayCard = createSummaryCard({ what: 'day', idPrefix: 'day-' });
    this.dayPanel = h(
      'section',
      { id: 'day-summary', class: 'day-summary', 'aria-label': 'Summary of the day', hidden: true },
      h(
        'div',
        { class: 'day-summary-bar' },
        h('label', { for: 'day-summary-date', class: 'day-summary-label' }, 'Day'),
        this.dayDate,
        h(
          'button',
          {
            type: 'button',
            id: 'day-summary-close',
            class: 'icon-button small',
            'aria-label': 'Close the summary of the day',
            title: 'Close',
            onclick: () => this.closeDaySummary(),
          },
          icon(ICONS.close),
        ),
      ),
      this.dayCard.el,
    );
    this.dayPanel.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape' || e.isComposing || e.defaultPrevented) return;
      e.preventDefault();
      e.stopPropagation();
      this.closeDaySummary();
    });
    this.split = h(
      'div',
      { class: 'split', 'data-show': 'list' },
      h(
        'div',
        { class: 'list-pane' },
        h(
          'header',
          { class: 'pane-header' },
          h('div', { class: 'pane-title-row' }, h('h1', { class: 'pane-title' }, 'Inbox'), this.dayButton),
          form,
        ),
        h('div', { class: 'list-scroll' }, this.dayPanel, this.mailPart, this.drafts.el, this.outbox.el),
      ),
      h('div', { class: 'detail-pane' }, this.thread.el),
    );
    this.el = h('section', { class: 'view view-inbox', 'aria-label': 'Inbox' }, this.split);
  }

  show(params: NavParams): void {
    if (!this.loaded) this.load();
    if (this.mode === 'outbox') this.outbox.load(true); // what was waiting may have gone meanwhile
    if (params.open) this.openThread(params.open, params.from);
    else if (this.openId === null) this.thread.placeholder(); // its hint names the current keys
  }

  librarySynced(): void {
    if (this.loaded) this.load(false, true);
    if (this.mode === 'drafts') this.drafts.load(true);
    if (this.mode === 'outbox') this.outbox.load(true);
  }

  /** The j/k selection of the list shown. */
  private activeNav(): ListNav {
    if (this.mode === 'drafts') return this.drafts.nav;
    if (this.mode === 'outbox') return this.outbox.nav;
    return this.nav;
  }

  /** Shows the mail, the drafts or the outbox; the search box then searches (filters) that list. */
  private setMode(mode: ListMode): void {
    if (mode === this.mode) return;
    this.mode = mode;
    const mail = mode === 'mail';
    this.draftsButton.setAttribute('aria-pressed', String(mode === 'drafts'));
    this.outboxButton.setAttribute('aria-pressed', String(mode === 'outbox'));
    this.unread.disabled = !mail;
    this.unread.closest('.toggle')?.classList.toggle('disabled', !mail);
    this.search.placeholder = SEARCH_PLACEHOLDERS[mode];
    this.mailPart.hidden = !mail;
    this.drafts.el.hidden = mode !== 'drafts';
    this.outbox.el.hidden = mode !== 'outbox';
    if (mode === 'drafts') {
      this.drafts.filter(this.search.value);
      this.drafts.load(true);
    } else if (mode === 'outbox') {
      this.outbox.filter(this.search.value);
      this.outbox.load(true);
    } else {
      this.load(false, true); // the search words may have changed meanwhile
    }
  }

  /** The outbox in the list (a reply was just sent from the open thread). */
  private showOutbox(): void {
    if (this.mode === 'outbox') this.outbox.load(true);
    else this.setMode('outbox');
    this.showPane('list');
    this.outboxButton.focus();
  }

  shortcut(s: Shortcut, e: KeyboardEvent): boolean {
    switch (s) {
      case 'next':
        return this.activeNav().move(1);
      case 'prev':
        return this.activeNav().move(-1);
      case 'open': {
        if ((e.target as Element | null)?.closest?.('button, a, [role="button"]')) return false; // the button opens itself
        const row = this.activeNav().selected();
        if (!row?.dataset.id) return false;
        if (this.mode === 'outbox') return false; // a sent reply has nothing to open
        if (this.mode === 'drafts') {
          if (!row.dataset.message) return false;
          this.openThread(row.dataset.message);
          this.drafts.select(row.dataset.id);
        } else {
          this.openThread(row.dataset.id);
        }
        return true;
      }
      case 'reply':
        return this.thread.current() !== null && this.thread.focusReply();
      case 'search':
        this.showPane('list');
        this.search.focus();
        this.search.select();
        return true;
      case 'back':
        if (this.openId === null && !this.dayPanel.hidden) {
          this.closeDaySummary();
          return true;
        }
        if (this.openId === null) return false;
        this.back();
        return true;
    }
  }

  /** Opens the summary of the day, on the day of the newest thread listed (else today). */
  private openDaySummary(): void {
    this.dayDate.value = newestDay(this.threads.map((t) => t.lastDate));
    this.dayPanel.hidden = false;
    this.dayButton.setAttribute('aria-expanded', 'true');
    this.dayShown = this.dayDate.value;
    this.dayCard.load('day', this.dayDate.value);
    this.dayDate.focus();
  }

  private closeDaySummary(): void {
    const hadFocus = this.dayPanel.contains(document.activeElement);
    this.dayPanel.hidden = true;
    this.dayButton.setAttribute('aria-expanded', 'false');
    if (hadFocus) this.dayButton.focus();
  }

  private openThread(id: string, from?: ViewName): void {
    this.from = from;
    this.openId = id;
    this.nav.selectId(id);
    this.showPane('detail');
    this.thread.open(id, from);
  }

  private back(): void {
    const from = this.from;
    this.from = undefined;
    this.openId = null;
    this.thread.placeholder();
    this.showPane('list');
    if (from && from !== 'inbox') {
      this.app.navigate(from);
      return;
    }
    if (this.mode === 'drafts') this.drafts.load(true); // the draft may have been edited meanwhile
    if (this.mode === 'outbox') this.outbox.load(true); // or sent
    const nav = this.activeNav();
    (nav.selected() ?? nav.rows()[0])?.focus();
  }

  private showPane(which: 'list' | 'detail'): void {
    this.split.dataset.show = which;
  }

  /** The opened thread is read now: update its row. */
  private markRead(threadId: string): void {
    this.openId = threadId;
    this.nav.selectId(threadId);
    const t = this.threads.find((x) => x.id === threadId);
    if (t) t.unreadCount = 0;
    const row = this.list.querySelector<HTMLElement>(`.thread-row[data-id="${CSS.escape(threadId)}"]`);
    row?.classList.remove('unread');
    row?.querySelector('.unread-label')?.remove();
  }

  /** Loads the first page (or the next, with `more`); `quiet` keeps the list on screen meanwhile. */
  private load(more = false, quiet = false): void {
    const mine = ++this.seq;
    const query = this.search.value.trim() || null;
    const unreadOnly = this.unread.checked;
    const offset = more ? this.threads.length : 0;
    this.list.setAttribute('aria-busy', 'true');
    if (more) {
      this.more.disabled = true;
    } else if (!quiet || this.threads.length === 0) {
      this.more.hidden = true;
      replace(this.state, loadingBox(query ? 'Searching your mail…' : 'Loading your mail…'));
      if (!quiet) {
        this.threads = [];
        replace(this.list);
      }
    }
    api
      .inbox({ query, unreadOnly, limit: PAGE, offset })
      .then((page) => {
        if (mine !== this.seq) return;
        this.loaded = true;
        this.threads = more ? this.threads.concat(page) : page;
        if (more) append(this.list, ...page.map(rowEl));
        else replace(this.list, ...page.map(rowEl));
        this.nav.selectId(this.openId);
        this.more.hidden = page.length < PAGE;
        if (this.threads.length === 0) {
          replace(this.state, emptyState(query, unreadOnly));
        } else {
          replace(this.state);
        }
      })
      .catch((e) => {
        if (mine !== this.seq) return;
        replace(this.state, errorBox(api.toCommandError(e), () => this.load(more)));
      })
      .finally(() => {
        if (mine !== this.seq) return;
        this.list.removeAttribute('aria-busy');
        this.more.disabled = false;
      });
  }
}

function emptyState(query: string | null, unreadOnly: boolean): HTMLElement {
  const attrs = { id: 'inbox-empty' };
  if (query) {
    return emptyBox(
      `No mail matches “${query}”`,
      unreadOnly ? 'Only unread mail was searched: untick “Unread only” to search everything.' : 'Try other words, or a sender: from:kenneth.',
      attrs,
    );
  }
  if (unreadOnly) return emptyBox('No unread mail', 'You are all caught up.', attrs);
  return emptyBox('No mail yet', 'Mail shows up here once a mailbox is in the library.', attrs);
}

function rowEl(t: api.InboxThread): HTMLLIElement {
  const unread = t.unreadCount > 0;
  return h(
    'li',
    null,
    h(
      'button',
      { type: 'button', class: `thread-row${unread ? ' unread' : ''}`, 'data-id': t.id },
      h(
        'span',
        { class: 'row-line' },
        h('span', { class: 'unread-dot', 'aria-hidden': 'true' }),
        h('span', { class: 'thread-participants' }, formatParticipants(t.participants)),
        t.messageCount > 1
          ? h(
              'span',
              { class: 'count' },
              h('span', { 'aria-hidden': 'true' }, String(t.messageCount)),
              h('span', { class: 'visually-hidden' }, `, ${plural(t.messageCount, 'message')}`),
            )
          : null,
        h('time', { class: 'thread-date', datetime: isoDate(t.lastDate) || null }, formatListDate(t.lastDate)),
      ),
      h('span', { class: 'thread-subject' }, t.subject.trim() || '(no subject)', unread ? h('span', { class: 'visually-hidden unread-label' }, ' (unread)') : null),
      h('span', { class: 'thread-summary' }, t.summaryLine),
    ),
  );
}
