// The thread view's suggested replies and the cloud model, in the small test DOM (testdom.ts) with
// the Tauri IPC mocked: the preview first, nothing sent before Send, then the cloud's chips and the
// router's notice.

import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';

import { invoke as ipc } from '@tauri-apps/api/core';
// The IPC mock in ui/__mocks__/@tauri-apps/api.
vi.mock('@tauri-apps/api/core');
vi.mock('@tauri-apps/api/event');
const invoke = ipc as unknown as Mock;

import type { CloudPreview, CloudSettings, CommandError, Message, SmartReply, Thread } from './api';
import type { App } from './app';
import { FakeEvent, installTestDom, settle, type FakeDocument, type FakeNode, text, visible } from './testdom';
import { ThreadView } from './thread';

type Handler = (args: Record<string, unknown> | undefined) => unknown;

let doc: FakeDocument;
let handlers: Record<string, Handler>;

const cloud: CloudSettings = { baseUrl: 'https://api.example.com/v1', model: 'gpt-4o-mini', allows: ['reply'] };

const message = (id: string, date: number, name: string): Message => ({
  id,
  messageId: null,
  subject: 'Budget for Q1',
  from: { name, address: `${name.toLowerCase()}@example.com` },
  to: [],
  cc: [],
  date,
  unread: false,
  filedIn: '',
  flagged: false,
  labels: [],
  body: 'Can you send the numbers by Friday?',
  attachments: [],
});

const thread: Thread = {
  id: 't5',
  subject: 'Budget for Q1',
  focus: null,
  messages: [message('m1', 1_700_000_000, 'Sara'), message('m2', 1_700_000_500, 'Kenneth')],
};

const reply = (extra: Partial<SmartReply> = {}): SmartReply => ({
  message: 'm2',
  suggestions: ['Sure, by Friday.', 'Can it wait until Monday?'],
  reason: null,
  elapsedMs: 300,
  cached: false,
  route: 'local',
  notice: null,
  ...extra,
});

const cloudPreview = (extra: Partial<CloudPreview> = {}): CloudPreview => ({
  route: 'cloud',
  reason: 'you asked for the cloud model',
  server: 'https://api.example.com/v1',
  model: 'gpt-4o-mini',
  chars: 240,
  sources: ['Inbox'],
  placeholders: [['[EMAIL_1]', 'kenneth@example.com']],
  text: 'Suggest replies to this message.\nFrom [EMAIL_1]: Can you send the numbers by Friday?',
  ...extra,
});

function calls(cmd: string): (Record<string, unknown> | undefined)[] {
  return invoke.mock.calls.filter((c) => c[0] === cmd).map((c) => c[1] as Record<string, unknown> | undefined);
}

function fakeApp(): App {
  return { navigate: vi.fn(), refreshInfo: vi.fn(async () => null), info: () => null, notice: vi.fn(), libraryChanged: vi.fn() };
}

async function mount(): Promise<{ view: ThreadView; $: (sel: string) => HTMLElement | null; $$: (sel: string) => HTMLElement[] }> {
  const view = new ThreadView({ app: fakeApp(), onBack: () => {}, onOpened: () => {} });
  doc.body.appendChild(view.el as unknown as FakeNode);
  view.open('t5');
  await settle();
  return {
    view,
    $: (sel) => view.el.querySelector<HTMLElement>(sel),
    $$: (sel) => [...view.el.querySelectorAll<HTMLElement>(sel)],
  };
}

const cloudReplies = () => calls('smart_reply').filter((a) => a?.cloud === true);

