// The Assistant: questions answered from the user's mail and notes (with citations), or a plain
// chat with the on-device model. Answers stream in token by token.

import * as api from './api';
import type { App, NavParams, View } from './app';
import { isMessageId, splitCitations } from './citations';
import { ICONS, append, errorBox, h, icon, replace } from './dom';
import { formatDuration, formatListDate, plural } from './format';
import type { Shortcut } from './keys';

type Mode = 'ask' | 'chat';

const EXAMPLES: Record<Mode, string[]> = {
  ask: ['What is happening this week?', 'What did Kenneth say about the budget?', 'When do the offsite flights need booking?'],
  chat: ['Write a short, friendly reminder about a meeting on Thursday.', 'Suggest three titles for a project update.'],
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
  private mode: Mode = 'ask';
  private about: { id: string; label: string } | null = null;
  private streaming = false;
  private stopped = false;

  constructor(private readonly app: App) {
    this.modeInputs = (['ask', 'chat'] as Mode[]).map((m) =>
      h('input', { type: 'radio', name: 'assistant-mode', value: m, id: `mode-${m}`, checked: m === 'ask' }),
    );
    for (const input of this.modeInputs) {
      input.addEventListener('change', () => {
        if (input.checked) this.setMode(input.value as Mode);
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
    this.stop = h(
      'button',
      { type: 'button', id: 'ask-stop', class: 'secondary', hidden: true, onclick: () => this.stopNow() },
      'Stop',
    );
    const composer = h(
      'form',
      { class: 'composer' },
      h(
        'div',
        { class: 'composer-inner' },
        this.aboutChip,
        h('div', { class: 'composer-row' }, this.input, h('div', { class: 'composer-buttons' }, this.send, this.stop)),
        h('p', { class: 'hint' }, 'Runs on this computer. Enter sends, Shift+Enter starts a new line.'),
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
      h('div', { class: 'conversation-scroll' }, this.conversation),
      composer,
    );
    this.renderEmpty();
  }

  show(params: NavParams): void {
    if (params.about) {
      this.setAbout(params.about);
      this.setMode('ask');
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
    this.mode = mode;
    for (const input of this.modeInputs) input.checked = input.value === mode;
    this.send.textContent = mode === 'ask' ? 'Ask' : 'Send';
    this.input.placeholder = mode === 'ask' ? 'Ask a question about your mail and notes…' : 'Message the model…';
    this.input.setAttribute('aria-label', mode === 'ask' ? 'Your question' : 'Your message');
    this.aboutChip.hidden = mode !== 'ask' || this.about === null;
    if (!this.conversation.querySelector('.turn')) this.renderEmpty();
  }

  private setAbout(about: { id: string; label: string } | null): void {
    this.about = about;
    this.aboutText.textContent = about ? `About: ${about.label}` : '';
    this.aboutChip.hidden = about === null || this.mode !== 'ask';
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
        h('p', { class: 'empty-title' }, this.mode === 'ask' ? 'Ask about your mail and notes' : 'Chat with the on-device model'),
        h(
          'p',
          { class: 'empty-help' },
          this.mode === 'ask'
            ? 'Answers are written by the model from passages it finds, with numbered sources you can open.'
            : 'The model answers from what it knows; it does not look at your mail or notes in this mode.',
        ),
        h('div', { class: 'examples' }, ...examples),
      ),
    );
  }

  private setStreaming(on: boolean): void {
    this.streaming = on;
    this.send.disabled = on;
    this.stop.hidden = !on;
    this.stop.disabled = false;
  }

  private stopNow(): void {
    if (!this.streaming) return;
    this.stopped = true;
    this.stop.disabled = true;
    api.stopGeneration().catch((e) => this.app.notice(api.toCommandError(e).message));
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (text === '' || this.streaming) return;
    this.input.value = '';
    this.conversation.querySelector('.conversation-empty')?.remove();
    if (this.mode === 'ask') this.runAsk(text);
    else this.runChat(text);
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
    turn.status('Searching your mail and notes…');
    this.setStreaming(true);
    this.stopped = false;
    let passages: api.Citation[] = [];
    let text = '';
    let done = false;
    const run = api.ask(question, about?.id ?? null, (ev) => {
      if (ev.type === 'passages') {
        passages = ev.passages;
        turn.sources(passages, false);
        turn.status(passages.length > 0 ? `Writing an answer from ${plural(passages.length, 'passage')}…` : 'Writing…');
      } else if (ev.type === 'token') {
        text += ev.text;
        turn.text(text, passages);
      } else if (ev.type === 'done') {
        done = true;
        text = ev.answer || text;
        turn.text(text, passages);
        const cited = new Set(ev.cited);
        const shown = cited.size > 0 ? passages.filter((p) => cited.has(p.n)) : ev.found ? passages : [];
        turn.sources(shown, true);
        if (ev.unsupported.length > 0) turn.warning(`Not backed by the sources: ${ev.unsupported.join('; ')}`);
        turn.status(
          ev.found
            ? `Answered in ${formatDuration(ev.elapsedMs)}`
            : 'Your mail and notes do not seem to answer this.',
        );
      }
      this.scrollDown();
    });
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
  private readonly textEl: HTMLElement;
  private readonly statusEl: HTMLElement;
  private readonly sourcesEl: HTMLElement;
  private readonly extraEl: HTMLElement;

  constructor(question: string, about: string | null) {
    this.textEl = h('div', { class: 'answer-text' });
    this.statusEl = h('p', { class: 'answer-status', 'aria-live': 'polite' });
    this.sourcesEl = h('div', { class: 'sources' });
    this.extraEl = h('div', { class: 'answer-extra' });
    this.answer = h(
      'article',
      { class: 'answer', 'aria-busy': 'true', 'aria-label': 'Answer' },
      h('div', { class: 'answer-head' }, h('span', { class: 'answer-who' }, 'Assistant'), h('span', { class: 'badge machine' }, 'Machine-written')),
      this.textEl,
      this.statusEl,
      this.sourcesEl,
      this.extraEl,
    );
    this.el = h(
      'div',
      { class: 'turn' },
      h('div', { class: 'question' }, about ? h('span', { class: 'question-about' }, `About: ${about}`) : null, h('p', null, question)),
      this.answer,
    );
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
