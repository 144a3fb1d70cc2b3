import { describe, expect, it } from 'vitest';
import type { Draft } from './api';
import { draftFirstLine, draftRowId, draftTo, filterDrafts, sortDrafts } from './drafts';

const draft = (id: number, updatedAt: number, extra: Partial<Draft> = {}): Draft => ({
  id,
  message: `m${id}`,
  to: ['Kenneth Moreau <kenneth@example.com>'],
  subject: `Re: subject ${id}`,
  body: 'Hello',
  updatedAt,
  ...extra,
});

describe('draftTo', () => {
  it('lists the recipients', () => {
    expect(draftTo(['Kenneth Moreau <kenneth@example.com>', ' sara@example.com '])).toBe(
      'To: Kenneth Moreau <kenneth@example.com>, sara@example.com',
    );
  });

  it('says when there is no one', () => {
    expect(draftTo([])).toBe('To: no one yet');
    expect(draftTo(['  '])).toBe('To: no one yet');
  });
});

describe('draftFirstLine', () => {
  it('takes the first line with words', () => {
    expect(draftFirstLine('\n\n  Thanks, Thursday works.\nSee you')).toBe('Thanks, Thursday works.');
    expect(draftFirstLine('One\r\nTwo')).toBe('One');
  });

  it('is empty for an empty draft', () => {
    expect(draftFirstLine('')).toBe('');
    expect(draftFirstLine(' \n \t\n')).toBe('');
  });

  it('cuts long lines', () => {
    const cut = draftFirstLine('a'.repeat(50), 10);
    expect(cut).toBe(`${'a'.repeat(9)}…`);
    expect([...cut].length).toBe(10);
    expect(draftFirstLine('a'.repeat(10), 10)).toBe('a'.repeat(10));
  });
});

describe('sortDrafts', () => {
  it('puts the newest first, keeping the order of ties', () => {
    const sorted = sortDrafts([draft(1, 10), draft(2, 30), draft(3, 20), draft(4, 30)]);
    expect(sorted.map((d) => d.id)).toEqual([2, 4, 3, 1]);
  });
});

describe('filterDrafts', () => {
  const all = [
    draft(1, 3, { subject: 'Re: Lisbon trip', body: 'Sounds good' }),
    draft(2, 2, { to: ['sara@example.com'], body: 'Budget is fine' }),
    draft(3, 1, { subject: 'Re: Budget', body: 'See the numbers\nfor Lisbon' }),
  ];

  it('keeps everything for an empty query', () => {
    expect(filterDrafts(all, '  ')).toEqual(all);
  });

  it('matches every word in subject, recipients or text, any case', () => {
    expect(filterDrafts(all, 'lisbon').map((d) => d.id)).toEqual([1, 3]);
    expect(filterDrafts(all, 'BUDGET lisbon').map((d) => d.id)).toEqual([3]);
    expect(filterDrafts(all, 'sara').map((d) => d.id)).toEqual([2]);
    expect(filterDrafts(all, 'nothing')).toEqual([]);
  });
});

describe('draftRowId', () => {
  it('prefixes the id', () => {
    expect(draftRowId(7)).toBe('d7');
  });
});
