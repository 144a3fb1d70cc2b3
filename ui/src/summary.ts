// The machine-written summary card for a thread, message, note or day. When a cloud model is set,
// "Ask the cloud model" first shows exactly what would be sent (or why it stays on this device);
// nothing is sent before Send is pressed.

import * as api from './api';
import { CloudPreviewBox } from './cloud';
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
  const preview = new CloudPreviewBox({
    ids: id('summary-cloud'),
    onClose: (focus) => {
      cloudButton.setAttribute('aria-expanded', 'false');
      cloudButton.disabled = false;
      if (focus && !cloudButton.hidden) cloudButton.focus();
    },
  });
  const el = h(
    'section',
    { id: attrs.id, class: 'card summary-card', 'aria-live': 'polite', 'aria-label': `Summary of this ${attrs.what}` },
    h('header', { class: 'card-header' }, h('h3', { class: 'card-title' }, 'Summary'), badge),
    body,
    h('div', { class: 'summary-cloud' }, cloudButton, preview.el),
  );
  /** The summary on screen: a newer load, or a cloud summary, drops answers to older ones. */
  let seq = 0;
  /** The target on screen (only `load` changes it). */
  let loads = 0;
  let target: { kind: api.SummaryKind; id: string | null } | null = null;

  const show = (s: api.Summary) => {
    badge.title = s.route === 'cloud' ? CLOUD_TITLE : LOCAL_TITLE;
    replace(body, ...render(s));
  };

  const load = (kind: api.SummaryKind, targetId: string | null) => {
    const mine = ++seq;
    const loadMine = ++loads;
    target = { kind, id: targetId };
    preview.close(false);
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
    cloudButton.setAttribute('aria-expanded', 'true');
    cloudButton.disabled = true;
    preview.open(() => api.summaryCloudPreview(kind, targetId), { send: () => sendToCloud(kind, targetId) });
  };

  /** Send: the cloud model writes the summary (or, when the router keeps it here or the server
   * cannot be reached, the local model, and the notice says why). */
  const sendToCloud = (kind: api.SummaryKind, targetId: string | null) => {
    const mine = ++seq;
    preview.busy();
    el.setAttribute('aria-busy', 'true');
    replace(body, loadingBox('Asking the cloud model…', 'summary-loading'));
    api
      .summarize(kind, targetId, true)
      .then((s) => {
        if (mine !== seq) return;
        show(s);
        preview.close(true);
      })
      .catch((e) => {
        if (mine !== seq) return;
        replace(body, errorBox(api.toCommandError(e), () => load(kind, targetId)));
        preview.close(true);
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
