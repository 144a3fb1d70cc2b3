// A small Markdown renderer for notes. Note text is untrusted: every piece of it is escaped, the
// output has no style attributes, no event handlers and no URLs the webview would follow.
//
// Supported: ATX headings, paragraphs (single newlines become <br>), bullet / numbered / task lists
// (nested by indentation), block quotes, fenced code blocks, rules, **bold**, *italic*, ~~strike~~,
// `code`, [text](url) (shown, never followed), images as a text placeholder, and Obsidian-style
// [[wikilinks]]: [[Target]], [[Target|alias]], [[Target#heading]], [[#heading]], ![[embed]].

export type LinkRef = { target: string; id: string | null };

export interface RenderOptions {
  /** The note's resolved wikilinks (the note DTO's `links`). */
  links?: LinkRef[];
  /** The note being rendered: `[[#heading]]` links point at it. */
  selfId?: string | null;
  /** Leave out a leading `# Heading` equal to this (the view shows the title already). */
  title?: string;
}

interface Ctx {
  links: LinkRef[];
  selfId: string | null;
  depth: number;
  inLink: boolean;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** The key a wikilink target matches on (as the core's `link_key`): lower case, no `.md`, `/`. */
export function linkKey(target: string): string {
  let t = target.trim().replace(/\\/g, '/');
  if (t.toLowerCase().endsWith('.md')) t = t.slice(0, -3);
  else if (t.toLowerCase().endsWith('.markdown')) t = t.slice(0, -9);
  return t.toLowerCase();
}

/** The note id a wikilink target resolves to among `links`, or null. */
export function resolveLink(target: string, links: LinkRef[], selfId: string | null = null): string | null {
  const t = target.trim();
  if (t === '') {
    const own = links.find((l) => l.target.trim() === '' && l.id);
    return own?.id ?? selfId;
  }
  const exact = links.find((l) => l.target === t && l.id);
  if (exact) return exact.id;
  const key = linkKey(t);
  const loose = links.find((l) => l.id && linkKey(l.target.split('#')[0].split('|')[0]) === key);
  return loose?.id ?? null;
}

/** The text after a leading YAML front matter block (`---` … `---`), if there is one. */
export function stripFrontMatter(src: string): string {
  const m = /^---[ \t]*\r?\n[\s\S]*?\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/.exec(src);
  return m ? src.slice(m[0].length) : src;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const RULE = /^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$/;
const LIST_ITEM = /^([ \t]*)([-*+]|\d{1,9}[.)])[ \t]+(.*)$/;
const EMPTY_LIST_ITEM = /^([ \t]*)([-*+]|\d{1,9}[.)])[ \t]*$/;
const QUOTE = /^ {0,3}> ?(.*)$/;
const MAX_DEPTH = 12;

/** Renders Markdown to an HTML string that is safe to assign to `innerHTML`. */
export function renderMarkdown(src: string, opts: RenderOptions = {}): string {
  const ctx: Ctx = { links: opts.links ?? [], selfId: opts.selfId ?? null, depth: 0, inLink: false };
  const text = stripFrontMatter(src.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n'));
  let lines = text.split('\n');
  if (opts.title !== undefined) {
    const first = lines.findIndex((l) => l.trim() !== '');
    const m = first >= 0 ? /^#[ \t]+(.*?)[ \t#]*$/.exec(lines[first]) : null;
    if (m && m[1].trim().toLowerCase() === opts.title.trim().toLowerCase()) lines = lines.slice(first + 1);
  }
  return blocks(lines, ctx);
}

function indentWidth(s: string): number {
  let w = 0;
  for (const c of s) w += c === '\t' ? 4 : 1;
  return w;
}

function isListLine(line: string): boolean {
  return LIST_ITEM.test(line) || EMPTY_LIST_ITEM.test(line);
}

/** Does this line start a block other than a paragraph? */
function startsBlock(line: string): boolean {
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || isListLine(line);
}

function blocks(lines: string[], ctx: Ctx): string {
  if (ctx.depth > MAX_DEPTH) return `<p>${escapeHtml(lines.join('\n'))}</p>`;
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1];
      const lang = fence[2].replace(/[^\w+-]/g, '');
      const body: string[] = [];
      i++;
      while (i < lines.length) {
        const close = lines[i].trim();
        if (close.length >= marker.length && [...close].every((ch) => ch === marker[0])) break;
        body.push(lines[i]);
        i++;
      }
      i++; // the closing fence (or the end)
      const cls = lang ? ` class="language-${escapeHtml(lang)}"` : '';
      out.push(`<pre><code${cls}>${escapeHtml(body.join('\n'))}</code></pre>`);
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      const level = heading[1].length;
      const content = heading[2] ?? '';
      // Note headings sit below the note's own title (h2): # becomes h3, ## h4, and so on.
      const tag = `h${Math.min(level + 2, 6)}`;
      out.push(`<${tag} data-heading="${escapeHtml(content.trim())}">${inline(content, ctx)}</${tag}>`);
      i++;
      continue;
    }
    if (RULE.test(line)) {
      out.push('<hr>');
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const inner: string[] = [];
      while (i < lines.length && lines[i].trim() !== '') {
        const q = QUOTE.exec(lines[i]);
        inner.push(q ? q[1] : lines[i]);
        i++;
      }
      out.push(`<blockquote>${blocks(inner, { ...ctx, depth: ctx.depth + 1 })}</blockquote>`);
      continue;
    }
    if (isListLine(line)) {
      i = list(lines, i, ctx, out);
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && lines[i].trim() !== '' && (para.length === 0 || !startsBlock(lines[i]))) {
      para.push(lines[i].trim());
      i++;
    }
    out.push(`<p>${para.map((l) => inline(l, ctx)).join('<br>')}</p>`);
  }
  return out.join('\n');
}

