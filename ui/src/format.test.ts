import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatDownload,
  formatDuration,
  formatFullDate,
  formatListDate,
  formatMegabytes,
  formatParticipants,
  importErrorText,
  fraction,
  isoDate,
  localDay,
  mailboxFull,
  mailboxName,
  newestDay,
  plural,
} from './format';

const secs = (d: Date) => d.getTime() / 1000;
const now = new Date(2024, 10, 14, 16, 30); // Thu 14 Nov 2024, 16:30 local time

describe('formatListDate', () => {
  it('shows the time for today', () => {
    expect(formatListDate(secs(new Date(2024, 10, 14, 9, 5)), now, 'en-GB')).toBe('09:05');
  });

  it('says Yesterday, then weekdays within the week', () => {
    expect(formatListDate(secs(new Date(2024, 10, 13, 23, 59)), now, 'en-GB')).toBe('Yesterday');
    expect(formatListDate(secs(new Date(2024, 10, 11, 8, 0)), now, 'en-GB')).toBe('Mon');
  });

  it('shows day and month this year, and the year before that', () => {
    expect(formatListDate(secs(new Date(2024, 2, 3, 12, 0)), now, 'en-GB')).toBe('3 Mar');
    expect(formatListDate(secs(new Date(2023, 10, 3, 12, 0)), now, 'en-GB')).toBe('3 Nov 2023');
  });

  it('is empty without a date', () => {
    expect(formatListDate(null, now)).toBe('');
    expect(formatListDate(Number.NaN, now)).toBe('');
  });
});

describe('dates in full', () => {
  it('includes weekday, date and time', () => {
    const text = formatFullDate(secs(new Date(2023, 10, 9, 14, 5)), 'en-GB');
    expect(text).toContain('Thu');
    expect(text).toContain('9 Nov 2023');
    expect(text).toContain('14:05');
    expect(formatFullDate(null)).toBe('No date');
  });

  it('gives ISO dates for <time>', () => {
    expect(isoDate(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(isoDate(null)).toBe('');
  });
});

describe('sizes and durations', () => {
  it('formats megabytes', () => {
    expect(formatMegabytes(135)).toBe('135 MB');
    expect(formatMegabytes(1200)).toBe('1.2 GB');
    expect(formatMegabytes(2000)).toBe('2 GB');
    expect(formatMegabytes(4.5)).toBe('4.5 MB');
  });

  it('formats bytes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(12_345)).toBe('12 KB');
    expect(formatBytes(3_400_000)).toBe('3.4 MB');
  });

  it('formats download progress', () => {
    expect(formatDownload(12_000_000, 135_000_000)).toBe('12 of 135 MB');
    expect(formatDownload(12_000_000, null)).toBe('12 MB');
    expect(fraction(5, 10)).toBe(0.5);
    expect(fraction(5, null)).toBeNull();
    expect(fraction(15, 10)).toBe(1);
  });

  it('formats durations', () => {
    expect(formatDuration(350)).toBe('350 ms');
    expect(formatDuration(1234)).toBe('1.2 s');
  });
});

describe('people', () => {
  it('names participants briefly', () => {
    expect(formatParticipants([])).toBe('No one');
    expect(formatParticipants(['Kenneth Moreau'])).toBe('Kenneth Moreau');
    expect(formatParticipants(['Kenneth Moreau', 'Sara Lindqvist'])).toBe('Kenneth and Sara');
    expect(formatParticipants(['A B', 'C D', 'e@x.org', 'G H', 'I J'])).toBe('A, C, e and 2 more');
  });

  it('shows mailboxes', () => {
    expect(mailboxName({ name: '', address: 'a@b.c' })).toBe('a@b.c');
    expect(mailboxFull({ name: 'Ann', address: 'a@b.c' })).toBe('Ann <a@b.c>');
    expect(mailboxFull({ name: '', address: 'a@b.c' })).toBe('a@b.c');
  });

  it('pluralises', () => {
    expect(plural(1, 'message')).toBe('1 message');
    expect(plural(3, 'reply', 'replies')).toBe('3 replies');
  });
});

describe('importErrorText', () => {
  it('names the file when the message does not', () => {
    expect(importErrorText('/tmp/x/bad.gguf', 'not a GGUF file')).toBe('Could not import /tmp/x/bad.gguf: not a GGUF file');
    expect(importErrorText('/tmp/x/bad.gguf', '/tmp/x/bad.gguf is not a GGUF file')).toBe('/tmp/x/bad.gguf is not a GGUF file');
    expect(importErrorText('C:\\m\\bad.gguf', 'bad.gguf: too short')).toBe('bad.gguf: too short');
  });
});

describe('newestDay', () => {
  it('gives the local day of the newest date', () => {
    const early = secs(new Date(2024, 2, 3, 0, 5)); // just after local midnight
    const late = secs(new Date(2024, 2, 9, 23, 55)); // just before local midnight
    expect(newestDay([early, null, late], now)).toBe('2024-03-09');
    expect(newestDay([early], now)).toBe('2024-03-03');
  });

  it('is today without dates', () => {
    expect(newestDay([], now)).toBe('2024-11-14');
    expect(newestDay([null, Number.NaN], now)).toBe('2024-11-14');
  });

  it('pads months, days and years', () => {
    expect(localDay(new Date(2024, 0, 5))).toBe('2024-01-05');
    const y = new Date(2024, 0, 5);
    y.setFullYear(987);
    expect(localDay(y)).toBe('0987-01-05');
  });
});
