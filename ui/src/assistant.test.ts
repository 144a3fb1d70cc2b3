// The Assistant screen's Do mode, in the small test DOM (testdom.ts) with the Tauri IPC mocked.

import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';

import { invoke as ipc } from '@tauri-apps/api/core';
// The IPC mock in ui/__mocks__/@tauri-apps/api.
vi.mock('@tauri-apps/api/core');
vi.mock('@tauri-apps/api/event');
const invoke = ipc as unknown as Mock;

import type { AuditEntry, CommandError, PlannedRequest, Reminder, StepOutcome, Thread } from './api';
import type { App } from './app';
import { AssistantView } from './assistant';
import { installTestDom, settle, type FakeDocument, type FakeNode, text, key } from './testdom';
import { ThreadView } from './thread';

type Handler = (args: Record<string, unknown> | undefined) => unknown;

let doc: FakeDocument;
let handlers: Record<string, Handler>;

const planned: PlannedRequest = {
  plan: {
    actions: [
      {
        kind: 'forward',
        messageIds: ['<a@x>', '<b@x>'],
        note: null,
        query: null,
        to: ['sara@example.com'],
        folder: null,
        label: null,
        title: null,
        subject: null,
        text: null,
        when: null,
      },
      {
        kind: 'archive',
        messageIds: ['<a@x>', '<b@x>'],
        note: null,
        query: null,
        to: [],
        folder: null,
        label: null,
        title: null,
        subject: null,
        text: null,
        when: null,
      },
    ],
    needsConfirmation: true,
  },
  steps: [
    {
      summary: 'Forward 2 messages from Kenneth Lay to Sara Shackleton <sara@example.com>',
      items: ['12 Nov · Kenneth Lay · Budget for Q1', '10 Nov · Kenneth Lay · Offsite flights'],
    },
    {
      summary: 'Archive the same 2 messages',
      items: ['12 Nov · Kenneth Lay · Budget for Q1', '10 Nov · Kenneth Lay · Offsite flights'],
    },
  ],
  proposedBy: 'rules',
  elapsedMs: 4,
  notice: null,
};

const outcomes: StepOutcome[] = [
  { kind: 'forward', summary: 'Forwarded 2 messages to Sara Shackleton', output: null, auditId: 41, undoable: false },
  { kind: 'archive', summary: 'Archived 2 messages', output: 'Budget for Q1\nOffsite flights', auditId: 42, undoable: true },
];

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function calls(cmd: string): (Record<string, unknown> | undefined)[] {
  return invoke.mock.calls.filter((c) => c[0] === cmd).map((c) => c[1] as Record<string, unknown> | undefined);
}

function fakeApp(): App {
  return { navigate: vi.fn(), refreshInfo: vi.fn(async () => null), info: () => null, notice: vi.fn(), libraryChanged: vi.fn() };
}

function mount(): { view: AssistantView; $: (sel: string) => HTMLElement | null; $$: (sel: string) => HTMLElement[] } {
  const view = new AssistantView(fakeApp());
  doc.body.appendChild(view.el as unknown as FakeNode);
  return {
    view,
    $: (sel) => view.el.querySelector<HTMLElement>(sel),
    $$: (sel) => [...view.el.querySelectorAll<HTMLElement>(sel)],
  };
}

/** Types into the Assistant's input and presses Enter. */
function submit($: (sel: string) => HTMLElement | null, text: string): void {
  const input = $('#ask-input') as HTMLTextAreaElement;
  input.value = text;
  key(input, 'Enter');
}

