// Settings: appearance, the mail and notes sources, what is stored where, and the keyboard
// shortcuts.

import * as api from './api';
import type { App, View } from './app';
import { emptyBox, errorBox, h, loadingBox, replace } from './dom';
import { isoDate, formatFullDate, plural } from './format';
import { SHORTCUTS } from './keys';
import {
  ADD_KINDS,
  PRIVACY_OPTIONS,
  addedText,
  kindName,
  lastSyncText,
  parseAddKind,
  parsePrivacy,
  progressText,
  sourceCounts,
} from './sources';
import { loadTheme, saveTheme, parseTheme } from './theme';

export class SettingsView implements View {
  readonly el: HTMLElement;
  private readonly about: HTMLElement;
  private readonly sources: SourcesCard;

  constructor(private readonly app: App) {
    const theme = h(
      'select',
      { id: 'theme' },
      h('option', { value: 'system' }, 'Same as the system'),
      h('option', { value: 'light' }, 'Light'),
      h('option', { value: 'dark' }, 'Dark'),
    );
    theme.value = loadTheme();
    theme.addEventListener('change', () => saveTheme(parseTheme(theme.value)));
    this.about = h('div', { class: 'about-data', 'aria-live': 'polite' });
    // Adding a source changes the whole library: every view reloads (this one too, through
    // librarySynced) and the status bar re-reads app_info.
    this.sources = new SourcesCard(() => this.app.libraryChanged(), (text) => this.app.notice(text));

    const shortcuts = h(
      'dl',
      { class: 'shortcuts' },
      ...SHORTCUTS.flatMap(([keys, what]) => [
        h('dt', null, ...keys.split(' / ').flatMap((k, i) => [i > 0 ? ' / ' : null, h('kbd', null, k)])),
        h('dd', null, what),
      ]),
    );

    this.el = h(
      'section',
      { class: 'view view-settings', 'aria-label': 'Settings' },
      h(
        'div',
        { class: 'page', id: 'settings' },
        h('header', { class: 'page-header' }, h('h1', { class: 'pane-title' }, 'Settings')),
        h(
          'section',
          { class: 'card', 'aria-labelledby': 'settings-appearance' },
          h('h2', { id: 'settings-appearance' }, 'Appearance'),
          h('div', { class: 'field' }, h('label', { for: 'theme' }, 'Theme'), theme),
        ),
        this.sources.el,
        h('section', { class: 'card', 'aria-labelledby': 'settings-data' }, h('h2', { id: 'settings-data' }, 'On this computer'), this.about),
        h(
          'section',
          { class: 'card', 'aria-labelledby': 'settings-accounts' },
          h('h2', { id: 'settings-accounts' }, 'Mail accounts and cloud'),
          h(
            'p',
            { class: 'muted coming' },
            'Coming in a later version: connecting mail accounts, and choosing whether anything may use a cloud model. ' +
              'Until then the app reads only the mail and notes on this computer and never goes online for them.',
          ),
        ),
        h('section', { class: 'card', 'aria-labelledby': 'settings-keys' }, h('h2', { id: 'settings-keys' }, 'Keyboard shortcuts'), shortcuts, h('p', { class: 'hint' }, 'Shortcuts do nothing while you type in a field.')),
      ),
    );
  }

  show(): void {
    this.sources.load();
    this.showAbout();
  }

  librarySynced(): void {
    this.sources.reload();
    if (!this.el.hidden) this.showAbout(true);
  }

  private showAbout(quiet = false): void {
    if (!quiet || this.about.childElementCount === 0) replace(this.about, loadingBox('Reading the library…'));
    this.app.refreshInfo().then((info) => {
      if (!info) {
        replace(this.about, errorBox('Could not read the app information.', () => this.showAbout()));
        return;
      }
      replace(this.about, ...aboutRows(info));
    });
  }
}

function aboutRows(info: api.AppInfo): HTMLElement[] {
  return [
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, 'Data folder'),
      h('dd', null, h('code', { class: 'data-dir' }, info.dataDir)),
      h('dt', null, 'Mail'),
      h('dd', { class: 'count-messages' }, `${plural(info.counts.messages, 'message')} in ${plural(info.counts.threads, 'conversation')}`),
      h('dt', null, 'Notes'),
      h('dd', { class: 'count-notes' }, plural(info.counts.notes, 'note')),
      h('dt', null, 'Model'),
      h('dd', null, info.activeModel ?? 'None chosen'),
    ),
  ];
}

const STOPPED = 'Stopped. What was read so far is kept.';

/** The "Mail and notes" card: the library's sources with their privacy labels, and a form to add
 * a mail folder, mailbox file or notes folder (with progress and Stop while it is read). */
class SourcesCard {
  readonly el: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly state: HTMLElement;
  private readonly error: HTMLElement;
  private readonly kind: HTMLSelectElement;
  private readonly path: HTMLInputElement;
  private readonly addButton: HTMLButtonElement;
  private readonly progress: HTMLProgressElement;
  private readonly status: HTMLElement;
  private readonly cancel: HTMLButtonElement;
  private readonly runningRow: HTMLElement;
  private sources: api.Source[] = [];
  private loaded = false;
  private seq = 0;
  private running = false;
  private cancelling = false;
  /** The latest privacy change per source: only its answer counts. */
  private readonly privacySeq = new Map<number, number>();

