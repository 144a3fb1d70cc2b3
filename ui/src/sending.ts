// Pure helpers for sending mail: the sending account form in Settings (defaults and checks) and
// the words of the thread's Send flow (the question asked first, the outcome); unit-tested in
// sending.test.ts.

import type { CommandError, OutboxItem, OutboxState, SendingAccount, SendingAccountInput, SmtpSecurity } from './api';

/** The security choices, in the order the select shows them, with their usual ports. */
export const SMTP_SECURITY_OPTIONS: readonly { value: SmtpSecurity; label: string; port: number }[] = [
  { value: 'tls', label: 'TLS (port 465)', port: 465 },
  { value: 'starttls', label: 'STARTTLS (port 587)', port: 587 },
  { value: 'plain', label: 'No encryption — only for a server on this computer', port: 25 },
];

/** The limit the backend uses when none is given. */
export const DEFAULT_MAX_PER_HOUR = 30;
/** The highest sending limit the form takes. */
export const MAX_PER_HOUR_LIMIT = 10_000;

/** The security value, or null for anything else. */
export function parseSmtpSecurity(value: string): SmtpSecurity | null {
  return SMTP_SECURITY_OPTIONS.find((o) => o.value === value)?.value ?? null;
}

/** 465 for TLS, 587 for STARTTLS, 25 without encryption. */
export function defaultSmtpPort(security: SmtpSecurity): number {
  return SMTP_SECURITY_OPTIONS.find((o) => o.value === security)?.port ?? 465;
}

/** The port field after the security changes: the usual port unless the user typed one. */
export function smtpPortAfterSecurityChange(security: SmtpSecurity, port: string, edited: boolean): string {
  return edited ? port : String(defaultSmtpPort(security));
}

/** Does a saved account use a port other than its security's usual one (so it counts as typed)? */
export function portWasChosen(account: Pick<SendingAccount, 'port' | 'security'>): boolean {
  const security = parseSmtpSecurity(account.security);
  return security === null || account.port !== defaultSmtpPort(security);
}

/** A port typed in the form: 1–65535, else null. */
export function parsePort(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,5}$/.test(t)) return null;
  const port = Number(t);
  return port >= 1 && port <= 65535 ? port : null;
}

/** Does `text` look like a mail address (something@somewhere, no spaces or brackets)? */
export function looksLikeAddress(text: string): boolean {
  const m = /^([^\s@<>(),;:"\\[\]]+)@([^\s@<>(),;:"\\[\]]+)$/.exec(text.trim());
  if (!m) return false;
  const [, local, domain] = m;
  const badDots = (s: string) => s.startsWith('.') || s.endsWith('.') || s.includes('..');
  return !badDots(local) && !badDots(domain) && !domain.startsWith('-');
}

/** A server name as the backend compares it: trimmed, lower case, without [ ] around IPv6. */
export function normalizeHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
}

/** Is `host` this computer as the backend counts it (127.0.0.1, localhost or ::1)? Only such a
 * server may be reached without encryption. */
export function isThisComputer(host: string): boolean {
  return ['127.0.0.1', 'localhost', '::1'].includes(normalizeHost(host));
}

/** The line under the security select: what "no encryption" means for this host (null otherwise). */
export function smtpSecurityHint(security: SmtpSecurity, host: string): string | null {
  if (security !== 'plain') return null;
  if (isThisComputer(host)) return 'Without encryption: fine for a server on this computer, such as a local mail relay or bridge.';
  return 'Without encryption the mail and the password would cross the network readable, so the app only allows it for a server on this computer (localhost, 127.0.0.1 or ::1).';
}

/** Why a server name is wrong, or null when it is fine. */
function hostProblem(host: string): string | null {
  if (host === '') return 'Type the server’s name, e.g. smtp.example.com.';
  if (host.includes('://')) return 'Type the server’s name alone, without “smtps://”: e.g. smtp.example.com.';
  if (/^[^:[\]]+:\d*$/.test(host)) return 'Type the server’s name alone and the port in the Port field.';
  if (/[\s/@]/.test(host)) return 'A server name has no spaces, “/” or “@”: e.g. smtp.example.com.';
  return null;
}

/** Would the keyring find the saved password for this account? It is kept per security, user,
 * server and port, so changing any of them needs the password again. */
export function sameLogin(
  saved: Pick<SendingAccount, 'host' | 'port' | 'user' | 'security'>,
  account: Pick<SendingAccountInput, 'host' | 'port' | 'user' | 'security'>,
): boolean {
  return (
    normalizeHost(saved.host) === normalizeHost(account.host) &&
    saved.port === account.port &&
    saved.user === account.user &&
    saved.security === account.security
  );
}

/** What the user typed in the sending account form. */
export type SmtpFields = {
  from: string;
  name: string;
  host: string;
  port: string;
  security: string;
  user: string;
  password: string;
  max: string;
};

/** The account to save, or the first field that is wrong and why. */
export type SmtpCheck =
  | { ok: true; account: SendingAccountInput }
  | { ok: false; field: keyof SmtpFields; message: string };

/** Checks the form. `saved` is the account set now (an empty password then keeps its password
 * when the login is the same). The user name is optional (a server that needs no login). */
