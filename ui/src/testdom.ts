// A small stand-in for the browser DOM, for the tests of the screens (vitest runs in Node, and the
// project has no DOM library). It covers what the views use: elements and text nodes, attributes
// and the properties they back (id, class, hidden, disabled, value…), classList, dataset, events
// that bubble, click() (a submit button submits its form), focus, and querySelector with simple
// selectors (tag, #id, .class, [attr], [attr="v"], descendants, lists). `innerHTML` is not
// implemented: setting it throws, so a test fails if a view ever builds markup from a string.
// Not part of the app (nothing in it imports this file).

type Listener = { fn: (e: FakeEvent) => void; capture: boolean };

export class FakeEvent {
  readonly type: string;
  readonly bubbles: boolean;
  readonly cancelable: boolean;
  defaultPrevented = false;
  propagationStopped = false;
  target: FakeNode | null = null;
  currentTarget: FakeNode | null = null;
  key = '';
  shiftKey = false;
  ctrlKey = false;
  metaKey = false;
  altKey = false;
  isComposing = false;

  constructor(type: string, init: Partial<Pick<FakeEvent, 'key' | 'shiftKey' | 'ctrlKey' | 'metaKey' | 'altKey'>> & { bubbles?: boolean; cancelable?: boolean } = {}) {
    this.type = type;
    this.bubbles = init.bubbles ?? true;
    this.cancelable = init.cancelable ?? true;
    Object.assign(this, { key: init.key ?? '', shiftKey: !!init.shiftKey, ctrlKey: !!init.ctrlKey, metaKey: !!init.metaKey, altKey: !!init.altKey });
  }

  preventDefault(): void {
    if (this.cancelable) this.defaultPrevented = true;
  }

  stopPropagation(): void {
    this.propagationStopped = true;
  }

  stopImmediatePropagation(): void {
    this.propagationStopped = true;
  }
}

export class FakeNode {
  parentNode: FakeElement | null = null;
  readonly childNodes: FakeNode[] = [];
  private listeners = new Map<string, Listener[]>();

  constructor(
    readonly ownerDocument: FakeDocument,
    readonly nodeType: number,
  ) {}

  get parentElement(): FakeElement | null {
    return this.parentNode;
  }

  get isConnected(): boolean {
    let n: FakeNode | null = this;
    while (n.parentNode) n = n.parentNode;
    return n === this.ownerDocument.documentElement;
  }

  get firstChild(): FakeNode | null {
    return this.childNodes[0] ?? null;
  }

  get textContent(): string {
    return this.childNodes.map((c) => c.textContent).join('');
  }

  set textContent(value: string | null) {
    this.replaceChildren();
    if (value !== null && value !== '') this.appendChild(this.ownerDocument.createTextNode(String(value)));
  }

  appendChild<T extends FakeNode>(child: T): T {
    if (!(child instanceof FakeNode)) throw new TypeError('appendChild: not a node');
    if (child.contains(this)) throw new Error('HierarchyRequestError');
    child.remove();
    child.parentNode = this as unknown as FakeElement;
    this.childNodes.push(child);
    return child;
  }

  append(...nodes: (FakeNode | string)[]): void {
    for (const n of nodes) this.appendChild(typeof n === 'string' ? this.ownerDocument.createTextNode(n) : n);
  }

  prepend(...nodes: (FakeNode | string)[]): void {
    const rest = this.childNodes.splice(0);
    for (const c of rest) c.parentNode = null;
    this.append(...nodes);
    for (const c of rest) this.appendChild(c);
  }

  removeChild<T extends FakeNode>(child: T): T {
    const i = this.childNodes.indexOf(child);
    if (i < 0) throw new Error('NotFoundError');
    this.childNodes.splice(i, 1);
    child.parentNode = null;
    return child;
  }

  replaceChildren(...nodes: (FakeNode | string)[]): void {
    for (const c of this.childNodes.splice(0)) c.parentNode = null;
    this.append(...nodes);
  }

  remove(): void {
    this.parentNode?.removeChild(this);
  }

  contains(other: FakeNode | null): boolean {
    for (let n = other; n; n = n.parentNode) if (n === this) return true;
    return false;
  }

  addEventListener(type: string, fn: ((e: FakeEvent) => void) | { handleEvent: (e: FakeEvent) => void }, options?: boolean | { capture?: boolean }): void {
    const f = typeof fn === 'function' ? fn : (e: FakeEvent) => fn.handleEvent(e);
    const capture = typeof options === 'boolean' ? options : !!options?.capture;
    const list = this.listeners.get(type) ?? [];
    list.push({ fn: f, capture });
    this.listeners.set(type, list);
  }