  constructor(
    private readonly onLibraryChanged: () => void,
    private readonly notice: (text: string) => void,
  ) {
    this.error = h('div', { id: 'sources-error', class: 'error', role: 'alert', hidden: true });
    this.state = h('div', { class: 'list-state' });
    this.list = h('ul', { id: 'sources-list', class: 'source-list', 'aria-label': 'Mail and notes sources' });
    this.list.addEventListener('change', (e) => {
      const select = e.target as Element;
      if (select instanceof HTMLSelectElement && select.classList.contains('source-privacy')) this.changePrivacy(select);
    });

    this.kind = h('select', { id: 'source-kind' }, ...ADD_KINDS.map((k) => h('option', { value: k.value }, k.label)));
    this.path = h('input', {
      id: 'source-path',
      type: 'text',
      placeholder: ADD_KINDS[0].placeholder,
      autocomplete: 'off',
      spellcheck: 'false',
    });
    this.kind.addEventListener('change', () => {
      this.path.placeholder = ADD_KINDS.find((k) => k.value === this.kind.value)?.placeholder ?? '';
    });
    this.addButton = h('button', { type: 'submit', id: 'source-add-button', class: 'primary' }, 'Add');
    this.progress = h('progress', { id: 'source-progress', max: 1, hidden: true, 'aria-label': 'Reading the new source' });
    this.cancel = h('button', { type: 'button', id: 'source-cancel', class: 'secondary', hidden: true }, 'Stop');
    this.cancel.addEventListener('click', () => this.stop());
    this.runningRow = h('div', { class: 'source-running', hidden: true }, this.progress, this.cancel);
    this.status = h('p', { id: 'source-status', class: 'source-status', role: 'status', 'aria-live': 'polite' });
    const form = h(
      'form',
      { id: 'source-add', class: 'source-add', 'aria-labelledby': 'source-add-title' },
      h('h3', { id: 'source-add-title' }, 'Add mail or notes from this computer'),
      h(
        'div',
        { class: 'source-add-fields' },
        h('div', { class: 'source-add-field' }, h('label', { for: 'source-kind' }, 'What it is'), this.kind),
        h('div', { class: 'source-add-field source-add-path' }, h('label', { for: 'source-path' }, 'Path of the folder or file'), this.path),
        this.addButton,
      ),
      this.runningRow,
      this.status,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.add();
    });