export function validateSmtp(f: SmtpFields, saved: SendingAccount | null): SmtpCheck {
  const fail = (field: keyof SmtpFields, message: string): SmtpCheck => ({ ok: false, field, message });
  const from = f.from.trim();
  if (from === '') return fail('from', 'Type the address replies are sent from, e.g. you@example.com.');
  if (/[<>]/.test(from)) return fail('from', 'Type the address alone (the name goes in the Name field), e.g. you@example.com.');
  if (!looksLikeAddress(from)) return fail('from', `“${from}” does not look like a mail address: type it as you@example.com.`);
  const name = f.name.trim();
  const hostText = f.host.trim();
  const problem = hostProblem(hostText);
  if (problem) return fail('host', problem);
  const host = normalizeHost(hostText);
  const port = parsePort(f.port);
  if (port === null) return fail('port', 'The port is a number from 1 to 65535 (usually 465 or 587).');
  const security = parseSmtpSecurity(f.security);
  if (!security) return fail('security', 'Choose TLS, STARTTLS or no encryption.');
  if (security === 'plain' && !isThisComputer(host)) {
    return fail('security', 'Without encryption mail can only go to a server on this computer (localhost, 127.0.0.1 or ::1): choose TLS or STARTTLS.');
  }
  const user = f.user.trim();
  const password = f.password;
  if (user === '' && password !== '') {
    return fail('user', 'Type the user name that goes with this password, or empty the password field.');
  }
  if (user !== '' && password === '' && !(saved && sameLogin(saved, { host, port, user, security }))) {
    return fail(
      'password',
      saved
        ? 'Type the password again: the server, port, security or user name changed.'
        : 'Type the password, or leave the user name empty if the server needs no login.',
    );
  }
  const maxText = f.max.trim();
  let maxPerHour: number | null = null;
  if (maxText !== '') {
    const max = /^\d{1,6}$/.test(maxText) ? Number(maxText) : NaN;
    if (!(max >= 1 && max <= MAX_PER_HOUR_LIMIT)) {
      return fail('max', `The limit is a whole number of messages from 1 to ${MAX_PER_HOUR_LIMIT} (${DEFAULT_MAX_PER_HOUR} is usual).`);
    }
    maxPerHour = max;
  }
  return { ok: true, account: { from, name, host, port, user, password, security, maxPerHour } };
}

/** "Alex Doe <alex@example.com>", or the address alone without a name. */
export function senderText(a: Pick<SendingAccount, 'from' | 'name'>): string {
  const name = a.name.trim();
  return name ? `${name} <${a.from}>` : a.from;
}

/** The saved account in words: "Sending as alex@example.com through smtp.example.com:465 (TLS)." */
export function sendingAccountText(a: SendingAccount): string {
  const how = { tls: 'TLS', starttls: 'STARTTLS', plain: 'no encryption' }[a.security] ?? a.security;
  const host = a.host.includes(':') ? `[${a.host}]` : a.host;
  return `Sending as ${senderText(a)} through ${host}:${a.port} (${how}).`;
}

// ---------- the Send flow in a thread ----------

/** "a", "a and b", "a, b and c". */
export function joinRecipients(to: string[]): string {
  const names = to.map((t) => t.trim()).filter((t) => t !== '');
  if (names.length === 0) return 'no one';
  if (names.length === 1) return names[0];
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** The question asked before anything is sent, naming every recipient. */
export function sendQuestion(to: string[]): string {
  return `Send this reply to ${joinRecipients(to)} now?`;
}

/** The subject line under the question. */
export function sendSubjectLine(subject: string): string {
  return `Subject: ${subject.trim() || '(no subject)'}`;
}

/** What happened to a message just sent, for the draft's status line. */
export function sendOutcomeText(item: Pick<OutboxItem, 'state' | 'to' | 'lastError'>): string {
  const reason = item.lastError?.trim() || '';
  switch (item.state) {
    case 'sent':
      return `Sent to ${joinRecipients(item.to)}.`;
    case 'queued':
      return reason ? `In the outbox: ${reason} — it will be retried.` : 'In the outbox — it will be retried.';
    case 'sending':
      return 'Being handed to the server now; the outbox shows when it has gone.';
    case 'failed':
      return `Not sent: ${reason || 'the server refused it.'}`;
    case 'cancelled':
      return 'Taken back: it will not be sent.';
  }
}

/** The short note that replaces the editor once the reply has left the drafts. */
export function sendNoteTitle(state: OutboxState): string {
  return { sent: 'Sent', queued: 'Queued', sending: 'Sending', failed: 'Not sent', cancelled: 'Taken back' }[state];
}

/** Sending was refused because no sending account is set. */
export function isNoSendingAccount(err: CommandError): boolean {
  return err.kind === 'invalid_request' && /no sending account/i.test(err.message);
}

/** Does the fix for this error lie in Settings (no account, or its password is not saved)? */
export function sendNeedsSettings(err: CommandError): boolean {
  return isNoSendingAccount(err) || err.kind === 'password_missing';
}

/** Why sending did not happen, in words. */
export function sendErrorText(err: CommandError): string {
  if (isNoSendingAccount(err)) return 'No sending account is set yet: add one in Settings, then send again.';
  if (err.kind === 'password_missing') return 'The sending account’s password is not in this computer’s keyring: enter it in Settings.';
  return err.message;
}
