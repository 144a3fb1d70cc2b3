// Pure helpers for the cloud model: the "Cloud model" card in Settings (the features it may be used
// for, the form's checks), the log of what went out, and the words of a summary's cloud preview;
// unit-tested in cloud.test.ts.

import type { CloudCall, CloudPreview, CloudSettings, CloudSettingsInput } from './api';

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
