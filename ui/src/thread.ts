// One conversation: its messages, a machine-written summary, suggested replies and a draft, which
// Send saves and, once the user says yes, hands to the outbox. When a cloud model is set, the
// replies can come from it: what would be sent is shown first, and nothing goes before Send.

import { filedInText } from './actions';
import * as api from './api';
import type { App, ViewName } from './app';
import { VIEW_TITLES } from './app';
import { CloudPreviewBox } from './cloud';
import { ICONS, append, emptyBox, errorBox, h, icon, loadingBox, replace } from './dom';
import { formatBytes, formatFullDate, isoDate, mailboxFull, mailboxName, plural } from './format';
import { currentKeymap } from './keys';
import { latestMessage } from './mail';
import {
  sendErrorText,
  sendNeedsSettings,
  sendNoteTitle,
  sendOutcomeText,
  sendQuestion,
  sendSubjectLine,
  senderText,
} from './sending';
import { createSummaryCard } from './summary';

export interface ThreadViewOptions {
  app: App;
  /** The back button / Escape. */
  onBack: () => void;
  /** A thread was opened (and so marked read). */
  onOpened: (thread: api.Thread) => void;
  /** "Open the outbox" after a reply was sent. */
  onShowOutbox?: () => void;
  /** A draft left the drafts for the outbox (sent, waiting or refused). */
  onSent?: () => void;
}

export class ThreadView {
  readonly el: HTMLElement;
  private seq = 0;
  private thread: api.Thread | null = null;
  private backButton: HTMLButtonElement;
  private backLabel: HTMLElement;

  constructor(private readonly opts: ThreadViewOptions) {
    this.backLabel = h('span', { class: 'back-label' }, 'Inbox');
    this.backButton = h(
      'button',
      { type: 'button', class: 'back', 'aria-label': 'Back to the inbox', onclick: () => this.opts.onBack() },
      icon(ICONS.back),
      this.backLabel,
    );
    this.el = h('div', { class: 'detail-content' });
    this.placeholder();
  }

  /** Nothing selected. */
  placeholder(): void {
    this.seq++;
    this.thread = null;
    const keys = currentKeymap();
    replace(
      this.el,
      emptyBox('No conversation open', `Pick one from the list, or press ${keys.next} and ${keys.prev} to move and Enter to open.`, {
        class: 'detail-placeholder',
      }),
    );
  }

  /** Opens a thread ("t5") or the thread of a message ("m12"). `from` is where the back button goes. */
  open(id: string, from?: ViewName): void {
    const mine = ++this.seq;
    this.setBack(from);
    replace(this.el, h('div', { class: 'detail-toolbar' }, this.backButton), loadingBox('Opening the conversation…'));
    api
      .openThread(id)
      .then((thread) => {
        if (mine !== this.seq) return;
        this.thread = thread;
        this.render(thread, mine);
        this.opts.onOpened(thread);
      })
      .catch((e) => {
        if (mine !== this.seq) return;
        replace(
          this.el,
          h('div', { class: 'detail-toolbar' }, this.backButton),
          errorBox(api.toCommandError(e), () => this.open(id, from)),
        );
      });
  }

  current(): api.Thread | null {
    return this.thread;
  }

  /** `r`: the first suggested reply, else the draft. */
  focusReply(): boolean {
    const target =
      this.el.querySelector<HTMLElement>('#reply-chips .reply-chip:not([disabled])') ??
      this.el.querySelector<HTMLElement>('#draft-editor');
    if (!target) return false;
    target.focus();
    target.scrollIntoView({ block: 'nearest' });
    return true;
  }

  private setBack(from?: ViewName): void {
    const to = from && from !== 'inbox' ? VIEW_TITLES[from] : 'Inbox';
    this.backLabel.textContent = to;
    this.backButton.setAttribute('aria-label', `Back to ${to === 'Inbox' ? 'the inbox' : to}`);
    this.backButton.classList.toggle('always', !!from && from !== 'inbox');
  }

