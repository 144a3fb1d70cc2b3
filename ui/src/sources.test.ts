import { describe, expect, it } from 'vitest';
import { addedText, kindName, lastSyncText, parseAddKind, parsePrivacy, progressText, sourceCounts } from './sources';

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
