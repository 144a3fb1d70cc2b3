// The first run: what the app is, and the sample mailbox and notes to try it with.

import * as api from './api';
import { errorBox, h, replace } from './dom';
import { plural } from './format';

/** Renders the first-run panel into `main`; `done` goes on to the inbox. */
export function renderFirstRun(main: HTMLElement, done: () => void): HTMLElement {
  const progress = h('progress', { id: 'first-run-progress', max: 1, hidden: true, 'aria-label': 'Setting up' });
  const status = h('p', { id: 'first-run-status', 'aria-live': 'polite' });
  const errorSlot = h('div', { class: 'first-run-error' });
  const sample = h('button', { type: 'button', id: 'first-run-sample', class: 'primary large' }, 'Use the sample mailbox and notes');
  const finish = h('button', { type: 'button', id: 'first-run-done', class: 'primary large', hidden: true, onclick: done }, 'Go to the inbox');
  const skip = h(
    'a',
    {
      href: '#',
      id: 'first-run-skip',
      class: 'skip',
      onclick: (e: MouseEvent) => {
        e.preventDefault();
        done();
      },
    },
    'Skip for now',
  );

  sample.addEventListener('click', () => {
    sample.disabled = true;
    skip.hidden = true;
    replace(errorSlot);
    progress.hidden = false;
    progress.removeAttribute('value');
    status.textContent = 'Copying the sample mailbox and notes…';
    api
      .installSampleData((p) => {
        const stage = p.stage.charAt(0).toUpperCase() + p.stage.slice(1);
        if (p.total !== null && p.total > 0) {
          progress.max = p.total;
          progress.value = Math.min(p.done, p.total);
          status.textContent = `${stage}: ${p.done} of ${p.total}`;
        } else {
          progress.removeAttribute('value');
          status.textContent = p.done > 0 ? `${stage}: ${p.done}` : `${stage}…`;
        }
      })
      .then((r) => {
        progress.max = 1;
        progress.value = 1;
        status.textContent = `Ready: ${plural(r.messages, 'message')} and ${plural(r.notes, 'note')} added.`;
        sample.hidden = true;
        finish.hidden = false;
        finish.focus();
      })
      .catch((e) => {
        progress.hidden = true;
        status.textContent = '';
        replace(errorSlot, errorBox(api.toCommandError(e)));
        sample.disabled = false;
        sample.textContent = 'Try again';
        skip.hidden = false;
      });
  });

  const panel = h(
    'section',
    { id: 'first-run', class: 'first-run', 'aria-labelledby': 'first-run-title' },
    h('div', { class: 'first-run-mark', 'aria-hidden': 'true' }),
    h('h1', { id: 'first-run-title' }, 'Your private assistant'),
    h(
      'p',
      { class: 'lead' },
      'It reads your mail and notes, summarises them, suggests replies and answers questions about them.',
    ),
    h(
      'ul',
      { class: 'promises' },
      h('li', null, 'Everything stays on this computer: your mail, your notes and what you ask.'),
      h('li', null, 'The language model runs here too, so it works offline.'),
      h('li', null, 'Nothing is sent anywhere, and there is no account to create.'),
    ),
    h('p', null, 'To look around first, start with a small sample mailbox and a few notes.'),
    h('div', { class: 'first-run-actions' }, sample, finish, skip),
    progress,
    status,
    errorSlot,
  );
  replace(main, panel);
  sample.focus();
  return panel;
}
