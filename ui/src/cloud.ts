// The cloud model on screen: pure helpers for the "Cloud model" card in Settings (the features it
// may be used for, the form's checks), the log of what went out and the words of a cloud preview
// (unit-tested in cloud.test.ts); and the preview box itself, which the summary card, Ask and the
// smart replies share: what would be sent, exactly, before anything is (summary.test.ts,
// assistant-cloud.test.ts, thread-cloud.test.ts).

import { toCommandError, type CloudCall, type CloudPreview, type CloudSettings, type CloudSettingsInput, type CommandError } from './api';
import { errorBox, h, loadingBox, replace } from './dom';

/** The features the settings form offers, in its order, with their names on screen. */
export const CLOUD_FEATURES: readonly { value: string; label: string }[] = [
  { value: 'reply', label: 'Smart replies' },
  { value: 'summarize', label: 'Summaries' },
  { value: 'ask', label: 'Ask' },
  { value: 'actions', label: 'Actions' },
];

/** Features the backend knows that the form does not offer (set elsewhere, e.g. the command line). */
const OTHER_FEATURES: Record<string, string> = { chat: 'Chat' };

export const CLOUD_OFF_QUESTION = 'Turn off the cloud model and remove its key?';

export const NOTHING_SENT = 'Nothing has gone to a cloud model.';

/** A feature's name on screen ("summarize" → "Summaries"); an unknown one as it is. */
export function featureName(feature: string): string {
  return CLOUD_FEATURES.find((f) => f.value === feature)?.label ?? OTHER_FEATURES[feature] ?? feature;
}

/** "Summaries, Ask", or what it means that none is allowed. */
export function allowedText(allows: readonly string[]): string {
  if (allows.length === 0) return 'Nothing yet: no feature may use it, so nothing is sent.';
  return allows.map(featureName).join(', ');
}

/** "gpt-4o-mini at https://api.example.com/v1" */
export function cloudServerText(s: Pick<CloudSettings, 'model' | 'baseUrl'>): string {
  return `${s.model} at ${s.baseUrl}`;
}

/** A count with its word, the number grouped for reading: "1,234 characters". */
export function countText(n: number, word: string, many = `${word}s`): string {
  return `${new Intl.NumberFormat('en-US').format(n)} ${n === 1 ? word : many}`;
}

