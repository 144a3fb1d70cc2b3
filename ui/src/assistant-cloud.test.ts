// The Assistant's Ask with the privacy router and the cloud model, in the small test DOM
// (testdom.ts) with the Tauri IPC mocked: the restart and done events, the cloud badge and notice,
// and "Ask the cloud model" (the preview first; nothing is asked before Send).

import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';

import { invoke as ipc } from '@tauri-apps/api/core';
// The IPC mock in ui/__mocks__/@tauri-apps/api.
vi.mock('@tauri-apps/api/core');
vi.mock('@tauri-apps/api/event');
const invoke = ipc as unknown as Mock;

import type { AskEvent, Citation, CloudPreview, CloudSettings, CommandError } from './api';
import type { App } from './app';
import { AssistantView } from './assistant';
import { installTestDom, settle, type FakeDocument, type FakeNode, text, visible, key } from './testdom';

type Handler = (args: Record<string, unknown> | undefined) => unknown;

let doc: FakeDocument;
let handlers: Record<string, Handler>;
/** The event channel of the newest `ask` call. */
let emit: (e: AskEvent) => void;
/** Ends the newest `ask` call. */
let finish: () => void;

const cloud: CloudSettings = { baseUrl: 'https://api.example.com/v1', model: 'gpt-4o-mini', allows: ['ask'] };

const passages: Citation[] = [
  { n: 1, id: 'm12', messageId: '<a@x>', path: null, title: 'Budget for Q1', from: 'Kenneth', date: null, passage: 'Numbers by Friday.' },
  { n: 2, id: 'm13', messageId: '<b@x>', path: null, title: 'Offsite', from: 'Sara', date: null, passage: 'Flights next week.' },
];

const cloudPreview = (extra: Partial<CloudPreview> = {}): CloudPreview => ({
  route: 'cloud',
  reason: 'you asked for the cloud model',
  server: 'https://api.example.com/v1',
  model: 'gpt-4o-mini',
  chars: 812,
  sources: ['Inbox'],
  placeholders: [['[PHONE_1]', '+46 70 123 45 67']],
  text: 'Question: when is the budget due?\n[1] Kenneth ([PHONE_1]): numbers by Friday.',
  ...extra,
});

const done = (extra: Partial<Extract<AskEvent, { type: 'done' }>> = {}): AskEvent => ({
  type: 'done',
  answer: '',
  found: true,
  cited: [1],
  unsupported: [],
  elapsedMs: 1200,
  route: 'local',
  notice: null,
  ...extra,
});

function calls(cmd: string): (Record<string, unknown> | undefined)[] {
  return invoke.mock.calls.filter((c) => c[0] === cmd).map((c) => c[1] as Record<string, unknown> | undefined);
}

function fakeApp(): App {
  return { navigate: vi.fn(), refreshInfo: vi.fn(async () => null), info: () => null, notice: vi.fn(), libraryChanged: vi.fn() };
}

async function mount(): Promise<{ view: AssistantView; $: (sel: string) => HTMLElement | null; $$: (sel: string) => HTMLElement[] }> {
  const view = new AssistantView(fakeApp());
  doc.body.appendChild(view.el as unknown as FakeNode);
  view.show({});
  await settle();
  return {
    view,
    $: (sel) => view.el.querySelector<HTMLElement>(sel),
    $$: (sel) => [...view.el.querySelectorAll<HTMLElement>(sel)],
  };
}

function submit($: (sel: string) => HTMLElement | null, text: string): void {
  const input = $('#ask-input') as HTMLTextAreaElement;
  input.value = text;
  key(input, 'Enter');
}