beforeEach(() => {
  doc = installTestDom();
  handlers = {
    action_log: () => [],
    reminders_list: () => [],
    plan_request: () => planned,
    run_plan: () => outcomes,
    undo_action: (a) => ({ id: Number(a?.id), at: 1_700_000_000, action: 'archive', instruction: 'x', undoState: 'undone' }) satisfies AuditEntry,
    ask: () => undefined,
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

describe('the mode switch', () => {
  it('switches between Ask and Do with aria-pressed and the placeholder', () => {
    const { $ } = mount();
    const ask = $('#assistant-mode-ask')!;
    const doIt = $('#assistant-mode-do')!;
    const input = $('#ask-input') as HTMLTextAreaElement;
    expect(ask.getAttribute('aria-pressed')).toBe('true');
    expect(doIt.getAttribute('aria-pressed')).toBe('false');
    const askPlaceholder = input.placeholder;
    doIt.click();
    expect(doIt.getAttribute('aria-pressed')).toBe('true');
    expect(ask.getAttribute('aria-pressed')).toBe('false');
    expect(input.placeholder).toBe('Forward the 3 most recent emails from Kenneth to Sara');
    ask.click();
    expect(ask.getAttribute('aria-pressed')).toBe('true');
    expect(input.placeholder).toBe(askPlaceholder);
  });

  it('goes to Do by itself for an action typed in Ask, and says so', async () => {
    const { $ } = mount();
    submit($, 'Please forward the 3 most recent emails from Kenneth to Sara');
    await settle();
    expect($('#assistant-mode-do')!.getAttribute('aria-pressed')).toBe('true');
    expect(text($('#assistant-mode-status'))).toMatch(/Do/);
    expect(calls('plan_request')).toEqual([{ instruction: 'Please forward the 3 most recent emails from Kenneth to Sara', message: null }]);
    expect(calls('ask')).toHaveLength(0);
  });

  it('keeps a question in Ask', async () => {
    const { $ } = mount();
    submit($, 'What did Kenneth say about the budget?');
    await settle();
    expect($('#assistant-mode-ask')!.getAttribute('aria-pressed')).toBe('true');
    expect(calls('ask')).toHaveLength(1);
    expect(calls('plan_request')).toHaveLength(0);
  });
});

describe('a plan', () => {
  it('is shown, and runs only when its button is pressed', async () => {
    const running = deferred<StepOutcome[]>();
    handlers.run_plan = () => running.promise;
    const { $, $$ } = mount();
    $('#assistant-mode-do')!.click();
    const instruction = 'Forward the 2 most recent emails from Kenneth to Sara and archive them';
    submit($, instruction);
    expect(text($('.plan-loading'))).toBe('Planning…');
    await settle();

    expect(calls('plan_request')).toEqual([{ instruction, message: null }]);
    const card = $('#plan-card')!;
    expect(card).not.toBeNull();
    expect(text(card.querySelector('h3'))).toBe('Plan');
    const steps = $$('#plan-card .plan-step');
    expect(steps).toHaveLength(2);
    expect(text(steps[0])).toContain(planned.steps[0].summary);
    expect(text(steps[1])).toContain(planned.steps[1].summary);
    for (const item of planned.steps[0].items) expect(text(steps[0])).toContain(item);
    expect(steps[0].querySelectorAll('.plan-item')).toHaveLength(2);
    expect(text(card)).toContain('Proposed by the rules');
    expect(text($('#plan-sends'))).toBe('This plan sends mail.');
    expect(text($('#plan-run'))).toBe('Send');

    // Enter (in the input, on the card) does not run it.
    key($('#ask-input')!, 'Enter');
    key(card, 'Enter');
    await settle();
    expect(calls('run_plan')).toHaveLength(0);

    $('#plan-run')!.click();
    expect(calls('run_plan')).toEqual([{ plan: planned.plan, instruction, confirmed: true }]);
    for (const id of ['#plan-run', '#plan-edit', '#plan-cancel']) expect(($(id) as HTMLButtonElement).disabled).toBe(true);
    $('#plan-run')!.click();
    expect(calls('run_plan')).toHaveLength(1);

    running.resolve(outcomes);
    await settle();
    expect($('#plan-outcomes')).not.toBeNull();
    expect($('#plan-run')).toBeNull();
  });

  it('says Run for a plan that sends nothing', async () => {
    handlers.plan_request = () => ({ ...planned, plan: { ...planned.plan, needsConfirmation: false }, proposedBy: 'model' });
    const { $ } = mount();
    $('#assistant-mode-do')!.click();
    submit($, 'Archive the latest email from Kenneth');
    await settle();
    expect(text($('#plan-run'))).toBe('Run');
    expect($('#plan-sends')).toBeNull();
    expect(text($('#plan-card'))).toContain('Proposed by the model');
  });

  it('shows the router notice of a plan the cloud model proposed', async () => {
    const notice = 'The local model could not plan this; the cloud model proposed it (310 characters were sent).';
    handlers.plan_request = () => ({ ...planned, proposedBy: 'cloud', notice });
    const { $, $$ } = mount();
    $('#assistant-mode-do')!.click();
    submit($, 'Forward the 2 most recent emails from Kenneth to Sara and archive them');
    await settle();
    const card = $('#plan-card')!;
    const shown = $$('#plan-card .plan-notice');
    expect(shown).toHaveLength(1);
    expect(text(shown[0])).toBe(notice);
    expect(text(card.querySelector('.plan-by'))).toBe('Proposed by the cloud model');
    expect(calls('run_plan')).toHaveLength(0);
  });

  it('has no plan notice when the router says nothing', async () => {
    const { $ } = mount();
    $('#assistant-mode-do')!.click();
    submit($, 'Forward the 2 most recent emails from Kenneth to Sara and archive them');
    await settle();
    expect($('#plan-card')).not.toBeNull();
    expect($('.plan-notice')).toBeNull();
  });

  it('shows the outcomes, and Undo takes a step back', async () => {
    const { $, $$ } = mount();
    $('#assistant-mode-do')!.click();
    submit($, 'Forward the 2 most recent emails from Kenneth to Sara and archive them');
    await settle();
    const logReads = calls('action_log').length;
    $('#plan-run')!.click();
    await settle();

    const rows = $$('#plan-outcomes .plan-outcome');
    expect(rows).toHaveLength(2);
    expect(text(rows[0])).toContain('Forwarded 2 messages to Sara Shackleton');
    expect(rows[0].querySelector('.plan-undo')).toBeNull();
    expect(text(rows[1].querySelector('.plan-output'))).toBe('Budget for Q1 Offsite flights');
    expect(rows[1].querySelector('.plan-output')!.textContent).toBe('Budget for Q1\nOffsite flights');
    const undo = rows[1].querySelector<HTMLButtonElement>('.plan-undo')!;
    expect(undo.dataset.auditId).toBe('42');
    expect(calls('action_log').length).toBeGreaterThan(logReads);

    undo.click();
    await settle();
    expect(calls('undo_action')).toEqual([{ id: 42 }]);
    expect(text(rows[1].querySelector('.plan-undone'))).toBe('Undone');
    expect(rows[1].querySelector('.plan-undo')).toBeNull();
  });

  it('shows why an Undo was refused', async () => {
    handlers.undo_action = () => {
      throw { kind: 'invalid_request', message: 'the note was edited since' } satisfies CommandError;
    };
    const { $ } = mount();
    $('#assistant-mode-do')!.click();
    submit($, 'Archive the latest email from Kenneth');
    await settle();
    $('#plan-run')!.click();
    await settle();
    $('.plan-undo')!.click();
    await settle();
    expect(text($('.plan-outcome [role="alert"]'))).toBe('the note was edited since');
    expect($('.plan-undone')).toBeNull();
  });

  it('shows mail contents as text, never as markup', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    handlers.plan_request = () => ({
      ...planned,
      steps: [{ summary: `Summarize ${evil}`, items: [`12 Nov · ${evil} · ${evil}`] }],
    });
    handlers.run_plan = () => [{ kind: 'summarize', summary: evil, output: `Hello ${evil}\n<script>alert(2)</script>`, auditId: 7, undoable: false }];
    const { $, view } = mount();
    $('#assistant-mode-do')!.click();
    submit($, 'Summarize the latest email from Kenneth');
    await settle();
    expect(text($('.plan-step-summary'))).toBe(`Summarize ${evil}`);
    $('#plan-run')!.click();
    await settle();
    expect($('.plan-output')!.textContent).toBe(`Hello ${evil}\n<script>alert(2)</script>`);
    expect(text($('.plan-outcome-summary'))).toBe(evil);
    expect(view.el.querySelector('img')).toBeNull();
    expect(view.el.querySelector('script')).toBeNull();
    expect(doc.created).not.toContain('img');
    expect(doc.created).not.toContain('script');
  });

  it('Cancel closes the card and nothing happens', async () => {
    const { $ } = mount();
    $('#assistant-mode-do')!.click();
    submit($, 'Forward the latest email from Kenneth to Sara');
    await settle();
    $('#plan-cancel')!.click();
    expect($('#plan-card')).toBeNull();
    expect(calls('run_plan')).toHaveLength(0);
    expect(doc.activeElement).toBe($('#ask-input'));
  });

  it('Escape cancels', async () => {
    const { $ } = mount();
    $('#assistant-mode-do')!.click();
    submit($, 'Forward the latest email from Kenneth to Sara');
    await settle();
    key($('#plan-card')!, 'Escape');
    expect($('#plan-card')).toBeNull();
    expect(calls('run_plan')).toHaveLength(0);
  });

  it('Edit puts the instruction back into the input', async () => {
    const { $ } = mount();
    $('#assistant-mode-do')!.click();
    submit($, 'Forward the latest email from Kenneth to Sara');
    await settle();
    $('#plan-edit')!.click();
    expect($('#plan-card')).toBeNull();
    const input = $('#ask-input') as HTMLTextAreaElement;
    expect(input.value).toBe('Forward the latest email from Kenneth to Sara');
    expect(doc.activeElement).toBe(input);
    expect(calls('run_plan')).toHaveLength(0);
  });

  it('a newer request replaces an unanswered card', async () => {
    const { $, $$ } = mount();
    $('#assistant-mode-do')!.click();
    submit($, 'Forward the latest email from Kenneth to Sara');
    await settle();
    submit($, 'Archive the latest email from Kenneth');
    await settle();
    expect($$('#plan-card')).toHaveLength(1);
    expect($$('.plan-card')).toHaveLength(1);
    expect(calls('run_plan')).toHaveLength(0);
  });

  it('passes the message the Assistant was opened about', async () => {
    const { $, view } = mount();
    view.show({ about: { id: 't5', label: 'Budget for Q1', message: 'm12' } });
    $('#assistant-mode-do')!.click();
    submit($, 'Archive this email');
    await settle();
    expect(calls('plan_request')).toEqual([{ instruction: 'Archive this email', message: 'm12' }]);
  });
});

describe('errors', () => {
  const failWith = (err: CommandError) => () => {
    throw err;
  };

  it('an unsupported request shows in #plan-error', async () => {
    handlers.plan_request = failWith({ kind: 'unsupported', message: 'I can forward, reply, archive, file, label, flag and remind' });
    const { $ } = mount();
    $('#assistant-mode-do')!.click();
    submit($, 'Order a pizza');
    await settle();
    const box = $('#plan-error')!;
    expect(box.getAttribute('role')).toBe('alert');
    expect(text(box)).toBe("I can't do that. I can forward, reply, archive, file, label, flag and remind");
    expect($('#plan-card')).toBeNull();
    expect(($('#ask-send') as HTMLButtonElement).disabled).toBe(false);
  });

  it('an ambiguous name asks which one', async () => {
    handlers.plan_request = failWith({ kind: 'ambiguous', message: '`Sara` could mean Sara Lindqvist, or Sara Shackleton: say which' });
    const { $ } = mount();
    $('#assistant-mode-do')!.click();
    submit($, 'Forward the latest email from Kenneth to Sara');
    await settle();
    expect(text($('#plan-error'))).toBe('Which one? `Sara` could mean Sara Lindqvist, or Sara Shackleton: say which');
  });

  it('a failed run shows in #plan-error and cannot be sent again', async () => {
    handlers.run_plan = failWith({ kind: 'not_found', message: 'message <a@x> is gone' });
    const { $ } = mount();
    $('#assistant-mode-do')!.click();
    submit($, 'Forward the latest email from Kenneth to Sara');
    await settle();
    $('#plan-run')!.click();
    await settle();
    expect(text($('#plan-error'))).toBe("I couldn't find that. Message <a@x> is gone");
    expect(($('#plan-run') as HTMLButtonElement).disabled).toBe(true);
    expect(($('#plan-edit') as HTMLButtonElement).disabled).toBe(false);
  });
});

describe('recent actions and reminders', () => {
  it('lists the log with Undo and the reminders', async () => {
    const entries: AuditEntry[] = [
      { id: 9, at: 1_700_000_500, action: 'archive', instruction: 'archive this email', undoState: 'available' },
      { id: 8, at: 1_700_000_400, action: 'forward', instruction: 'forward it to Sara', undoState: 'none' },
      { id: 7, at: 1_700_000_300, action: 'flag', instruction: 'flag it', undoState: 'undone' },
    ];
    const reminders: Reminder[] = [{ id: 1, text: 'Call <b>Tana</b>', dueAt: 1_900_000_000, message: 'm3' }];
    handlers.action_log = () => entries;
    handlers.reminders_list = () => reminders;
    const { $, $$ } = mount();
    $('#assistant-mode-do')!.click();
    await settle();

    const log = $('#action-log')!;
    expect(text(log)).toContain('Recent actions');
    expect($$('#action-log .action-log-entry')).toHaveLength(3);
    expect(text(log)).toContain('archive this email');
    expect(text(log)).toContain('Can be undone');
    const undos = $$('#action-log .action-log-undo');
    expect(undos).toHaveLength(1);
    expect(undos[0].dataset.auditId).toBe('9');
    expect(text($('#reminders'))).toContain('Call <b>Tana</b>');
    expect($('#reminders b')).toBeNull();

    undos[0].click();
    await settle();
    expect(calls('undo_action')).toEqual([{ id: 9 }]);
    expect(calls('action_log').length).toBe(2);
  });

  it('says when there are no reminders', async () => {
    const { $ } = mount();
    $('#assistant-mode-do')!.click();
    await settle();
    expect(text($('#reminders'))).toContain('No reminders.');
  });
});

describe('the thread view', () => {
  it('marks flagged, filed and labelled messages', async () => {
    const base = { messageId: null, subject: 'Budget', to: [], cc: [], date: 1_700_000_000, unread: false, body: 'Hi', attachments: [] };
    const thread: Thread = {
      id: 't5',
      subject: 'Budget',
      focus: null,
      messages: [
        { ...base, id: 'm1', from: { name: 'Kenneth', address: 'k@x' }, filedIn: '', flagged: false, labels: [] },
        { ...base, id: 'm2', from: { name: 'Sara', address: 's@x' }, filedIn: 'Archive', flagged: true, labels: ['Urgent', 'Q1'] },
        { ...base, id: 'm3', from: { name: 'Tana', address: 't@x' }, filedIn: 'Legal', flagged: false, labels: [] },
      ],
    };
    handlers.open_thread = () => thread;
    handlers.summarize = () => new Promise(() => {});
    handlers.smart_reply = () => new Promise(() => {});
    handlers.drafts = () => [];
    const view = new ThreadView({ app: fakeApp(), onBack: () => {}, onOpened: () => {} });
    view.open('t5');
    await settle();
    const messages = [...view.el.querySelectorAll<HTMLElement>('.message')];
    expect(messages).toHaveLength(3);
    expect(messages[0].querySelector('.message-marks')).toBeNull();
    const marks = messages[1].querySelector('.message-header .message-marks')!;
    expect(text(marks.querySelector('.message-flagged'))).toBe('Flagged');
    expect(text(marks.querySelector('.message-filed'))).toBe('Archived');
    expect([...marks.querySelectorAll('.message-label')].map(text)).toEqual(['Label: Urgent', 'Label: Q1']);
    expect(text(messages[2].querySelector('.message-filed'))).toBe('In Legal');
  });
});