/** "A", "A and B", "A, B and C". */
export function listText(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export type CloudFields = { baseUrl: string; model: string; apiKey: string; allows: readonly string[] };
export type CloudField = 'baseUrl' | 'model' | 'allows';

export type CloudCheck = { ok: true; cloud: CloudSettingsInput } | { ok: false; field: CloudField; message: string };

/** Checks the form before it is sent (the backend checks again). The features are sent in the
 * form's order; features the form does not show that were saved before (`saved`) are kept. An
 * empty key keeps the saved one. */
export function validateCloud(fields: CloudFields, saved: CloudSettings | null): CloudCheck {
  const baseUrl = fields.baseUrl.trim();
  if (!/^https?:\/\/[^\s/?#]+(\/\S*)?$/i.test(baseUrl)) {
    return { ok: false, field: 'baseUrl', message: 'Give the server as http(s)://host[:port]/v1.' };
  }
  const model = fields.model.trim();
  if (model === '') return { ok: false, field: 'model', message: 'Give the name of the model to use.' };
  const offered = new Set(CLOUD_FEATURES.map((f) => f.value));
  const allows = [
    ...CLOUD_FEATURES.map((f) => f.value).filter((f) => fields.allows.includes(f)),
    ...(saved?.allows ?? []).filter((f) => !offered.has(f)),
  ];
  return { ok: true, cloud: { baseUrl, model, apiKey: fields.apiKey.trim(), allows } };
}

/** Which field the backend's refusal is about, from its words (null when it does not say). */
export function errorField(message: string): CloudField | null {
  const m = message.toLowerCase();
  if (/\burl\b|http|server|host/.test(m)) return 'baseUrl';
  if (/feature|allow/.test(m)) return 'allows';
  if (/model/.test(m)) return 'model';
  return null;
}

/** Did the call go through? */
export function callOk(c: Pick<CloudCall, 'outcome'>): boolean {
  return c.outcome === 'ok';
}

/** "Sent", or "Failed: the server said 401". */
export function callOutcomeText(c: Pick<CloudCall, 'outcome'>): string {
  return callOk(c) ? 'Sent' : `Failed: ${c.outcome}`;
}

/** What left the device on one call: characters, placeholders, sources and where it went. */
export function callFacts(c: CloudCall): string[] {
  const facts = [
    countText(c.chars, 'character'),
    c.placeholders === 0 ? 'no personal details' : `${countText(c.placeholders, 'personal detail')} as placeholders`,
  ];
  if (c.sources.length > 0) facts.push(`from ${listText(c.sources)}`);
  facts.push(`to ${cloudServerText({ model: c.model, baseUrl: c.server })}`);
  return facts;
}

/** "Sends 1,234 characters from Inbox and Notes to MODEL at SERVER" */
export function previewHeadline(p: Pick<CloudPreview, 'chars' | 'sources' | 'model' | 'server'>): string {
  const from = p.sources.length > 0 ? ` from ${listText(p.sources)}` : '';
  return `Sends ${countText(p.chars, 'character')}${from} to ${cloudServerText({ model: p.model, baseUrl: p.server })}`;
}

/** "[PHONE_1] stays here: +46 70 123 45 67" */
export function placeholderLine([placeholder, original]: readonly [string, string]): string {
  return `${placeholder} stays here: ${original}`;
}

/** "Stays on this device: Diary is private: its text never leaves this device." */
export function localPreviewText(reason: string): string {
  const r = reason.trim();
  if (r === '') return 'Stays on this device.';
  return `Stays on this device: ${r}${/[.!?]$/.test(r) ? '' : '.'}`;
}

/** "Goes to the cloud model: you asked for the cloud model." (null when no reason is given). */
export function cloudReasonText(reason: string): string | null {
  const r = reason.trim();
  if (r === '') return null;
  return `Goes to the cloud model: ${r}${/[.!?]$/.test(r) ? '' : '.'}`;
}

/** What a preview offers once it is on screen. */
export interface CloudPreviewChoice {
  /** Send (route `cloud`): the request goes to the cloud model. */
  send: () => void;
  /** Route `local`: a way to do it on this device instead, on the `…-send` button with this label.
   * Without it the box only says why the text stays, with Close. */
  local?: { label: string; run: () => void };
}

export interface CloudPreviewBoxOptions {
  /** The ids inside start with it: `${ids}-preview` (the box), `${ids}-send`, `${ids}-cancel`. */
  ids: string;
  /** The box closed (Cancel, Close, Escape, or `close()`); `focus`: the focus should go back to
   * whatever opened it. */
  onClose: (focus: boolean) => void;
}

/** "What would be sent to the cloud model": the route, the reason, the personal details sent as
 * placeholders, the exact text, and Send / Cancel. Nothing is sent by the box itself: Send calls
 * `choice.send`. Escape (with the focus inside) closes it. The preview text goes in as text only. */
export class CloudPreviewBox {
  readonly el: HTMLElement;
  /** The preview on screen: closing it, opening it again or sending drops a late answer. */
  private seq = 0;

  constructor(private readonly opts: CloudPreviewBoxOptions) {
    this.el = h('div', {
      id: `${opts.ids}-preview`,
      class: 'summary-cloud-preview',
      role: 'group',
      'aria-label': 'What would be sent to the cloud model',
      tabindex: -1,
      hidden: true,
    });
    this.el.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape' || e.isComposing || e.defaultPrevented || !this.isOpen()) return;
      e.preventDefault();
      e.stopPropagation();
      this.close(true);
    });
  }

  /** On screen and waiting for the user (not while the chosen action runs). */
  isOpen(): boolean {
    return !this.el.hidden && !this.el.hasAttribute('aria-busy');
  }

  /** Shows the box: "Working out…", then the preview `load` returns (or its error, with Try
   * again). The box takes the focus, not Send: a held Enter must not send. */
  open(load: () => Promise<CloudPreview>, choice: CloudPreviewChoice): void {
    const mine = ++this.seq;
    this.el.hidden = false;
    this.el.classList.remove('is-local');
    this.el.removeAttribute('aria-busy');
    replace(this.el, loadingBox('Working out what would be sent…', 'summary-cloud-loading'));
    load()
      .then((p) => {
        if (mine !== this.seq) return;
        this.render(p, choice);
        this.el.focus();
      })
      .catch((e: unknown) => {
        if (mine !== this.seq) return;
        this.showError(toCommandError(e), () => this.open(load, choice));
      });
  }

  /** The chosen action runs: the buttons stop working and a late preview is dropped. */
  busy(): void {
    this.seq++;
    this.el.setAttribute('aria-busy', 'true');
    for (const b of this.el.querySelectorAll<HTMLButtonElement>('button')) b.disabled = true;
  }

  /** Closes the box; nothing is sent. */
  close(focus = false): void {
    this.seq++;
    replace(this.el);
    this.el.hidden = true;
    this.el.classList.remove('is-local');
    this.el.removeAttribute('aria-busy');
    this.opts.onClose(focus);
  }

  private button(name: 'send' | 'cancel', cls: string, label: string, onclick: () => void): HTMLButtonElement {
    return h('button', { type: 'button', id: `${this.opts.ids}-${name}`, class: cls, onclick }, label);
  }

  private render(p: CloudPreview, choice: CloudPreviewChoice): void {
    const close = () => this.close(true);
    if (p.route !== 'cloud') {
      const local = choice.local;
      this.el.classList.add('is-local');
      replace(
        this.el,
        h('p', { class: 'summary-cloud-local' }, localPreviewText(p.reason)),
        h(
          'div',
          { class: 'summary-cloud-actions' },
          local ? this.button('send', 'primary', local.label, local.run) : null,
          this.button('cancel', 'secondary', local ? 'Cancel' : 'Close', close),
        ),
      );
      return;
    }
    const reason = cloudReasonText(p.reason);
    const labelId = `${this.opts.ids}-text-label`;
    replace(
      this.el,
      h('p', { class: 'summary-cloud-headline' }, previewHeadline(p)),
      reason ? h('p', { class: 'summary-cloud-reason' }, reason) : null,
      p.placeholders.length > 0
        ? h(
            'div',
            { class: 'summary-cloud-placeholders' },
            h('p', { class: 'summary-cloud-label' }, `Personal details sent as placeholders (${p.placeholders.length}):`),
            h('ul', null, ...p.placeholders.map((pair) => h('li', null, placeholderLine(pair)))),
          )
        : h('p', { class: 'summary-cloud-label' }, 'No personal details found to replace.'),
      h('p', { class: 'summary-cloud-label', id: labelId }, 'The text exactly as it would be sent:'),
      h('pre', { class: 'summary-cloud-text', tabindex: 0, 'aria-labelledby': labelId }, p.text),
      h(
        'div',
        { class: 'summary-cloud-actions' },
        this.button('send', 'primary', 'Send', choice.send),
        this.button('cancel', 'secondary', 'Cancel', close),
      ),
    );
  }

  private showError(err: CommandError, retry: () => void): void {
    replace(
      this.el,
      errorBox(err, retry),
      h('div', { class: 'summary-cloud-actions' }, this.button('cancel', 'secondary', 'Close', () => this.close(true))),
    );
  }
}
