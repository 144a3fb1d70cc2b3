// Pure helpers for the sources card in Settings (labels, counts, progress); unit-tested in
// sources.test.ts.

import type { AddSourceKind, Privacy, Progress, Source, SourceKind } from './api';
import { formatListDate, plural } from './format';

/** The kinds the add form offers, with their labels and an example path. */
export const ADD_KINDS: readonly { value: AddSourceKind; label: string; placeholder: string }[] = [
  { value: 'maildir', label: 'Mail folder (maildir)', placeholder: '/home/you/Mail' },
  { value: 'mbox', label: 'Mailbox file (mbox)', placeholder: '/home/you/mail/inbox.mbox' },
  { value: 'notes', label: 'Notes folder (Markdown)', placeholder: '/home/you/Notes' },
];

/** The privacy labels, in the order the select shows them. */
export const PRIVACY_OPTIONS: readonly { value: Privacy; label: string }[] = [
  { value: 'local', label: 'On this device' },
  { value: 'private', label: 'Private — never leaves this device' },
  { value: 'cloud', label: 'May use the cloud model when it is turned on' },
];

const KIND_NAMES: Record<SourceKind, string> = {
  maildir: 'Mail folder',
  mbox: 'Mailbox file',
  eml: 'Email files',
  imap: 'Mail account',
  notes: 'Notes folder',
};

/** A source's kind for people: "Mail folder", "Notes folder"… */
export function kindName(kind: string): string {
  return (KIND_NAMES as Record<string, string>)[kind] ?? kind;
}

/** The add form's kind, or null for anything else. */
export function parseAddKind(value: string): AddSourceKind | null {
  return ADD_KINDS.find((k) => k.value === value)?.value ?? null;
}

/** The privacy value, or null for anything else. */
export function parsePrivacy(value: string): Privacy | null {
  return PRIVACY_OPTIONS.find((p) => p.value === value)?.value ?? null;
}

/** What a source holds: "7 messages" for mail, "6 notes" for notes, both when it has both. */
export function sourceCounts(s: Pick<Source, 'kind' | 'messages' | 'notes'>): string {
  const isNotes = s.kind === 'notes';
  const parts: string[] = [];
  if (!isNotes || s.messages > 0) parts.push(plural(s.messages, 'message'));
  if (isNotes || s.notes > 0) parts.push(plural(s.notes, 'note'));
  return parts.join(', ');
}

/** The status after adding a source: "Added: 9 messages." */
export function addedText(s: Pick<Source, 'kind' | 'messages' | 'notes'>): string {
  return `Added: ${sourceCounts(s)}.`;
}

/** When a source was last read: "Last read: Yesterday", or "Not read yet". */
export function lastSyncText(lastSync: number | null, now: Date = new Date(), locale?: string): string {
  if (lastSync === null || !Number.isFinite(lastSync)) return 'Not read yet';
  return `Last read: ${formatListDate(lastSync, now, locale)}`;
}

/** A progress line: "Reading: 3 of 10", "Indexing: 12", "Reading…". */
export function progressText(p: Progress): string {
  const stage = p.stage ? p.stage.charAt(0).toUpperCase() + p.stage.slice(1) : 'Working';
  if (p.total !== null && p.total > 0) return `${stage}: ${Math.min(p.done, p.total)} of ${p.total}`;
  return p.done > 0 ? `${stage}: ${p.done}` : `${stage}…`;
}