  private render(thread: api.Thread, mine: number): void {
    const subject = thread.subject.trim() || '(no subject)';
    const messages = thread.messages;
    const latest = latestMessage(messages);
    const summary = createSummaryCard({ id: 'summary-card', what: 'thread' });
    const askButton = h(
      'button',
      {
        type: 'button',
        id: 'ask-thread',
        class: 'secondary',
        onclick: () =>
          this.opts.app.navigate('assistant', { about: { id: thread.id, label: subject, message: latest?.id ?? null } }),
      },
      icon(ICONS.spark),
      'Ask about this thread',
    );
    const list = h('div', { class: 'messages' }, ...messages.map((m) => messageEl(m)));
    const header = h(
      'header',
      { class: 'detail-header' },
      h('h2', { class: 'thread-title' }, subject),
      h('p', { class: 'detail-sub' }, plural(messages.length, 'message')),
      h('div', { class: 'detail-actions' }, askButton),
    );
    replace(
      this.el,
      h('div', { class: 'detail-toolbar' }, this.backButton),
      h(
        'section',
        { id: 'thread-view', 'aria-label': subject },
        header,
        summary.el,
        messages.length > 0 ? list : emptyBox('No messages', 'This conversation has no messages left.'),
        latest ? this.replies(latest, mine) : null,
      ),
    );
    summary.load('thread', thread.id);

    if (thread.focus) {
      const focused = this.el.querySelector<HTMLElement>(`.message[data-id="${CSS.escape(thread.focus)}"]`);
      if (focused) {
        focused.classList.add('highlight');
        // After layout, so the pane knows its height.
        requestAnimationFrame(() => focused.scrollIntoView({ block: 'center' }));
      }
    } else {
      this.el.scrollTop = 0;
      this.el.closest('.detail-pane')?.scrollTo?.({ top: 0 });
    }
  }

