import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_KEYMAP,
  KEYMAP_KEY,
  type Keymap,
  currentKeymap,
  isTypingTarget,
  loadKeymap,
  moveIndex,
  parseKeymap,
  rebind,
  saveKeymap,
  shortcutFor,
  shortcutLines,
} from './keys';

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

const custom: Keymap = { next: 'n', prev: 'p', reply: 'r', search: '/' };

describe('shortcutFor with a keymap', () => {
  it('uses the keymap for the single keys and keeps the fixed ones', () => {
    expect(shortcutFor({ key: 'n' }, custom)).toBe('next');
    expect(shortcutFor({ key: 'p' }, custom)).toBe('prev');
    expect(shortcutFor({ key: 'j' }, custom)).toBeNull();
    expect(shortcutFor({ key: 'k' }, custom)).toBeNull();
    expect(shortcutFor({ key: 'ArrowDown' }, custom)).toBe('next');
    expect(shortcutFor({ key: 'ArrowUp' }, custom)).toBe('prev');
    expect(shortcutFor({ key: 'Enter' }, custom)).toBe('open');
    expect(shortcutFor({ key: 'Escape' }, custom)).toBe('back');
    expect(shortcutFor({ key: 'n', target: el('TEXTAREA') }, custom)).toBeNull();
    expect(shortcutFor({ key: 'n', ctrlKey: true }, custom)).toBeNull();
  });
});

describe('rebind', () => {
  it('binds a free key, letters in lower case', () => {
    expect(rebind({ ...DEFAULT_KEYMAP }, 'next', 'n')).toEqual({ ...DEFAULT_KEYMAP, next: 'n' });
    expect(rebind({ ...DEFAULT_KEYMAP }, 'prev', 'P')).toEqual({ ...DEFAULT_KEYMAP, prev: 'p' });
    expect(rebind({ ...DEFAULT_KEYMAP }, 'search', '?')).toEqual({ ...DEFAULT_KEYMAP, search: '?' });
    expect(rebind({ ...DEFAULT_KEYMAP }, 'reply', 'é')).toEqual({ ...DEFAULT_KEYMAP, reply: 'é' });
  });

  it('does not change the keymap it is given', () => {
    const keymap = { ...DEFAULT_KEYMAP };
    rebind(keymap, 'next', 'n');
    expect(keymap).toEqual(DEFAULT_KEYMAP);
  });

  it('accepts the key a shortcut already has', () => {
    expect(rebind({ ...DEFAULT_KEYMAP }, 'next', 'j')).toEqual(DEFAULT_KEYMAP);
    expect(rebind({ ...DEFAULT_KEYMAP }, 'next', 'J')).toEqual(DEFAULT_KEYMAP);
  });

  it('refuses a key another shortcut uses, naming it', () => {
    expect(rebind({ ...DEFAULT_KEYMAP }, 'next', 'k')).toBe('“k” is already Previous item.');
    expect(rebind({ ...DEFAULT_KEYMAP }, 'search', 'R')).toBe('“r” is already Reply.');
    expect(rebind(custom, 'reply', 'n')).toBe('“n” is already Next item.');
  });

  it('refuses the fixed keys, the space bar and anything but one character', () => {
    expect(rebind({ ...DEFAULT_KEYMAP }, 'next', 'Enter')).toMatch(/^Enter always opens/);
    expect(rebind({ ...DEFAULT_KEYMAP }, 'next', 'Escape')).toMatch(/^Escape always goes back/);
    expect(rebind({ ...DEFAULT_KEYMAP }, 'next', 'ArrowDown')).toMatch(/arrow keys/);
    expect(rebind({ ...DEFAULT_KEYMAP }, 'next', ' ')).toMatch(/space bar/);
    for (const key of ['Tab', 'F2', 'Shift', 'Backspace', '', 'ab', '\t', '\u0007', '\u00a0']) {
      expect(rebind({ ...DEFAULT_KEYMAP }, 'next', key), JSON.stringify(key)).toBe('Choose a single letter, digit or sign.');
    }
  });
});

describe('parseKeymap', () => {
  it('reads a stored keymap', () => {
    expect(parseKeymap(JSON.stringify(custom))).toEqual(custom);
  });

  it('fills in the missing entries and ignores unknown ones', () => {
    expect(parseKeymap('{"next":"n","other":"x"}')).toEqual({ ...DEFAULT_KEYMAP, next: 'n' });
  });

  it('allows swapping keys', () => {
    expect(parseKeymap('{"next":"k","prev":"j"}')).toEqual({ ...DEFAULT_KEYMAP, next: 'k', prev: 'j' });
  });

  it('falls back to the defaults for anything corrupt or clashing', () => {
    for (const raw of [null, undefined, '', 'nope', '[]', '"j"', '42', 'null', '{"next":5}', '{"next":"Enter"}', '{"next":"ab"}', '{"next":" "}', '{"next":"N"}', '{"next":"k"}', '{"next":"x","prev":"x"}']) {
      expect(parseKeymap(raw), String(raw)).toEqual(DEFAULT_KEYMAP);
    }
  });
});

describe('loading and saving the keymap', () => {
  afterEach(() => {
    saveKeymap({ ...DEFAULT_KEYMAP });
    vi.unstubAllGlobals();
  });

  function fakeStorage(initial: Record<string, string> = {}) {
    const data = new Map(Object.entries(initial));
    const store = {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, String(v)),
      removeItem: (k: string) => void data.delete(k),
    };
    vi.stubGlobal('window', { localStorage: store });
    return data;
  }

  it('uses the defaults without storage', () => {
    expect(loadKeymap()).toEqual(DEFAULT_KEYMAP);
  });

  it('loads the stored keymap, or the defaults when it is corrupt', () => {
    fakeStorage({ [KEYMAP_KEY]: JSON.stringify(custom) });
    expect(loadKeymap()).toEqual(custom);
    fakeStorage({ [KEYMAP_KEY]: '{oops' });
    expect(loadKeymap()).toEqual(DEFAULT_KEYMAP);
  });

  it('saves as JSON, applies at once, and forgets the defaults', () => {
    const data = fakeStorage();
    saveKeymap(custom);
    expect(JSON.parse(data.get(KEYMAP_KEY) ?? '')).toEqual(custom);
    expect(currentKeymap()).toEqual(custom);
    expect(shortcutFor({ key: 'n' })).toBe('next');
    expect(shortcutFor({ key: 'j' })).toBeNull();
    expect(loadKeymap()).toEqual(custom);
    saveKeymap({ ...DEFAULT_KEYMAP });
    expect(data.has(KEYMAP_KEY)).toBe(false);
    expect(shortcutFor({ key: 'j' })).toBe('next');
  });
});

describe('shortcutLines', () => {
  it('lists the current keys, and which lines can be changed', () => {
    const lines = shortcutLines(custom);
    expect(lines.map((l) => l.keys.join(' '))).toEqual(['n', 'p', 'Enter', 'r', '/', 'Escape']);
    expect(lines.map((l) => l.edit)).toEqual(['next', 'prev', null, 'reply', 'search', null]);
  });
});
