// Settings: appearance, the mail and notes sources, what is stored where, mail accounts (IMAP),
// the account mail is sent through (SMTP), the cloud model (off unless set here) and the keyboard
// shortcuts (which the user can change).

import * as api from './api';
import type { App, NavParams, View } from './app';
import {
  CLOUD_FEATURES,
  CLOUD_OFF_QUESTION,
  NOTHING_SENT,
  type CloudField,
  allowedText,
  callFacts,
  callOk,
  callOutcomeText,
  cloudServerText,
  errorField,
  featureName,
  validateCloud,
} from './cloud';
import { emptyBox, errorBox, h, loadingBox, replace } from './dom';
import { isoDate, formatFullDate, plural } from './format';
import {
  DEFAULT_KEYMAP,
  type EditableShortcut,
  SHORTCUT_NAMES,
  currentKeymap,
  rebind,
  saveKeymap,
  shortcutLines,
} from './keys';
import {
  ADD_KINDS,
  IMAP_SECURITY_OPTIONS,
  PRIVACY_OPTIONS,
  type ImapFields,
  accountAddedText,
  addedText,
  defaultImapPort,
  imapLocation,
  ingestErrorText,
  kindName,
  lastSyncText,
  needsPassword,
  parseAddKind,
  parsePrivacy,
  parseSecurity,
  portAfterSecurityChange,
  progressText,
  securityHint,
  sourceCounts,
  syncedText,
  validateImap,
} from './sources';
import {
  DEFAULT_MAX_PER_HOUR,
  MAX_PER_HOUR_LIMIT,
  SMTP_SECURITY_OPTIONS,
  type SmtpFields,
  defaultSmtpPort,
  parseSmtpSecurity,
  portWasChosen,
  sendingAccountText,
  smtpPortAfterSecurityChange,
  smtpSecurityHint,
  validateSmtp,
} from './sending';
import { loadTheme, saveTheme, parseTheme } from './theme';

export class SettingsView implements View {
  readonly el: HTMLElement;
  private readonly about: HTMLElement;
  private readonly sources: SourcesCard;
  private readonly sending: SendingForm;
  private readonly cloud: CloudCard;

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
    const lock = new IngestLock();
    const changed = () => this.app.libraryChanged();
    const notice = (text: string) => this.app.notice(text);
    this.sources = new SourcesCard(lock, changed, notice);
    const imap = new ImapForm(lock, changed, notice);
    const shortcuts = new ShortcutsCard();
    this.sending = new SendingForm();
    this.cloud = new CloudCard();

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
          { class: 'card accounts', 'aria-labelledby': 'settings-accounts' },
          h('h2', { id: 'settings-accounts' }, 'Mail accounts'),
          imap.el,
        ),
        this.sending.el,
        this.cloud.el,
        shortcuts.el,
      ),
    );
  }

  show(params: NavParams = {}): void {
    this.sources.load();
    this.sending.load();
    this.cloud.load();
    this.showAbout();
    if (params.open === 'sending') this.sending.reveal();
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

/** One reading at a time (the app has a single Stop for all of them): adding a folder, adding a
 * mail account and each "Sync now" take this lock, and their buttons wait while another holds it. */
class IngestLock {
  private holder: string | null = null;
  private readonly listeners: (() => void)[] = [];

  get busy(): boolean {
    return this.holder !== null;
  }

  take(who: string): boolean {
    if (this.holder !== null) return false;
    this.holder = who;
    this.changed();
    return true;
  }

  release(who: string): void {
    if (this.holder !== who) return;
    this.holder = null;
    this.changed();
  }

  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }
}

/** Shows progress in a <progress>: the fraction when the total is known, else indeterminate. */
function showProgress(el: HTMLProgressElement, p: api.Progress): void {
  if (p.total !== null && p.total > 0) {
    el.max = p.total;
    el.value = Math.min(p.done, p.total);
  } else {
    el.removeAttribute('value');
  }
}