  private replies(latest: api.Message, mine: number): HTMLElement {
    const body = h('div', { class: 'replies-body', 'aria-live': 'polite' });
    const draftArea = h('div', { class: 'draft', hidden: true });
    const refresh = h(
      'button',
      {
        type: 'button',
        class: 'icon-button',
        'aria-label': 'Suggest other replies',
        title: 'Suggest other replies',
        onclick: () => load(true),
      },
      icon(ICONS.refresh),
    );
    const cloudButton = h(
      'button',
      {
        type: 'button',
        id: 'reply-cloud',
        class: 'secondary summary-cloud-button',
        hidden: true,
        'aria-expanded': 'false',
        'aria-controls': 'reply-cloud-preview',
      },
      'Suggestions from the cloud model',
    );
    const cloudBox = new CloudPreviewBox({
      ids: 'reply-cloud',
      onClose: (focus) => {
        cloudButton.setAttribute('aria-expanded', 'false');
        cloudButton.disabled = false;
        if (focus && !cloudButton.hidden) cloudButton.focus();
      },
    });
    const section = h(
      'section',
      { class: 'replies', 'aria-labelledby': 'replies-title' },
      h(
        'header',
        { class: 'replies-header' },
        h('h3', { id: 'replies-title' }, `Reply to ${mailboxName(latest.from)}`),
        refresh,
      ),
      body,
      h('div', { class: 'summary-cloud reply-cloud' }, cloudButton, cloudBox.el),
      draftArea,
    );
    // Escape closes the cloud preview (before it would take the view back).
    section.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape' || e.isComposing || e.defaultPrevented || !cloudBox.isOpen()) return;
      e.preventDefault();
      e.stopPropagation();
      cloudBox.close(true);
    });

    const showDraft = (draft: api.Draft, status: string, focus: boolean) => {
      if (mine !== this.seq) return;
      const editor = h('textarea', {
        id: 'draft-editor',
        rows: 8,
        spellcheck: 'true',
        'aria-describedby': 'draft-status',
      });
      editor.value = draft.body;
      const statusEl = h('span', { id: 'draft-status', role: 'status', 'aria-live': 'polite' }, status);
      const errorSlot = h('div', { class: 'draft-error' });
      const confirmSlot = h('div', { class: 'draft-confirm-slot' });
      const save = h('button', { type: 'button', id: 'draft-save', class: 'primary' }, 'Save draft');
      const send = h(
        'button',
        { type: 'button', id: 'draft-send', class: 'secondary', title: 'Save, then send this reply (asks first)' },
        icon(ICONS.send),
        'Send',
      );
      /** Saving; saving and checking before asking (`preparing`); asking; sending. The buttons wait
       * meanwhile, and from Send on the text too, so what is sent is what was asked about. */
      let busy: 'idle' | 'saving' | 'preparing' | 'confirming' | 'sending' = 'idle';
      const setBusy = (next: typeof busy) => {
        busy = next;
        save.disabled = next !== 'idle';
        send.disabled = next !== 'idle';
        editor.readOnly = next !== 'idle' && next !== 'saving';
      };
      const doSave = (forSend = false): Promise<boolean> => {
        if (busy !== 'idle') return Promise.resolve(false);
        setBusy(forSend ? 'preparing' : 'saving');
        statusEl.textContent = 'Saving…';
        replace(errorSlot);
        return api
          .saveDraft(draft.id, editor.value)
          .then((saved) => {
            draft = saved;
            statusEl.textContent = 'Draft saved';
            return true;
          })
          .catch((e) => {
            statusEl.textContent = 'Not saved';
            replace(errorSlot, errorBox(api.toCommandError(e)));
            return false;
          })
          .finally(() => {
            if (!forSend) setBusy('idle');
          });
      };
      const settingsButton = () =>
        h(
          'button',
          {
            type: 'button',
            id: 'draft-send-settings',
            class: 'secondary',
            onclick: () => this.opts.app.navigate('settings', { open: 'sending' }),
          },
          'Open Settings',
        );
      /** Why sending did not happen, with a way to Settings when the fix is there. */
      const sendError = (err: api.CommandError): HTMLElement => {
        const box = errorBox(sendErrorText(err));
        return sendNeedsSettings(err) ? h('div', { class: 'error-group' }, box, settingsButton()) : box;
      };
      /** The reply left the drafts (sent, waiting or refused): the editor gives way to a note. */
      const showLeft = (state: api.OutboxState, outcome: string, err: api.CommandError | null) => {
        const openOutbox = this.opts.onShowOutbox
          ? h('button', { type: 'button', id: 'draft-open-outbox', class: 'secondary', onclick: () => this.opts.onShowOutbox?.() }, 'Open the outbox')
          : null;
        const body = h('div', { class: 'draft-sent-body' });
        body.textContent = editor.value;
        replace(
          draftArea,
          h('p', { class: 'draft-label' }, `Reply to ${to}`),
          h('p', { class: 'draft-subject' }, draft.subject),
          h(
            'div',
            { id: 'draft-sent', class: `draft-sent state-${state}` },
            h('p', { class: 'draft-sent-note' }, h('span', { class: `badge outbox-state state-${state}` }, sendNoteTitle(state)), statusEl),
            body,
          ),
          h('div', { class: 'draft-actions' }, openOutbox, err && sendNeedsSettings(err) ? settingsButton() : null),
        );
        statusEl.textContent = outcome;
        (draftArea.querySelector<HTMLElement>('#draft-open-outbox') ?? draftArea.querySelector<HTMLElement>('#draft-send-settings'))?.focus();
        this.opts.onSent?.();
        if (mine !== this.seq) this.opts.app.notice(`${draft.subject.trim() || 'Reply'}: ${outcome}`);
      };
      const doSend = (yes: HTMLButtonElement, no: HTMLButtonElement) => {
        if (busy !== 'confirming') return;
        setBusy('sending');
        yes.disabled = true;
        no.disabled = true;
        statusEl.textContent = 'Sending…';
        replace(errorSlot);
        api
          .sendDraft(draft.id)
          .then((item) => showLeft(item.state, sendOutcomeText(item), null))
          .catch(async (e) => {
            const err = api.toCommandError(e);
            // The draft may already be in the outbox (e.g. the password was not in the keyring).
            const stillDraft = await api.drafts().then(
              (all) => all.some((d) => d.id === draft.id),
              () => true,
            );
            if (!stillDraft) {
              showLeft('queued', `Waiting in the outbox. ${sendErrorText(err)}`, err);
              return;
            }
            replace(confirmSlot);
            setBusy('idle');
            statusEl.textContent = 'Not sent';
            replace(errorSlot, sendError(err));
            (errorSlot.querySelector<HTMLElement>('#draft-send-settings') ?? send).focus();
          });
      };
      const cancelSend = () => {
        if (busy !== 'confirming') return;
        replace(confirmSlot);
        setBusy('idle');
        statusEl.textContent = 'Draft saved, not sent';
        send.focus();
      };
      /** Asks before sending, naming every recipient and the subject (and the sender when known). */
      const confirmSend = (account: api.SendingAccount | null) => {
        setBusy('confirming');
        const yes = h('button', { type: 'button', id: 'draft-send-confirm-yes', class: 'primary' }, icon(ICONS.send), 'Send');
        const no = h('button', { type: 'button', id: 'draft-send-confirm-no', class: 'secondary', onclick: cancelSend }, 'Cancel');
        yes.addEventListener('click', () => doSend(yes, no));
        const box = h(
          'div',
          {
            id: 'draft-send-confirm',
            class: 'send-confirm',
            role: 'alertdialog',
            'aria-labelledby': 'draft-send-confirm-question',
            'aria-describedby': 'draft-send-confirm-subject',
          },
          h('p', { id: 'draft-send-confirm-question', class: 'send-confirm-question' }, sendQuestion(draft.to)),
          h('p', { id: 'draft-send-confirm-subject', class: 'send-confirm-subject' }, sendSubjectLine(draft.subject)),
          account ? h('p', { class: 'send-confirm-from' }, `From ${senderText(account)}`) : null,
          h('div', { class: 'send-confirm-actions' }, yes, no),
        );
        box.addEventListener('keydown', (e) => {
          if (e.key !== 'Escape' || e.isComposing) return;
          e.preventDefault();
          e.stopPropagation();
          cancelSend();
        });
        replace(confirmSlot, box);
        // The safe answer has the focus: a held Enter or Space must not send.
        no.focus();
      };
      /** Send: saves the text, then asks first, every time. */
      const askSend = () => {
        if (busy !== 'idle') return;
        void doSave(true).then(async (saved) => {
          if (!saved) {
            setBusy('idle');
            return;
          }
          if (draft.to.every((t) => t.trim() === '')) {
            setBusy('idle');
            statusEl.textContent = 'Not sent';
            replace(errorSlot, errorBox('This draft has no recipient, so it cannot be sent.'));
            return;
          }
          // Without a sending account there is nothing to ask: say so, with the way to set one.
          const account = await api.sendingAccount().catch(() => undefined);
          if (account === null) {
            setBusy('idle');
            statusEl.textContent = 'Not sent';
            replace(errorSlot, sendError({ kind: 'invalid_request', message: 'no sending account' }));
            errorSlot.querySelector<HTMLElement>('#draft-send-settings')?.focus();
            return;
          }
          confirmSend(account ?? null);
        });
      };
      save.addEventListener('click', () => void doSave());
      send.addEventListener('click', askSend);
      editor.addEventListener('input', () => {
        statusEl.textContent = 'Unsaved changes';
      });
      editor.addEventListener('keydown', (e) => {
        if ((e.ctrlKey || e.metaKey) && e.key === 's') {
          e.preventDefault();
          void doSave();
        }
      });
      const to = draft.to.length > 0 ? draft.to.join(', ') : mailboxFull(latest.from);
      replace(
        draftArea,
        h('label', { for: 'draft-editor', class: 'draft-label' }, `Draft to ${to}`),
        h('p', { class: 'draft-subject' }, draft.subject),
        editor,
        h('div', { class: 'draft-actions' }, save, send, statusEl),
        confirmSlot,
        errorSlot,
        h('p', { class: 'hint' }, 'Drafts stay on this computer until you send them, and Send always asks first.'),
      );
      draftArea.hidden = false;
      if (focus) editor.focus();
    };

    /** The suggestions on screen: a newer request drops the answer to an older one. */
    let replySeq = 0;
    const showReplies = (r: api.SmartReply) => {
      // Where they were written, and why (e.g. the cloud could not be reached): under the chips.
      const notice = r.notice ? h('p', { class: 'reply-notice', role: 'note' }, r.notice) : null;
      if (r.suggestions.length === 0) {
        replace(body, h('p', { id: 'reply-none', class: 'muted' }, r.reason ?? 'No suggestions for this message.'), notice);
        return;
      }
      const chips = r.suggestions.map((text, index) =>
        h('button', { type: 'button', class: 'reply-chip', 'data-index': index }, text),
      );
      const group = h('div', { id: 'reply-chips', role: 'group', 'aria-label': 'Suggested replies' }, ...chips);
      const pickError = h('div', { class: 'pick-error' });
      chips.forEach((chip, index) =>
        chip.addEventListener('click', () => {
          chips.forEach((c) => (c.disabled = true));
          chip.classList.add('picked');
          replace(pickError, loadingBox('Writing the draft…'));
          api
            .pickReply(latest.id, index)
            .then((draft) => {
              replace(pickError);
              showDraft(draft, 'Draft saved', true);
            })
            .catch((e) => replace(pickError, errorBox(api.toCommandError(e))))
            .finally(() => {
              chips.forEach((c) => (c.disabled = false));
              chip.classList.remove('picked');
            });
        }),
      );
      const by = r.route === 'cloud' ? 'Written by the cloud model' : 'Machine-written suggestions';
      replace(body, group, notice, pickError, h('p', { class: 'hint' }, `${by}: pick one to start a draft you can edit.`));
    };

    /** A newer request (or thread) took over: the answer is dropped (and a cloud preview waiting on
     * it closes). */
    const stale = (mySeq: number, cloud: boolean): boolean => {
      if (mine !== this.seq) return true;
      if (mySeq === replySeq) return false;
      if (cloud) cloudBox.close(false);
      return true;
    };

    /** Suggestions on this device, or (`cloud`, after its preview) from the cloud model. */
    const load = (fresh: boolean, cloud = false) => {
      const mySeq = ++replySeq;
      refresh.disabled = true;
      replace(body, loadingBox(cloud ? 'Asking the cloud model for replies…' : 'Thinking of replies…', 'replies-loading'));
      api
        .smartReply(latest.id, fresh, cloud)
        .then((r) => {
          if (stale(mySeq, cloud)) return;
          showReplies(r);
          if (cloud) cloudBox.close(true);
        })
        .catch((e) => {
          if (stale(mySeq, cloud)) return;
          // Trying the cloud again shows its preview again: nothing is sent without Send.
          replace(body, errorBox(api.toCommandError(e), cloud ? openCloud : () => load(fresh)));
          if (cloud) cloudBox.close(true);
        })
        .finally(() => {
          if (mySeq === replySeq) refresh.disabled = false;
        });
    };

    /** "Suggestions from the cloud model": what would be sent, sending nothing. */
    const openCloud = () => {
      if (mine !== this.seq) return;
      cloudButton.setAttribute('aria-expanded', 'true');
      cloudButton.disabled = true;
      cloudBox.open(() => api.replyCloudPreview(latest.id), {
        send: () => {
          cloudBox.busy();
          load(true, true);
        },
      });
    };
    cloudButton.addEventListener('click', openCloud);

    // The cloud button is there only while a cloud model is set.
    api
      .cloudSettings()
      .then((cloud) => {
        if (mine === this.seq) cloudButton.hidden = cloud === null;
      })
      .catch(() => {
        if (mine === this.seq) cloudButton.hidden = true;
      });
    load(false);

    // A draft already written for this message opens in the editor.
    api
      .drafts()
      .then((all) => {
        const existing = all.filter((d) => d.message === latest.id).sort((a, b) => b.updatedAt - a.updatedAt)[0];
        if (existing && draftArea.hidden) showDraft(existing, 'Draft saved', false);
      })
      .catch(() => {
        /* the drafts list is a convenience; suggestions still work without it */
      });
    return section;
  }
}