  removeEventListener(type: string, fn: (e: FakeEvent) => void): void {
    const list = this.listeners.get(type);
    if (list) this.listeners.set(type, list.filter((l) => l.fn !== fn));
  }

  /** Bubbling only (no capture phase), which is all the views rely on. */
  dispatchEvent(event: FakeEvent): boolean {
    event.target = this;
    for (let n: FakeNode | null = this; n; n = n.parentNode) {
      event.currentTarget = n;
      for (const l of [...(n.listeners.get(event.type) ?? [])]) l.fn.call(n, event);
      if (event.propagationStopped || !event.bubbles) break;
    }
    event.currentTarget = null;
    return !event.defaultPrevented;
  }
}

export class FakeText extends FakeNode {
  constructor(
    doc: FakeDocument,
    public data: string,
  ) {
    super(doc, 3);
  }

  override get textContent(): string {
    return this.data;
  }

  override set textContent(value: string | null) {
    this.data = value ?? '';
  }
}

const BOOLEAN_PROPS = ['hidden', 'disabled', 'readOnly', 'open', 'required', 'multiple'] as const;
const STRING_PROPS = ['id', 'placeholder', 'title', 'name', 'href', 'role', 'htmlFor'] as const;
const ATTR_NAME: Record<string, string> = { readOnly: 'readonly', htmlFor: 'for', className: 'class' };

export class FakeElement extends FakeNode {
  readonly tagName: string;
  readonly localName: string;
  readonly attributes = new Map<string, string>();
  scrollTop = 0;
  scrollLeft = 0;
  readonly scrollHeight = 0;
  readonly clientHeight = 0;
  private _value: string | undefined;
  private _checked: boolean | undefined;

  constructor(doc: FakeDocument, tag: string) {
    super(doc, 1);
    this.localName = tag.toLowerCase();
    this.tagName = tag.toUpperCase();
  }

  get children(): FakeElement[] {
    return this.childNodes.filter((c): c is FakeElement => c instanceof FakeElement);
  }

  getAttribute(name: string): string | null {
    return this.attributes.get(name.toLowerCase()) ?? null;
  }

  setAttribute(name: string, value: unknown): void {
    this.attributes.set(name.toLowerCase(), String(value));
  }

  hasAttribute(name: string): boolean {
    return this.attributes.has(name.toLowerCase());
  }

  removeAttribute(name: string): void {
    this.attributes.delete(name.toLowerCase());
  }

  toggleAttribute(name: string, force?: boolean): boolean {
    const on = force ?? !this.hasAttribute(name);
    if (on) this.setAttribute(name, '');
    else this.removeAttribute(name);
    return on;
  }

  get className(): string {
    return this.getAttribute('class') ?? '';
  }

  set className(v: string) {
    this.setAttribute('class', v);
  }

  get classList() {
    const el = this;
    const list = () => el.className.split(/\s+/).filter(Boolean);
    const set = (names: string[]) => el.setAttribute('class', [...new Set(names)].join(' '));
    return {
      contains: (c: string) => list().includes(c),
      add: (...cs: string[]) => set([...list(), ...cs]),
      remove: (...cs: string[]) => set(list().filter((x) => !cs.includes(x))),
      toggle: (c: string, force?: boolean) => {
        const on = force ?? !list().includes(c);
        if (on) set([...list(), c]);
        else set(list().filter((x) => x !== c));
        return on;
      },
      get length() {
        return list().length;
      },
      [Symbol.iterator]: () => list()[Symbol.iterator](),
    };
  }

