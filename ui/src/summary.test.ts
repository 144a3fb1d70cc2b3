// The summary card's "Ask the cloud model", in the small test DOM (testdom.ts) with the Tauri IPC
// mocked: the preview first, nothing sent before Send.

import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';

import { invoke as ipc } from '@tauri-apps/api/core';
// The IPC mock in ui/__mocks__/@tauri-apps/api.
vi.mock('@tauri-apps/api/core');
vi.mock('@tauri-apps/api/event');
const invoke = ipc as unknown as Mock;

import type { CloudPreview, CloudSettings, CommandError, Summary } from './api';
import { createSummaryCard } from './summary';
import { FakeEvent, installTestDom, settle, type FakeDocument, type FakeNode, text, visible } from './testdom';

type Handler = (args: Record<string, unknown> | undefined) => unknown;

let doc: FakeDocument;
let handlers: Record<string, Handler>;

const cloud: CloudSettings = { baseUrl: 'https://api.example.com/v1', model: 'gpt-4o-mini', allows: ['summarize'] };

const summary = (extra: Partial<Summary> = {}): Summary => ({
  target: 't5',
  title: 'Budget for Q1',
  gist: 'Kenneth wants the Q1 budget by Friday.',
  gistFrom: 'model',
  points: ['Numbers due Friday'],
  sources: ['m12'],
  model: 'qwen2.5-0.5b',
  machineWritten: true,
  pointsRemoved: 0,
  unsupported: [],
  elapsedMs: 900,
  route: 'local',
  notice: null,
  ...extra,
});

const cloudPreview = (extra: Partial<CloudPreview> = {}): CloudPreview => ({
  route: 'cloud',
  reason: 'you asked for the cloud model',
  server: 'https://api.example.com/v1',
  model: 'gpt-4o-mini',
  chars: 1234,
  sources: ['Inbox'],
  placeholders: [
    ['[PHONE_1]', '+46 70 123 45 67'],
    ['[EMAIL_1]', 'sara@northwind.example'],
  ],
  text: 'Summarise this thread.\nFrom [EMAIL_1]: call me on [PHONE_1].',
  ...extra,
});

function calls(cmd: string): (Record<string, unknown> | undefined)[] {
  return invoke.mock.calls.filter((c) => c[0] === cmd).map((c) => c[1] as Record<string, unknown> | undefined);
}

async function mount(): Promise<{ $: (sel: string) => HTMLElement | null; $$: (sel: string) => HTMLElement[] }> {
  const card = createSummaryCard({ id: 'summary-card', what: 'thread' });
  doc.body.appendChild(card.el as unknown as FakeNode);
  card.load('thread', 't5');
  await settle();
  return {
    $: (sel) => card.el.querySelector<HTMLElement>(sel),
    $$: (sel) => [...card.el.querySelectorAll<HTMLElement>(sel)],
  };
}