/** Flagged, where the message is filed, and its labels (null when it has none of them). */
function messageMarks(m: api.Message): HTMLElement | null {
  const filed = filedInText(m);
  const labels = m.labels.filter((l) => l.trim() !== '');
  if (!m.flagged && !filed && labels.length === 0) return null;
  return h(
    'div',
    { class: 'message-marks' },
    m.flagged ? h('span', { class: 'badge message-flagged' }, 'Flagged') : null,
    filed ? h('span', { class: 'badge message-filed' }, filed) : null,
    ...labels.map((l) => h('span', { class: 'tag message-label' }, h('span', { class: 'visually-hidden' }, 'Label: '), l)),
  );
}

function messageEl(m: api.Message): HTMLElement {
  const recipients = [
    m.to.length > 0 ? `To ${m.to.map(mailboxName).join(', ')}` : '',
    m.cc.length > 0 ? `Cc ${m.cc.map(mailboxName).join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const body = h('div', { class: 'message-body' });
  body.textContent = m.body.trim() === '' ? '(This message has no text.)' : m.body;
  const el = h(
    'article',
    { class: `message${m.unread ? ' unread' : ''}`, 'data-id': m.id, 'aria-label': `From ${mailboxName(m.from)}` },
    h(
      'header',
      { class: 'message-header' },
      h(
        'div',
        { class: 'message-people' },
        h('span', { class: 'message-from', title: mailboxFull(m.from) }, mailboxName(m.from)),
        recipients ? h('span', { class: 'message-to' }, recipients) : null,
      ),
      h('time', { class: 'message-date', datetime: isoDate(m.date) || null }, formatFullDate(m.date)),
      messageMarks(m),
    ),
    body,
  );
  if (m.attachments.length > 0) {
    append(
      el,
      h(
        'ul',
        { class: 'attachments', 'aria-label': 'Attachments' },
        ...m.attachments.map((a) => h('li', null, h('span', { class: 'attachment-name' }, a.filename), ` ${formatBytes(a.size)}`)),
      ),
    );
  }
  return el;
}