  get dataset(): Record<string, string | undefined> {
    const el = this;
    const attr = (key: string) => `data-${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    return new Proxy(
      {},
      {
        get: (_t, key) => (typeof key === 'string' ? (el.getAttribute(attr(key)) ?? undefined) : undefined),
        set: (_t, key, value) => {
          if (typeof key === 'string') el.setAttribute(attr(key), String(value));
          return true;
        },
        deleteProperty: (_t, key) => {
          if (typeof key === 'string') el.removeAttribute(attr(key));
          return true;
        },
      },
    );
  }

  get type(): string {
    const t = this.getAttribute('type');
    if (t !== null) return t.toLowerCase();
    if (this.localName === 'button') return 'submit';
    if (this.localName === 'input') return 'text';
    return this.localName === 'textarea' ? 'textarea' : '';
  }

  set type(v: string) {
    this.setAttribute('type', v);
  }

  get value(): string {
    if (this._value !== undefined) return this._value;
    if (this.localName === 'textarea') return this.textContent;
    return this.getAttribute('value') ?? (this.localName === 'input' && /^(radio|checkbox)$/.test(this.type) ? 'on' : '');
  }

  set value(v: string) {
    this._value = String(v);
  }

  get checked(): boolean {
    return this._checked ?? this.hasAttribute('checked');
  }

  set checked(v: boolean) {
    this._checked = !!v;
    if (v && this.type === 'radio') {
      const name = this.getAttribute('name');
      let root: FakeNode = this;
      while (root.parentNode) root = root.parentNode;
      if (name && root instanceof FakeElement) {
        for (const other of root.querySelectorAll(`input[name="${name}"]`)) if (other !== this) other._checked = false;
      }
    }
  }

  get innerHTML(): string {
    throw new Error('innerHTML is not supported by the test DOM (views must not use it)');
  }

  set innerHTML(_v: string) {
    throw new Error('innerHTML is not supported by the test DOM (views must not use it)');
  }

  get outerHTML(): string {
    throw new Error('outerHTML is not supported by the test DOM');
  }

  insertAdjacentHTML(): void {
    throw new Error('insertAdjacentHTML is not supported by the test DOM (views must not use it)');
  }

  focus(): void {
    if (this.hasAttribute('disabled')) return;
    this.ownerDocument.activeElement = this;
  }

  blur(): void {
    if (this.ownerDocument.activeElement === this) this.ownerDocument.activeElement = this.ownerDocument.body;
  }

  /** A click as a user makes it: nothing on a disabled control; a submit button submits its form. */
  click(): void {
    if (this.hasAttribute('disabled')) return;
    const ok = this.dispatchEvent(new FakeEvent('click'));
    if (!ok) return;
    if (this.localName === 'button' && this.type === 'submit') {
      const form = this.closest('form');
      form?.dispatchEvent(new FakeEvent('submit'));
    } else if (this.localName === 'input' && this.type === 'radio' && !this.checked) {
      this.checked = true;
      this.dispatchEvent(new FakeEvent('change'));
    } else if (this.localName === 'summary' && this.parentNode?.localName === 'details') {
      this.parentNode.toggleAttribute('open');
    }
  }

  requestSubmit(): void {
    this.dispatchEvent(new FakeEvent('submit'));
  }

  scrollIntoView(): void {}

  scrollTo(): void {}

  matches(selector: string): boolean {
    return parseSelectorList(selector).some((complex) => matchesComplex(this, complex));
  }

  closest(selector: string): FakeElement | null {
    const list = parseSelectorList(selector);
    for (let n: FakeElement | null = this; n; n = n.parentNode) {
      if (list.some((complex) => matchesComplex(n!, complex))) return n;
    }
    return null;
  }

  querySelectorAll(selector: string): FakeElement[] {
    const list = parseSelectorList(selector);
    const out: FakeElement[] = [];
    const walk = (n: FakeElement) => {
      for (const c of n.children) {
        if (list.some((complex) => matchesComplex(c, complex))) out.push(c);
        walk(c);
      }
    };
    walk(this);
    return out;
  }

  querySelector(selector: string): FakeElement | null {
    return this.querySelectorAll(selector)[0] ?? null;
  }

  getElementsByTagName(tag: string): FakeElement[] {
    return this.querySelectorAll(tag.toLowerCase());
  }
}

for (const prop of BOOLEAN_PROPS) {
  const attr = ATTR_NAME[prop] ?? prop.toLowerCase();
  Object.defineProperty(FakeElement.prototype, prop, {
    get(this: FakeElement) {
      return this.hasAttribute(attr);
    },
    set(this: FakeElement, v: boolean) {
      this.toggleAttribute(attr, !!v);
    },
  });
}
for (const prop of STRING_PROPS) {
  const attr = ATTR_NAME[prop] ?? prop.toLowerCase();
  Object.defineProperty(FakeElement.prototype, prop, {
    get(this: FakeElement) {
      return this.getAttribute(attr) ?? '';
    },
    set(this: FakeElement, v: string) {
      this.setAttribute(attr, v);
    },
  });
}
Object.defineProperty(FakeElement.prototype, 'tabIndex', {
  get(this: FakeElement) {
    return Number(this.getAttribute('tabindex') ?? -1);
  },
  set(this: FakeElement, v: number) {
    this.setAttribute('tabindex', v);
  },
});

// ---- selectors ----

type Compound = { tag: string | null; id: string | null; classes: string[]; attrs: { name: string; value: string | null }[] };

function parseCompound(text: string): Compound {
  const c: Compound = { tag: null, id: null, classes: [], attrs: [] };
  const re = /([a-zA-Z][\w-]*)|#([\w-]+)|\.([\w-]+)|\[\s*([\w-]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\]\s]+)))?\s*\]|(\*)/y;
  let i = 0;
  while (i < text.length) {
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m || m.index !== i) throw new Error(`test DOM: unsupported selector "${text}"`);
    if (m[1] !== undefined) c.tag = m[1].toLowerCase();
    else if (m[2] !== undefined) c.id = m[2];
    else if (m[3] !== undefined) c.classes.push(m[3]);
    else if (m[4] !== undefined) c.attrs.push({ name: m[4].toLowerCase(), value: m[5] ?? m[6] ?? m[7] ?? null });
    i = re.lastIndex;
  }
  return c;
}

/** A list of complex selectors, each a chain of compounds joined by descendant combinators. */
function parseSelectorList(selector: string): Compound[][] {
  return selector.split(',').map((part) => {
    const compounds = part.trim().replace(/\s*>\s*/g, ' ').split(/\s+/).filter(Boolean);
    if (compounds.length === 0) throw new Error(`test DOM: empty selector in "${selector}"`);
    return compounds.map(parseCompound);
  });
}

function matchesCompound(el: FakeElement, c: Compound): boolean {
  if (c.tag && el.localName !== c.tag) return false;
  if (c.id && el.getAttribute('id') !== c.id) return false;
  if (c.classes.length > 0) {
    const mine = el.className.split(/\s+/);
    if (!c.classes.every((x) => mine.includes(x))) return false;
  }
  return c.attrs.every((a) => (a.value === null ? el.hasAttribute(a.name) : el.getAttribute(a.name) === a.value));
}

function matchesComplex(el: FakeElement, chain: Compound[]): boolean {
  if (!matchesCompound(el, chain[chain.length - 1])) return false;
  let i = chain.length - 2;
  for (let n = el.parentNode; n && i >= 0; n = n.parentNode) {
    if (matchesCompound(n, chain[i])) i--;
  }
  return i < 0;
}

// ---- the document ----

export class FakeDocument extends FakeNode {
  readonly documentElement: FakeElement;
  readonly body: FakeElement;
  activeElement: FakeElement | null;
  /** Every tag name createElement was asked for, in order. */
  readonly created: string[] = [];
  title = '';

  constructor() {
    super(undefined as unknown as FakeDocument, 9);
    (this as { ownerDocument: FakeDocument }).ownerDocument = this;
    this.documentElement = new FakeElement(this, 'html');
    this.body = new FakeElement(this, 'body');
    this.documentElement.appendChild(this.body);
    this.activeElement = this.body;
  }

  createElement(tag: string): FakeElement {
    this.created.push(tag.toLowerCase());
    return new FakeElement(this, tag);
  }

  createElementNS(_ns: string, tag: string): FakeElement {
    this.created.push(tag.toLowerCase());
    return new FakeElement(this, tag);
  }

  createTextNode(text: string): FakeText {
    return new FakeText(this, text);
  }

  getElementById(id: string): FakeElement | null {
    if (this.documentElement.getAttribute('id') === id) return this.documentElement;
    return this.documentElement.querySelector(`#${id}`);
  }