beforeEach(() => {
  doc = installTestDom();
  handlers = {
    open_thread: () => thread,
    summarize: () => new Promise(() => {}),
    drafts: () => [],
    cloud_settings: () => cloud,
    smart_reply: (a) =>
      a?.cloud
        ? reply({
            suggestions: ['Yes, Friday works.', 'I will send them tomorrow.', 'Could we talk first?'],
            route: 'cloud',
            notice: 'Written by the cloud model (gpt-4o-mini); 240 characters were sent.',
          })
        : reply(),
    reply_cloud_preview: () => cloudPreview(),
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

describe('suggested replies from the cloud model', () => {
  it('has no cloud button when no cloud model is set', async () => {
    handlers.cloud_settings = () => null;
    const { $, $$ } = await mount();
    expect(visible($('#reply-cloud'))).toBe(false);
    expect(calls('smart_reply')).toEqual([{ id: 'm2', fresh: false, cloud: false }]);
    expect($$('#reply-chips .reply-chip').map(text)).toEqual(['Sure, by Friday.', 'Can it wait until Monday?']);
    expect($('.reply-notice')).toBeNull();
  });

  it('previews what would be sent; Send asks the cloud and shows its chips and notice', async () => {
    const { $, $$ } = await mount();
    const button = $('#reply-cloud')!;
    expect(visible(button)).toBe(true);
    expect(button.localName).toBe('button');
    expect(text(button)).toBe('Suggestions from the cloud model');
    expect(calls('reply_cloud_preview')).toHaveLength(0);

    button.click();
    await settle();
    expect(calls('reply_cloud_preview')).toEqual([{ id: 'm2' }]);
    expect(cloudReplies()).toHaveLength(0);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    const preview = $('#reply-cloud-preview')!;
    expect(visible(preview)).toBe(true);
    expect(text(preview)).toContain('Sends 240 characters from Inbox to gpt-4o-mini at https://api.example.com/v1');
    expect($$('#reply-cloud-preview li').map(text)).toEqual(['[EMAIL_1] stays here: kenneth@example.com']);
    expect(preview.querySelector('pre')!.textContent).toBe(cloudPreview().text);
    // The local chips are still there meanwhile.
    expect($$('#reply-chips .reply-chip')).toHaveLength(2);

    await settle();
    expect(cloudReplies()).toHaveLength(0);

    $('#reply-cloud-send')!.click();
    await settle();
    expect(calls('smart_reply')).toEqual([
      { id: 'm2', fresh: false, cloud: false },
      { id: 'm2', fresh: true, cloud: true },
    ]);
    expect($$('#reply-chips .reply-chip').map(text)).toEqual([
      'Yes, Friday works.',
      'I will send them tomorrow.',
      'Could we talk first?',
    ]);
    const notice = $('.replies .reply-notice')!;
    expect(text(notice)).toBe('Written by the cloud model (gpt-4o-mini); 240 characters were sent.');
    expect(visible($('#reply-cloud-preview'))).toBe(false);
    expect($('#reply-cloud-send')).toBeNull();
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(doc.activeElement).toBe(button);
    expect(text($('.replies-body .hint'))).toMatch(/^Written by the cloud model/);
  });

  it('shows the notice of a reply written here instead, under the chips', async () => {
    handlers.smart_reply = (a) =>
      a?.cloud ? reply({ notice: 'The cloud model could not answer (timeout); written on this device instead.' }) : reply();
    const { $ } = await mount();
    $('#reply-cloud')!.click();
    await settle();
    $('#reply-cloud-send')!.click();
    await settle();
    expect(text($('.reply-notice'))).toBe('The cloud model could not answer (timeout); written on this device instead.');
    const body = [...$('.replies-body')!.children];
    expect(body.indexOf($('.reply-notice') as never)).toBe(body.indexOf($('#reply-chips') as never) + 1);
  });

  it('Cancel closes the preview and sends nothing', async () => {
    const { $ } = await mount();
    $('#reply-cloud')!.click();
    await settle();
    expect(text($('#reply-cloud-cancel'))).toBe('Cancel');
    $('#reply-cloud-cancel')!.click();
    await settle();
    expect(visible($('#reply-cloud-preview'))).toBe(false);
    expect($('#reply-cloud-send')).toBeNull();
    expect(cloudReplies()).toHaveLength(0);
    expect(doc.activeElement).toBe($('#reply-cloud'));
  });

  it('Escape closes the preview without going back', async () => {
    const onBack = vi.fn();
    const view = new ThreadView({ app: fakeApp(), onBack, onOpened: () => {} });
    doc.body.appendChild(view.el as unknown as FakeNode);
    view.open('t5');
    await settle();
    view.el.querySelector<HTMLElement>('#reply-cloud')!.click();
    await settle();
    const ev = new FakeEvent('keydown', { key: 'Escape' });
    view.el.querySelector<HTMLElement>('#reply-cloud-preview pre')!.dispatchEvent(ev as unknown as Event);
    expect(ev.defaultPrevented).toBe(true);
    expect(view.el.querySelector<HTMLElement>('#reply-cloud-preview')!.hidden).toBe(true);
    expect(onBack).not.toHaveBeenCalled();
    expect(cloudReplies()).toHaveLength(0);
  });

  it('shows a refused preview as an error, and sends nothing', async () => {
    handlers.smart_reply = () => reply({ suggestions: [], reason: 'This is an automatic notification.' });
    handlers.reply_cloud_preview = () => {
      throw { kind: 'invalid_request', message: 'this message gets no suggestions' } satisfies CommandError;
    };
    const { $ } = await mount();
    expect(text($('#reply-none'))).toBe('This is an automatic notification.');
    $('#reply-cloud')!.click();
    await settle();
    const error = $('#reply-cloud-preview .error')!;
    expect(text(error)).toBe('this message gets no suggestions');
    expect(error.getAttribute('role')).toBe('alert');
    expect($('#reply-cloud-send')).toBeNull();
    expect(text($('#reply-cloud-cancel'))).toBe('Close');
    expect(cloudReplies()).toHaveLength(0);
  });

  it('when the message would stay here, says why, with no Send', async () => {
    handlers.reply_cloud_preview = () =>
      cloudPreview({ route: 'local', reason: 'Work mail is private', chars: 0, placeholders: [], text: '' });
    const { $ } = await mount();
    $('#reply-cloud')!.click();
    await settle();
    expect(text($('#reply-cloud-preview .summary-cloud-local'))).toBe('Stays on this device: Work mail is private.');
    expect(text($('#reply-cloud-cancel'))).toBe('Close');
    expect($('#reply-cloud-send')).toBeNull();
    expect(cloudReplies()).toHaveLength(0);
  });

  it('shows a failed cloud request in the thread error style', async () => {
    handlers.smart_reply = (a) => {
      if (a?.cloud) throw { kind: 'error', message: 'the cloud model refused: 401' } satisfies CommandError;
      return reply();
    };
    const { $ } = await mount();
    $('#reply-cloud')!.click();
    await settle();
    $('#reply-cloud-send')!.click();
    await settle();
    expect(text($('.replies-body .error'))).toBe('the cloud model refused: 401');
    expect($('.replies-body .error')!.getAttribute('role')).toBe('alert');
    expect(visible($('#reply-cloud-preview'))).toBe(false);
    // Trying again shows the preview again (nothing goes without Send).
    $('.replies-body .retry')!.click();
    await settle();
    expect(calls('reply_cloud_preview')).toHaveLength(2);
    expect(cloudReplies()).toHaveLength(1);
  });
});
