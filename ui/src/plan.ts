// The Assistant's Do mode: a request in words becomes a plan the user sees (nothing changes yet),
// runs only when the user presses its button, and each step that changed something can be undone.
// Everything the backend sends back (summaries, items, outputs: mail contents among them) goes in
// as text through dom.ts's h(), never as markup.

import {
  actionName,
  dueText,
  planErrorText,
  proposedByText,
  runButtonText,
  undoStateText,
} from './actions';
import * as api from './api';
import { ICONS, errorBox, h, icon, loadingBox, replace } from './dom';
import { formatFullDate, formatListDate, isoDate } from './format';

export interface PlanTurnOptions {
  instruction: string;
  /** The message "this email" means (null when none is open). */
  message: string | null;
  /** How the question bubble names that message. */
  messageLabel: string | null;
  /** Edit: the instruction goes back into the input. */
  onEdit: (instruction: string) => void;
  /** Cancel: the card closed and nothing happened. */
  onCancel: () => void;
  /** Planning ended (a plan or an error): the input may take the next request. */
  onPlanned: () => void;
  /** A plan ran or a step was undone: the action log and reminders are out of date. */
  onChanged: () => void;
}

type State = 'planning' | 'shown' | 'running' | 'failed' | 'done' | 'closed';

/** The error box for a failed planRequest / runPlan: `#plan-error`, a friendly lead and the words. */
function planErrorBox(err: api.CommandError): HTMLElement {
  const { lead, message } = planErrorText(err);
  return h(
    'div',
    { id: 'plan-error', class: 'error plan-error', role: 'alert' },
    h('p', { class: 'plan-error-text' }, lead ? h('strong', { class: 'plan-error-lead' }, lead) : null, lead ? ' ' : null, message),
  );
}

/** One request in Do mode: the question bubble, then "Planning…", then the plan card. */
export class PlanTurn {
  readonly el: HTMLElement;
  private readonly slot: HTMLElement;
  private state: State = 'planning';

  constructor(private readonly opts: PlanTurnOptions) {
    this.slot = h('div', { class: 'plan-slot' });
    this.el = h(
      'div',
      { class: 'turn plan-turn' },
      h(
        'div',
        { class: 'question' },
        opts.messageLabel ? h('span', { class: 'question-about' }, `This email: ${opts.messageLabel}`) : null,
        h('p', null, opts.instruction),
      ),
      this.slot,
    );
  }

  /** Asks for the plan; nothing changes. */
  start(): Promise<void> {
    this.state = 'planning';
    replace(this.slot, loadingBox('Planning…', 'plan-loading'));
    return api
      .planRequest(this.opts.instruction, this.opts.message)
      .then((planned) => {
        if (this.state !== 'planning') return;
        this.showPlan(planned);
      })
      .catch((e) => {
        if (this.state !== 'planning') return;
        this.showPlanError(api.toCommandError(e));
      })
      .finally(() => this.opts.onPlanned());
  }

  /** A plan is on screen waiting for the user (Escape closes it). */
  isOpen(): boolean {
    return this.state === 'shown' || this.state === 'failed';
  }

  /** Escape: closes an open card (true when it did). */
  escape(): boolean {
    if (!this.isOpen()) return false;
    this.cancel();
    return true;
  }

  /** Closes the card without doing anything. */
  cancel(): void {
    if (this.state === 'running' || this.state === 'closed') return;
    const ran = this.state === 'failed';
    this.state = 'closed';
    replace(
      this.slot,
      h('p', { class: 'plan-closed muted' }, ran ? 'Closed.' : 'Cancelled: nothing was done.'),
    );
    this.opts.onCancel();
  }

  /** A newer request takes over: an unanswered card goes away, a finished one stays as history
   * without the ids (they belong to the newest card). */
  retire(): void {
    if (this.state === 'planning' || this.isOpen()) {
      this.state = 'closed';
      this.el.remove();
      return;
    }
    for (const el of this.el.querySelectorAll('[id]')) el.removeAttribute('id');
  }

  private showPlanError(err: api.CommandError): void {
    this.state = 'closed';
    const edit = h(
      'button',
      { type: 'button', class: 'secondary plan-error-edit', onclick: () => this.edit() },
      'Edit the request',
    );
    replace(this.slot, h('div', { class: 'plan-error-group' }, planErrorBox(err), edit));
  }

  private edit(): void {
    if (this.state === 'running') return;
    this.state = 'closed';
    this.el.remove();
    this.opts.onEdit(this.opts.instruction);
  }

