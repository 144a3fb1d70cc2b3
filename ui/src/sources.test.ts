import { describe, expect, it } from 'vitest';
import type { Source } from './api';
import {
  accountAddedText,
  addedText,
  defaultImapPort,
  imapLocation,
  ingestErrorText,
  isLocalHost,
  kindName,
  lastSyncText,
  needsPassword,
  parseAddKind,
  parseFolders,
  parsePrivacy,
  parseSecurity,
  portAfterSecurityChange,
  progressText,
  securityHint,
  sourceCounts,
  syncedText,
  validateImap,
  type ImapFields,
} from './sources';

const secs = (d: Date) => d.getTime() / 1000;
const now = new Date(2024, 10, 14, 16, 30); // Thu 14 Nov 2024, 16:30 local time

describe('sourceCounts', () => {
  it('counts messages for mail and notes for notes', () => {
    expect(sourceCounts({ kind: 'maildir', messages: 7, notes: 0 })).toBe('7 messages');
    expect(sourceCounts({ kind: 'mbox', messages: 1, notes: 0 })).toBe('1 message');
    expect(sourceCounts({ kind: 'notes', messages: 0, notes: 6 })).toBe('6 notes');
    expect(sourceCounts({ kind: 'notes', messages: 0, notes: 0 })).toBe('0 notes');
    expect(sourceCounts({ kind: 'imap', messages: 0, notes: 0 })).toBe('0 messages');
  });

  it('names both when a source holds both', () => {
    expect(sourceCounts({ kind: 'maildir', messages: 2, notes: 1 })).toBe('2 messages, 1 note');
    expect(sourceCounts({ kind: 'notes', messages: 3, notes: 4 })).toBe('3 messages, 4 notes');
  });
});

describe('addedText', () => {
  it('says what was added', () => {
    expect(addedText({ kind: 'maildir', messages: 9, notes: 0 })).toBe('Added: 9 messages.');
    expect(addedText({ kind: 'notes', messages: 0, notes: 1 })).toBe('Added: 1 note.');
  });
});

describe('lastSyncText', () => {
  it('says when it was never read', () => {
    expect(lastSyncText(null, now)).toBe('Not read yet');
    expect(lastSyncText(Number.NaN, now)).toBe('Not read yet');
  });

  it('uses the list date', () => {
    expect(lastSyncText(secs(new Date(2024, 10, 14, 9, 5)), now, 'en-GB')).toBe('Last read: 09:05');
    expect(lastSyncText(secs(new Date(2024, 10, 13, 9, 5)), now, 'en-GB')).toBe('Last read: Yesterday');
    expect(lastSyncText(secs(new Date(2023, 0, 2)), now, 'en-GB')).toBe('Last read: 2 Jan 2023');
  });
});

describe('progressText', () => {
  it('shows done of total when the total is known', () => {
    expect(progressText({ stage: 'reading', done: 3, total: 10 })).toBe('Reading: 3 of 10');
    expect(progressText({ stage: 'indexing', done: 12, total: 10 })).toBe('Indexing: 10 of 10');
  });

  it('shows a count or the stage alone otherwise', () => {
    expect(progressText({ stage: 'reading', done: 4, total: null })).toBe('Reading: 4');
    expect(progressText({ stage: 'reading', done: 0, total: 0 })).toBe('Reading…');
    expect(progressText({ stage: '', done: 0, total: null })).toBe('Working…');
  });

  it('names the IMAP stage in words', () => {
    expect(progressText({ stage: 'imap', done: 2, total: 5 })).toBe('Reading mail from the server: 2 of 5');
  });
});

describe('parsing the selects', () => {
  it('accepts only the known values', () => {
    expect(parseAddKind('maildir')).toBe('maildir');
    expect(parseAddKind('notes')).toBe('notes');
    expect(parseAddKind('imap')).toBeNull();
    expect(parsePrivacy('private')).toBe('private');
    expect(parsePrivacy('public')).toBeNull();
  });

  it('names the kinds', () => {
    expect(kindName('maildir')).toBe('Mail folder');
    expect(kindName('notes')).toBe('Notes folder');
    expect(kindName('pop3')).toBe('pop3');
  });
});

const source = (extra: Record<string, unknown> = {}): Source =>
  ({
    id: 1,
    kind: 'imap',
    location: 'imaps://me@imap.example.com:993',
    name: 'me@imap.example.com',
    privacy: 'local',
    lastSync: null,
    messages: 3,
    notes: 0,
    ...extra,
  }) as Source;

describe('needsPassword', () => {
  it('is true only when the backend says so', () => {
    expect(needsPassword(source({ needsPassword: true }))).toBe(true);
    expect(needsPassword(source({ needsPassword: false }))).toBe(false);
    expect(needsPassword(source())).toBe(false);
    expect(needsPassword(source({ needsPassword: 'yes' }))).toBe(false);
  });
});

