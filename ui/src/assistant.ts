// The Assistant: questions answered from the user's mail and notes (with citations), requests to
// do something with them (Do: a plan is shown first and runs only when the user presses its
// button), or a plain chat with the on-device model. Answers stream in token by token. When a cloud
// model is set, "Ask the cloud model" first shows exactly what a question would send; nothing goes
// before Send is pressed.

import { contextMessage, looksLikeAction } from './actions';
import * as api from './api';
import type { App, NavParams, View } from './app';
import { isMessageId, splitCitations } from './citations';
import { CloudPreviewBox } from './cloud';
import { ICONS, append, errorBox, h, icon, replace } from './dom';
import { formatDuration, formatListDate, plural } from './format';
import type { Shortcut } from './keys';
import { ActivityPanel, PlanTurn, markOutcomeUndone } from './plan';

/** Ask (questions with citations) and Do (actions) both work on the mail and notes; Chat talks to
 * the model alone. */
type Mode = 'ask' | 'do' | 'chat';

const EXAMPLES: Record<Mode, string[]> = {
  ask: ['What is happening this week?', 'What did Kenneth say about the budget?', 'When do the offsite flights need booking?'],
  do: [
    'Forward the 3 most recent emails from Kenneth to Sara',
    'Summarize the 2 latest emails from Tana and flag them',
    'Remind me to call Tana tomorrow at 9am',
  ],
  chat: ['Write a short, friendly reminder about a meeting on Thursday.', 'Suggest three titles for a project update.'],
};

const PLACEHOLDERS: Record<Mode, string> = {
  ask: 'Ask a question about your mail and notes…',
  do: 'Forward the 3 most recent emails from Kenneth to Sara',
  chat: 'Message the model…',
};

const INPUT_LABELS: Record<Mode, string> = { ask: 'Your question', do: 'What to do', chat: 'Your message' };

const EMPTY_TITLES: Record<Mode, string> = {
  ask: 'Ask about your mail and notes',
  do: 'Do something with your mail and notes',
  chat: 'Chat with the on-device model',
};

const EMPTY_HELP: Record<Mode, string> = {
  ask: 'Answers are written by the model from passages it finds, with numbered sources you can open.',
  do: 'Say what to do: forward, reply, archive, file, label, flag, summarize, add to a note, remind. You see the exact plan first, and steps that change something can be undone.',
  chat: 'The model answers from what it knows; it does not look at your mail or notes in this mode.',
};

const SEND_LABELS: Record<Mode, string> = { ask: 'Ask', do: 'Plan', chat: 'Send' };

const CLOUD_HINT = 'Shows what would go to the cloud model first: nothing is sent until you press Send.';

const LOCAL_ANSWER_TITLE = 'Written by the on-device model; check the sources';
const CLOUD_ANSWER_TITLE = 'Written by the cloud model; check the sources';

/** A question waiting on its cloud preview (Send, Cancel, or a newer request). */
interface AskPreview {
  turn: Turn;
  box: CloudPreviewBox;
}

const HINTS: Record<Mode, string> = {
  ask: 'Runs on this computer. Enter sends, Shift+Enter starts a new line.',
  do: 'Shows a plan first: nothing changes until you press its Run or Send button.',
  chat: 'Runs on this computer. Enter sends, Shift+Enter starts a new line.',
};