  private showPlan(planned: api.PlannedRequest): void {
    this.state = 'shown';
    const sends = planned.plan.needsConfirmation;
    const steps = planned.steps.map((step) =>
      h(
        'li',
        { class: 'plan-step' },
        h('p', { class: 'plan-step-summary' }, step.summary),
        step.items.length > 0
          ? h('ul', { class: 'plan-items', 'aria-label': 'Exactly these' }, ...step.items.map((item) => h('li', { class: 'plan-item' }, item)))
          : null,
      ),
    );
    const run = h(
      'button',
      { type: 'button', id: 'plan-run', class: 'primary', disabled: planned.steps.length === 0 },
      sends ? icon(ICONS.send) : null,
      runButtonText(planned),
    );
    const edit = h('button', { type: 'button', id: 'plan-edit', class: 'secondary', onclick: () => this.edit() }, 'Edit');
    const cancel = h('button', { type: 'button', id: 'plan-cancel', class: 'secondary', onclick: () => this.cancel() }, 'Cancel');
    const errorSlot = h('div', { class: 'plan-error-slot' });
    const statusSlot = h('div', { class: 'plan-status-slot' });
    const body = h(
      'div',
      { class: 'plan-body' },
      planned.notice ? h('p', { id: 'plan-notice', class: 'plan-notice', role: 'note' }, planned.notice) : null,
      steps.length > 0
        ? h('ol', { class: 'plan-steps' }, ...steps)
        : h('p', { class: 'muted' }, 'The plan has no steps: nothing to do.'),
      sends ? h('p', { id: 'plan-sends', class: 'plan-sends' }, 'This plan sends mail.') : null,
      errorSlot,
      statusSlot,
      h('div', { class: 'plan-actions' }, run, edit, cancel),
      h(
        'p',
        { class: 'hint' },
        sends ? 'Nothing is sent until you press Send.' : 'Nothing changes until you press Run.',
      ),
    );
    const title = h('h3', { class: 'plan-title' }, 'Plan');
    const card = h(
      'section',
      { id: 'plan-card', class: `plan-card${sends ? ' sends' : ''}`, 'aria-label': 'Plan', tabindex: -1 },
      h('header', { class: 'plan-head' }, title, h('span', { class: 'plan-by' }, proposedByText(planned))),
      body,
    );
    replace(this.slot, card);

    run.addEventListener('click', () => {
      if (this.state !== 'shown') return;
      this.state = 'running';
      for (const b of [run, edit, cancel]) b.disabled = true;
      replace(errorSlot);
      replace(statusSlot, loadingBox(sends ? 'Sending…' : 'Running…', 'plan-running'));
      card.setAttribute('aria-busy', 'true');
      api
        .runPlan(planned.plan, this.opts.instruction, true)
        .then((outcomes) => {
          this.state = 'done';
          title.textContent = 'Done';
          card.classList.remove('sends');
          replace(body, outcomesEl(outcomes, this.opts.onChanged));
        })
        .catch((e) => {
          // Some steps may have run: the same plan is not offered again (Edit plans it anew).
          this.state = 'failed';
          replace(statusSlot);
          replace(errorSlot, planErrorBox(api.toCommandError(e)));
          edit.disabled = false;
          cancel.disabled = false;
          cancel.textContent = 'Close';
        })
        .finally(() => {
          card.removeAttribute('aria-busy');
          this.opts.onChanged();
        });
    });
    // The card takes the focus (not the button: a held Enter must not run the plan).
    card.focus();
  }
}

/** What each step did; those that changed something can be undone. */
function outcomesEl(outcomes: api.StepOutcome[], onChanged: () => void): HTMLElement {
  if (outcomes.length === 0) {
    return h('div', { id: 'plan-outcomes' }, h('p', { class: 'muted' }, 'Nothing was done.'));
  }
  const rows = outcomes.map((o) => {
    const output = o.output !== null && o.output.trim() !== '' ? h('div', { class: 'plan-output' }) : null;
    if (output) output.textContent = o.output; // mail contents: text only, never markup
    const undoSlot = h('div', { class: 'plan-undo-slot' });
    if (o.undoable) {
      const undo = h(
        'button',
        { type: 'button', class: 'secondary plan-undo', 'data-audit-id': o.auditId, 'aria-label': `Undo: ${o.summary}` },
        'Undo',
      );
      undo.addEventListener('click', () => {
        undo.disabled = true;
        api
          .undoAction(o.auditId)
          .then(() => replace(undoSlot, h('span', { class: 'plan-undone' }, 'Undone')))
          .catch((e) => {
            undo.disabled = false;
            replace(undoSlot, undo, h('span', { class: 'plan-undo-error', role: 'alert' }, api.toCommandError(e).message));
          })
          .finally(onChanged);
      });
      undoSlot.append(undo);
    }
    return h(
      'li',
      { class: 'plan-outcome', 'data-audit-id': o.auditId },
      h('div', { class: 'plan-outcome-head' }, h('p', { class: 'plan-outcome-summary' }, o.summary), undoSlot),
      output,
    );
  });
  return h('div', { id: 'plan-outcomes' }, h('ol', { class: 'plan-outcome-list' }, ...rows));
}

/** "Recent actions" (the audit log, with Undo) and the reminders: plain text lists. */
export class ActivityPanel {
  readonly el: HTMLElement;
  private readonly log: HTMLDetailsElement;
  private readonly logSummary: HTMLElement;
  private readonly logBody: HTMLElement;
  private readonly reminders: HTMLDetailsElement;
  private readonly remindersSummary: HTMLElement;
  private readonly remindersBody: HTMLElement;
  private seq = 0;

