// Keyboard shortcuts, as pure functions of the key event; unit-tested in keys.test.ts.

export type Shortcut = 'next' | 'prev' | 'open' | 'reply' | 'search' | 'back';

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

/** The shortcut a key press means, or null (always null while typing or with Ctrl/Alt/Cmd). */
export function shortcutFor(e: KeyLike): Shortcut | null {
  if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return null;
  if (isTypingTarget(e.target)) return null;
  switch (e.key) {
    case 'j':
    case 'ArrowDown':
      return 'next';
    case 'k':
    case 'ArrowUp':
      return 'prev';
    case 'Enter':
      return 'open';
    case 'r':
      return 'reply';
    case '/':
      return 'search';
    case 'Escape':
      return 'back';
    default:
      return null;
  }
}

/** The index after moving `delta` rows from `current` in a list of `length` (-1 = none yet). */
export function moveIndex(current: number, delta: number, length: number): number {
  if (length <= 0) return -1;
  if (current < 0 || current >= length) return delta > 0 ? 0 : length - 1;
  return Math.min(length - 1, Math.max(0, current + delta));
}

/** The shortcuts, for the Settings screen. */
export const SHORTCUTS: [string, string][] = [
  ['j / k', 'Next / previous item in a list'],
  ['Enter', 'Open the selected item'],
  ['r', 'Reply: first suggested reply, or the draft'],
  ['/', 'Search the current list'],
  ['Escape', 'Back'],
];