    this.el = h(
      'section',
      { class: 'card sources', 'aria-labelledby': 'settings-sources' },
      h('h2', { id: 'settings-sources' }, 'Mail and notes'),
      h('p', { class: 'muted sources-intro' }, 'What the assistant reads. Everything is read and kept on this computer.'),
      this.error,
      this.state,
      this.list,
      h(
        'p',
        { id: 'sources-privacy-note', class: 'muted sources-note' },
        'The cloud fallback is off and not built yet, so today nothing leaves this device, whatever the label.',
      ),
      form,
    );
  }

  /** Loads the list (quietly when it is already on screen). */
  load(): void {
    this.fetch(this.loaded);
  }

  /** Reloads the list if it was loaded before (the library changed). */
  reload(): void {
    if (this.loaded) this.fetch(true);
  }

  private fetch(quiet: boolean): void {
    const mine = ++this.seq;
    this.list.setAttribute('aria-busy', 'true');
    if (!quiet) replace(this.state, loadingBox('Reading the sources…'));
    api
      .sourcesList()
      .then((sources) => {
        if (mine !== this.seq) return;
        this.loaded = true;
        this.sources = sources;
        this.render();
        replace(
          this.state,
          sources.length === 0
            ? emptyBox('No mail or notes yet', 'Add a mail folder, a mailbox file or a folder of Markdown notes below.', {
                id: 'sources-empty',
              })
            : null,
        );
      })
      .catch((e) => {
        if (mine !== this.seq) return;
        replace(this.state, errorBox(api.toCommandError(e), () => this.fetch(false)));
      })
      .finally(() => {
        if (mine === this.seq) this.list.removeAttribute('aria-busy');
      });
  }

  private showError(text: string | null): void {
    this.error.textContent = text ?? '';
    this.error.hidden = text === null;
    if (text !== null) this.error.scrollIntoView({ block: 'nearest' });
  }

  /** Renders the rows, keeping the focus on the same row's control when it was in the list. */
  private render(): void {
    const focused = document.activeElement;
    const focusedId = this.list.contains(focused) ? focused?.closest<HTMLElement>('.source-row')?.dataset.id : undefined;
    replace(this.list, ...this.sources.map((s) => sourceRow(s)));
    if (focusedId !== undefined) {
      this.list.querySelector<HTMLElement>(`.source-row[data-id="${CSS.escape(focusedId)}"] select.source-privacy`)?.focus();
    }
  }

  private row(id: number): HTMLElement | null {
    return this.list.querySelector<HTMLElement>(`.source-row[data-id="${CSS.escape(String(id))}"]`);
  }

  private changePrivacy(select: HTMLSelectElement): void {
    const id = Number(select.closest<HTMLElement>('.source-row')?.dataset.id);
    const source = this.sources.find((s) => s.id === id);
    const privacy = parsePrivacy(select.value);
    if (!source || !privacy) return;
    const mine = (this.privacySeq.get(id) ?? 0) + 1;
    this.privacySeq.set(id, mine);
    this.showError(null);
    const statusOf = () => this.row(id)?.querySelector('.source-privacy-status');
    const selectOf = () => this.row(id)?.querySelector<HTMLSelectElement>('select.source-privacy');
    const status = statusOf();
    if (status) status.textContent = 'Saving…';
    api
      .setSourcePrivacy(id, privacy)
      .then((saved) => {
        if (this.privacySeq.get(id) !== mine) return;
        this.sources = this.sources.map((s) => (s.id === id ? saved : s));
        const sel = selectOf();
        if (sel) sel.value = saved.privacy;
        const st = statusOf();
        if (st) st.textContent = 'Saved';
      })
      .catch((e) => {
        if (this.privacySeq.get(id) !== mine) return;
        const current = this.sources.find((s) => s.id === id);
        const sel = selectOf();
        if (sel && current) sel.value = current.privacy;
        const st = statusOf();
        if (st) st.textContent = '';
        this.showError(`Could not change the privacy of ${source.name || source.location}: ${api.toCommandError(e).message}`);
      });
  }

  private setRunning(running: boolean): void {
    this.running = running;
    this.kind.disabled = running;
    this.path.readOnly = running;
    this.addButton.disabled = running;
    this.runningRow.hidden = !running;
    this.progress.hidden = !running;
    this.cancel.hidden = !running;
    this.cancel.disabled = false;
  }

  private add(): void {
    if (this.running) return;
    const kind = parseAddKind(this.kind.value);
    const path = this.path.value.trim();
    if (!kind) return;
    if (path === '') {
      this.showError('Type the path of a folder or file to add.');
      this.path.focus();
      return;
    }
    this.showError(null);
    this.cancelling = false;
    this.setRunning(true);
    this.progress.max = 1;
    this.progress.removeAttribute('value');
    this.status.textContent = `Reading ${path}…`;
    this.cancel.focus();
    api
      .addSource(kind, path, (p) => {
        if (!this.running) return;
        if (p.total !== null && p.total > 0) {
          this.progress.max = p.total;
          this.progress.value = Math.min(p.done, p.total);
        } else {
          this.progress.removeAttribute('value');
        }
        if (!this.cancelling) this.status.textContent = progressText(p);
      })
      .then((source) => {
        this.path.value = '';
        this.status.textContent = addedText(source);
        this.notice(`Added ${source.name || source.location}.`);
      })
      .catch((e) => {
        const err = api.toCommandError(e);
        if (err.kind === 'cancelled') {
          this.status.textContent = STOPPED;
          this.notice(STOPPED);
        } else {
          this.status.textContent = '';
          this.showError(err.message);
        }
      })
      .finally(() => {
        const hadFocus = document.activeElement === this.cancel || document.activeElement === document.body;
        this.cancelling = false;
        this.setRunning(false);
        if (hadFocus) this.path.focus();
        this.onLibraryChanged();
      });
  }

  private stop(): void {
    if (!this.running || this.cancelling) return;
    this.cancelling = true;
    this.cancel.disabled = true;
    this.status.textContent = 'Stopping…';
    api.cancelIngest().catch((e) => {
      this.cancelling = false;
      this.cancel.disabled = false;
      this.showError(`Could not stop: ${api.toCommandError(e).message}`);
    });
  }
}

function sourceRow(s: api.Source): HTMLLIElement {
  const selectId = `source-privacy-${s.id}`;
  const name = s.name || s.location;
  const select = h(
    'select',
    { id: selectId, class: 'source-privacy' },
    ...PRIVACY_OPTIONS.map((o) => h('option', { value: o.value }, o.label)),
  );
  select.value = s.privacy;
  return h(
    'li',
    { class: 'source-row', 'data-id': s.id },
    h(
      'div',
      { class: 'source-info' },
      h('div', { class: 'source-title' }, h('span', { class: 'source-name' }, name), h('span', { class: 'source-kind badge' }, kindName(s.kind))),
      h('p', { class: 'source-location' }, h('code', null, s.location)),
      h(
        'p',
        { class: 'source-facts' },
        h('span', { class: 'source-counts' }, sourceCounts(s)),
        s.lastSync === null
          ? h('span', { class: 'source-sync' }, lastSyncText(null))
          : h('time', { class: 'source-sync', datetime: isoDate(s.lastSync), title: formatFullDate(s.lastSync) }, lastSyncText(s.lastSync)),
      ),
    ),
    h(
      'div',
      { class: 'source-privacy-field' },
      h('label', { for: selectId }, 'Privacy', h('span', { class: 'visually-hidden' }, ` of ${name}`)),
      select,
      h('span', { class: 'source-privacy-status', role: 'status', 'aria-live': 'polite' }),
    ),
  );
}