/** Renders the list starting at `lines[start]`; returns the index after it. */
function list(lines: string[], start: number, ctx: Ctx, out: string[]): number {
  type Level = { tag: 'ul' | 'ol'; indent: number };
  const stack: Level[] = [];
  let html = '';
  let i = start;
  const close = () => {
    const top = stack.pop()!;
    html += `</li></${top.tag}>`;
  };
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') {
      // A blank line ends the list unless the list (or an item's text) goes on after it.
      let j = i + 1;
      while (j < lines.length && lines[j].trim() === '') j++;
      if (j < lines.length && (isListLine(lines[j]) || indentWidth(/^[ \t]*/.exec(lines[j])![0]) >= 2)) {
        i = j;
        continue;
      }
      break;
    }
    const m = LIST_ITEM.exec(line) ?? EMPTY_LIST_ITEM.exec(line);
    if (!m) {
      if (startsBlock(line) && indentWidth(/^[ \t]*/.exec(line)![0]) < 2) break;
      html += `<br>${inline(line.trim(), ctx)}`; // continuation of the current item
      i++;
      continue;
    }
    const indent = indentWidth(m[1]);
    const ordered = /\d/.test(m[2]);
    const tag: 'ul' | 'ol' = ordered ? 'ol' : 'ul';
    let popped = false;
    while (stack.length > 0 && indent < stack[stack.length - 1].indent) {
      close();
      popped = true;
    }
    const top = stack[stack.length - 1];
    if (top && (indent === top.indent || popped) && top.tag === tag) {
      html += '</li>';
    } else if (top && (indent === top.indent || popped)) {
      close(); // same level, other kind of list: a new list
      html += open(tag, m[2]);
      stack.push({ tag, indent });
    } else {
      html += open(tag, m[2]);
      stack.push({ tag, indent });
    }
    html += `<li>${item(m[3] ?? '', ctx)}`;
    i++;
  }
  while (stack.length > 0) close();
  out.push(html);
  return i;
}

function open(tag: 'ul' | 'ol', marker: string): string {
  if (tag === 'ol') {
    const n = parseInt(marker, 10);
    return n !== 1 && Number.isFinite(n) ? `<ol start="${n}">` : '<ol>';
  }
  return '<ul>';
}

function item(text: string, ctx: Ctx): string {
  const task = /^\[([ xX])\][ \t]+(.*)$/.exec(text);
  if (task) {
    const checked = task[1] !== ' ' ? ' checked' : '';
    return `<input type="checkbox" disabled${checked}> ${inline(task[2], ctx)}`;
  }
  return inline(text, ctx);
}

