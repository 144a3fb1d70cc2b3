// Settings: appearance, what is stored where, and the keyboard shortcuts.

import * as api from './api';
import type { App, View } from './app';
import { errorBox, h, loadingBox, replace } from './dom';
import { plural } from './format';
import { SHORTCUTS } from './keys';
import { loadTheme, saveTheme, parseTheme } from './theme';

export class SettingsView implements View {
  readonly el: HTMLElement;
  private readonly about: HTMLElement;

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
        h('section', { class: 'card', 'aria-labelledby': 'settings-data' }, h('h2', { id: 'settings-data' }, 'On this computer'), this.about),
        h(
          'section',
          { class: 'card', 'aria-labelledby': 'settings-accounts' },
          h('h2', { id: 'settings-accounts' }, 'Mail accounts and cloud'),
          h(
            'p',
            { class: 'muted coming' },
            'Coming in a later version: connecting mail accounts, and choosing whether anything may use a cloud model. ' +
              'Until then the app reads the mail and notes already in its data folder and never goes online for them.',
          ),
        ),
        h('section', { class: 'card', 'aria-labelledby': 'settings-keys' }, h('h2', { id: 'settings-keys' }, 'Keyboard shortcuts'), shortcuts, h('p', { class: 'hint' }, 'Shortcuts do nothing while you type in a field.')),
      ),
    );
  }

  show(): void {
    replace(this.about, loadingBox('Reading the library…'));
    this.app.refreshInfo().then((info) => {
      if (!info) {
        replace(this.about, errorBox('Could not read the app information.', () => this.show()));
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
