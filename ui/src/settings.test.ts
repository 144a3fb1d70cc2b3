// Settings' "Cloud model" card, in the small test DOM (testdom.ts) with the Tauri IPC mocked.

import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';

import { invoke as ipc } from '@tauri-apps/api/core';
// The IPC mock in ui/__mocks__/@tauri-apps/api.
vi.mock('@tauri-apps/api/core');
vi.mock('@tauri-apps/api/event');
const invoke = ipc as unknown as Mock;

import type { CloudCall, CloudSettings, CommandError } from './api';
import type { App } from './app';
import { SettingsView } from './settings';
import { installTestDom, settle, type FakeDocument, type FakeNode, text } from './testdom';

type Handler = (args: Record<string, unknown> | undefined) => unknown;

let doc: FakeDocument;
let handlers: Record<string, Handler>;

const saved: CloudSettings = { baseUrl: 'https://api.example.com/v1', model: 'gpt-4o-mini', allows: ['summarize', 'ask'] };

function calls(cmd: string): (Record<string, unknown> | undefined)[] {
  return invoke.mock.calls.filter((c) => c[0] === cmd).map((c) => c[1] as Record<string, unknown> | undefined);
}

function fakeApp(): App {
  return { navigate: vi.fn(), refreshInfo: vi.fn(async () => null), info: () => null, notice: vi.fn(), libraryChanged: vi.fn() };
}

async function mount(): Promise<{ view: SettingsView; $: (sel: string) => HTMLElement | null; $$: (sel: string) => HTMLElement[] }> {
  const view = new SettingsView(fakeApp());
  doc.body.appendChild(view.el as unknown as FakeNode);
  view.show();
  await settle();
  return {
    view,
    $: (sel) => view.el.querySelector<HTMLElement>(sel),
    $$: (sel) => [...view.el.querySelectorAll<HTMLElement>(sel)],
  };
}

const input = (el: HTMLElement | null) => el as HTMLInputElement;

function type(el: HTMLElement | null, value: string): void {
  input(el).value = value;
}