export class AssistantView implements View {
  readonly el: HTMLElement;
  private readonly conversation: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly send: HTMLButtonElement;
  private readonly stop: HTMLButtonElement;
  private readonly aboutChip: HTMLElement;
  private readonly aboutText: HTMLElement;
  private readonly modeInputs: HTMLInputElement[];
  private readonly askButton: HTMLButtonElement;
  private readonly doButton: HTMLButtonElement;
  private readonly intentSwitch: HTMLElement;
  private readonly modeStatusEl: HTMLElement;
  private readonly hint: HTMLElement;
  private readonly cloudToggle: HTMLButtonElement;
  private readonly activity: ActivityPanel;
  private mode: Mode = 'ask';
  /** Ask or Do: what "Ask my mail & notes" returns to. */
  private mailMode: 'ask' | 'do' = 'ask';
  private about: NonNullable<NavParams['about']> | null = null;
  private streaming = false;
  private stopped = false;
  private planning = false;
  /** The last submission went to Do by itself (the status line says so). */
  private autoSwitched = false;
  /** The user pressed Ask right after that: the next submission stays a question. */
  private askPinned = false;
  private activePlan: PlanTurn | null = null;
  /** A cloud model is set (asked each time the view opens). */
  private cloudSet = false;
  /** "Ask the cloud model" is on: questions show their cloud preview first. */
  private askCloud = false;
  /** The newest cloud-settings question: older answers are dropped. */
  private cloudSeq = 0;
  private askPreview: AskPreview | null = null;