describe('sync and errors', () => {
  it('says what was added', () => {
    expect(accountAddedText({ kind: 'imap', messages: 5, notes: 0, location: 'imaps://me@h:993' }, 'x')).toBe('Added imaps://me@h:993: 5 messages.');
    expect(accountAddedText({ kind: 'imap', messages: 1, notes: 0, location: '' }, 'imaps://me@h:993')).toBe('Added imaps://me@h:993: 1 message.');
  });

  it('says what a sync found', () => {
    expect(syncedText({ kind: 'imap', messages: 12, notes: 0 })).toBe('Up to date: 12 messages.');
  });

  it('words the errors', () => {
    expect(ingestErrorText({ kind: 'cancelled', message: 'cancelled' })).toBe('Stopped.');
    expect(ingestErrorText({ kind: 'password_missing', message: 'no password' })).toMatch(/keyring: add the account again/);
    expect(ingestErrorText({ kind: 'imap', message: 'Wrong user name or password.' })).toBe('Wrong user name or password.');
  });
});

describe('the IMAP form helpers', () => {
  it('parses the security and its port', () => {
    expect(parseSecurity('tls')).toBe('tls');
    expect(parseSecurity('plain')).toBe('plain');
    expect(parseSecurity('starttls')).toBeNull();
    expect(defaultImapPort('tls')).toBe(993);
    expect(defaultImapPort('plain')).toBe(143);
  });

  it('switches the port only when the user did not type one', () => {
    expect(portAfterSecurityChange('plain', '993', false)).toBe('143');
    expect(portAfterSecurityChange('tls', '143', false)).toBe('993');
    expect(portAfterSecurityChange('plain', '1993', true)).toBe('1993');
  });

  it('splits the folders at commas', () => {
    expect(parseFolders('')).toEqual([]);
    expect(parseFolders('  ,  ')).toEqual([]);
    expect(parseFolders(' INBOX, Archive ,,Work/2024 , INBOX')).toEqual(['INBOX', 'Archive', 'Work/2024']);
  });

  it('knows this computer', () => {
    for (const host of ['localhost', 'LOCALHOST', 'mail.localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost.']) {
      expect(isLocalHost(host), host).toBe(true);
    }
    for (const host of ['imap.example.com', '192.168.1.2', 'localhost.example.com', '127.0.0.1.example.com', '']) {
      expect(isLocalHost(host), host).toBe(false);
    }
  });

  it('hints what no encryption means', () => {
    expect(securityHint('tls', 'imap.example.com')).toBeNull();
    expect(securityHint('plain', '127.0.0.1')).toMatch(/fine for a server on this computer/);
    expect(securityHint('plain', 'imap.example.com')).toMatch(/only allows it for a server on this computer/);
  });

  it('writes the location', () => {
    expect(imapLocation({ host: 'imap.example.com', port: 993, user: 'me', security: 'tls' })).toBe('imaps://me@imap.example.com:993');
    expect(imapLocation({ host: '127.0.0.1', port: 1143, user: 'me@example.com', security: 'plain' })).toBe(
      'imap://me@example.com@127.0.0.1:1143',
    );
    expect(imapLocation({ host: '::1', port: 143, user: 'u', security: 'plain' })).toBe('imap://u@[::1]:143');
  });
});

describe('validateImap', () => {
  const good: ImapFields = {
    host: ' imap.example.com ',
    port: ' 993 ',
    user: ' me@example.com ',
    password: ' secret with spaces ',
    security: 'tls',
    folders: 'INBOX, Archive',
  };

  it('gives the account, trimmed except the password', () => {
    expect(validateImap(good)).toEqual({
      ok: true,
      account: {
        host: 'imap.example.com',
        port: 993,
        user: 'me@example.com',
        password: ' secret with spaces ',
        security: 'tls',
        folders: ['INBOX', 'Archive'],
      },
    });
  });

  it('reads no folders as every folder', () => {
    const r = validateImap({ ...good, folders: ' ' });
    expect(r.ok && r.account.folders).toEqual([]);
  });

  it('names the first wrong field', () => {
    const field = (f: Partial<ImapFields>) => {
      const r = validateImap({ ...good, ...f });
      return r.ok ? null : r.field;
    };
    expect(field({ host: '  ' })).toBe('host');
    expect(field({ host: 'imaps://imap.example.com' })).toBe('host');
    expect(field({ host: 'imap.example.com:993' })).toBe('host');
    expect(field({ host: 'imap example.com' })).toBe('host');
    expect(field({ host: 'me@imap.example.com' })).toBe('host');
    expect(field({ port: '' })).toBe('port');
    expect(field({ port: '0' })).toBe('port');
    expect(field({ port: '65536' })).toBe('port');
    expect(field({ port: '99a' })).toBe('port');
    expect(field({ port: '-1' })).toBe('port');
    expect(field({ port: '1.5' })).toBe('port');
    expect(field({ user: ' ' })).toBe('user');
    expect(field({ password: '' })).toBe('password');
    expect(field({ security: 'ssl' })).toBe('security');
    expect(field({ host: '', port: '' })).toBe('host');
  });

  it('accepts the ends of the port range and addresses', () => {
    expect(validateImap({ ...good, port: '1' }).ok).toBe(true);
    expect(validateImap({ ...good, port: '65535' }).ok).toBe(true);
    expect(validateImap({ ...good, host: '127.0.0.1', security: 'plain', port: '143' }).ok).toBe(true);
    expect(validateImap({ ...good, host: '::1' }).ok).toBe(true);
    expect(validateImap({ ...good, host: '[::1]' }).ok).toBe(true);
  });

  it('has a message for each refusal', () => {
    const r = validateImap({ ...good, port: '70000' });
    expect(r.ok ? '' : r.message).toBe('The port is a number from 1 to 65535 (usually 993).');
  });
});