beforeEach(() => {
  doc = installTestDom();
  // The shortcuts card listens on window; the test DOM has none.
  (globalThis as unknown as { window: unknown }).window = { addEventListener: () => {}, removeEventListener: () => {} };
  handlers = {
    sources_list: () => [],
    sending_account: () => null,
    cloud_settings: () => null,
    cloud_calls: () => [],
    set_cloud: (a) => {
      const c = a?.cloud as { baseUrl: string; model: string; allows: string[] };
      return { baseUrl: c.baseUrl, model: c.model, allows: c.allows } satisfies CloudSettings;
    },
    cloud_off: () => undefined,
  };
  invoke.mockReset();
  invoke.mockImplementation(async (cmd: string, args?: Record<string, unknown>) => {
    const handler = handlers[cmd];
    if (!handler) throw { kind: 'error', message: `no mock for ${cmd}` } satisfies CommandError;
    return handler(args);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  delete (globalThis as unknown as { window?: unknown }).window;
});

describe('the cloud model card', () => {
  it('comes after "Sending mail" and says nothing leaves unless set', async () => {
    const { $, $$ } = await mount();
    const headings = $$('h2').map((h) => h.id);
    expect(headings.indexOf('settings-cloud')).toBe(headings.indexOf('settings-sending') + 1);
    expect(text($('#settings-cloud'))).toBe('Cloud model');
    expect(text($('.cloud-intro'))).toMatch(/Nothing leaves this device unless/);
    expect(calls('cloud_settings')).toHaveLength(1);
  });

  it('shows the empty form when none is set, nothing allowed', async () => {
    const { $, $$ } = await mount();
    expect($('#cloud-form')!.hidden).toBe(false);
    expect($('#cloud-current')!.hidden).toBe(true);
    expect(input($('#cloud-url')).placeholder).toBe('https://api.example.com/v1');
    expect(input($('#cloud-key')).type).toBe('password');
    expect(input($('#cloud-key')).placeholder).toBe('kept in the OS keyring');
    const boxes = $$('input[name=cloud-allow]').map(input);
    expect(boxes.map((b) => b.value)).toEqual(['reply', 'summarize', 'ask', 'actions']);
    expect(boxes.every((b) => !b.checked)).toBe(true);
    expect(boxes.map((b) => text(b.closest('label')))).toEqual(['Smart replies', 'Summaries', 'Ask', 'Actions']);
    expect($('#cloud-cancel')!.hidden).toBe(true);
  });

  it('saves the fields, the checked features and the key', async () => {
    const { $ } = await mount();
    type($('#cloud-url'), ' https://api.example.com/v1 ');
    type($('#cloud-model'), 'gpt-4o-mini');
    type($('#cloud-key'), 'sk-secret');
    input($('input[name=cloud-allow][value=ask]')).checked = true;
    input($('input[name=cloud-allow][value=summarize]')).checked = true;
    $('#cloud-save')!.click();
    await settle();
    expect(calls('set_cloud')).toEqual([
      { cloud: { baseUrl: 'https://api.example.com/v1', model: 'gpt-4o-mini', apiKey: 'sk-secret', allows: ['summarize', 'ask'] } },
    ]);
    // Saved: what it is, and the form is gone (with the key).
    expect($('#cloud-form')!.hidden).toBe(true);
    expect($('#cloud-current')!.hidden).toBe(false);
    expect(text($('#cloud-current'))).toContain('gpt-4o-mini');
    expect(text($('#cloud-current'))).toContain('https://api.example.com/v1');
    expect(text($('.cloud-allowed'))).toBe('Summaries, Ask');
    expect(input($('#cloud-key')).value).toBe('');
    expect($('#cloud-error')!.hidden).toBe(true);
  });

  it('sends an empty key as "" (keep the saved one) when changing', async () => {
    handlers.cloud_settings = () => saved;
    const { $ } = await mount();
    expect($('#cloud-form')!.hidden).toBe(true);
    $('#cloud-change')!.click();
    expect($('#cloud-form')!.hidden).toBe(false);
    expect(input($('#cloud-url')).value).toBe(saved.baseUrl);
    expect(input($('#cloud-model')).value).toBe(saved.model);
    expect(input($('#cloud-key')).value).toBe('');
    expect(input($('input[name=cloud-allow][value=summarize]')).checked).toBe(true);
    expect(input($('input[name=cloud-allow][value=reply]')).checked).toBe(false);
    input($('input[name=cloud-allow][value=reply]')).checked = true;
    $('#cloud-save')!.click();
    await settle();
    expect(calls('set_cloud')).toEqual([
      { cloud: { baseUrl: saved.baseUrl, model: saved.model, apiKey: '', allows: ['reply', 'summarize', 'ask'] } },
    ]);
  });

  it('checks the URL and the model before sending, and shows refusals in #cloud-error', async () => {
    const { $ } = await mount();
    type($('#cloud-url'), 'api.example.com');
    type($('#cloud-model'), 'm');
    $('#cloud-save')!.click();
    await settle();
    expect(calls('set_cloud')).toHaveLength(0);
    expect($('#cloud-error')!.hidden).toBe(false);
    expect($('#cloud-error')!.getAttribute('role')).toBe('alert');
    expect(text($('#cloud-error'))).toMatch(/http\(s\):\/\/host\[:port\]\/v1/);
    expect($('#cloud-url')!.getAttribute('aria-invalid')).toBe('true');

    handlers.set_cloud = () => {
      throw { kind: 'invalid_request', message: 'model: give the model name' } satisfies CommandError;
    };
    type($('#cloud-url'), 'http://localhost:8080/v1');
    $('#cloud-save')!.click();
    await settle();
    expect(calls('set_cloud')).toHaveLength(1);
    expect(text($('#cloud-error'))).toBe('model: give the model name');
    expect($('#cloud-model')!.getAttribute('aria-invalid')).toBe('true');
    expect($('#cloud-form')!.hidden).toBe(false);
  });

  it('turns off only after the inline confirmation', async () => {
    handlers.cloud_settings = () => saved;
    const { $ } = await mount();
    expect($('#cloud-off-question')!.hidden).toBe(true);
    $('#cloud-off')!.click();
    await settle();
    expect(calls('cloud_off')).toHaveLength(0);
    expect($('#cloud-off-question')!.hidden).toBe(false);
    expect(text($('#cloud-off-question'))).toContain('Turn off the cloud model and remove its key?');

    // "Keep it" backs out without a call.
    $('#cloud-off-cancel')!.click();
    await settle();
    expect($('#cloud-off-question')!.hidden).toBe(true);
    expect(calls('cloud_off')).toHaveLength(0);

    $('#cloud-off')!.click();
    $('#cloud-off-confirm')!.click();
    await settle();
    expect(calls('cloud_off')).toEqual([undefined]);
    expect($('#cloud-current')!.hidden).toBe(true);
    expect($('#cloud-form')!.hidden).toBe(false);
    expect(input($('#cloud-url')).value).toBe('');
    expect(text($('#cloud-status'))).toMatch(/Nothing leaves this device/);
  });

  it('says what went out, as text, newest first', async () => {
    const call = (id: number, extra: Partial<CloudCall> = {}): CloudCall => ({
      id,
      at: 1_700_000_000 + id,
      feature: 'summarize',
      server: 'https://api.example.com/v1',
      model: 'gpt-4o-mini',
      chars: 1234,
      sources: ['Inbox', 'Work notes'],
      placeholders: 2,
      outcome: 'ok',
      ...extra,
    });
    handlers.cloud_calls = () => [
      call(2, { feature: 'ask', outcome: '<img src=x onerror=alert(1)> 401', placeholders: 0, sources: [] }),
      call(1),
    ];
    const { $, $$ } = await mount();
    const rows = $$('#cloud-calls li.cloud-call');
    expect(rows).toHaveLength(2);
    expect(text(rows[0].querySelector('.cloud-call-feature'))).toBe('Ask');
    expect(text(rows[0])).toContain('Failed: <img src=x onerror=alert(1)> 401');
    expect(rows[0].classList.contains('is-failed')).toBe(true);
    expect(text(rows[0])).toContain('no personal details');
    expect(text(rows[1].querySelector('.cloud-call-feature'))).toBe('Summaries');
    expect(text(rows[1])).toContain('1,234 characters');
    expect(text(rows[1])).toContain('2 personal details as placeholders');
    expect(text(rows[1])).toContain('from Inbox and Work notes');
    expect(text(rows[1])).toContain('Sent');
    expect(rows[1].querySelector('time')!.getAttribute('datetime')).toBe(new Date((1_700_000_001) * 1000).toISOString());
    expect(doc.created).not.toContain('img');
    expect($('#cloud-calls-empty')).toBeNull();
  });

  it('says when nothing went out', async () => {
    const { $ } = await mount();
    expect(text($('#cloud-calls'))).toBe('Nothing has gone to a cloud model.');
    expect($('#cloud-calls li')).toBeNull();
  });
});