  querySelector(selector: string): FakeElement | null {
    return this.documentElement.matches(selector) ? this.documentElement : this.documentElement.querySelector(selector);
  }

  querySelectorAll(selector: string): FakeElement[] {
    return [...(this.documentElement.matches(selector) ? [this.documentElement] : []), ...this.documentElement.querySelectorAll(selector)];
  }
}

/** Puts a fresh fake `document` (and `requestAnimationFrame`) on globalThis; returns it. */
export function installTestDom(): FakeDocument {
  const doc = new FakeDocument();
  const g = globalThis as unknown as Record<string, unknown>;
  g.document = doc;
  g.requestAnimationFrame = (cb: (t: number) => void) => setTimeout(() => cb(Date.now()), 0);
  g.cancelAnimationFrame = (id: ReturnType<typeof setTimeout>) => clearTimeout(id);
  return doc;
}

/** Lets pending promise callbacks and timers run. */
export async function settle(rounds = 4): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0));
}

/** An element's text with runs of white space as one space, as a reader sees it. */
export const text = (el: Element | null): string => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

/** The element exists and is not hidden. */
export const visible = (el: HTMLElement | null): boolean => el !== null && !el.hidden;

/** A key pressed on `target`. */
export function key(target: HTMLElement, k: string): void {
  target.dispatchEvent(new FakeEvent('keydown', { key: k }) as unknown as Event);
}