beforeEach(() => {
  doc = installTestDom();
  handlers = {
    cloud_settings: () => cloud,
    summarize: (a) => {
      const request = a?.request as { cloud?: boolean };
      return request.cloud
        ? summary({ route: 'cloud', model: 'gpt-4o-mini', gist: 'From the cloud.', notice: 'Sent 1,234 characters to gpt-4o-mini.' })
        : summary();
    },
    summary_cloud_preview: () => cloudPreview(),
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

const cloudSummaries = () => calls('summarize').filter((a) => (a?.request as { cloud?: boolean }).cloud === true);

describe('the summary card and the cloud model', () => {
  it('has no cloud button when no cloud model is set', async () => {
    handlers.cloud_settings = () => null;
    const { $ } = await mount();
    expect(calls('cloud_settings')).toHaveLength(1);
    expect(visible($('#summary-cloud'))).toBe(false);
    expect(calls('summarize')).toEqual([{ request: { kind: 'thread', id: 't5', cloud: false } }]);
    expect(text($('.summary-gist'))).toBe('Kenneth wants the Q1 budget by Friday.');
    expect($('.summary-notice')).toBeNull();
  });

  it('previews what would be sent, and sends only on Send', async () => {
    const { $, $$ } = await mount();
    const button = $('#summary-cloud')!;
    expect(visible(button)).toBe(true);
    expect(text(button)).toBe('Ask the cloud model');
    expect(calls('summary_cloud_preview')).toHaveLength(0);

    button.click();
    await settle();
    expect(calls('summary_cloud_preview')).toEqual([{ request: { kind: 'thread', id: 't5' } }]);
    expect(cloudSummaries()).toHaveLength(0);
    const preview = $('#summary-cloud-preview')!;
    expect(visible(preview)).toBe(true);
    expect(text(preview)).toContain('Sends 1,234 characters from Inbox to gpt-4o-mini at https://api.example.com/v1');
    expect($$('#summary-cloud-preview li').map(text)).toEqual([
      '[PHONE_1] stays here: +46 70 123 45 67',
      '[EMAIL_1] stays here: sara@northwind.example',
    ]);
    expect(preview.querySelector('pre')!.textContent).toBe(cloudPreview().text);
    expect(visible($('#summary-cloud-cancel'))).toBe(true);

    // Still nothing sent after the preview settled.
    await settle();
    expect(cloudSummaries()).toHaveLength(0);

    $('#summary-cloud-send')!.click();
    await settle();
    expect(cloudSummaries()).toEqual([{ request: { kind: 'thread', id: 't5', cloud: true } }]);
    expect(text($('.summary-gist'))).toBe('From the cloud.');
    expect(text($('.summary-notice'))).toBe('Sent 1,234 characters to gpt-4o-mini.');
    expect(text($('.summary-meta'))).toContain('gpt-4o-mini (cloud model)');
    expect(visible($('#summary-cloud-preview'))).toBe(false);
  });

  it('cancel closes the preview without sending', async () => {
    const { $ } = await mount();
    $('#summary-cloud')!.click();
    await settle();
    $('#summary-cloud-cancel')!.click();
    await settle();
    expect(visible($('#summary-cloud-preview'))).toBe(false);
    expect($('#summary-cloud-send')).toBeNull();
    expect(cloudSummaries()).toHaveLength(0);
    expect(doc.activeElement).toBe($('#summary-cloud'));
  });

  it('Escape closes the preview without sending', async () => {
    const { $ } = await mount();
    $('#summary-cloud')!.click();
    await settle();
    const ev = new FakeEvent('keydown', { key: 'Escape' });
    $('#summary-cloud-preview pre')!.dispatchEvent(ev as unknown as Event);
    expect(ev.defaultPrevented).toBe(true);
    expect(visible($('#summary-cloud-preview'))).toBe(false);
    expect(cloudSummaries()).toHaveLength(0);
    expect(doc.activeElement).toBe($('#summary-cloud'));
  });

  it('shows why a local preview stays, with no Send', async () => {
    handlers.summary_cloud_preview = () =>
      cloudPreview({ route: 'local', reason: 'Diary is private: its text never leaves this device', chars: 0, placeholders: [], text: '' });
    const { $ } = await mount();
    $('#summary-cloud')!.click();
    await settle();
    expect(text($('#summary-cloud-preview'))).toContain('Stays on this device: Diary is private: its text never leaves this device.');
    expect($('#summary-cloud-send')).toBeNull();
    expect($('#summary-cloud-preview pre')).toBeNull();
    expect(cloudSummaries()).toHaveLength(0);
  });

  it('shows a notice above the gist, also for a local summary', async () => {
    handlers.summarize = () => summary({ notice: 'Written on this device: the cloud server could not be reached.' });
    const { $$ } = await mount();
    const body = $$('.summary-body > *');
    expect(body[0].classList.contains('summary-notice')).toBe(true);
    expect(text(body[0])).toBe('Written on this device: the cloud server could not be reached.');
    expect(body[1].classList.contains('summary-gist')).toBe(true);
  });

  it('puts the preview text in as text, never markup', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    handlers.summary_cloud_preview = () =>
      cloudPreview({ text: `Hello ${evil}`, sources: [evil], placeholders: [['[EMAIL_1]', evil]], model: evil });
    const { $ } = await mount();
    $('#summary-cloud')!.click();
    await settle();
    expect($('#summary-cloud-preview pre')!.textContent).toBe(`Hello ${evil}`);
    expect($('#summary-cloud-preview img')).toBeNull();
    expect(doc.created).not.toContain('img');
  });
});
