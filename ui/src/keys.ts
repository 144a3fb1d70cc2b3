// Keyboard shortcuts, as pure functions of the key event and the user's keymap; unit-tested in
// keys.test.ts.

export type Shortcut = 'next' | 'prev' | 'open' | 'reply' | 'search' | 'back';

/** The shortcuts whose single-character key the user may change in Settings. */
export type EditableShortcut = 'next' | 'prev' | 'reply' | 'search';

/** The key of each editable shortcut (one printable character, letters in lower case). */
export type Keymap = Record<EditableShortcut, string>;

export const EDITABLE_SHORTCUTS: readonly EditableShortcut[] = ['next', 'prev', 'reply', 'search'];

export const DEFAULT_KEYMAP: Readonly<Keymap> = Object.freeze({ next: 'j', prev: 'k', reply: 'r', search: '/' });

/** The shortcuts' names, as Settings and its messages say them. */
export const SHORTCUT_NAMES: Record<Shortcut, string> = {
  next: 'Next item',
  prev: 'Previous item',
  open: 'Open the selected item',
  reply: 'Reply',
  search: 'Search',
  back: 'Back',
};

/** The keys that always work and cannot be given to another shortcut. */
const FIXED_KEYS = new Map<string, Shortcut>([
  ['ArrowDown', 'next'],
  ['ArrowUp', 'prev'],
  ['Enter', 'open'],
  ['Escape', 'back'],
]);

const FIXED_REFUSALS: Record<Shortcut, string> = {
  next: 'The arrow keys always move in lists: choose another key.',
  prev: 'The arrow keys always move in lists: choose another key.',
  open: 'Enter always opens the selected item: choose another key.',
  back: 'Escape always goes back: choose another key.',
  reply: '',
  search: '',
};

/** localStorage key of the user's keymap (JSON). */
export const KEYMAP_KEY = 'shortcuts';

/** The parts of a KeyboardEvent the shortcuts look at. */
export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  isComposing?: boolean;
  target?: EventTarget | null;
}

/** The parts of an element that tell whether the user is typing into it. */
interface ElementLike {
  tagName?: string;
  type?: string;
  isContentEditable?: boolean;
}

const TEXTLESS_INPUTS = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image']);

/** Is this element one the user types into (so single-key shortcuts must not fire)? */
export function isTypingTarget(target: EventTarget | null | undefined): boolean {
  const el = target as ElementLike | null | undefined;
  if (!el || typeof el.tagName !== 'string') return false;
  if (el.isContentEditable) return true;
  const tag = el.tagName.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return !TEXTLESS_INPUTS.has((el.type ?? 'text').toLowerCase());
  return false;
}

/** The shortcut a key press means, or null (always null while typing or with Ctrl/Alt/Cmd).
 * The arrow keys, Enter and Escape are fixed; the other keys come from `keymap`. */
export function shortcutFor(e: KeyLike, keymap: Keymap = currentKeymap()): Shortcut | null {
  if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return null;
  if (isTypingTarget(e.target)) return null;
  const fixed = FIXED_KEYS.get(e.key);
  if (fixed) return fixed;
  return EDITABLE_SHORTCUTS.find((s) => keymap[s] === e.key) ?? null;
}

/** The index after moving `delta` rows from `current` in a list of `length` (-1 = none yet). */
export function moveIndex(current: number, delta: number, length: number): number {
  if (length <= 0) return -1;
  if (current < 0 || current >= length) return delta > 0 ? 0 : length - 1;
  return Math.min(length - 1, Math.max(0, current + delta));
}

/** Is `key` one printable character (not a space, not a control character)? */
function isPrintable(key: string): boolean {
  return [...key].length === 1 && /^[^\p{C}\p{Z}]$/u.test(key);
}

/** `keymap` with `shortcut` on `key`, or why not, in words. Letters are stored in lower case. */
export function rebind(keymap: Keymap, shortcut: EditableShortcut, key: string): Keymap | string {
  const fixed = FIXED_KEYS.get(key);
  if (fixed) return FIXED_REFUSALS[fixed];
  if (key === ' ' || key === 'Spacebar') return 'The space bar cannot be a shortcut: choose a letter, digit or sign.';
  if (!isPrintable(key)) return 'Choose a single letter, digit or sign.';
  const k = key.toLowerCase();
  const owner = EDITABLE_SHORTCUTS.find((s) => s !== shortcut && keymap[s] === k);
  if (owner) return `“${k}” is already ${SHORTCUT_NAMES[owner]}.`;
  return { ...keymap, [shortcut]: k };
}

/** A stored keymap, or the defaults when it is missing, corrupt or would clash. Missing entries
 * take their default. */
export function parseKeymap(raw: string | null | undefined): Keymap {
  if (!raw) return { ...DEFAULT_KEYMAP };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ...DEFAULT_KEYMAP };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ...DEFAULT_KEYMAP };
  const stored = value as Record<string, unknown>;
  // Bound one by one, starting from keys no one can press, so every check of `rebind` applies
  // (a stored key clashing with another shortcut's stored or default key included).
  let keymap: Keymap = { next: '\u0001', prev: '\u0002', reply: '\u0003', search: '\u0004' };
  for (const s of EDITABLE_SHORTCUTS) {
    const key = stored[s] === undefined ? DEFAULT_KEYMAP[s] : stored[s];
    if (typeof key !== 'string' || key !== key.toLowerCase()) return { ...DEFAULT_KEYMAP };
    const next = rebind(keymap, s, key);
    if (typeof next === 'string') return { ...DEFAULT_KEYMAP };
    keymap = next;
  }
  return keymap;
}

/** Is this the default keymap? */
export function isDefaultKeymap(keymap: Keymap): boolean {
  return EDITABLE_SHORTCUTS.every((s) => keymap[s] === DEFAULT_KEYMAP[s]);
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** The keymap kept in localStorage (the defaults outside a browser). */
export function loadKeymap(): Keymap {
  try {
    return parseKeymap(storage()?.getItem(KEYMAP_KEY));
  } catch {
    return { ...DEFAULT_KEYMAP };
  }
}

let current: Keymap | null = null;

/** The keymap in use: loaded once, then whatever `saveKeymap` last saved. */
export function currentKeymap(): Keymap {
  current ??= loadKeymap();
  return current;
}

/** Keeps `keymap` (the defaults are kept as no entry) and uses it from the next key press on. */
export function saveKeymap(keymap: Keymap): void {
  current = { ...keymap };
  try {
    if (isDefaultKeymap(keymap)) storage()?.removeItem(KEYMAP_KEY);
    else storage()?.setItem(KEYMAP_KEY, JSON.stringify(keymap));
  } catch {
    /* storage full or blocked: the keymap still applies until the app restarts */
  }
}

/** One line of the shortcuts list in Settings: its keys, what it does, and which shortcut the
 * Change button edits (none for the fixed keys). */
export type ShortcutLine = { keys: string[]; what: string; edit: EditableShortcut | null };

/** The shortcuts list for Settings, with the keys of `keymap`. */
export function shortcutLines(keymap: Keymap): ShortcutLine[] {
  return [
    { keys: [keymap.next], what: 'Next item in a list (or ↓ on a row)', edit: 'next' },
    { keys: [keymap.prev], what: 'Previous item in a list (or ↑ on a row)', edit: 'prev' },
    { keys: ['Enter'], what: 'Open the selected item', edit: null },
    { keys: [keymap.reply], what: 'Reply: first suggested reply, or the draft', edit: 'reply' },
    { keys: [keymap.search], what: 'Search the current list', edit: 'search' },
    { keys: ['Escape'], what: 'Back', edit: null },
  ];
}
