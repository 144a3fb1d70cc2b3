// Notes: the list (or a search) and the open note, rendered from Markdown, with its backlinks.

import * as api from './api';
import type { App, NavParams, View, ViewName } from './app';
import { VIEW_TITLES } from './app';
import { ICONS, debounce, emptyBox, errorBox, h, icon, loadingBox, replace } from './dom';
import { formatListDate, isoDate } from './format';
import type { Shortcut } from './keys';
import { ListNav } from './listnav';
import { renderMarkdown } from './markdown';
import { createSummaryCard } from './summary';

export class NotesView implements View {
  readonly el: HTMLElement;
  private readonly split: HTMLElement;
  private readonly search: HTMLInputElement;
  private readonly list: HTMLUListElement;
  private readonly state: HTMLElement;
  private readonly detail: HTMLElement;
  private readonly nav: ListNav;
  private readonly backLabel: HTMLElement;
  private readonly backButton: HTMLButtonElement;
  private notes: api.NoteItem[] = [];
  private seq = 0;
  private openSeq = 0;
  private loaded = false;
  private openId: string | null = null;
  private from: ViewName | undefined;

  constructor(private readonly app: App) {
    this.search = h('input', {
      id: 'notes-search',
      type: 'search',
      placeholder: 'Search notes',
      autocomplete: 'off',
      spellcheck: 'false',
      'aria-label': 'Search notes',
    });
    const searchSoon = debounce(() => this.load(), 250);
    this.search.addEventListener('input', searchSoon);
    const form = h('form', { class: 'search', role: 'search' }, this.search);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.load();
    });
    this.list = h('ul', { id: 'notes-list', class: 'rows', 'aria-label': 'Notes' });
    this.list.addEventListener('click', (e) => {
      const row = (e.target as Element).closest<HTMLElement>('.note-row');
      if (row?.dataset.id) this.openNote(row.dataset.id);
    });
    this.state = h('div', { class: 'list-state' });
    this.nav = new ListNav(this.list, '.note-row');
    this.backLabel = h('span', { class: 'back-label' }, 'Notes');
    this.backButton = h(
      'button',
      { type: 'button', class: 'back', 'aria-label': 'Back to the notes', onclick: () => this.back() },
      icon(ICONS.back),
      this.backLabel,
    );
    this.detail = h('div', { class: 'detail-content' });
    this.detail.addEventListener('click', (e) => this.onDetailClick(e));
    this.placeholder();
    this.split = h(
      'div',
      { class: 'split', 'data-show': 'list' },
      h(
        'div',
        { class: 'list-pane' },
        h('header', { class: 'pane-header' }, h('h1', { class: 'pane-title' }, 'Notes'), form),
        h('div', { class: 'list-scroll' }, this.state, this.list),
      ),
      h('div', { class: 'detail-pane' }, this.detail),
    );
    this.el = h('section', { class: 'view view-notes', 'aria-label': 'Notes' }, this.split);
  }

  show(params: NavParams): void {
    if (!this.loaded) this.load();
    if (params.open) this.openNote(params.open, params.heading, params.from);
  }

  librarySynced(): void {
    if (!this.loaded) return;
    this.load(true);
    if (this.openId) this.openNote(this.openId, undefined, this.from, true);
  }

  shortcut(s: Shortcut, e: KeyboardEvent): boolean {
    switch (s) {
      case 'next':
        return this.nav.move(1);
      case 'prev':
        return this.nav.move(-1);
      case 'open': {
        if ((e.target as Element | null)?.closest?.('button, a, [role="button"]')) return false;
        const row = this.nav.selected();
        if (!row?.dataset.id) return false;
        this.openNote(row.dataset.id);
        return true;
      }
      case 'search':
        this.split.dataset.show = 'list';
        this.search.focus();
        this.search.select();
        return true;
      case 'back':
        if (this.openId === null) return false;
        this.back();
        return true;
      case 'reply':
        return false;
    }
  }

  private placeholder(): void {
    this.openSeq++;
    replace(
      this.detail,
      emptyBox('No note open', 'Pick a note from the list; links between notes open the note they name.', {
        class: 'detail-placeholder',
      }),
    );
  }

  private back(): void {
    const from = this.from;
    this.from = undefined;
    this.openId = null;
    this.placeholder();
    this.split.dataset.show = 'list';
    if (from && from !== 'notes') {
      this.app.navigate(from);
      return;
    }
    (this.nav.selected() ?? this.nav.rows()[0])?.focus();
  }

  private load(quiet = false): void {
    const mine = ++this.seq;
    const query = this.search.value.trim() || null;
    this.list.setAttribute('aria-busy', 'true');
    if (!quiet || this.notes.length === 0) {
      replace(this.state, loadingBox(query ? 'Searching your notes…' : 'Loading your notes…'));
    }
    api
      .notesList(query)
      .then((notes) => {
        if (mine !== this.seq) return;
        this.loaded = true;
        this.notes = notes;
        replace(this.list, ...notes.map(rowEl));
        this.nav.selectId(this.openId);
        if (notes.length === 0) {
          replace(
            this.state,
            query
              ? emptyBox(`No notes match “${query}”`, 'Try other words, or a tag.', { id: 'notes-empty' })
              : emptyBox('No notes yet', 'Markdown notes show up here once a notes folder is in the library.', {
                  id: 'notes-empty',
                }),
          );
        } else {
          replace(this.state);
        }
      })
      .catch((e) => {
        if (mine !== this.seq) return;
        replace(this.state, errorBox(api.toCommandError(e), () => this.load()));
      })
      .finally(() => {
        if (mine === this.seq) this.list.removeAttribute('aria-busy');
      });
  }

  private openNote(id: string, heading?: string, from?: ViewName, quiet = false): void {
    const mine = ++this.openSeq;
    this.from = from;
    this.openId = id;
    this.nav.selectId(id);
    this.split.dataset.show = 'detail';
    this.setBack(from);
    if (!quiet) replace(this.detail, this.toolbar(), loadingBox('Opening the note…'));
    api
      .openNote(id)
      .then((note) => {
        if (mine !== this.openSeq) return;
        this.openId = note.id;
        this.nav.selectId(note.id);
        this.render(note);
        if (heading) this.scrollToHeading(heading);
        else if (!quiet) this.detail.closest('.detail-pane')?.scrollTo?.({ top: 0 });
      })
      .catch((e) => {
        if (mine !== this.openSeq) return;
        replace(this.detail, this.toolbar(), errorBox(api.toCommandError(e), () => this.openNote(id, heading, from)));
      });
  }

  private toolbar(): HTMLElement {
    return h('div', { class: 'detail-toolbar' }, this.backButton);
  }

  private setBack(from?: ViewName): void {
    const to = from && from !== 'notes' ? VIEW_TITLES[from] : 'Notes';
    this.backLabel.textContent = to;
    this.backButton.setAttribute('aria-label', `Back to ${to === 'Notes' ? 'the notes' : to}`);
    this.backButton.classList.toggle('always', !!from && from !== 'notes');
  }

  private render(note: api.Note): void {
    const title = note.title.trim() || note.path;
    const summary = createSummaryCard({ what: 'note', idPrefix: 'note-' });
    summary.el.hidden = true;
    const summarize = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        id: 'note-summarize',
        onclick: () => {
          summary.el.hidden = false;
          summary.load('note', note.id);
        },
      },
      'Summarise',
    );
    const ask = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        id: 'ask-note',
        onclick: () => this.app.navigate('assistant', { about: { id: note.id, label: title } }),
      },
      icon(ICONS.spark),
      'Ask about this note',
    );
    const body = h('div', { class: 'note-body markdown' });
    const html = renderMarkdown(note.body, { links: note.links, selfId: note.id, title });
    if (html.trim() === '') {
      body.append(h('p', { class: 'muted' }, 'This note is empty.'));
    } else {
      body.innerHTML = html; // renderMarkdown escapes all note text
    }
    const backlinks =
      note.backlinks.length > 0
        ? h(
            'ul',
            { class: 'backlink-list' },
            ...note.backlinks.map((b) =>
              h('li', null, h('button', { type: 'button', class: 'backlink link-button', 'data-id': b.id }, b.title || b.id)),
            ),
          )
        : h('p', { class: 'muted' }, 'No other note links here.');
    replace(
      this.detail,
      this.toolbar(),
      h(
        'article',
        { id: 'note-view', 'aria-label': title },
        h(
          'header',
          { class: 'detail-header' },
          h('h2', { class: 'note-title' }, title),
          h(
            'p',
            { class: 'detail-sub note-meta' },
            h('span', { class: 'note-path' }, note.path),
            ...note.tags.map((t) => h('span', { class: 'tag' }, `#${t}`)),
          ),
          h('div', { class: 'detail-actions' }, summarize, ask),
        ),
        summary.el,
        body,
        h('section', { id: 'note-backlinks', class: 'backlinks', 'aria-label': 'Linked from' }, h('h3', null, 'Linked from'), backlinks),
      ),
    );
  }

  private onDetailClick(e: MouseEvent): void {
    const target = e.target as Element;
    const backlink = target.closest<HTMLElement>('.backlink');
    if (backlink?.dataset.id) {
      this.openNote(backlink.dataset.id, undefined, this.from);
      return;
    }
    const wikilink = target.closest<HTMLElement>('a.wikilink');
    if (wikilink) {
      e.preventDefault();
      const id = wikilink.dataset.id;
      const heading = wikilink.dataset.heading;
      if (!id) {
        this.app.notice(`There is no note called “${wikilink.dataset.target || heading || ''}” yet.`);
      } else if (id === this.openId && heading) {
        this.scrollToHeading(heading);
      } else {
        this.openNote(id, heading, this.from);
      }
      return;
    }
    const external = target.closest<HTMLElement>('a.external-link');
    if (external) {
      e.preventDefault();
      this.app.notice(`Links are not opened from the app: ${external.dataset.href ?? ''}`);
    }
  }

  private scrollToHeading(heading: string): void {
    const want = heading.trim().toLowerCase();
    const el = [...this.detail.querySelectorAll<HTMLElement>('.note-body [data-heading]')].find(
      (x) => (x.dataset.heading ?? '').toLowerCase() === want,
    );
    if (el) requestAnimationFrame(() => el.scrollIntoView({ block: 'start' }));
  }
}

function rowEl(n: api.NoteItem): HTMLLIElement {
  return h(
    'li',
    null,
    h(
      'button',
      { type: 'button', class: 'note-row', 'data-id': n.id },
      h(
        'span',
        { class: 'row-line' },
        h('span', { class: 'note-title' }, n.title.trim() || n.path),
        h('time', { class: 'note-date', datetime: isoDate(n.modified) || null }, formatListDate(n.modified)),
      ),
      h('span', { class: 'note-path' }, n.path),
      n.tags.length > 0 ? h('span', { class: 'note-tags' }, ...n.tags.map((t) => h('span', { class: 'tag' }, `#${t}`))) : null,
    ),
  );
}
