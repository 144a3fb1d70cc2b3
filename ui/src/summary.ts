// The machine-written summary card for a thread, message, note or day.

import * as api from './api';
import { errorBox, h, loadingBox, replace } from './dom';
import { formatDuration, plural } from './format';

export interface SummaryCard {
  readonly el: HTMLElement;
  /** Summarises `id` (stale answers for an earlier id are dropped). */
  load(kind: api.SummaryKind, id: string | null): void;
}

export function createSummaryCard(attrs: { id?: string; what: string }): SummaryCard {
  const body = h('div', { class: 'summary-body' });
  const el = h(
    'section',
    { id: attrs.id, class: 'card summary-card', 'aria-live': 'polite', 'aria-label': `Summary of this ${attrs.what}` },
    h(
      'header',
      { class: 'card-header' },
      h('h3', { class: 'card-title' }, 'Summary'),
      h('span', { class: 'badge machine', title: 'Written by the on-device model; check the messages themselves' }, 'Machine-written'),
    ),
    body,
  );
  let seq = 0;

  const load = (kind: api.SummaryKind, id: string | null) => {
    const mine = ++seq;
    el.setAttribute('aria-busy', 'true');
    replace(
      body,
      loadingBox(`Summarising this ${attrs.what}…`, 'summary-loading'),
      h('div', { class: 'skeleton', 'aria-hidden': 'true' }, h('span'), h('span'), h('span')),
    );
    api
      .summarize(kind, id)
      .then((s) => {
        if (mine !== seq) return;
        replace(body, ...render(s));
      })
      .catch((e) => {
        if (mine !== seq) return;
        replace(body, errorBox(api.toCommandError(e), () => load(kind, id)));
      })
      .finally(() => {
        if (mine === seq) el.removeAttribute('aria-busy');
      });
  };
  return { el, load };
}

function render(s: api.Summary): Node[] {
  const nodes: Node[] = [h('p', { class: 'summary-gist' }, s.gist || 'Nothing to summarise.')];
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
  const by = s.model ? `By ${s.model}` : 'Automatic';
  nodes.push(h('p', { class: 'summary-meta' }, `${by} · ${formatDuration(s.elapsedMs)}`));
  return nodes;
}