  /** `onUndone`: a step was undone from the log (its row in the conversation can say so). */
  constructor(private readonly onUndone: (auditId: number) => void = () => {}) {
    this.logSummary = h('summary', null, 'Recent actions');
    this.logBody = h('div', { class: 'do-details-body' });
    this.log = h('details', { id: 'action-log', class: 'do-details' }, this.logSummary, this.logBody);
    this.remindersSummary = h('summary', null, 'Reminders');
    this.remindersBody = h('div', { class: 'do-details-body' });
    this.reminders = h('details', { id: 'reminders', class: 'do-details' }, this.remindersSummary, this.remindersBody);
    this.el = h('div', { class: 'do-panel', 'aria-label': 'Actions and reminders' }, this.log, this.reminders);
  }

  /** Reads both lists again. */
  refresh(): Promise<void> {
    const mine = ++this.seq;
    const log = api
      .actionLog()
      .then((entries) => {
        if (mine === this.seq) this.renderLog(entries);
      })
      .catch((e) => {
        if (mine === this.seq) replace(this.logBody, errorBox(api.toCommandError(e), () => void this.refresh()));
      });
    const reminders = api
      .remindersList()
      .then((list) => {
        if (mine === this.seq) this.renderReminders(list);
      })
      .catch((e) => {
        if (mine === this.seq) replace(this.remindersBody, errorBox(api.toCommandError(e), () => void this.refresh()));
      });
    return Promise.all([log, reminders]).then(() => undefined);
  }

  private renderLog(entries: api.AuditEntry[]): void {
    replace(this.logSummary, 'Recent actions', entries.length > 0 ? h('span', { class: 'do-count' }, ` (${entries.length})`) : null);
    if (entries.length === 0) {
      replace(this.logBody, h('p', { class: 'muted do-empty' }, 'Nothing done yet.'));
      return;
    }
    const rows = entries.map((entry) => {
      const state = undoStateText(entry.undoState);
      const slot = h('span', { class: 'action-log-undo-slot' });
      if (entry.undoState === 'available') {
        const undo = h(
          'button',
          {
            type: 'button',
            class: 'secondary action-log-undo',
            'data-audit-id': entry.id,
            'aria-label': `Undo: ${actionName(entry.action)}, ${entry.instruction}`,
          },
          'Undo',
        );
        undo.addEventListener('click', () => {
          undo.disabled = true;
          api
            .undoAction(entry.id)
            .then(() => {
              this.onUndone(entry.id);
              return this.refresh();
            })
            .catch((e) => {
              undo.disabled = false;
              replace(slot, undo, h('span', { class: 'action-log-error', role: 'alert' }, api.toCommandError(e).message));
            });
        });
        slot.append(undo);
      }
      return h(
        'li',
        { class: `action-log-entry undo-${entry.undoState}`, 'data-audit-id': entry.id },
        h(
          'div',
          { class: 'action-log-line' },
          h('time', { class: 'action-log-time', datetime: isoDate(entry.at), title: formatFullDate(entry.at) }, formatListDate(entry.at)),
          h('span', { class: 'action-log-action' }, actionName(entry.action)),
          state ? h('span', { class: 'badge action-log-state' }, state) : null,
          slot,
        ),
        entry.instruction ? h('p', { class: 'action-log-instruction' }, entry.instruction) : null,
      );
    });
    replace(this.logBody, h('ul', { class: 'action-log-list' }, ...rows));
  }

  private renderReminders(list: api.Reminder[]): void {
    replace(this.remindersSummary, 'Reminders', list.length > 0 ? h('span', { class: 'do-count' }, ` (${list.length})`) : null);
    if (list.length === 0) {
      replace(this.remindersBody, h('p', { class: 'muted do-empty' }, 'No reminders.'));
      return;
    }
    const now = new Date();
    const rows = list.map((r) =>
      h(
        'li',
        { class: `reminder${r.dueAt * 1000 < now.getTime() ? ' overdue' : ''}`, 'data-id': r.id },
        h('time', { class: 'reminder-due', datetime: isoDate(r.dueAt), title: formatFullDate(r.dueAt) }, dueText(r.dueAt, now)),
        h('span', { class: 'reminder-text' }, r.text),
      ),
    );
    replace(this.remindersBody, h('ul', { class: 'reminder-list' }, ...rows));
  }
}

/** A step undone elsewhere (the action log): its outcome row in the conversation says so. */
export function markOutcomeUndone(root: ParentNode, auditId: number): void {
  for (const row of root.querySelectorAll<HTMLElement>('.plan-outcome')) {
    if (row.dataset.auditId !== String(auditId)) continue;
    const slot = row.querySelector('.plan-undo-slot');
    if (slot) replace(slot, h('span', { class: 'plan-undone' }, 'Undone'));
  }
}