  constructor(private readonly app: App) {
    this.modeInputs = (['ask', 'chat'] as Mode[]).map((m) =>
      h('input', { type: 'radio', name: 'assistant-mode', value: m, id: `mode-${m}`, checked: m === 'ask' }),
    );
    for (const input of this.modeInputs) {
      input.addEventListener('change', () => {
        if (input.checked) this.setMode(input.value === 'chat' ? 'chat' : this.mailMode);
      });
    }
    const modeSwitch = h(
      'div',
      { class: 'segmented', role: 'radiogroup', 'aria-label': 'What to talk to' },
      h('label', { for: 'mode-ask' }, this.modeInputs[0], h('span', null, 'Ask my mail & notes')),
      h('label', { for: 'mode-chat' }, this.modeInputs[1], h('span', null, 'Chat with the model')),
    );

    this.conversation = h('div', {
      id: 'conversation',
      role: 'log',
      'aria-live': 'polite',
      'aria-label': 'Conversation',
    });
    this.conversation.addEventListener('click', (e) => this.onConversationClick(e));
    this.activity = new ActivityPanel((auditId) => markOutcomeUndone(this.conversation, auditId));
    this.activity.el.hidden = true;

    this.askButton = h(
      'button',
      { type: 'button', id: 'assistant-mode-ask', class: 'intent-button', 'aria-pressed': 'true', title: 'Ask a question (answers cite your mail and notes)' },
      'Ask',
    );
    this.doButton = h(
      'button',
      { type: 'button', id: 'assistant-mode-do', class: 'intent-button', 'aria-pressed': 'false', title: 'Do something with your mail and notes (a plan is shown first)' },
      'Do',
    );
    this.askButton.addEventListener('click', () => {
      this.askPinned = this.autoSwitched;
      this.autoSwitched = false;
      this.modeStatus('');
      this.setMode('ask');
      this.input.focus();
    });
    this.doButton.addEventListener('click', () => {
      this.askPinned = false;
      this.autoSwitched = false;
      this.modeStatus('');
      this.setMode('do');
      this.input.focus();
    });
    this.intentSwitch = h(
      'div',
      { class: 'intent-switch', role: 'group', 'aria-label': 'Ask a question or do something' },
      this.askButton,
      this.doButton,
    );
    this.modeStatusEl = h('p', { id: 'assistant-mode-status', class: 'mode-status', role: 'status', 'aria-live': 'polite', hidden: true });

    this.aboutText = h('span', { class: 'about-text' });
    this.aboutChip = h(
      'div',
      { class: 'about-chip', hidden: true },
      this.aboutText,
      h(
        'button',
        {
          type: 'button',
          class: 'icon-button small',
          'aria-label': 'Ask about everything instead',
          title: 'Ask about everything instead',
          onclick: () => this.setAbout(null),
        },
        icon(ICONS.close),
      ),
    );
    this.input = h('textarea', {
      id: 'ask-input',
      rows: 2,
      placeholder: 'Ask a question about your mail and notes…',
      'aria-label': 'Your question',
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submit();
      }
    });
    this.send = h('button', { type: 'submit', id: 'ask-send', class: 'primary' }, 'Ask');
    this.cloudToggle = h(
      'button',
      {
        type: 'button',
        id: 'ask-cloud',
        class: 'ask-cloud-toggle',
        'aria-pressed': 'false',
        hidden: true,
        title: 'Questions show what would go to the cloud model first; nothing is sent until you press Send',
      },
      icon(ICONS.spark),
      'Ask the cloud model',
    );
    this.cloudToggle.addEventListener('click', () => {
      this.askCloud = !this.askCloud;
      this.showCloudToggle();
    });
    this.stop = h(
      'button',
      { type: 'button', id: 'ask-stop', class: 'secondary', hidden: true, onclick: () => this.stopNow() },
      'Stop',
    );
    this.hint = h('p', { class: 'hint' }, HINTS.ask);
    const composer = h(
      'form',
      { class: 'composer' },
      h(
        'div',
        { class: 'composer-inner' },
        h('div', { class: 'composer-top' }, this.intentSwitch, this.cloudToggle, this.aboutChip),
        h('div', { class: 'composer-row' }, this.input, h('div', { class: 'composer-buttons' }, this.send, this.stop)),
        this.modeStatusEl,
        this.hint,
      ),
    );
    composer.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    this.el = h(
      'section',
      { class: 'view view-assistant', 'aria-label': 'Assistant' },
      h('header', { class: 'pane-header assistant-header' }, h('h1', { class: 'pane-title' }, 'Assistant'), modeSwitch),
      h('div', { class: 'conversation-scroll' }, this.activity.el, this.conversation),
      composer,
    );
    // Escape closes a cloud preview or a plan waiting for the user (wherever the focus is in this
    // view).
    this.el.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape' || e.isComposing || e.defaultPrevented) return;
      if (this.askPreview) this.askPreview.box.close(true);
      else if (!this.activePlan?.escape()) return;
      e.preventDefault();
      e.stopPropagation();
    });
    this.renderEmpty();
  }

  show(params: NavParams): void {
    // Asked each time the view opens: the toggle is there only while a cloud model is set.
    const mine = ++this.cloudSeq;
    api
      .cloudSettings()
      .then((cloud) => {
        if (mine === this.cloudSeq) this.setCloudAvailable(cloud !== null);
      })
      .catch(() => {
        if (mine === this.cloudSeq) this.setCloudAvailable(false);
      });
    if (params.about) {
      this.setAbout(params.about);
      this.setMode('ask');
    } else if (this.mode === 'do') {
      void this.activity.refresh();
    }
    requestAnimationFrame(() => this.input.focus());
  }

  shortcut(s: Shortcut): boolean {
    if (s === 'search') {
      this.input.focus();
      return true;
    }
    return false;
  }

  private setMode(mode: Mode): void {
    const was = this.mode;
    this.mode = mode;
    if (mode !== 'chat') this.mailMode = mode;
    for (const input of this.modeInputs) input.checked = input.value === (mode === 'chat' ? 'chat' : 'ask');
    this.askButton.setAttribute('aria-pressed', String(mode === 'ask'));
    this.doButton.setAttribute('aria-pressed', String(mode === 'do'));
    this.intentSwitch.hidden = mode === 'chat';
    if (mode === 'chat') this.modeStatus('');
    this.send.textContent = SEND_LABELS[mode];
    this.input.placeholder = PLACEHOLDERS[mode];
    this.input.setAttribute('aria-label', INPUT_LABELS[mode]);
    this.activity.el.hidden = mode !== 'do';
    this.showCloudToggle();
    if (mode === 'do' && was !== 'do') void this.activity.refresh();
    this.showAbout();
    if (!this.conversation.querySelector('.turn')) this.renderEmpty();
  }

  private setCloudAvailable(on: boolean): void {
    this.cloudSet = on;
    if (!on) this.askCloud = false;
    this.showCloudToggle();
  }

  /** The cloud toggle (Ask mode, a cloud model set), its state, and the hint under the input. */
  private showCloudToggle(): void {
    const visible = this.cloudSet && this.mode === 'ask';
    this.cloudToggle.hidden = !visible;
    this.cloudToggle.setAttribute('aria-pressed', String(this.askCloud));
    this.hint.textContent = visible && this.askCloud ? CLOUD_HINT : HINTS[this.mode];
  }

  private setAbout(about: NonNullable<NavParams['about']> | null): void {
    this.about = about;
    this.showAbout();
  }

  /** The context chip: what Ask asks about, or in Do the message "this email" means. */
  private showAbout(): void {
    const about = this.about;
    const doing = this.mode === 'do';
    const visible = about !== null && (this.mode === 'ask' || (doing && contextMessage(about) !== null));
    this.aboutChip.hidden = !visible;
    this.aboutText.textContent = !visible ? '' : doing ? `This email: ${about.label}` : `About: ${about.label}`;
    const clear = this.aboutChip.querySelector('button');
    const label = doing ? 'Forget this email' : 'Ask about everything instead';
    clear?.setAttribute('aria-label', label);
    clear?.setAttribute('title', label);
  }

  /** The small line under the input that says why the mode changed ('' hides it). */
  private modeStatus(text: string): void {
    this.modeStatusEl.textContent = text;
    this.modeStatusEl.hidden = text === '';
  }

  private renderEmpty(): void {
    const examples = EXAMPLES[this.mode].map((text) =>
      h(
        'button',
        {
          type: 'button',
          class: 'example',
          onclick: () => {
            this.input.value = text;
            this.input.focus();
          },
        },
        text,
      ),
    );
    replace(
      this.conversation,
      h(
        'div',
        { class: 'empty conversation-empty' },
        h('p', { class: 'empty-title' }, EMPTY_TITLES[this.mode]),
        h('p', { class: 'empty-help' }, EMPTY_HELP[this.mode]),
        h('div', { class: 'examples' }, ...examples),
      ),
    );
  }

  private setStreaming(on: boolean): void {
    this.streaming = on;
    this.send.disabled = on || this.planning;
    this.stop.hidden = !on;
    this.stop.disabled = false;
  }

  private setPlanning(on: boolean): void {
    this.planning = on;
    this.send.disabled = on || this.streaming;
  }

  private stopNow(): void {
    if (!this.streaming) return;
    this.stopped = true;
    this.stop.disabled = true;
    api.stopGeneration().catch((e) => this.app.notice(api.toCommandError(e).message));
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (text === '' || this.streaming || this.planning) return;
    const pinned = this.askPinned;
    this.askPinned = false;
    this.autoSwitched = false;
    if (this.mode === 'ask' && !pinned && looksLikeAction(text)) {
      this.setMode('do');
      this.autoSwitched = true;
      this.modeStatus('Switched to Do: that reads as something to do. Press Ask to ask questions instead.');
    } else if (this.mode !== 'chat') {
      this.modeStatus('');
    }
    this.input.value = '';
    this.retireAskPreview();
    this.conversation.querySelector('.conversation-empty')?.remove();
    if (this.mode === 'ask') this.runAsk(text);
    else if (this.mode === 'do') this.runDo(text);
    else this.runChat(text);
  }

  /** Do: plans the request and shows it; the card's own button runs it. */
  private runDo(instruction: string): void {
    this.activePlan?.retire();
    const about = this.about;
    const message = contextMessage(about);
    const turn: PlanTurn = new PlanTurn({
      instruction,
      message,
      messageLabel: message && about ? about.label : null,
      onEdit: (text) => {
        if (this.activePlan === turn) this.activePlan = null;
        if (!this.conversation.querySelector('.turn')) this.renderEmpty();
        this.input.value = text;
        this.input.focus();
      },
      onCancel: () => this.input.focus(),
      onPlanned: () => {
        this.setPlanning(false);
        this.scrollDown(true);
      },
      onChanged: () => void this.activity.refresh(),
    });
    this.activePlan = turn;
    append(this.conversation, turn.el);
    this.scrollDown(true);
    this.setPlanning(true);
    void turn.start();
  }

  private newTurn(question: string, about: string | null): Turn {
    const turn = new Turn(question, about);
    append(this.conversation, turn.el);
    this.scrollDown(true);
    return turn;
  }

  private scrollDown(force = false): void {
    const scroller = this.conversation.parentElement;
    if (!scroller) return;
    const nearBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 120;
    if (force || nearBottom) scroller.scrollTop = scroller.scrollHeight;
  }

  private runAsk(question: string): void {
    const about = this.about;
    const turn = this.newTurn(question, about ? about.label : null);
    if (this.askCloud && this.cloudSet) this.previewAsk(turn, question, about);
    else this.streamAsk(turn, question, about, false);
  }

  /** "Ask the cloud model": the turn shows what would be sent instead of an answer; the question
   * is asked only on Send (or, when it would stay here, on "Ask on this device"). */
  private previewAsk(turn: Turn, question: string, about: NonNullable<NavParams['about']> | null): void {
    const go = (cloud: boolean) => {
      if (this.askPreview?.box !== box) return;
      this.askPreview = null;
      box.busy();
      turn.preview(null);
      this.input.focus();
      this.streamAsk(turn, question, about, cloud);
    };
    const box: CloudPreviewBox = new CloudPreviewBox({
      ids: 'ask-cloud',
      onClose: (focus) => {
        // Closed by Cancel, Close or Escape (a newer request retires it without this).
        if (this.askPreview?.box !== box) return;
        this.askPreview = null;
        turn.cancelled('Cancelled: nothing was sent.');
        if (this.input.value.trim() === '') this.input.value = question;
        if (focus) this.input.focus();
      },
    });
    this.askPreview = { turn, box };
    turn.preview(box.el);
    this.scrollDown(true);
    box.open(() => api.askCloudPreview(question, about?.id ?? null), {
      send: () => go(true),
      local: { label: 'Ask on this device', run: () => go(false) },
    });
  }

  /** A newer request takes over from a question waiting on its preview: that turn goes away. */
  private retireAskPreview(): void {
    const pending = this.askPreview;
    if (!pending) return;
    this.askPreview = null;
    pending.box.close(false);
    pending.turn.el.remove();
  }

  /** Asks, streaming the answer into the turn. The router may withdraw what was written and start
   * again with the other model (`restart`); `done` says which one wrote the answer. */
  private streamAsk(turn: Turn, question: string, about: NonNullable<NavParams['about']> | null, cloud: boolean): void {
    turn.status('Searching your mail and notes…');
    this.setStreaming(true);
    this.stopped = false;
    let passages: api.Citation[] = [];
    let text = '';
    let done = false;
    const onEvent = (ev: api.AskEvent) => {
      if (ev.type === 'passages') {
        passages = ev.passages;
        turn.sources(passages, false);
        const from = passages.length > 0 ? ` from ${plural(passages.length, 'passage')}` : '';
        turn.status(cloud ? `Asking the cloud model${from}…` : passages.length > 0 ? `Writing an answer${from}…` : 'Writing…');
      } else if (ev.type === 'token') {
        text += ev.text;
        turn.text(text, passages);
      } else if (ev.type === 'restart') {
        // What was written so far is withdrawn; the passages stay.
        text = '';
        turn.restart(passages, ev.notice);
      } else if (ev.type === 'done') {
        done = true;
        text = ev.answer || text;
        turn.text(text, passages);
        turn.writtenBy(ev.route);
        turn.notice(ev.notice);
        const cited = new Set(ev.cited);
        const shown = cited.size > 0 ? passages.filter((p) => cited.has(p.n)) : ev.found ? passages : [];
        turn.sources(shown, true);
        if (ev.unsupported.length > 0) turn.warning(`Not backed by the sources: ${ev.unsupported.join('; ')}`);
        const by = ev.route === 'cloud' ? ' by the cloud model' : '';
        turn.status(
          ev.found ? `Answered${by} in ${formatDuration(ev.elapsedMs)}` : 'Your mail and notes do not seem to answer this.',
        );
      }
      this.scrollDown();
    };
    const run = api.ask(question, about?.id ?? null, onEvent, cloud);
    this.settle(turn, run, () => done);
  }

  private runChat(prompt: string): void {
    const turn = this.newTurn(prompt, null);
    turn.status('Thinking…');
    this.setStreaming(true);
    this.stopped = false;
    let text = '';
    let done = false;
    const run = api.chat(prompt, (ev) => {
      if (ev.type === 'token') {
        text += ev.text;
        turn.text(text, []);
        turn.status('Writing…');
      } else {
        done = true;
        turn.status(
          `${plural(ev.completionTokens, 'token')} · first after ${Math.round(ev.ttftMs)} ms · ` +
            `${ev.decodeTokensPerSec.toFixed(1)} tokens/s`,
        );
      }
      this.scrollDown();
    });
    this.settle(turn, run, () => done);
  }

  /** What every streamed turn does when its command ends: the last status, errors, clean-up. */
  private settle(turn: Turn, run: Promise<void>, done: () => boolean): void {
    run
      .then(() => {
        if (!done()) turn.status(this.stopped ? 'Stopped.' : 'Finished.');
      })
      .catch((e) => this.failed(turn, e))
      .finally(() => {
        turn.finish();
        this.setStreaming(false);
      });
  }

  private failed(turn: Turn, e: unknown): void {
    const err = api.toCommandError(e);
    if (this.stopped && /cancel|stop/i.test(`${err.kind} ${err.message}`)) {
      turn.status('Stopped.');
      return;
    }
    turn.status('');
    turn.error(err);
  }

  private onConversationClick(e: MouseEvent): void {
    const link = (e.target as Element).closest<HTMLElement>('a.citation, a.citation-ref');
    if (!link?.dataset.id) return;
    e.preventDefault();
    const id = link.dataset.id;
    if (isMessageId(id)) this.app.navigate('inbox', { open: id, from: 'assistant' });
    else this.app.navigate('notes', { open: id, from: 'assistant' });
  }
}

