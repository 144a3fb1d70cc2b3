import { describe, expect, it } from 'vitest';
import { isMessageId, splitCitations } from './citations';

describe('splitCitations', () => {
  const known = new Set([1, 2, 3]);

  it('splits out known markers', () => {
    expect(splitCitations('Room 4B [1]. Thursday [2][3].', known)).toEqual([
      { text: 'Room 4B ' },
      { n: 1, text: '[1]' },
      { text: '. Thursday ' },
      { n: 2, text: '[2]' },
      { n: 3, text: '[3]' },
      { text: '.' },
    ]);
  });

  it('splits [1, 2] into two markers', () => {
    expect(splitCitations('x [1, 2]', known)).toEqual([{ text: 'x ' }, { n: 1, text: '[1]' }, { n: 2, text: '[2]' }]);
  });

  it('leaves unknown numbers and other brackets as text', () => {
    expect(splitCitations('see [7] and [a] [1', known)).toEqual([{ text: 'see [7] and [a] [1' }]);
    expect(splitCitations('', known)).toEqual([]);
  });
});

describe('isMessageId', () => {
  it('tells messages from notes', () => {
    expect(isMessageId('m12')).toBe(true);
    expect(isMessageId('n3')).toBe(false);
    expect(isMessageId('m')).toBe(false);
  });
});
