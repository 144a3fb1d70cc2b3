// Pure formatting helpers (dates, sizes, people); unit-tested in format.test.ts.

import type { Mailbox } from './api';

const DAY = 86_400_000;

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** A list date: the time today, "Yesterday", the weekday within a week, else the day and month
 * (with the year when it is not this year). */
export function formatListDate(unixSeconds: number | null, now: Date = new Date(), locale?: string): string {
  if (unixSeconds === null || !Number.isFinite(unixSeconds)) return '';
  const d = new Date(unixSeconds * 1000);
  if (sameDay(d, now)) return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(d);
  const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
  if (sameDay(d, yesterday)) return 'Yesterday';
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  if (d.getTime() < startOfToday && d.getTime() >= startOfToday - 6 * DAY) {
    return new Intl.DateTimeFormat(locale, { weekday: 'short' }).format(d);
  }
  const opts: Intl.DateTimeFormatOptions =
    d.getFullYear() === now.getFullYear()
      ? { day: 'numeric', month: 'short' }
      : { day: 'numeric', month: 'short', year: 'numeric' };
  return new Intl.DateTimeFormat(locale, opts).format(d);
}

/** A full date and time, for a message header. */
export function formatFullDate(unixSeconds: number | null, locale?: string): string {
  if (unixSeconds === null || !Number.isFinite(unixSeconds)) return 'No date';
  return new Intl.DateTimeFormat(locale, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(unixSeconds * 1000));
}

/** ISO 8601 for `<time datetime>`. */
export function isoDate(unixSeconds: number | null): string {
  if (unixSeconds === null || !Number.isFinite(unixSeconds)) return '';
  return new Date(unixSeconds * 1000).toISOString();
}

/** Megabytes for people: "135 MB", "1.2 GB". */
export function formatMegabytes(mb: number): string {
  if (!Number.isFinite(mb) || mb < 0) return '';
  if (mb >= 1000) return `${(mb / 1000).toFixed(1).replace(/\.0$/, '')} GB`;
  if (mb >= 10) return `${Math.round(mb)} MB`;
  return `${mb.toFixed(1).replace(/\.0$/, '')} MB`;
}

/** Bytes for people: "512 B", "12 KB", "3.4 MB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${Math.round(bytes / 1000)} KB`;
  return formatMegabytes(bytes / 1_000_000);
}

/** Download progress: "12 of 135 MB", or "12 MB" while the total is unknown. */
export function formatDownload(downloaded: number, total: number | null): string {
  const mb = (n: number) => Math.round(n / 1_000_000);
  if (total === null || total <= 0) return `${mb(downloaded)} MB`;
  return `${mb(downloaded)} of ${mb(total)} MB`;
}

/** 0..1 from done/total, or null while the total is unknown. */
export function fraction(done: number, total: number | null): number | null {
  if (total === null || total <= 0) return null;
  return Math.min(1, Math.max(0, done / total));
}

/** "1.2 s" or "350 ms". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** "Kenneth, Sara and 2 more": first names only when there are several. */
export function formatParticipants(names: string[], max = 3): string {
  const clean = names.map((n) => n.trim()).filter((n) => n !== '');
  if (clean.length === 0) return 'No one';
  const shown = clean.length === 1 ? clean : clean.map(firstName);
  if (shown.length <= max) return joinAnd(shown);
  return `${shown.slice(0, max).join(', ')} and ${shown.length - max} more`;
}

function firstName(name: string): string {
  if (name.includes('@')) return name.split('@')[0];
  return name.split(/\s+/)[0];
}

function joinAnd(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** A mailbox as a name, falling back to its address. */
export function mailboxName(m: Mailbox): string {
  return m.name.trim() || m.address.trim() || 'Unknown sender';
}

/** A mailbox in full: "Kenneth Moreau <kenneth@example.com>". */
export function mailboxFull(m: Mailbox): string {
  const name = m.name.trim();
  const address = m.address.trim();
  if (name && address && name !== address) return `${name} <${address}>`;
  return name || address || 'Unknown';
}

/** Singular or plural: plural(1, 'message') = "1 message". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** The import error, naming the file when the message does not already. */
export function importErrorText(path: string, message: string): string {
  const name = path.split(/[\\/]/).filter(Boolean).pop() ?? path;
  return message.includes(name) ? message : `Could not import ${path}: ${message}`;
}

/** A day as `<input type=date>` wants it, "YYYY-MM-DD", in local time. */
export function localDay(d: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The local day ("YYYY-MM-DD") of the newest of these unix-second dates; today when there is none. */
export function newestDay(unixSeconds: (number | null)[], now: Date = new Date()): string {
  let newest: number | null = null;
  for (const s of unixSeconds) {
    if (s !== null && Number.isFinite(s) && (newest === null || s > newest)) newest = s;
  }
  return localDay(newest === null ? now : new Date(newest * 1000));
}
