// Pure helpers for the sources card in Settings (labels, counts, progress) and the mail account
// (IMAP) form; unit-tested in sources.test.ts.

import type {
  AddSourceKind,
  CommandError,
  ImapAccountInput,
  ImapSecurity,
  Privacy,
  Progress,
  Source,
  SourceKind,
} from './api';
import { formatListDate, plural } from './format';

/** The kinds the add form offers, with their labels and an example path. */
export const ADD_KINDS: readonly { value: AddSourceKind; label: string; placeholder: string }[] = [
  { value: 'maildir', label: 'Mail folder (maildir)', placeholder: '/home/you/Mail' },
  { value: 'mbox', label: 'Mailbox file (mbox)', placeholder: '/home/you/mail/inbox.mbox' },
  { value: 'notes', label: 'Notes folder (Markdown)', placeholder: '/home/you/Notes' },
];

/** The privacy labels, in the order the select shows them. */
export const PRIVACY_OPTIONS: readonly { value: Privacy; label: string }[] = [
  { value: 'local', label: 'Default — leaves this device only when you send it to the cloud model' },
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

/** Stages whose name is not a word for people. */
const STAGE_NAMES: Record<string, string> = { imap: 'Reading mail from the server' };

/** A progress line: "Reading: 3 of 10", "Indexing: 12", "Reading…". */
export function progressText(p: Progress): string {
  const stage = STAGE_NAMES[p.stage] ?? (p.stage ? p.stage.charAt(0).toUpperCase() + p.stage.slice(1) : 'Working');
  if (p.total !== null && p.total > 0) return `${stage}: ${Math.min(p.done, p.total)} of ${p.total}`;
  return p.done > 0 ? `${stage}: ${p.done}` : `${stage}…`;
}

/** Is this an IMAP account whose password is not in the keyring? (Strict: only `true` counts.) */
export function needsPassword(s: Source): boolean {
  return s.needsPassword === true;
}

/** The status after adding a mail account: "Added imaps://me@host:993: 9 messages." */
export function accountAddedText(s: Pick<Source, 'kind' | 'messages' | 'notes' | 'location'>, location: string): string {
  return `Added ${s.location || location}: ${sourceCounts(s)}.`;
}

/** The status after re-reading a source: "Up to date: 9 messages." */
export function syncedText(s: Pick<Source, 'kind' | 'messages' | 'notes'>): string {
  return `Up to date: ${sourceCounts(s)}.`;
}

/** Why adding or syncing failed, in words (`cancelled` is "Stopped."). */
export function ingestErrorText(err: CommandError): string {
  if (err.kind === 'cancelled') return 'Stopped.';
  if (err.kind === 'password_missing') return 'The password is not in this computer’s keyring: add the account again to enter it.';
  return err.message;
}

// ---------- the mail account (IMAP) form ----------

/** The security choices, in the order the select shows them, with their usual ports. */
export const IMAP_SECURITY_OPTIONS: readonly { value: ImapSecurity; label: string; port: number }[] = [
  { value: 'tls', label: 'TLS (port 993)', port: 993 },
  { value: 'plain', label: 'No encryption — only for a server on this computer', port: 143 },
];

/** The security value, or null for anything else. */
export function parseSecurity(value: string): ImapSecurity | null {
  return IMAP_SECURITY_OPTIONS.find((o) => o.value === value)?.value ?? null;
}

/** 993 for TLS, 143 without encryption. */
export function defaultImapPort(security: ImapSecurity): number {
  return security === 'plain' ? 143 : 993;
}

/** The port field after the security changes: the usual port unless the user typed one. */
export function portAfterSecurityChange(security: ImapSecurity, port: string, edited: boolean): string {
  return edited ? port : String(defaultImapPort(security));
}

/** "INBOX, Archive ,, Work" → ["INBOX", "Archive", "Work"] (empty = every folder). */
export function parseFolders(text: string): string[] {
  const seen = new Set<string>();
  for (const f of text.split(',')) {
    const name = f.trim();
    if (name !== '') seen.add(name);
  }
  return [...seen];
}

/** Is `host` this computer (localhost, 127.x.x.x, ::1)? */
export function isLocalHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  return h === '::1' || h === '0:0:0:0:0:0:0:1';
}

/** The line under the security select: what "no encryption" means for this host (null for TLS). */
export function securityHint(security: ImapSecurity, host: string): string | null {
  if (security !== 'plain') return null;
  if (isLocalHost(host)) return 'Without encryption: fine for a server on this computer, such as a local mail bridge.';
  return 'Without encryption the password would cross the network readable, so the app only allows it for a server on this computer (localhost).';
}

/** The account as a location: "imaps://user@host:993" ("imap://" without encryption). */
export function imapLocation(a: Pick<ImapAccountInput, 'host' | 'port' | 'user' | 'security'>): string {
  const host = a.host.includes(':') && !a.host.startsWith('[') ? `[${a.host}]` : a.host;
  return `${a.security === 'plain' ? 'imap' : 'imaps'}://${a.user}@${host}:${a.port}`;
}

/** What the user typed in the form. */
export type ImapFields = { host: string; port: string; user: string; password: string; security: string; folders: string };

/** The account to add, or the first field that is wrong and why. */
export type ImapCheck =
  | { ok: true; account: ImapAccountInput }
  | { ok: false; field: keyof ImapFields; message: string };

/** Checks the form: host, port 1–65535, user and password required; folders split at commas. */
export function validateImap(f: ImapFields): ImapCheck {
  const host = f.host.trim();
  if (host === '') return { ok: false, field: 'host', message: 'Type the server’s name, e.g. imap.example.com.' };
  if (host.includes('://')) {
    return { ok: false, field: 'host', message: 'Type the server’s name alone, without “imaps://”: e.g. imap.example.com.' };
  }
  if (/^[^:[\]]+:\d*$/.test(host)) return { ok: false, field: 'host', message: 'Type the server’s name alone and the port in the Port field.' };
  if (/[\s/@]/.test(host)) return { ok: false, field: 'host', message: 'A server name has no spaces, “/” or “@”: e.g. imap.example.com.' };
  const portText = f.port.trim();
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) return { ok: false, field: 'port', message: 'The port is a number from 1 to 65535 (usually 993).' };
  const user = f.user.trim();
  if (user === '') return { ok: false, field: 'user', message: 'Type the user name (often the email address).' };
  if (f.password === '') return { ok: false, field: 'password', message: 'Type the password.' };
  const security = parseSecurity(f.security);
  if (!security) return { ok: false, field: 'security', message: 'Choose TLS or no encryption.' };
  return { ok: true, account: { host, port, user, password: f.password, security, folders: parseFolders(f.folders) } };
}