/** A source's "Sync now" while it runs, and the last sync's words per source. */
type SyncState = { id: number; progress: api.Progress | null; cancelling: boolean };
type RowMessage = { text: string; error: boolean };

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
  /** The source being re-read by "Sync now", if any. */
  private syncing: SyncState | null = null;
  /** What the last "Sync now" of each source said. */
  private readonly rowMessages = new Map<number, RowMessage>();
  /** The latest privacy change per source: only its answer counts. */
  private readonly privacySeq = new Map<number, number>();

  constructor(
    private readonly lock: IngestLock,
    private readonly onLibraryChanged: () => void,
    private readonly notice: (text: string) => void,
  ) {
    lock.onChange(() => this.updateButtons());
    this.error = h('div', { id: 'sources-error', class: 'error', role: 'alert', hidden: true });
    this.state = h('div', { class: 'list-state' });
    this.list = h('ul', { id: 'sources-list', class: 'source-list', 'aria-label': 'Mail and notes sources' });
    this.list.addEventListener('change', (e) => {
      const select = e.target as Element;
      if (select instanceof HTMLSelectElement && select.classList.contains('source-privacy')) this.changePrivacy(select);
    });
    this.list.addEventListener('click', (e) => {
      const button = (e.target as Element).closest<HTMLButtonElement>('button.source-sync, button.source-sync-stop');
      const id = Number(button?.closest<HTMLElement>('.source-row')?.dataset.id);
      if (!button || !Number.isFinite(id)) return;
      if (button.classList.contains('source-sync')) this.sync(id);
      else this.stopSync();
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
      h('p', { class: 'muted sources-intro' }, 'What the assistant reads. Everything it reads is kept on this computer.'),
      this.error,
      this.state,
      this.list,
      h(
        'p',
        { id: 'sources-privacy-note', class: 'muted sources-note' },
        'Nothing leaves this device unless a cloud model is set under “Cloud model” and allowed for the feature; text from a Private source never does.',
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
            ? emptyBox('No mail or notes yet', 'Add a mail folder, a mailbox file or a folder of Markdown notes below, or a mail account under “Mail accounts”.', {
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
    const inList = focused instanceof HTMLElement && this.list.contains(focused);
    const focusedId = inList ? focused.closest<HTMLElement>('.source-row')?.dataset.id : undefined;
    const control = inList ? ['source-sync', 'source-sync-stop'].find((c) => focused.classList.contains(c)) : undefined;
    replace(
      this.list,
      ...this.sources.map((s) =>
        sourceRow(s, {
          sync: this.syncing?.id === s.id ? this.syncing : null,
          message: this.rowMessages.get(s.id) ?? null,
          busy: this.lock.busy,
        }),
      ),
    );
    if (focusedId !== undefined) {
      const row = this.list.querySelector<HTMLElement>(`.source-row[data-id="${CSS.escape(focusedId)}"]`);
      const target = (control && row?.querySelector<HTMLElement>(`button.${control}:not([hidden]):not(:disabled)`)) || row?.querySelector<HTMLElement>('select.source-privacy');
      target?.focus();
    }
  }

  /** Enables the start buttons only while nothing is being read. */
  private updateButtons(): void {
    this.addButton.disabled = this.lock.busy;
    for (const b of this.list.querySelectorAll<HTMLButtonElement>('button.source-sync')) b.disabled = this.lock.busy;
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
    this.addButton.disabled = running || this.lock.busy;
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
    if (!this.lock.take('add')) {
      this.showError('Wait until the mail being read now is done, or stop it.');
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
        showProgress(this.progress, p);
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
        this.lock.release('add');
        this.setRunning(false);
        if (hadFocus) this.path.focus();
        this.onLibraryChanged();
      });
  }

  /** "Sync now": re-reads a source (an IMAP account with its saved password), with progress. */
  private sync(id: number): void {
    const source = this.sources.find((s) => s.id === id);
    if (!source || this.syncing || !this.lock.take(`sync-${id}`)) return;
    const name = source.name || source.location;
    this.showError(null);
    this.syncing = { id, progress: null, cancelling: false };
    this.rowMessages.set(id, { text: `Reading ${name}…`, error: false });
    this.render();
    this.row(id)?.querySelector<HTMLElement>('button.source-sync-stop')?.focus();
    api
      .syncSource(id, (p) => {
        if (this.syncing?.id !== id) return;
        this.syncing.progress = p;
        const row = this.row(id);
        const progress = row?.querySelector<HTMLProgressElement>('progress.source-sync-progress');
        if (progress) showProgress(progress, p);
        if (!this.syncing.cancelling) this.setRowMessage(id, { text: progressText(p), error: false });
      })
      .then((saved) => {
        this.sources = this.sources.map((s) => (s.id === id ? saved : s));
        this.rowMessages.set(id, { text: syncedText(saved), error: false });
        this.notice(`${saved.name || saved.location}: ${syncedText(saved)}`);
      })
      .catch((e) => {
        const err = api.toCommandError(e);
        this.rowMessages.set(id, { text: err.kind === 'cancelled' ? STOPPED : ingestErrorText(err), error: err.kind !== 'cancelled' });
      })
      .finally(() => {
        const hadFocus = this.row(id)?.contains(document.activeElement) || document.activeElement === document.body;
        this.syncing = null;
        this.lock.release(`sync-${id}`);
        this.render();
        if (hadFocus) this.row(id)?.querySelector<HTMLElement>('button.source-sync')?.focus();
        this.onLibraryChanged();
      });
  }

  private setRowMessage(id: number, message: RowMessage): void {
    this.rowMessages.set(id, message);
    const el = this.row(id)?.querySelector<HTMLElement>('.source-sync-status');
    if (!el) return;
    el.textContent = message.text;
    el.classList.toggle('is-error', message.error);
  }

  private stopSync(): void {
    const syncing = this.syncing;
    if (!syncing || syncing.cancelling) return;
    syncing.cancelling = true;
    const stop = this.row(syncing.id)?.querySelector<HTMLButtonElement>('button.source-sync-stop');
    if (stop) stop.disabled = true;
    this.setRowMessage(syncing.id, { text: 'Stopping…', error: false });
    api.cancelIngest().catch((e) => {
      syncing.cancelling = false;
      const button = this.row(syncing.id)?.querySelector<HTMLButtonElement>('button.source-sync-stop');
      if (button) button.disabled = false;
      this.showError(`Could not stop: ${api.toCommandError(e).message}`);
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

type RowState = { sync: SyncState | null; message: RowMessage | null; busy: boolean };

function sourceRow(s: api.Source, state: RowState): HTMLLIElement {
  const selectId = `source-privacy-${s.id}`;
  const name = s.name || s.location;
  const imap = s.kind === 'imap';
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
          ? h('span', { class: 'source-sync source-last-read' }, lastSyncText(null))
          : h(
              'time',
              { class: 'source-sync source-last-read', datetime: isoDate(s.lastSync), title: formatFullDate(s.lastSync) },
              lastSyncText(s.lastSync),
            ),
      ),
      imap && needsPassword(s)
        ? h('p', { class: 'source-password-missing' }, 'Password not saved — add the account again to enter it.')
        : null,
      imap ? syncControls(name, state) : null,
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

/** An account's "Sync now", and while it runs its progress and Stop; then what it found. */
function syncControls(name: string, state: RowState): HTMLElement {
  const running = state.sync !== null;
  const progress = h('progress', { class: 'source-sync-progress', max: 1, 'aria-label': `Reading ${name}` });
  if (state.sync?.progress) showProgress(progress, state.sync.progress);
  return h(
    'div',
    { class: 'source-sync-field' },
    h(
      'button',
      { type: 'button', class: 'secondary source-sync', 'aria-label': `Sync ${name} now`, disabled: state.busy || running },
      'Sync now',
    ),
    h(
      'div',
      { class: 'source-sync-running', hidden: !running },
      progress,
      h(
        'button',
        { type: 'button', class: 'secondary source-sync-stop', 'aria-label': `Stop reading ${name}`, disabled: state.sync?.cancelling === true },
        'Stop',
      ),
    ),
    h(
      'p',
      { class: `source-sync-status${state.message?.error ? ' is-error' : ''}`, role: 'status', 'aria-live': 'polite' },
      state.message?.text ?? '',
    ),
  );
}

/** "Add a mail account (IMAP)": the form, its progress and Stop while the mail is read, and the
 * result. The password goes to the backend, which keeps it in the OS keyring; the field is
 * emptied once the attempt is over. */
class ImapForm {
  readonly el: HTMLElement;
  private readonly host: HTMLInputElement;
  private readonly port: HTMLInputElement;
  private readonly user: HTMLInputElement;
  private readonly password: HTMLInputElement;
  private readonly security: HTMLSelectElement;
  private readonly folders: HTMLInputElement;
  private readonly securityHint: HTMLElement;
  private readonly submit: HTMLButtonElement;
  private readonly progress: HTMLProgressElement;
  private readonly cancel: HTMLButtonElement;
  private readonly runningRow: HTMLElement;
  private readonly status: HTMLElement;
  /** Did the user type a port (then changing the security leaves it alone)? */
  private portEdited = false;
  private running = false;
  private cancelling = false;

  constructor(
    private readonly lock: IngestLock,
    private readonly onLibraryChanged: () => void,
    private readonly notice: (text: string) => void,
  ) {
    const text = (id: string, extra: Record<string, string> = {}) =>
      h('input', { id, type: 'text', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off', ...extra });
    this.host = text('imap-host', { placeholder: 'imap.example.com' });
    this.port = text('imap-port', { inputmode: 'numeric', class: 'imap-port' });
    this.port.value = String(defaultImapPort('tls'));
    this.port.addEventListener('input', () => (this.portEdited = true));
    this.user = text('imap-user', { placeholder: 'you@example.com' });
    this.password = h('input', { id: 'imap-password', type: 'password', autocomplete: 'off', spellcheck: 'false' });
    this.security = h(
      'select',
      { id: 'imap-security', 'aria-describedby': 'imap-security-hint' },
      ...IMAP_SECURITY_OPTIONS.map((o) => h('option', { value: o.value }, o.label)),
    );
    this.securityHint = h('p', { id: 'imap-security-hint', class: 'hint imap-hint', 'aria-live': 'polite' });
    this.security.addEventListener('change', () => {
      const security = parseSecurity(this.security.value) ?? 'tls';
      this.port.value = portAfterSecurityChange(security, this.port.value, this.portEdited);
      this.updateHint();
    });
    this.host.addEventListener('input', () => this.updateHint());
    this.folders = text('imap-folders', { placeholder: 'INBOX, Archive', 'aria-describedby': 'imap-folders-hint' });
    for (const field of [this.host, this.port, this.user, this.password, this.security, this.folders]) {
      field.addEventListener('input', () => field.removeAttribute('aria-invalid'));
    }
    this.submit = h('button', { type: 'submit', id: 'imap-add', class: 'primary' }, 'Connect and read mail');
    this.progress = h('progress', { id: 'imap-progress', max: 1, 'aria-label': 'Reading the mail account' });
    this.cancel = h('button', { type: 'button', id: 'imap-cancel', class: 'secondary', onclick: () => this.stop() }, 'Stop');
    this.runningRow = h('div', { class: 'source-running', hidden: true }, this.progress, this.cancel);
    this.status = h('p', { id: 'imap-status', class: 'source-status imap-status', role: 'status', 'aria-live': 'polite' });
    lock.onChange(() => (this.submit.disabled = this.lock.busy));

    const field = (id: string, label: string, input: HTMLElement, extraClass = '', ...after: HTMLElement[]) =>
      h('div', { class: `source-add-field imap-field ${extraClass}`.trim() }, h('label', { for: id }, label), input, ...after);
    const form = h(
      'form',
      { id: 'imap-form', class: 'imap-form', 'aria-labelledby': 'imap-title', novalidate: true },
      h('h3', { id: 'imap-title' }, 'Add a mail account (IMAP)'),
      h(
        'div',
        { class: 'imap-fields' },
        field('imap-host', 'Server', this.host, 'imap-host-field'),
        field('imap-port', 'Port', this.port, 'imap-port-field'),
        field('imap-user', 'User name', this.user),
        field('imap-password', 'Password', this.password),
        field('imap-security', 'Security', this.security, 'imap-wide', this.securityHint),
        field(
          'imap-folders',
          'Folders (optional)',
          this.folders,
          'imap-wide',
          h('p', { id: 'imap-folders-hint', class: 'hint imap-hint' }, 'Separated by commas; empty reads every folder.'),
        ),
      ),
      h('div', { class: 'imap-actions' }, this.submit),
      this.runningRow,
      this.status,
      h('p', { id: 'imap-keyring-note', class: 'hint' }, 'The password is kept in this computer’s keyring, never in the app’s files.'),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.add();
    });
    this.el = form;
    this.updateHint();
  }

  private fields(): ImapFields {
    return {
      host: this.host.value,
      port: this.port.value,
      user: this.user.value,
      password: this.password.value,
      security: this.security.value,
      folders: this.folders.value,
    };
  }

  private updateHint(): void {
    const hint = securityHint(parseSecurity(this.security.value) ?? 'tls', this.host.value);
    this.securityHint.textContent = hint ?? '';
    this.securityHint.hidden = hint === null;
  }

  private setStatus(text: string, error = false): void {
    this.status.textContent = text;
    this.status.classList.toggle('is-error', error);
  }

  private setRunning(running: boolean): void {
    this.running = running;
    for (const input of [this.host, this.port, this.user, this.password, this.folders]) input.readOnly = running;
    this.security.disabled = running;
    this.submit.disabled = running || this.lock.busy;
    this.runningRow.hidden = !running;
    this.cancel.disabled = false;
  }

  private add(): void {
    if (this.running) return;
    const check = validateImap(this.fields());
    if (!check.ok) {
      const input = { host: this.host, port: this.port, user: this.user, password: this.password, security: this.security, folders: this.folders }[check.field];
      input.setAttribute('aria-invalid', 'true');
      this.setStatus(check.message, true);
      input.focus();
      return;
    }
    if (!this.lock.take('imap')) {
      this.setStatus('Wait until the mail being read now is done, or stop it.', true);
      return;
    }
    const account = check.account;
    const location = imapLocation(account);
    this.cancelling = false;
    this.setRunning(true);
    this.progress.max = 1;
    this.progress.removeAttribute('value');
    this.setStatus(`Connecting to ${location}…`);
    this.cancel.focus();
    api
      .addImapAccount(account, (p) => {
        if (!this.running) return;
        showProgress(this.progress, p);
        if (!this.cancelling) this.setStatus(progressText(p));
      })
      .then((source) => {
        this.resetFields();
        this.setStatus(accountAddedText(source, location));
        this.notice(`Added ${source.name || source.location || location}.`);
      })
      .catch((e) => {
        const err = api.toCommandError(e);
        if (err.kind === 'cancelled') {
          this.setStatus('Stopped.');
          this.notice('Stopped reading the mail account.');
        } else {
          this.setStatus(ingestErrorText(err), true);
        }
      })
      .finally(() => {
        const hadFocus = document.activeElement === this.cancel || document.activeElement === document.body;
        this.password.value = '';
        this.cancelling = false;
        this.lock.release('imap');
        this.setRunning(false);
        if (hadFocus) (this.host.value === '' ? this.host : this.password).focus();
        this.onLibraryChanged();
      });
  }

  /** Back to an empty form after an account was added. */
  private resetFields(): void {
    this.host.value = '';
    this.user.value = '';
    this.folders.value = '';
    this.security.value = 'tls';
    this.port.value = String(defaultImapPort('tls'));
    this.portEdited = false;
    this.updateHint();
  }

  private stop(): void {
    if (!this.running || this.cancelling) return;
    this.cancelling = true;
    this.cancel.disabled = true;
    this.setStatus('Stopping…');
    api.cancelIngest().catch((e) => {
      this.cancelling = false;
      this.cancel.disabled = false;
      this.setStatus(`Could not stop: ${api.toCommandError(e).message}`, true);
    });
  }
}

/** "Sending mail": the account replies go out through (SMTP), filled from the saved one. The
 * password goes to the backend, which keeps it in the OS keyring; an empty field keeps the saved
 * password, and the field is emptied once the account is saved. */
class SendingForm {
  readonly el: HTMLElement;
  private readonly from: HTMLInputElement;
  private readonly name: HTMLInputElement;
  private readonly host: HTMLInputElement;
  private readonly port: HTMLInputElement;
  private readonly security: HTMLSelectElement;
  private readonly user: HTMLInputElement;
  private readonly password: HTMLInputElement;
  private readonly max: HTMLInputElement;
  private readonly securityHint: HTMLElement;
  private readonly submit: HTMLButtonElement;
  private readonly status: HTMLElement;
  /** The account saved now (null: none yet). */
  private saved: api.SendingAccount | null = null;
  private loaded = false;
  /** Did the user change a field since the form was filled (then a reload leaves it alone)? */
  private edited = false;
  /** Did the user type a port (then changing the security leaves it alone)? */
  private portEdited = false;
  private saving = false;
  private seq = 0;

  constructor() {
    const text = (id: string, extra: Record<string, string> = {}) =>
      h('input', { id, type: 'text', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off', ...extra });
    this.from = text('smtp-from', { type: 'email', inputmode: 'email', placeholder: 'you@example.com' });
    this.name = text('smtp-name', { placeholder: 'Alex Doe', spellcheck: 'true', autocapitalize: 'words', 'aria-describedby': 'smtp-name-hint' });
    this.host = text('smtp-host', { placeholder: 'smtp.example.com' });
    this.port = text('smtp-port', { inputmode: 'numeric', class: 'smtp-port' });
    this.port.addEventListener('input', () => (this.portEdited = true));
    this.security = h(
      'select',
      { id: 'smtp-security', 'aria-describedby': 'smtp-security-hint' },
      ...SMTP_SECURITY_OPTIONS.map((o) => h('option', { value: o.value }, o.label)),
    );
    this.securityHint = h('p', { id: 'smtp-security-hint', class: 'hint smtp-hint', 'aria-live': 'polite' });
    this.security.addEventListener('change', () => {
      const security = parseSmtpSecurity(this.security.value) ?? 'tls';
      this.port.value = smtpPortAfterSecurityChange(security, this.port.value, this.portEdited);
      this.updateHint();
    });
    this.host.addEventListener('input', () => this.updateHint());
    this.user = text('smtp-user', { placeholder: 'you@example.com', 'aria-describedby': 'smtp-user-hint' });
    this.password = h('input', { id: 'smtp-password', type: 'password', autocomplete: 'off', spellcheck: 'false' });
    this.max = h('input', {
      id: 'smtp-max',
      type: 'number',
      inputmode: 'numeric',
      min: 1,
      max: MAX_PER_HOUR_LIMIT,
      step: 1,
      class: 'smtp-max',
      'aria-describedby': 'smtp-max-hint',
    });
    this.submit = h('button', { type: 'submit', id: 'smtp-save', class: 'primary' }, 'Save sending account');
    this.status = h('p', { id: 'smtp-status', class: 'source-status smtp-status', role: 'status', 'aria-live': 'polite' });

    const field = (id: string, label: string, input: HTMLElement, extraClass = '', ...after: HTMLElement[]) =>
      h('div', { class: `source-add-field smtp-field ${extraClass}`.trim() }, h('label', { for: id }, label), input, ...after);
    const form = h(
      'form',
      { id: 'smtp-form', class: 'smtp-form', 'aria-labelledby': 'settings-sending', novalidate: true },
      h(
        'div',
        { class: 'smtp-fields' },
        field('smtp-from', 'Sender address', this.from),
        field('smtp-name', 'Name (optional)', this.name, '', h('p', { id: 'smtp-name-hint', class: 'hint smtp-hint' }, 'Shown beside the address.')),
        field('smtp-host', 'Outgoing server (SMTP)', this.host, 'smtp-host-field'),
        field('smtp-port', 'Port', this.port, 'smtp-port-field'),
        field('smtp-security', 'Security', this.security, 'smtp-wide', this.securityHint),
        field(
          'smtp-user',
          'User name (optional)',
          this.user,
          '',
          h('p', { id: 'smtp-user-hint', class: 'hint smtp-hint' }, 'Often the address; leave empty if the server needs no login.'),
        ),
        field('smtp-password', 'Password', this.password),
        field(
          'smtp-max',
          'Messages an hour, at most',
          this.max,
          'smtp-max-field',
          h('p', { id: 'smtp-max-hint', class: 'hint smtp-hint' }, 'More wait in the outbox, so a mistake cannot send a flood.'),
        ),
      ),
      h('div', { class: 'smtp-actions' }, this.submit),
      this.status,
      h(
        'p',
        { id: 'smtp-keyring-note', class: 'hint' },
        'The password is kept in this computer’s keyring, never in the app’s files. Every message asks before it is sent.',
      ),
    );
    form.addEventListener('input', (e) => {
      this.edited = true;
      (e.target as Element).removeAttribute?.('aria-invalid');
    });
    form.addEventListener('change', (e) => {
      this.edited = true;
      (e.target as Element).removeAttribute?.('aria-invalid');
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.save();
    });
    this.el = h(
      'section',
      { class: 'card sending', 'aria-labelledby': 'settings-sending' },
      h('h2', { id: 'settings-sending' }, 'Sending mail'),
      h('p', { class: 'muted sending-intro' }, 'The account replies are sent through: your mail provider’s outgoing (SMTP) server.'),
      form,
    );
    this.fill(null);
    this.submit.disabled = true; // until the saved account is read
  }

  /** Reads the saved account and fills the form (unless the user is changing it). */
  load(): void {
    if (this.saving) return;
    const mine = ++this.seq;
    if (!this.loaded) this.setStatus('Reading the sending account…');
    api
      .sendingAccount()
      .then((account) => {
        if (mine !== this.seq || this.saving) return;
        this.saved = account;
        this.loaded = true;
        if (this.edited) return; // keep what the user typed
        this.fill(account);
        this.setStatus(account ? sendingAccountText(account) : 'No sending account yet: replies cannot be sent until one is saved here.');
      })
      .catch((e) => {
        if (mine !== this.seq || this.saving) return;
        this.setStatus(`Could not read the sending account: ${api.toCommandError(e).message}`, true);
      })
      .finally(() => {
        if (mine === this.seq && !this.saving) this.submit.disabled = false;
      });
  }

  /** Brings the card into view with the focus on its first field (Send pointed here). */
  reveal(): void {
    this.el.scrollIntoView({ block: 'start' });
    this.from.focus({ preventScroll: true });
  }

  /** The form as `account` says (empty with the usual defaults when there is none). */
  private fill(account: api.SendingAccount | null): void {
    const security = (account && parseSmtpSecurity(account.security)) || 'tls';
    this.from.value = account?.from ?? '';
    this.name.value = account?.name ?? '';
    this.host.value = account?.host ?? '';
    this.security.value = security;
    this.port.value = String(account?.port ?? defaultSmtpPort(security));
    this.user.value = account?.user ?? '';
    this.password.value = '';
    this.password.placeholder = account ? 'unchanged' : '';
    this.max.value = String(account?.maxPerHour ?? DEFAULT_MAX_PER_HOUR);
    this.portEdited = account ? portWasChosen(account) : false;
    this.edited = false;
    for (const input of this.inputs()) input.removeAttribute('aria-invalid');
    this.updateHint();
  }

  private inputs(): (HTMLInputElement | HTMLSelectElement)[] {
    return [this.from, this.name, this.host, this.port, this.security, this.user, this.password, this.max];
  }

  private fields(): SmtpFields {
    return {
      from: this.from.value,
      name: this.name.value,
      host: this.host.value,
      port: this.port.value,
      security: this.security.value,
      user: this.user.value,
      password: this.password.value,
      max: this.max.value,
    };
  }

  private updateHint(): void {
    const hint = smtpSecurityHint(parseSmtpSecurity(this.security.value) ?? 'tls', this.host.value);
    this.securityHint.textContent = hint ?? '';
    this.securityHint.hidden = hint === null;
  }

  private setStatus(text: string, error = false): void {
    this.status.textContent = text;
    this.status.classList.toggle('is-error', error);
  }

  private setSaving(saving: boolean): void {
    this.saving = saving;
    for (const input of this.inputs()) {
      if (input instanceof HTMLSelectElement) input.disabled = saving;
      else input.readOnly = saving;
    }
    this.submit.disabled = saving;
  }

  private save(): void {
    if (this.saving) return;
    const check = validateSmtp(this.fields(), this.saved);
    if (!check.ok) {
      const input = {
        from: this.from,
        name: this.name,
        host: this.host,
        port: this.port,
        security: this.security,
        user: this.user,
        password: this.password,
        max: this.max,
      }[check.field];
      input.setAttribute('aria-invalid', 'true');
      this.setStatus(check.message, true);
      input.focus();
      return;
    }
    this.seq++; // a load still on its way must not refill the form
    this.setSaving(true);
    this.setStatus('Saving…');
    api
      .setSendingAccount(check.account)
      .then((account) => {
        this.saved = account;
        this.loaded = true;
        this.fill(account);
        this.setStatus(`Saved. ${sendingAccountText(account)}`);
      })
      .catch((e) => {
        this.setStatus(api.toCommandError(e).message, true);
      })
      .finally(() => {
        // Saved, the password field was emptied (fill); refused, it stays for the next try.
        const hadFocus = document.activeElement === document.body;
        this.setSaving(false);
        if (hadFocus) this.submit.focus();
      });
  }
}

/** "Cloud model": off unless set here. When none is set, the form (server, model, key, the features
 * that may use it); when set, what it is and which features may use it, with "Change" and "Turn
 * off" (asked inline first). The key goes to the backend, which keeps it in the OS keyring; an
 * empty key field keeps the saved key. Below, every request that went out. Text only throughout. */
export class CloudCard {
  readonly el: HTMLElement;
  private readonly state: HTMLElement;
  private readonly error: HTMLElement;
  private readonly status: HTMLElement;
  private readonly current: HTMLElement;
  private readonly facts: HTMLElement;
  private readonly changeButton: HTMLButtonElement;
  private readonly offButton: HTMLButtonElement;
  private readonly offQuestion: HTMLElement;
  private readonly offConfirm: HTMLButtonElement;
  private readonly offCancel: HTMLButtonElement;
  private readonly form: HTMLFormElement;
  private readonly url: HTMLInputElement;
  private readonly model: HTMLInputElement;
  private readonly key: HTMLInputElement;
  private readonly keyHint: HTMLElement;
  private readonly allows: HTMLInputElement[];
  private readonly save: HTMLButtonElement;
  private readonly cancel: HTMLButtonElement;
  private readonly calls: HTMLElement;
  /** The cloud model saved now (null: none, nothing leaves the device). */
  private saved: api.CloudSettings | null = null;
  private loaded = false;
  /** The form is open over a saved model ("Change"). */
  private changing = false;
  /** Did the user change a field since the form was filled (then a reload leaves it alone)? */
  private edited = false;
  private busy = false;
  private seq = 0;
  private callsSeq = 0;

  constructor() {
    this.state = h('div', { class: 'list-state cloud-state' });
    this.error = h('div', { id: 'cloud-error', class: 'error', role: 'alert', hidden: true });
    this.status = h('p', { id: 'cloud-status', class: 'source-status cloud-status', role: 'status', 'aria-live': 'polite' });

    // When set: what it is, Change and Turn off (with its question).
    this.facts = h('dl', { class: 'facts cloud-facts' });
    this.changeButton = h('button', { type: 'button', id: 'cloud-change', class: 'secondary', onclick: () => this.startChange() }, 'Change');
    this.offButton = h(
      'button',
      { type: 'button', id: 'cloud-off', class: 'danger-text', 'aria-expanded': 'false', 'aria-controls': 'cloud-off-question', onclick: () => this.askOff(true) },
      'Turn off',
    );
    this.offConfirm = h('button', { type: 'button', id: 'cloud-off-confirm', class: 'danger', onclick: () => this.turnOff() }, 'Turn off');
    this.offCancel = h('button', { type: 'button', id: 'cloud-off-cancel', class: 'secondary', onclick: () => this.askOff(false) }, 'Keep it');
    this.offQuestion = h(
      'div',
      { id: 'cloud-off-question', class: 'cloud-confirm', role: 'group', 'aria-labelledby': 'cloud-off-text', hidden: true },
      h('p', { id: 'cloud-off-text', class: 'cloud-confirm-text' }, CLOUD_OFF_QUESTION),
      h('div', { class: 'cloud-confirm-actions' }, this.offConfirm, this.offCancel),
    );
    this.current = h(
      'div',
      { id: 'cloud-current', class: 'cloud-current', hidden: true },
      this.facts,
      h('div', { class: 'cloud-actions' }, this.changeButton, this.offButton),
      this.offQuestion,
    );

    // When none is set, or on "Change": the form.
    const text = (id: string, extra: Record<string, string> = {}) =>
      h('input', { id, type: 'text', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off', ...extra });
    this.url = text('cloud-url', { inputmode: 'url', placeholder: 'https://api.example.com/v1', 'aria-describedby': 'cloud-url-hint' });
    this.model = text('cloud-model', { placeholder: 'model name' });
    this.key = h('input', {
      id: 'cloud-key',
      type: 'password',
      autocomplete: 'off',
      spellcheck: 'false',
      placeholder: 'kept in the OS keyring',
      'aria-describedby': 'cloud-key-hint',
    });
    this.keyHint = h('p', { id: 'cloud-key-hint', class: 'hint cloud-hint' });
    this.allows = CLOUD_FEATURES.map((f) => h('input', { type: 'checkbox', name: 'cloud-allow', value: f.value, id: `cloud-allow-${f.value}` }));
    this.save = h('button', { type: 'submit', id: 'cloud-save', class: 'primary' }, 'Save');
    this.cancel = h('button', { type: 'button', id: 'cloud-cancel', class: 'secondary', hidden: true, onclick: () => this.stopChange() }, 'Cancel');
    const field = (id: string, label: string, input: HTMLElement, extraClass = '', ...after: HTMLElement[]) =>
      h('div', { class: `source-add-field cloud-field ${extraClass}`.trim() }, h('label', { for: id }, label), input, ...after);
    this.form = h(
      'form',
      { id: 'cloud-form', class: 'cloud-form', 'aria-labelledby': 'settings-cloud', novalidate: true, hidden: true },
      h(
        'div',
        { class: 'cloud-fields' },
        field(
          'cloud-url',
          'Server URL',
          this.url,
          'cloud-wide',
          h('p', { id: 'cloud-url-hint', class: 'hint cloud-hint' }, 'An OpenAI-compatible server, ending in /v1.'),
        ),
        field('cloud-model', 'Model', this.model),
        field('cloud-key', 'API key', this.key, '', this.keyHint),
        h(
          'fieldset',
          { class: 'cloud-allows cloud-wide', 'aria-describedby': 'cloud-allows-hint' },
          h('legend', null, 'May use it'),
          h(
            'div',
            { class: 'cloud-allow-list' },
            ...CLOUD_FEATURES.map((f, i) => h('label', { class: 'cloud-allow', for: `cloud-allow-${f.value}` }, this.allows[i], f.label)),
          ),
          h(
            'p',
            { id: 'cloud-allows-hint', class: 'hint cloud-hint' },
            'Unchecked features always stay on this device. Text from a Private source never leaves it.',
          ),
        ),
      ),
      h('div', { class: 'cloud-form-actions' }, this.save, this.cancel),
      h(
        'p',
        { id: 'cloud-keyring-note', class: 'hint' },
        'The key is kept in this computer’s keyring, never in the app’s files. Personal details are replaced with placeholders before anything is sent.',
      ),
    );
    this.form.addEventListener('input', (e) => this.fieldChanged(e));
    this.form.addEventListener('change', (e) => this.fieldChanged(e));
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.saveForm();
    });

    this.calls = h('div', { id: 'cloud-calls', class: 'cloud-calls' });

    this.el = h(
      'section',
      { class: 'card cloud', 'aria-labelledby': 'settings-cloud' },
      h('h2', { id: 'settings-cloud' }, 'Cloud model'),
      h('p', { class: 'muted cloud-intro' }, 'Nothing leaves this device unless a cloud model is set here, and then only for what you allow.'),
      this.state,
      this.error,
      this.current,
      this.form,
      this.status,
      h('h3', { id: 'cloud-calls-title', class: 'cloud-calls-title' }, 'What went out'),
      this.calls,
    );
  }

  /** Reads the saved cloud model and the log of what went out. */
  load(): void {
    this.loadSettings();
    this.loadCalls();
  }

  private loadSettings(): void {
    if (this.busy) return;
    const mine = ++this.seq;
    if (!this.loaded) replace(this.state, loadingBox('Reading the cloud model…'));
    api
      .cloudSettings()
      .then((cloud) => {
        if (mine !== this.seq || this.busy) return;
        this.saved = cloud;
        this.loaded = true;
        replace(this.state);
        if (this.edited) return; // keep what the user typed (the form stays as it is)
        this.changing = false;
        this.fill(cloud);
        this.render();
      })
      .catch((e) => {
        if (mine !== this.seq || this.busy) return;
        replace(this.state, errorBox(api.toCommandError(e), () => this.loadSettings()));
      });
  }

  private loadCalls(): void {
    const mine = ++this.callsSeq;
    if (this.calls.childElementCount === 0) replace(this.calls, loadingBox('Reading what went out…'));
    api
      .cloudCalls()
      .then((calls) => {
        if (mine !== this.callsSeq) return;
        replace(
          this.calls,
          calls.length === 0
            ? h('p', { id: 'cloud-calls-empty', class: 'muted cloud-calls-empty' }, NOTHING_SENT)
            : h('ul', { class: 'cloud-call-list', 'aria-labelledby': 'cloud-calls-title' }, ...calls.map(cloudCallRow)),
        );
      })
      .catch((e) => {
        if (mine !== this.callsSeq) return;
        replace(this.calls, errorBox(api.toCommandError(e), () => this.loadCalls()));
      });
  }

  /** Shows what is saved, or the form (when none is, or while changing it). */
  private render(): void {
    const showForm = this.loaded && (this.saved === null || this.changing);
    this.form.hidden = !showForm;
    this.current.hidden = !this.loaded || showForm;
    this.cancel.hidden = this.saved === null;
    this.save.textContent = this.saved === null ? 'Save' : 'Save changes';
    this.keyHint.textContent = this.saved === null ? 'Leave empty if the server needs none.' : 'Leave empty to keep the saved key.';
    if (this.saved) {
      replace(
        this.facts,
        h('dt', null, 'Model'),
        h('dd', { class: 'cloud-model-name' }, this.saved.model),
        h('dt', null, 'Server'),
        h('dd', null, h('code', { class: 'cloud-server' }, this.saved.baseUrl)),
        h('dt', null, 'May use it'),
        h('dd', { class: 'cloud-allowed' }, allowedText(this.saved.allows)),
      );
    } else {
      replace(this.facts);
    }
    this.askOff(false, false);
  }

  /** The form as `cloud` says (empty, nothing allowed, when there is none); the key always empty. */
  private fill(cloud: api.CloudSettings | null): void {
    this.url.value = cloud?.baseUrl ?? '';
    this.model.value = cloud?.model ?? '';
    this.key.value = '';
    for (const box of this.allows) box.checked = cloud?.allows.includes(box.value) ?? false;
    for (const input of this.inputs()) input.removeAttribute('aria-invalid');
    this.edited = false;
  }

  private inputs(): HTMLInputElement[] {
    return [this.url, this.model, this.key, ...this.allows];
  }

  private fieldChanged(e: Event): void {
    this.edited = true;
    const target = e.target as Element;
    target.removeAttribute?.('aria-invalid');
    if (target instanceof HTMLInputElement && target.name === 'cloud-allow') for (const box of this.allows) box.removeAttribute('aria-invalid');
  }

  private showError(text: string | null): void {
    this.error.textContent = text ?? '';
    this.error.hidden = text === null;
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    for (const input of [this.url, this.model, this.key]) input.readOnly = busy;
    for (const box of this.allows) box.disabled = busy;
    for (const b of [this.save, this.cancel, this.changeButton, this.offButton, this.offConfirm, this.offCancel]) b.disabled = busy;
  }

  private startChange(): void {
    if (!this.saved || this.busy) return;
    this.changing = true;
    this.showError(null);
    this.status.textContent = '';
    this.fill(this.saved);
    this.render();
    this.url.focus();
  }

  private stopChange(): void {
    if (this.busy) return;
    this.changing = false;
    this.showError(null);
    this.fill(this.saved);
    this.render();
    this.changeButton.focus();
  }

  /** Shows or hides the "Turn off …?" question. */
  private askOff(open: boolean, focus = true): void {
    this.offQuestion.hidden = !open;
    this.offButton.hidden = open;
    this.offButton.setAttribute('aria-expanded', String(open));
    if (!focus) return;
    (open ? this.offCancel : this.offButton).focus();
  }

  private saveForm(): void {
    if (this.busy) return;
    const check = validateCloud(
      {
        baseUrl: this.url.value,
        model: this.model.value,
        apiKey: this.key.value,
        allows: this.allows.filter((b) => b.checked).map((b) => b.value),
      },
      this.saved,
    );
    if (!check.ok) {
      this.markInvalid(check.field);
      this.showError(check.message);
      return;
    }
    this.seq++; // a load still on its way must not refill the form
    this.showError(null);
    this.setBusy(true);
    this.status.textContent = 'Saving…';
    api
      .setCloud(check.cloud)
      .then((cloud) => {
        this.saved = cloud;
        this.loaded = true;
        this.changing = false;
        this.fill(cloud);
        this.render();
        this.status.textContent = `Saved. ${cloudServerText(cloud)} may be used for: ${allowedText(cloud.allows)}`;
      })
      .catch((e) => {
        const err = api.toCommandError(e);
        this.status.textContent = '';
        this.showError(err.message);
        const field = errorField(err.message);
        if (field) this.markInvalid(field, false);
      })
      .finally(() => {
        const hadFocus = document.activeElement === document.body || document.activeElement === this.save;
        this.setBusy(false);
        if (hadFocus) (this.form.hidden ? this.changeButton : this.save).focus();
      });
  }

  private markInvalid(field: CloudField, focus = true): void {
    const inputs = field === 'baseUrl' ? [this.url] : field === 'model' ? [this.model] : this.allows;
    for (const input of inputs) input.setAttribute('aria-invalid', 'true');
    if (focus) inputs[0].focus();
  }

  private turnOff(): void {
    if (this.busy || !this.saved) return;
    this.seq++;
    this.showError(null);
    this.setBusy(true);
    this.status.textContent = 'Turning off…';
    api
      .cloudOff()
      .then(() => {
        this.saved = null;
        this.changing = false;
        this.fill(null);
        this.render();
        this.status.textContent = 'Turned off and the key removed. Nothing leaves this device.';
      })
      .catch((e) => {
        this.status.textContent = '';
        this.showError(`Could not turn it off: ${api.toCommandError(e).message}`);
      })
      .finally(() => {
        const hadFocus = document.activeElement === document.body || document.activeElement === this.offConfirm;
        this.setBusy(false);
        if (hadFocus) (this.form.hidden ? this.offConfirm : this.url).focus();
      });
  }
}

/** One request in "What went out": when, for what, what left and how it ended. */
function cloudCallRow(c: api.CloudCall): HTMLLIElement {
  const ok = callOk(c);
  return h(
    'li',
    { class: `cloud-call${ok ? '' : ' is-failed'}`, 'data-id': c.id },
    h(
      'div',
      { class: 'cloud-call-title' },
      h('span', { class: 'cloud-call-feature' }, featureName(c.feature)),
      h('time', { class: 'cloud-call-time', datetime: isoDate(c.at) }, formatFullDate(c.at)),
    ),
    h('p', { class: 'cloud-call-facts' }, ...callFacts(c).map((f) => h('span', null, f))),
    h('p', { class: `cloud-call-outcome${ok ? '' : ' is-error'}` }, callOutcomeText(c)),
  );
}

/** Keyboard shortcuts: the list with the current keys, a "Change" button on each key the user may
 * pick (the next key press becomes the shortcut), and "Reset to defaults". The rows are built once
 * and updated in place, so the focused button survives every change. */
class ShortcutsCard {
  readonly el: HTMLElement;
  private readonly rows: { line: HTMLElement; keys: HTMLElement; button: HTMLButtonElement | null; edit: EditableShortcut | null }[];
  private readonly status: HTMLElement;
  /** The shortcut waiting for its new key, if any. */
  private waiting: EditableShortcut | null = null;
  /** The key whose keydown was taken here: its keyup must not click the focused button. */
  private swallowKeyup: string | null = null;

  constructor() {
    this.rows = shortcutLines(DEFAULT_KEYMAP).map(({ what, edit }) => {
      const keys = h('dt');
      const button = edit
        ? h(
            'button',
            {
              type: 'button',
              class: 'secondary shortcut-change',
              'data-shortcut': edit,
              'aria-label': `Change the key for ${SHORTCUT_NAMES[edit]}`,
              'aria-pressed': 'false',
            },
            'Change',
          )
        : null;
      const line = h('div', { class: 'shortcut-line', 'data-line': edit }, keys, h('dd', null, h('span', { class: 'shortcut-what' }, what), button));
      return { line, keys, button, edit };
    });
    const list = h('dl', { class: 'shortcuts' }, ...this.rows.map((r) => r.line));
    list.addEventListener('click', (e) => {
      const shortcut = (e.target as Element).closest<HTMLButtonElement>('button[data-shortcut]')?.dataset.shortcut as EditableShortcut | undefined;
      if (!shortcut) return;
      if (this.waiting === shortcut) this.cancel();
      else this.start(shortcut);
    });
    // Leaving the button (Tab, a click elsewhere, another view) cancels; another Change button
    // takes over through its click.
    list.addEventListener('focusout', (e) => {
      if (!this.waiting) return;
      if ((e.relatedTarget as Element | null)?.closest?.('button[data-shortcut]')) return;
      this.cancel();
    });
    this.status = h('p', { id: 'shortcut-status', class: 'shortcut-status', role: 'status', 'aria-live': 'polite' });
    const reset = h('button', { type: 'button', id: 'shortcut-reset', class: 'secondary', onclick: () => this.reset() }, 'Reset to defaults');
    // Capture on window: the key is taken before the app's shortcuts (main.ts) can see it.
    window.addEventListener('keydown', (e) => this.onKeydown(e), true);
    window.addEventListener('keyup', (e) => this.onKeyup(e), true);
    this.el = h(
      'section',
      { class: 'card', 'aria-labelledby': 'settings-keys' },
      h('h2', { id: 'settings-keys' }, 'Keyboard shortcuts'),
      list,
      h('div', { class: 'shortcut-actions' }, reset, this.status),
      h('p', { class: 'hint' }, 'Shortcuts do nothing while you type in a field. The arrow keys, Enter and Escape always work.'),
    );
    this.update();
  }

  /** Shows the current keys, and "Press a key…" on the row waiting for one. */
  private update(): void {
    const lines = shortcutLines(currentKeymap());
    this.rows.forEach((row, i) => {
      const waiting = row.edit !== null && row.edit === this.waiting;
      row.line.classList.toggle('waiting', waiting);
      row.button?.setAttribute('aria-pressed', String(waiting));
      if (waiting) replace(row.keys, h('span', { class: 'shortcut-waiting' }, 'Press a key…'));
      else replace(row.keys, ...lines[i].keys.flatMap((k, j) => [j > 0 ? ' / ' : null, h('kbd', null, k)]));
    });
  }

  private start(shortcut: EditableShortcut): void {
    this.waiting = shortcut;
    this.update();
    // WebKit on macOS does not focus a clicked button: focus it, so leaving it cancels.
    this.rows.find((r) => r.edit === shortcut)?.button?.focus();
    this.status.textContent = `Press the new key for ${SHORTCUT_NAMES[shortcut]}, or Escape to cancel.`;
  }

  private cancel(): void {
    const shortcut = this.waiting;
    if (!shortcut) return;
    this.waiting = null;
    this.update();
    this.status.textContent = `Kept “${currentKeymap()[shortcut]}” for ${SHORTCUT_NAMES[shortcut]}.`;
  }

  private reset(): void {
    this.waiting = null;
    saveKeymap({ ...DEFAULT_KEYMAP });
    this.update();
    this.status.textContent = 'The shortcuts are back to the defaults.';
  }

  private onKeydown(e: KeyboardEvent): void {
    const shortcut = this.waiting;
    if (!shortcut || e.isComposing) return;
    // Modifiers alone, dead keys and Tab (which moves on, and so cancels) pass through.
    if (PASS_THROUGH_KEYS.has(e.key)) return;
    e.preventDefault();
    e.stopPropagation();
    this.swallowKeyup = e.key;
    if (e.key === 'Escape') {
      this.cancel();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) {
      this.status.textContent = 'A shortcut is one key without Ctrl, Alt or Cmd: press another key, or Escape to cancel.';
      return;
    }
    const result = rebind(currentKeymap(), shortcut, e.key);
    if (typeof result === 'string') {
      this.status.textContent = `${result} Press another key, or Escape to cancel.`;
      return;
    }
    saveKeymap(result);
    this.waiting = null;
    this.update();
    this.status.textContent = `${SHORTCUT_NAMES[shortcut]} is now “${result[shortcut]}”.`;
  }

  private onKeyup(e: KeyboardEvent): void {
    if (this.swallowKeyup === null || e.key !== this.swallowKeyup) return;
    this.swallowKeyup = null;
    e.preventDefault();
    e.stopPropagation();
  }
}

const PASS_THROUGH_KEYS = new Set(['Shift', 'Control', 'Alt', 'AltGraph', 'Meta', 'OS', 'CapsLock', 'Fn', 'Dead', 'Process', 'Unidentified', 'Tab']);