/** One question and its streaming answer. */
class Turn {
  readonly el: HTMLElement;
  private readonly answer: HTMLElement;
  private readonly machineBadge: HTMLElement;
  private readonly cloudBadge: HTMLElement;
  private readonly textEl: HTMLElement;
  private readonly noticeEl: HTMLElement;
  private readonly statusEl: HTMLElement;
  private readonly sourcesEl: HTMLElement;
  private readonly extraEl: HTMLElement;
  /** Where a cloud preview (or "Cancelled") stands instead of the answer. */
  private readonly previewSlot: HTMLElement;

  constructor(question: string, about: string | null) {
    this.textEl = h('div', { class: 'answer-text' });
    this.noticeEl = h('p', { class: 'answer-notice', role: 'note', hidden: true });
    this.statusEl = h('p', { class: 'answer-status', 'aria-live': 'polite' });
    this.sourcesEl = h('div', { class: 'sources' });
    this.extraEl = h('div', { class: 'answer-extra' });
    this.machineBadge = h('span', { class: 'badge machine', title: LOCAL_ANSWER_TITLE }, 'Machine-written');
    this.cloudBadge = h('span', { class: 'badge answer-cloud', title: CLOUD_ANSWER_TITLE, hidden: true }, 'Cloud model');
    this.answer = h(
      'article',
      { class: 'answer', 'aria-busy': 'true', 'aria-label': 'Answer' },
      h('div', { class: 'answer-head' }, h('span', { class: 'answer-who' }, 'Assistant'), this.machineBadge, this.cloudBadge),
      this.textEl,
      this.noticeEl,
      this.statusEl,
      this.sourcesEl,
      this.extraEl,
    );
    this.previewSlot = h('div', { class: 'answer-preview-slot' });
    this.el = h(
      'div',
      { class: 'turn' },
      h('div', { class: 'question' }, about ? h('span', { class: 'question-about' }, `About: ${about}`) : null, h('p', null, question)),
      this.answer,
      this.previewSlot,
    );
  }

