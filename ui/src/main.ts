// The app shell: navigation between the views, the status bar, keyboard shortcuts and start-up.

import './style.css';

import * as api from './api';
import type { App, NavParams, View, ViewName } from './app';
import { AssistantView } from './assistant';
import { errorBox, h, replace } from './dom';
import { renderFirstRun } from './firstrun';
import { InboxView } from './inbox';
import { shortcutFor } from './keys';
import { ModelsView } from './models';
import { NotesView } from './notes';
import { SettingsView } from './settings';
import { initTheme } from './theme';

initTheme();

const main = document.getElementById('main') as HTMLElement;
const statusEl = document.getElementById('status') as HTMLElement;
const noticeEl = document.getElementById('notice') as HTMLElement;
const navButtons = [...document.querySelectorAll<HTMLButtonElement>('button[data-nav]')];
const viewsRoot = h('div', { class: 'views' });

let info: api.AppInfo | null = null;
let infoError: api.CommandError | null = null;
let current: ViewName | null = null;
let firstRun: HTMLElement | null = null;
const views = new Map<ViewName, View>();

const app: App = {
  navigate,
  refreshInfo,
  info: () => info,
  notice,
  libraryChanged,
};

function createView(name: ViewName): View {
  switch (name) {
    case 'inbox':
      return new InboxView(app);
    case 'notes':
      return new NotesView(app);
    case 'assistant':
      return new AssistantView(app);
    case 'models':
      return new ModelsView(app);
    case 'settings':
      return new SettingsView(app);
  }
}

function navigate(name: ViewName, params: NavParams = {}): void {
  if (firstRun) {
    firstRun.remove();
    firstRun = null;
    document.body.classList.remove('first-run-active');
  }
  if (!viewsRoot.isConnected) replace(main, viewsRoot);
  let view = views.get(name);
  if (!view) {
    view = createView(name);
    views.set(name, view);
    viewsRoot.append(view.el);
  }
  for (const [n, v] of views) v.el.hidden = n !== name;
  current = name;
  for (const b of navButtons) {
    if (b.dataset.nav === name) b.setAttribute('aria-current', 'page');
    else b.removeAttribute('aria-current');
  }
  document.title = `${name.charAt(0).toUpperCase()}${name.slice(1)} · Assistant`;
  view.show(params);
}

function setStatus(): void {
  statusEl.parentElement?.classList.toggle('no-model', !info?.activeModel);
  if (info) statusEl.textContent = info.activeModel ? `Model: ${info.activeModel}` : 'No model';
  else if (infoError) statusEl.textContent = 'Not connected';
}

async function refreshInfo(): Promise<api.AppInfo | null> {
  try {
    info = await api.appInfo();
    infoError = null;
  } catch (e) {
    infoError = api.toCommandError(e);
  }
  setStatus();
  return infoError ? null : info;
}

function libraryChanged(): void {
  for (const v of views.values()) v.librarySynced?.();
  void refreshInfo();
}

let noticeTimer: ReturnType<typeof setTimeout> | undefined;
function notice(text: string): void {
  noticeEl.textContent = text;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (noticeEl.textContent = ''), 8000);
}

for (const b of navButtons) {
  b.addEventListener('click', () => navigate(b.dataset.nav as ViewName));
}

document.addEventListener('keydown', (e) => {
  if (e.defaultPrevented || firstRun || !current) return;
  const s = shortcutFor(e);
  if (!s) return;
  // Arrow keys move in lists only when a row has focus; elsewhere they scroll as usual.
  if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && !(e.target as Element | null)?.closest?.('.rows')) return;
  if (views.get(current)?.shortcut?.(s, e)) e.preventDefault();
});

async function boot(): Promise<void> {
  const started = await refreshInfo();
  if (!started) {
    replace(
      main,
      h(
        'div',
        { class: 'boot-error' },
        h('h1', null, 'The assistant could not start'),
        errorBox(infoError ?? 'No answer from the app.', () => {
          replace(main, h('div', { class: 'boot', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Starting…'));
          void boot();
        }),
      ),
    );
    return;
  }
  if (current !== null) return; // the user already went somewhere while the app started
  if (started.firstRun) {
    document.body.classList.add('first-run-active');
    firstRun = renderFirstRun(main, () => {
      void refreshInfo();
      navigate('inbox');
    });
  } else {
    navigate('inbox');
  }
}

api
  .onLibrarySynced((e) => {
    libraryChanged();
    if (e.error) notice(`Could not read ${e.source}: ${e.error.message}`);
    else if (e.added + e.updated + e.removed > 0) {
      const parts = [e.added && `${e.added} new`, e.updated && `${e.updated} changed`, e.removed && `${e.removed} removed`];
      notice(`${e.source}: ${parts.filter(Boolean).join(', ')}`);
    }
  })
  .catch(() => {
    /* outside the app (e.g. vite dev in a browser) there are no events */
  });

void boot();
