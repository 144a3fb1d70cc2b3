// Building DOM without HTML strings: text always goes in as text nodes, so untrusted mail and note
// contents cannot become markup. (The one exception is markdown.ts's output, which escapes
// everything itself.)

import type { CommandError } from './api';

type Child = Node | string | number | null | undefined | false;
type Attrs = {
  [name: string]: string | number | boolean | null | undefined | EventListener | ((e: never) => void);
};

/** `h('button', {class: 'x', onclick: fn, 'aria-label': 'Close'}, 'text', child)` */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [name, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith('on') && typeof value === 'function') {
        el.addEventListener(name.slice(2), value as EventListener);
      } else if (name === 'style') {
        throw new Error('style attributes are blocked by the CSP; use classes');
      } else if (value === true) {
        el.setAttribute(name, '');
      } else {
        el.setAttribute(name, String(value));
      }
    }
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
}

/** Replaces all children of `el`. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, ...children);
}

/** An error as the app shows it: the message alone in an element with class `error` and role
 * `alert`, and beside it an optional retry button. */
export function errorBox(err: CommandError | string, retry?: () => void): HTMLElement {
  const message = typeof err === 'string' ? err : err.message;
  const box = h('div', { class: 'error', role: 'alert' }, message);
  if (!retry) return box;
  return h('div', { class: 'error-group' }, box, h('button', { type: 'button', class: 'secondary retry', onclick: retry }, 'Try again'));
}

/** A loading state: a spinner and words, announced politely. */
export function loadingBox(text: string, extraClass = ''): HTMLElement {
  return h(
    'div',
    { class: `loading ${extraClass}`.trim(), role: 'status', 'aria-live': 'polite' },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }),
    h('span', null, text),
  );
}

/** An empty state: a short title and a line of help. */
export function emptyBox(title: string, help: string, attrs: Attrs = {}): HTMLElement {
  const cls = typeof attrs.class === 'string' ? ` ${attrs.class}` : '';
  return h('div', { ...attrs, class: `empty${cls}` }, h('p', { class: 'empty-title' }, title), h('p', { class: 'empty-help' }, help));
}

/** A small inline SVG icon from a path (decorative: hidden from screen readers). */
export function icon(path: string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', 'icon');
  const p = document.createElementNS(ns, 'path');
  p.setAttribute('d', path);
  svg.appendChild(p);
  return svg;
}

export const ICONS = {
  back: 'M15.5 4.5 8 12l7.5 7.5',
  calendar: 'M5 5.5h14v14H5zM5 10h14M9 3.5v4M15 3.5v4',
  close: 'M6 6l12 12M18 6 6 18',
  refresh: 'M20 11a8 8 0 1 0-2.3 5.7M20 4v7h-7',
  send: 'M21 3 10.5 13.5M21 3l-6.5 18-4-7.5L3 9.5z',
  spark: 'M12 3v4M12 17v4M3 12h4M17 12h4M6 6l2.5 2.5M15.5 15.5 18 18M6 18l2.5-2.5M15.5 8.5 18 6',
};

/** Debounces `fn` by `ms`. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): (...args: A) => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (...args: A) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
