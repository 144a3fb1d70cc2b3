import { describe, expect, it } from 'vitest';
import type { OutboxItem } from './api';
import {
  deliveryReportText,
  filterOutbox,
  hasPending,
  nextTryText,
  outboxStateLabel,
  sentText,
  sortOutbox,
  whenText,
} from './outbox';

const secs = (d: Date) => d.getTime() / 1000;
const now = new Date(2024, 10, 14, 16, 30); // Thu 14 Nov 2024, 16:30 local time

const item = (id: number, createdAt: number, extra: Partial<OutboxItem> = {}): OutboxItem => ({
  id,
  messageId: `<${id}@example.com>`,
  to: ['Sara <sara@example.com>'],
  subject: `Re: subject ${id}`,
  state: 'sent',
  attempts: 1,
  lastError: null,
  nextAttempt: createdAt,
  createdAt,
  sentAt: createdAt,
  ...extra,
});

describe('outboxStateLabel', () => {
  it('words every state', () => {
    expect(outboxStateLabel('sent')).toBe('Sent');
    expect(outboxStateLabel('queued')).toBe('Waiting');
    expect(outboxStateLabel('sending')).toBe('Sending');
    expect(outboxStateLabel('failed')).toBe('Failed');
    expect(outboxStateLabel('cancelled')).toBe('Taken back');
    expect(outboxStateLabel('bounced')).toBe('bounced');
  });
});

describe('times', () => {
  it('says when relative to today', () => {
    expect(whenText(secs(new Date(2024, 10, 14, 9, 5)), now, 'en-GB')).toBe('at 09:05');
    expect(whenText(secs(new Date(2024, 10, 13, 23, 59)), now, 'en-GB')).toBe('yesterday at 23:59');
    expect(whenText(secs(new Date(2024, 10, 15, 0, 1)), now, 'en-GB')).toBe('tomorrow at 00:01');
    expect(whenText(secs(new Date(2024, 10, 3, 10, 0)), now, 'en-GB')).toBe('on 3 Nov at 10:00');
    expect(whenText(secs(new Date(2023, 0, 2, 10, 0)), now, 'en-GB')).toBe('on 2 Jan 2023 at 10:00');
    expect(whenText(null, now)).toBe('');
    expect(whenText(Number.NaN, now)).toBe('');
  });

  it('gives the next try', () => {
    expect(nextTryText(secs(new Date(2024, 10, 14, 16, 32)), now, 'en-GB')).toBe('next try at 16:32');
    expect(nextTryText(secs(new Date(2024, 10, 15, 8, 0)), now, 'en-GB')).toBe('next try tomorrow at 08:00');
    expect(nextTryText(secs(new Date(2024, 10, 14, 16, 0)), now, 'en-GB')).toBe('next try any moment now');
    expect(nextTryText(secs(now), now, 'en-GB')).toBe('next try any moment now');
  });

  it('gives the time sent', () => {
    expect(sentText(secs(new Date(2024, 10, 14, 14, 5)), now, 'en-GB')).toBe('Sent at 14:05');
    expect(sentText(secs(new Date(2024, 10, 13, 9, 30)), now, 'en-GB')).toBe('Sent yesterday at 09:30');
    expect(sentText(null, now)).toBe('Sent');
  });
});

describe('deliveryReportText', () => {
  it('counts each outcome', () => {
    expect(deliveryReportText({ sent: 1, retrying: 0, failed: 0 })).toBe('1 sent, 0 waiting, 0 failed');
    expect(deliveryReportText({ sent: 0, retrying: 2, failed: 1 })).toBe('0 sent, 2 waiting, 1 failed');
  });
});

describe('sortOutbox', () => {
  it('puts the newest first, the higher id first on a tie', () => {
    const sorted = sortOutbox([item(1, 10), item(2, 30), item(3, 20), item(4, 30)]);
    expect(sorted.map((i) => i.id)).toEqual([4, 2, 3, 1]);
  });

  it('does not change the list it is given', () => {
    const list = [item(1, 10), item(2, 30)];
    sortOutbox(list);
    expect(list.map((i) => i.id)).toEqual([1, 2]);
  });
});

describe('filterOutbox', () => {
  const all = [
    item(1, 3, { subject: 'Re: Lisbon trip' }),
    item(2, 2, { to: ['ken@example.com'], state: 'queued' }),
    item(3, 1, { subject: 'Re: Budget', state: 'failed' }),
  ];

  it('keeps everything for an empty query', () => {
    expect(filterOutbox(all, ' ')).toEqual(all);
  });

  it('matches subject, recipients and state, any case', () => {
    expect(filterOutbox(all, 'lisbon').map((i) => i.id)).toEqual([1]);
    expect(filterOutbox(all, 'KEN').map((i) => i.id)).toEqual([2]);
    expect(filterOutbox(all, 'waiting').map((i) => i.id)).toEqual([2]);
    expect(filterOutbox(all, 'budget failed').map((i) => i.id)).toEqual([3]);
    expect(filterOutbox(all, 'nothing')).toEqual([]);
  });
});

describe('hasPending', () => {
  it('is true while something waits or is being sent', () => {
    expect(hasPending([item(1, 1), item(2, 2, { state: 'failed' }), item(3, 3, { state: 'cancelled' })])).toBe(false);
    expect(hasPending([item(1, 1), item(2, 2, { state: 'queued' })])).toBe(true);
    expect(hasPending([item(1, 1, { state: 'sending' })])).toBe(true);
    expect(hasPending([])).toBe(false);
  });
});
