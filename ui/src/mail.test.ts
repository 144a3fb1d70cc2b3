import { describe, expect, it } from 'vitest';
import type { Message } from './api';
import { latestMessage } from './mail';

const msg = (id: string, date: number | null): Message => ({
  id,
  messageId: null,
  subject: 's',
  from: { name: 'A', address: 'a@x' },
  to: [],
  cc: [],
  date,
  unread: false,
  filedIn: '',
  flagged: false,
  labels: [],
  body: '',
  attachments: [],
});

describe('latestMessage', () => {
  it('picks the newest by date', () => {
    expect(latestMessage([msg('m1', 30), msg('m2', 10), msg('m3', 20)])?.id).toBe('m1');
  });

  it('takes the later one on ties and without dates', () => {
    expect(latestMessage([msg('m1', 10), msg('m2', 10)])?.id).toBe('m2');
    expect(latestMessage([msg('m1', null), msg('m2', null)])?.id).toBe('m2');
    expect(latestMessage([msg('m1', 5), msg('m2', null)])?.id).toBe('m1');
  });

  it('is null for no messages', () => {
    expect(latestMessage([])).toBeNull();
  });
});
