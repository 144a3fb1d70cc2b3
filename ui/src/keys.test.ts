import { describe, expect, it } from 'vitest';
import { isTypingTarget, moveIndex, shortcutFor } from './keys';

const el = (tagName: string, extra: Record<string, unknown> = {}) => ({ tagName, ...extra }) as unknown as EventTarget;

describe('shortcutFor', () => {
  it('maps the keys', () => {
    expect(shortcutFor({ key: 'j' })).toBe('next');
    expect(shortcutFor({ key: 'k' })).toBe('prev');
    expect(shortcutFor({ key: 'Enter' })).toBe('open');
    expect(shortcutFor({ key: 'r' })).toBe('reply');
    expect(shortcutFor({ key: '/' })).toBe('search');
    expect(shortcutFor({ key: 'Escape' })).toBe('back');
    expect(shortcutFor({ key: 'x' })).toBeNull();
    expect(shortcutFor({ key: 'J' })).toBeNull();
  });

  it('ignores keys with modifiers or while composing', () => {
    expect(shortcutFor({ key: 'r', ctrlKey: true })).toBeNull();
    expect(shortcutFor({ key: 'j', metaKey: true })).toBeNull();
    expect(shortcutFor({ key: 'k', altKey: true })).toBeNull();
    expect(shortcutFor({ key: 'j', isComposing: true })).toBeNull();
  });

  it('never fires while typing', () => {
    for (const target of [el('INPUT'), el('input', { type: 'search' }), el('TEXTAREA'), el('SELECT'), el('DIV', { isContentEditable: true })]) {
      for (const key of ['j', 'k', 'Enter', 'r', '/', 'Escape']) {
        expect(shortcutFor({ key, target })).toBeNull();
      }
    }
  });

  it('fires on buttons, checkboxes and the page', () => {
    expect(shortcutFor({ key: 'j', target: el('BUTTON') })).toBe('next');
    expect(shortcutFor({ key: 'k', target: el('INPUT', { type: 'checkbox' }) })).toBe('prev');
    expect(shortcutFor({ key: '/', target: el('BODY') })).toBe('search');
    expect(shortcutFor({ key: 'Escape', target: null })).toBe('back');
  });
});

describe('isTypingTarget', () => {
  it('knows text fields from other inputs', () => {
    expect(isTypingTarget(el('INPUT', { type: 'text' }))).toBe(true);
    expect(isTypingTarget(el('INPUT', { type: 'radio' }))).toBe(false);
    expect(isTypingTarget(el('A'))).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});

describe('moveIndex', () => {
  it('starts at the first or last row', () => {
    expect(moveIndex(-1, 1, 5)).toBe(0);
    expect(moveIndex(-1, -1, 5)).toBe(4);
  });

  it('moves and stops at the ends', () => {
    expect(moveIndex(2, 1, 5)).toBe(3);
    expect(moveIndex(4, 1, 5)).toBe(4);
    expect(moveIndex(0, -1, 5)).toBe(0);
  });

  it('is -1 for an empty list', () => {
    expect(moveIndex(0, 1, 0)).toBe(-1);
  });
});
