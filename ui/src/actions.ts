// Pure helpers for the Assistant's "Do" mode (action plans) and the thread view's filing marks;
// unit-tested in actions.test.ts.

import type { AuditEntry, CommandError, Message, PlannedRequest } from './api';

/** The verbs a request to do something starts with. */
const ACTION_VERBS = [
  'forward',
  'send',
  'reply',
  'respond',
  'answer',
  'archive',
  'file',
  'move',
  'label',
  'tag',
  'flag',
  'star',
  'mark',
  'summarize',
  'summarise',
  'open',
  'show',
  'search',
  'find',
  'create',
  'make',
  'add',
  'append',
  'remind',
  'compose',
  'write',
  'draft',
  'email',
];

const POLITE_LEAD = /^(?:(?:please|pls|kindly)\b[\s,]*|(?:can|could|would|will)\s+you\b[\s,]*)+/;
const VERB = new RegExp(`^(?:${ACTION_VERBS.join('|')})(?![\\w'’-])`);

/** Does the text ask for something to be done ("Forward the latest email from Kenneth to Sara",
 * "Please archive this", "Can you remind me…") rather than ask a question ("What did Kenneth
 * say…")? True when it starts with an action verb, after a leading "please" / "can you". */
export function looksLikeAction(text: string): boolean {
  const t = text
    .trim()
    .toLowerCase()
    .replace(/^[^\p{L}\p{N}]+/u, '');
  const rest = t.replace(POLITE_LEAD, '');
  return VERB.test(rest);
}

/** What an error of `planRequest` / `runPlan` says: a friendly lead for the kinds the user can act
 * on, then the command's own words (with a capital letter). */
export function planErrorText(err: CommandError): { lead: string | null; message: string } {
  const lead =
    err.kind === 'unsupported'
      ? "I can't do that."
      : err.kind === 'ambiguous'
        ? 'Which one?'
        : err.kind === 'not_found'
          ? "I couldn't find that."
          : null;
  const message = err.message.trim();
  return { lead, message: message.charAt(0).toUpperCase() + message.slice(1) };
}

/** The run button's words: "Send" for a plan that sends mail, else "Run". */
export function runButtonText(planned: PlannedRequest): string {
  return planned.plan.needsConfirmation ? 'Send' : 'Run';
}

/** "Proposed by the rules" / "Proposed by the model" / "Proposed by the cloud model". */
export function proposedByText(planned: PlannedRequest): string {
  switch (planned.proposedBy) {
    case 'model':
      return 'Proposed by the model';
    case 'cloud':
      return 'Proposed by the cloud model';
    default:
      return 'Proposed by the rules';
  }
}

/** An action kind in words: `mark_read` → "Mark read". */
export function actionName(kind: string): string {
  const words = kind.replace(/[_-]+/g, ' ').trim();
  if (words === '') return 'Action';
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** An audit entry's undo state in words ('' when there is nothing to undo). */
export function undoStateText(state: AuditEntry['undoState']): string {
  switch (state) {
    case 'available':
      return 'Can be undone';
    case 'undone':
      return 'Undone';
    default:
      return '';
  }
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** When something is due, in local time: "Today, 09:00", "Tomorrow, 09:00", else
 * "Fri 22 Nov, 09:00" (with the year when it is not this year). */
export function dueText(unixSeconds: number, now: Date = new Date(), locale?: string): string {
  if (!Number.isFinite(unixSeconds)) return '';
  const d = new Date(unixSeconds * 1000);
  const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(d);
  if (sameDay(d, now)) return `Today, ${time}`;
  const tomorrow = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  if (sameDay(d, tomorrow)) return `Tomorrow, ${time}`;
  const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
  if (sameDay(d, yesterday)) return `Yesterday, ${time}`;
  const opts: Intl.DateTimeFormatOptions =
    d.getFullYear() === now.getFullYear()
      ? { weekday: 'short', day: 'numeric', month: 'short' }
      : { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' };
  return `${new Intl.DateTimeFormat(locale, opts).format(d)}, ${time}`;
}

/** Where a message is filed, in words: null for the inbox, "Archived", or "In Legal". */
export function filedInText(m: Pick<Message, 'filedIn'>): string | null {
  const where = m.filedIn.trim();
  if (where === '') return null;
  if (where.toLowerCase() === 'archive') return 'Archived';
  return `In ${where}`;
}

/** The message "this email" means in Do mode: the one named as context, a message the Assistant
 * was opened about ("m12"), else none. */
export function contextMessage(about: { id: string; message?: string | null } | null): string | null {
  if (!about) return null;
  if (about.message) return about.message;
  return /^m\d+$/.test(about.id) ? about.id : null;
}