const LINK = /^\[((?:[^[\]\\]|\\.|\[[^[\]]*\])*)\]\(\s*<?([^\s()<>]*(?:\([^\s()<>]*\)[^\s()<>]*)*)>?(?:\s+"([^"]*)")?\s*\)/;
const PUNCT_ESCAPABLE = /[\\`*_{}[\]()#+\-.!|~<>"']/;

/** Inline Markdown to HTML; all text is escaped. */
function inline(src: string, ctx: Ctx): string {
  if (ctx.depth > MAX_DEPTH) return escapeHtml(src);
  const deeper: Ctx = { ...ctx, depth: ctx.depth + 1 };
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '\\' && i + 1 < src.length && PUNCT_ESCAPABLE.test(src[i + 1])) {
      out += escapeHtml(src[i + 1]);
      i += 2;
      continue;
    }
    if (c === '`') {
      let n = 1;
      while (src[i + n] === '`') n++;
      const fence = '`'.repeat(n);
      let j = src.indexOf(fence, i + n);
      while (j >= 0 && src[j + n] === '`') {
        let k = j;
        while (src[k] === '`') k++;
        j = src.indexOf(fence, k);
      }
      if (j >= 0) {
        let code = src.slice(i + n, j);
        if (code.length > 2 && code.startsWith(' ') && code.endsWith(' ') && code.trim() !== '') code = code.slice(1, -1);
        out += `<code>${escapeHtml(code)}</code>`;
        i = j + n;
      } else {
        out += escapeHtml(fence);
        i += n;
      }
      continue;
    }
    if (!ctx.inLink && (src.startsWith('[[', i) || src.startsWith('![[', i))) {
      const open = src.startsWith('![[', i) ? 3 : 2;
      const end = src.indexOf(']]', i + open);
      if (end >= 0) {
        const inner = src.slice(i + open, end);
        if (!inner.includes('[') && inner.trim() !== '' && !inner.includes('\n')) {
          out += wikilink(inner, ctx);
          i = end + 2;
          continue;
        }
      }
    }
    if (c === '!' && src[i + 1] === '[') {
      const m = LINK.exec(src.slice(i + 1));
      if (m) {
        const alt = m[1].trim() || 'image';
        out += `<span class="md-image" title="${escapeHtml(m[2])}">[image: ${escapeHtml(alt)}]</span>`;
        i += 1 + m[0].length;
        continue;
      }
    }
    if (c === '[' && !ctx.inLink) {
      const m = LINK.exec(src.slice(i));
      if (m) {
        const url = m[2];
        const text = m[1].trim() === '' ? escapeHtml(url) : inline(m[1], { ...deeper, inLink: true });
        // No href: the link is shown (with its address on hover) but never followed.
        out +=
          `<a class="external-link" data-href="${escapeHtml(url)}" title="${escapeHtml(url)}" ` +
          `rel="noopener noreferrer">${text}</a>`;
        i += m[0].length;
        continue;
      }
    }
    if (c === '*' || c === '_' || c === '~') {
      const em = emphasis(src, i, deeper);
      if (em) {
        out += em.html;
        i = em.end;
        continue;
      }
      // A run of delimiters that opens nothing is literal text.
      let n = 1;
      while (src[i + n] === c) n++;
      out += escapeHtml(src.slice(i, i + n));
      i += n;
      continue;
    }
    out += escapeHtml(c);
    i++;
  }
  return out;
}

const isSpace = (c: string | undefined) => c === undefined || /\s/.test(c);
const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

function emphasis(src: string, i: number, ctx: Ctx): { html: string; end: number } | null {
  const c = src[i];
  let run = 1;
  while (src[i + run] === c) run++;
  const candidates: [number, string][] =
    c === '~' ? [[2, 'del']] : run >= 2 ? [[2, 'strong'], [1, 'em']] : [[1, 'em']];
  for (const [len, tag] of candidates) {
    if (c === '~' && run < 2) return null;
    const after = src[i + len];
    if (isSpace(after)) continue;
    if (c === '_' && isWordChar(src[i - 1])) return null; // snake_case stays as it is
    const end = findCloser(src, i + len, c, len);
    if (end < 0) continue;
    const inner = src.slice(i + len, end);
    if (inner === '') continue;
    return { html: `<${tag}>${inline(inner, ctx)}</${tag}>`, end: end + len };
  }
  return null;
}

/** Where the delimiter `c` × `len` closing an emphasis opened before `from` starts, or -1. */
function findCloser(src: string, from: number, c: string, len: number): number {
  let j = from + 1;
  while (j < src.length) {
    const ch = src[j];
    if (ch === '\\') {
      j += 2;
      continue;
    }
    if (ch === '`') {
      // Delimiters inside code spans do not count.
      const close = src.indexOf('`', j + 1);
      if (close < 0) return -1;
      j = close + 1;
      continue;
    }
    if (ch === c) {
      let run = 1;
      while (src[j + run] === c) run++;
      const before = src[j - 1];
      const afterRun = src[j + run];
      const canClose = !isSpace(before) && (c !== '_' || !isWordChar(afterRun));
      // A `**` run does not close a single `*` (it is bold inside the italics); in `***x***` the
      // closer for ** is the last two of the run.
      if (canClose && run >= len && !(len === 1 && run === 2)) return j + run - len;
      j += run;
      continue;
    }
    j++;
  }
  return -1;
}

function wikilink(inner: string, ctx: Ctx): string {
  const bar = inner.indexOf('|');
  const targetPart = bar >= 0 ? inner.slice(0, bar) : inner;
  const alias = bar >= 0 ? inner.slice(bar + 1).trim() : '';
  const hash = targetPart.indexOf('#');
  const target = (hash >= 0 ? targetPart.slice(0, hash) : targetPart).trim();
  const heading = hash >= 0 ? targetPart.slice(hash + 1).trim() : '';
  const label = alias || (heading ? (target ? `${target} › ${heading}` : heading) : target);
  const id = resolveLink(target, ctx.links, ctx.selfId);
  let attrs = `class="wikilink${id ? '' : ' unresolved'}" data-target="${escapeHtml(target)}"`;
  if (heading) attrs += ` data-heading="${escapeHtml(heading)}"`;
  if (id) attrs += ` data-id="${escapeHtml(id)}" href="#"`;
  else attrs += ` title="${escapeHtml(`No note named “${target || heading}” yet`)}"`;
  return `<a ${attrs}>${escapeHtml(label)}</a>`;
}