beforeEach(() => {
  doc = installTestDom();
  emit = () => {
    throw new Error('ask was not called');
  };
  finish = () => {};
  handlers = {
    cloud_settings: () => cloud,
    ask_cloud_preview: () => cloudPreview(),
    ask: (a) => {
      const channel = a?.onEvent as { onmessage: (e: AskEvent) => void };
      emit = (e) => channel.onmessage(e);
      return new Promise<void>((resolve) => (finish = resolve));
    },
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
});

describe('ask through the router', () => {
  it('a restart withdraws the streamed text, keeps the passages and shows the notice', async () => {
    handlers.cloud_settings = () => null;
    const { $, $$ } = await mount();
    submit($, 'When is the budget due?');
    await settle();
    expect(calls('ask')).toEqual([{ question: 'When is the budget due?', source: null, about: null, cloud: false, onEvent: expect.anything() }]);

    emit({ type: 'passages', passages });
    emit({ type: 'token', text: 'I could not find ' });
    emit({ type: 'token', text: 'that.' });
    expect(text($('.answer-text'))).toBe('I could not find that.');

    const notice = 'the local model did not find the answer in the passages; asking the cloud model';
    emit({ type: 'restart', notice });
    expect(text($('.answer-text'))).toBe('');
    expect(text($('.answer-status'))).toBe(notice);
    expect(text($('.sources-title'))).toBe('Looking at');
    expect($$('.citations li')).toHaveLength(2);

    emit({ type: 'token', text: 'By Friday [1].' });
    expect(text($('.answer-text'))).toBe('By Friday [1].');
    expect(text($('.answer-text .citation-ref'))).toBe('[1]');
    emit(done({ route: 'cloud', notice: 'Written by the cloud model (gpt-4o-mini); 812 characters were sent.' }));
    finish();
    await settle();
    expect(text($('.answer-text'))).toBe('By Friday [1].');
    expect(text($('.sources-title'))).toBe('Sources');
    expect($$('.citations li')).toHaveLength(1);
    // Only the one ask: the router restarted it by itself.
    expect(calls('ask')).toHaveLength(1);
  });

  it('a restart after a failed cloud answer says it is written here instead', async () => {
    handlers.cloud_settings = () => null;
    const { $ } = await mount();
    submit($, 'When is the budget due?');
    await settle();
    emit({ type: 'passages', passages });
    emit({ type: 'token', text: 'Half an ans' });
    emit({ type: 'restart', notice: 'The cloud model could not answer (timeout); written on this device instead.' });
    expect(text($('.answer-text'))).toBe('');
    expect(text($('.answer-status'))).toBe('The cloud model could not answer (timeout); written on this device instead.');
    emit({ type: 'token', text: 'Friday [1].' });
    emit(done({ notice: 'The cloud model could not answer (timeout); written on this device instead.' }));
    finish();
    await settle();
    expect(text($('.answer-text'))).toBe('Friday [1].');
    expect(visible($('.badge.answer-cloud'))).toBe(false);
    expect(text($('.answer-notice'))).toBe('The cloud model could not answer (timeout); written on this device instead.');
    expect(text($('.answer-status'))).toBe('Answered in 1.2 s');
  });

  it('a done event from the cloud shows the notice and the cloud badge', async () => {
    const { $ } = await mount();
    submit($, 'When is the budget due?');
    await settle();
    emit({ type: 'passages', passages });
    emit({ type: 'token', text: 'By Friday [1].' });
    expect(visible($('.badge.answer-cloud'))).toBe(false);
    expect(visible($('.answer-notice'))).toBe(false);

    emit(done({ route: 'cloud', notice: 'Sent 812 characters to gpt-4o-mini.' }));
    finish();
    await settle();
    const badge = $('.answer-head .badge.answer-cloud')!;
    expect(visible(badge)).toBe(true);
    expect(text(badge)).toBe('Cloud model');
    expect(badge.title).toMatch(/cloud model/);
    const notice = $('.answer-notice')!;
    expect(visible(notice)).toBe(true);
    expect(text(notice)).toBe('Sent 812 characters to gpt-4o-mini.');
    expect(text($('.answer-status'))).toMatch(/^Answered by the cloud model in /);
  });

  it('a local done event has no badge and no notice', async () => {
    const { $ } = await mount();
    submit($, 'When is the budget due?');
    await settle();
    emit({ type: 'passages', passages });
    emit(done({ answer: 'By Friday [1].' }));
    finish();
    await settle();
    expect(text($('.answer-text'))).toBe('By Friday [1].');
    expect(visible($('.badge.answer-cloud'))).toBe(false);
    expect(visible($('.answer-notice'))).toBe(false);
  });
});

describe('the Ask the cloud model toggle', () => {
  it('is there only while a cloud model is set, and only in Ask', async () => {
    handlers.cloud_settings = () => null;
    const none = await mount();
    expect(calls('cloud_settings')).toHaveLength(1);
    expect(visible(none.$('#ask-cloud'))).toBe(false);
    none.view.el.remove();

    handlers.cloud_settings = () => cloud;
    const { $ } = await mount();
    const toggle = $('#ask-cloud')!;
    expect(visible(toggle)).toBe(true);
    expect(toggle.localName).toBe('button');
    expect(toggle.getAttribute('type')).toBe('button');
    expect(text(toggle)).toBe('Ask the cloud model');
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    toggle.click();
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    expect(text($('.composer .hint'))).toMatch(/nothing is sent until you press Send/);
    $('#assistant-mode-do')!.click();
    expect(visible(toggle)).toBe(false);
    $('#assistant-mode-ask')!.click();
    expect(visible(toggle)).toBe(true);
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    toggle.click();
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
  });

  it('previews what would be sent, and asks nothing until Send', async () => {
    const { $, $$ } = await mount();
    $('#ask-cloud')!.click();
    submit($, 'When is the budget due?');
    await settle();

    expect(calls('ask_cloud_preview')).toEqual([{ question: 'When is the budget due?', source: null, about: null }]);
    expect(calls('ask')).toHaveLength(0);
    const preview = $('#ask-cloud-preview')!;
    expect(visible(preview)).toBe(true);
    expect(text(preview)).toContain('Sends 812 characters from Inbox to gpt-4o-mini at https://api.example.com/v1');
    expect(text(preview)).toContain('Goes to the cloud model: you asked for the cloud model.');
    expect($$('#ask-cloud-preview li').map(text)).toEqual(['[PHONE_1] stays here: +46 70 123 45 67']);
    expect(preview.querySelector('pre')!.textContent).toBe(cloudPreview().text);
    expect(text($('#ask-cloud-send'))).toBe('Send');
    expect(text($('#ask-cloud-cancel'))).toBe('Cancel');
    // The preview has the focus, not Send: a held Enter must not send.
    expect(doc.activeElement).toBe(preview);
    expect(visible($('.answer'))).toBe(false);
    expect(text($('.question'))).toBe('When is the budget due?');

    await settle();
    expect(calls('ask')).toHaveLength(0);

    $('#ask-cloud-send')!.click();
    await settle();
    expect(calls('ask')).toEqual([{ question: 'When is the budget due?', source: null, about: null, cloud: true, onEvent: expect.anything() }]);
    expect($('#ask-cloud-preview')).toBeNull();
    expect(visible($('.answer'))).toBe(true);
    emit({ type: 'passages', passages });
    expect(text($('.answer-status'))).toBe('Asking the cloud model from 2 passages…');
    emit({ type: 'token', text: 'By Friday [1].' });
    emit(done({ route: 'cloud', notice: 'Sent 812 characters to gpt-4o-mini.' }));
    finish();
    await settle();
    expect(text($('.answer-text'))).toBe('By Friday [1].');
    expect(visible($('.badge.answer-cloud'))).toBe(true);
    expect(text($('.answer-notice'))).toBe('Sent 812 characters to gpt-4o-mini.');
    expect(calls('ask')).toHaveLength(1);
  });

  it('Cancel closes the preview and sends nothing', async () => {
    const { $ } = await mount();
    $('#ask-cloud')!.click();
    submit($, 'When is the budget due?');
    await settle();
    $('#ask-cloud-cancel')!.click();
    await settle();
    expect($('#ask-cloud-preview')).toBeNull();
    expect($('#ask-cloud-send')).toBeNull();
    expect(text($('.answer-cancelled'))).toBe('Cancelled: nothing was sent.');
    expect(calls('ask')).toHaveLength(0);
    const input = $('#ask-input') as HTMLTextAreaElement;
    expect(input.value).toBe('When is the budget due?');
    expect(doc.activeElement).toBe(input);
    expect(($('#ask-send') as HTMLButtonElement).disabled).toBe(false);
  });

  it('Escape closes the preview, from inside it or from the input', async () => {
    const { $ } = await mount();
    $('#ask-cloud')!.click();
    submit($, 'When is the budget due?');
    await settle();
    key($('#ask-cloud-preview pre')!, 'Escape');
    expect($('#ask-cloud-preview')).toBeNull();

    (($('#ask-input')) as HTMLTextAreaElement).value = '';
    submit($, 'Who books the flights?');
    await settle();
    expect(visible($('#ask-cloud-preview'))).toBe(true);
    key($('#ask-input')!, 'Escape');
    expect($('#ask-cloud-preview')).toBeNull();
    expect(calls('ask')).toHaveLength(0);
  });

  it('when the text would stay here, says why and offers to ask on this device', async () => {
    handlers.ask_cloud_preview = () =>
      cloudPreview({ route: 'local', reason: 'Diary is private: its text never leaves this device', chars: 0, placeholders: [], text: '' });
    const { $, view } = await mount();
    view.show({ about: { id: 't5', label: 'Budget for Q1' } });
    await settle();
    $('#ask-cloud')!.click();
    submit($, 'When is the budget due?');
    await settle();
    expect(calls('ask_cloud_preview')).toEqual([{ question: 'When is the budget due?', source: null, about: 't5' }]);
    const preview = $('#ask-cloud-preview')!;
    expect(text(preview)).toContain('Stays on this device: Diary is private: its text never leaves this device.');
    expect(preview.querySelector('pre')).toBeNull();
    expect(text($('#ask-cloud-send'))).toBe('Ask on this device');
    expect(calls('ask')).toHaveLength(0);

    $('#ask-cloud-send')!.click();
    await settle();
    expect(calls('ask')).toEqual([{ question: 'When is the budget due?', source: null, about: 't5', cloud: false, onEvent: expect.anything() }]);
  });

  it('shows a failed preview as an error, and sends nothing', async () => {
    handlers.ask_cloud_preview = () => {
      throw { kind: 'invalid_request', message: 'no cloud model is set' } satisfies CommandError;
    };
    const { $ } = await mount();
    $('#ask-cloud')!.click();
    submit($, 'When is the budget due?');
    await settle();
    expect(text($('#ask-cloud-preview .error'))).toBe('no cloud model is set');
    expect($('#ask-cloud-preview .error')!.getAttribute('role')).toBe('alert');
    expect($('#ask-cloud-send')).toBeNull();
    $('#ask-cloud-cancel')!.click();
    expect(calls('ask')).toHaveLength(0);
  });

  it('a newer question replaces one waiting on its preview', async () => {
    const { $, $$ } = await mount();
    $('#ask-cloud')!.click();
    submit($, 'When is the budget due?');
    await settle();
    submit($, 'Who books the flights?');
    await settle();
    expect($$('.turn')).toHaveLength(1);
    expect($$('#ask-cloud-preview')).toHaveLength(1);
    expect(text($('.question'))).toBe('Who books the flights?');
    expect(calls('ask_cloud_preview')).toHaveLength(2);
    expect(calls('ask')).toHaveLength(0);
  });
});