  /** A cloud preview in place of the answer (null: the answer again). */
  preview(el: HTMLElement | null): void {
    this.answer.hidden = el !== null;
    replace(this.previewSlot, el);
  }

  /** The question was not asked: a line says so in place of the answer. */
  cancelled(text: string): void {
    this.answer.hidden = true;
    replace(this.previewSlot, h('p', { class: 'plan-closed muted answer-cancelled' }, text));
  }

  /** The router withdrew what was written and asks again (the other model): the text and the
   * sources' cited state go, the passages stay, and `notice` says why. */
  restart(passages: api.Citation[], notice: string): void {
    this.text('', passages);
    this.sources(passages, false);
    replace(this.extraEl);
    this.notice(null);
    this.status(notice);
  }

  /** Marks which model wrote the answer. */
  writtenBy(route: 'local' | 'cloud'): void {
    const cloud = route === 'cloud';
    this.cloudBadge.hidden = !cloud;
    this.machineBadge.title = cloud ? CLOUD_ANSWER_TITLE : LOCAL_ANSWER_TITLE;
  }

  /** A sentence under the answer (where it was written, and why), or none. */
  notice(text: string | null): void {
    this.noticeEl.textContent = text ?? '';
    this.noticeEl.hidden = !text;
  }

  status(text: string): void {
    this.statusEl.textContent = text;
    this.statusEl.hidden = text === '';
  }

