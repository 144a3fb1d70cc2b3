// The machine-written summary card for a thread, message, note or day. When a cloud model is set,
// "Ask the cloud model" first shows exactly what would be sent (or why it stays on this device);
// nothing is sent before Send is pressed.

import * as api from './api';
import { localPreviewText, placeholderLine, previewHeadline } from './cloud';
import { errorBox, h, loadingBox, replace } from './dom';
import { formatDuration, plural } from './format';

export interface SummaryCard {
  readonly el: HTMLElement;
  /** Summarises `id` (stale answers for an earlier id are dropped). */
  load(kind: api.SummaryKind, id: string | null): void;
}

const LOCAL_TITLE = 'Written by the on-device model; check the messages themselves';
const CLOUD_TITLE = 'Written by the cloud model; check the messages themselves';

/** `idPrefix` goes before the ids inside the card (`summary-cloud`, `summary-cloud-preview`…):
 * several cards can be on the page at once (the thread's, the day's, a note's). */
export function createSummaryCard(attrs: { id?: string; what: string; idPrefix?: string }): SummaryCard {
  const id = (name: string) => `${attrs.idPrefix ?? ''}${name}`;
  const body = h('div', { class: 'summary-body' });
  const badge = h('span', { class: 'badge machine', title: LOCAL_TITLE }, 'Machine-written');
  const cloudButton = h(
    'button',
    {
      type: 'button',
      id: id('summary-cloud'),
      class: 'secondary summary-cloud-button',
      hidden: true,
      'aria-expanded': 'false',
      'aria-controls': id('summary-cloud-preview'),
    },
    'Ask the cloud model',
  );
  const preview = h('div', { id: id('summary-cloud-preview'), class: 'summary-cloud-preview', hidden: true });
  const el = h(
    'section',
    { id: attrs.id, class: 'card summary-card', 'aria-live': 'polite', 'aria-label': `Summary of this ${attrs.what}` },
    h('header', { class: 'card-header' }, h('h3', { class: 'card-title' }, 'Summary'), badge),
    body,
    h('div', { class: 'summary-cloud' }, cloudButton, preview),
  );
  /** The summary on screen: a newer load, or a cloud summary, drops answers to older ones. */
  let seq = 0;
  /** The target on screen (only `load` changes it). */
  let loads = 0;
  /** The preview on screen: closing it or loading another target drops a late answer. */
  let previewSeq = 0;
  let target: { kind: api.SummaryKind; id: string | null } | null = null;

  const show = (s: api.Summary) => {
    badge.title = s.route === 'cloud' ? CLOUD_TITLE : LOCAL_TITLE;
    replace(body, ...render(s));
  };

  const closePreview = (focus: boolean) => {
    previewSeq++;
    replace(preview);
    preview.hidden = true;
    preview.classList.remove('is-local');
    cloudButton.setAttribute('aria-expanded', 'false');
    cloudButton.disabled = false;
    if (focus && !cloudButton.hidden) cloudButton.focus();
  };

  const load = (kind: api.SummaryKind, targetId: string | null) => {
    const mine = ++seq;
    const loadMine = ++loads;
    target = { kind, id: targetId };
    closePreview(false);
    el.setAttribute('aria-busy', 'true');
    replace(
      body,
      loadingBox(`Summarising this ${attrs.what}…`, 'summary-loading'),
      h('div', { class: 'skeleton', 'aria-hidden': 'true' }, h('span'), h('span'), h('span')),
    );
    // Asked once per load: the button is there only while a cloud model is set.
    api
      .cloudSettings()
      .then((cloud) => {
        if (loadMine === loads) cloudButton.hidden = cloud === null;
      })
      .catch(() => {
        if (loadMine === loads) cloudButton.hidden = true;
      });
    api
      .summarize(kind, targetId)
      .then((s) => {
        if (mine !== seq) return;
        show(s);
      })
      .catch((e) => {
        if (mine !== seq) return;
        replace(body, errorBox(api.toCommandError(e), () => load(kind, targetId)));
      })
      .finally(() => {
        if (mine === seq) el.removeAttribute('aria-busy');
      });
  };

  /** "Ask the cloud model": what would be sent, sending nothing. */
  const openPreview = () => {
    if (!target) return;
    const { kind, id: targetId } = target;
    const mine = ++previewSeq;
    preview.hidden = false;
    cloudButton.setAttribute('aria-expanded', 'true');
    cloudButton.disabled = true;
    replace(preview, loadingBox('Working out what would be sent…', 'summary-cloud-loading'));
    api
      .summaryCloudPreview(kind, targetId)
      .then((p) => {
        if (mine !== previewSeq) return;
        const cancel = h(
          'button',
          { type: 'button', id: id('summary-cloud-cancel'), class: 'secondary', onclick: () => closePreview(true) },
          p.route === 'cloud' ? 'Cancel' : 'Close',
        );
        if (p.route !== 'cloud') {
          preview.classList.add('is-local');
          replace(
            preview,
            h('p', { class: 'summary-cloud-local' }, localPreviewText(p.reason)),
            h('div', { class: 'summary-cloud-actions' }, cancel),
          );
          cancel.focus();
          return;
        }
        const send = h(
          'button',
          { type: 'button', id: id('summary-cloud-send'), class: 'primary', onclick: () => sendToCloud(kind, targetId) },
          'Send',
        );
        replace(
          preview,
          h('p', { class: 'summary-cloud-headline' }, previewHeadline(p)),
          p.placeholders.length > 0
            ? h(
                'div',
                { class: 'summary-cloud-placeholders' },
                h('p', { class: 'summary-cloud-label' }, `Personal details sent as placeholders (${p.placeholders.length}):`),
                h('ul', null, ...p.placeholders.map((pair) => h('li', null, placeholderLine(pair)))),
              )
            : h('p', { class: 'summary-cloud-label' }, 'No personal details found to replace.'),
          h('p', { class: 'summary-cloud-label', id: id('summary-cloud-text-label') }, 'The text exactly as it would be sent:'),
          h('pre', { class: 'summary-cloud-text', tabindex: 0, 'aria-labelledby': id('summary-cloud-text-label') }, p.text),
          h('div', { class: 'summary-cloud-actions' }, send, cancel),
        );
        send.focus();
      })
      .catch((e) => {
        if (mine !== previewSeq) return;
        replace(
          preview,
          errorBox(api.toCommandError(e), openPreview),
          h('div', { class: 'summary-cloud-actions' }, h('button', { type: 'button', id: id('summary-cloud-cancel'), class: 'secondary', onclick: () => closePreview(true) }, 'Close')),
        );
      });
  };

  /** Send: the cloud model writes the summary (or, when the router keeps it here or the server
   * cannot be reached, the local model, and the notice says why). */
  const sendToCloud = (kind: api.SummaryKind, targetId: string | null) => {
    const mine = ++seq;
    const previewMine = ++previewSeq;
    for (const b of preview.querySelectorAll<HTMLButtonElement>('button')) b.disabled = true;
    el.setAttribute('aria-busy', 'true');
    replace(body, loadingBox('Asking the cloud model…', 'summary-loading'));
    api
      .summarize(kind, targetId, true)
      .then((s) => {
        if (mine !== seq) return;
        show(s);
        closePreview(true);
      })
      .catch((e) => {
        if (mine !== seq) return;
        replace(body, errorBox(api.toCommandError(e), () => load(kind, targetId)));
        if (previewMine === previewSeq) closePreview(true);
      })
      .finally(() => {
        if (mine === seq) el.removeAttribute('aria-busy');
      });
  };

  cloudButton.addEventListener('click', openPreview);
  return { el, load };
}

function render(s: api.Summary): Node[] {
  const nodes: Node[] = [];
  if (s.notice) nodes.push(h('p', { class: 'summary-notice', role: 'note' }, s.notice));
  nodes.push(h('p', { class: 'summary-gist' }, s.gist || 'Nothing to summarise.'));
  if (s.points.length > 0) {
    nodes.push(h('ul', { class: 'summary-points' }, ...s.points.map((p) => h('li', null, p))));
  }
  if (s.pointsRemoved > 0 || s.unsupported.length > 0) {
    const removed =
      s.pointsRemoved > 0 ? `${plural(s.pointsRemoved, 'point')} left out: not backed by the text. ` : '';
    nodes.push(
      h(
        'p',
        { class: 'summary-check' },
        removed,
        s.unsupported.length > 0 ? `Not found in the source: ${s.unsupported.join('; ')}` : '',
      ),
    );
  }
  const by = s.model ? `By ${s.model}${s.route === 'cloud' ? ' (cloud model)' : ''}` : 'Automatic';
  nodes.push(h('p', { class: 'summary-meta' }, `${by} · ${formatDuration(s.elapsedMs)}`));
  return nodes;
}