  /** The answer so far; `[n]` markers of known passages become links to them. */
  text(text: string, passages: api.Citation[]): void {
    const byN = new Map(passages.map((p) => [p.n, p]));
    const pieces = splitCitations(text, new Set(byN.keys()));
    replace(
      this.textEl,
      ...pieces.map((piece) => {
        if (!('n' in piece)) return piece.text;
        const p = byN.get(piece.n)!;
        return h('a', { href: '#', class: 'citation-ref', 'data-id': p.id, 'data-n': p.n, title: p.title || p.id }, piece.text);
      }),
    );
  }

  sources(passages: api.Citation[], final: boolean): void {
    if (passages.length === 0) {
      replace(this.sourcesEl);
      return;
    }
    const items = passages.map((p) =>
      h(
        'li',
        null,
        h('a', { href: '#', class: 'citation', 'data-id': p.id, 'data-n': p.n }, `[${p.n}] ${p.title || p.path || p.id}`),
        h('span', { class: 'citation-meta' }, [p.from, p.date !== null ? formatListDate(p.date) : null].filter(Boolean).join(' · ')),
        p.passage ? h('p', { class: 'citation-passage' }, p.passage) : null,
      ),
    );
    replace(
      this.sourcesEl,
      h('h4', { class: 'sources-title' }, final ? 'Sources' : 'Looking at'),
      h('ol', { class: 'citations' }, ...items),
    );
  }

  warning(text: string): void {
    append(this.extraEl, h('p', { class: 'answer-warning' }, text));
  }

  error(err: api.CommandError): void {
    append(this.extraEl, errorBox(err));
  }

  finish(): void {
    this.answer.removeAttribute('aria-busy');
    const status = this.statusEl.textContent ?? '';
    if (this.textEl.textContent === '' && !this.extraEl.querySelector('.error') && ['', 'Finished.', 'Stopped.'].includes(status)) {
      this.textEl.append(h('span', { class: 'muted' }, '(No answer was written.)'));
    }
  }
}
