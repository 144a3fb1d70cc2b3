import { describe, expect, it } from 'vitest';
import { escapeHtml, linkKey, renderMarkdown, resolveLink, stripFrontMatter } from './markdown';

const links = [
  { target: 'projects/q3-budget', id: 'n2' },
  { target: 'Kenneth Moreau', id: 'n5' },
  { target: 'lisbon-offsite', id: 'n3' },
  { target: 'Roadmap 2024', id: null },
];

describe('escaping', () => {
  it('escapes the HTML specials', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('never lets a <script> through', () => {
    const html = renderMarkdown('Hello <script>alert(1)</script> there');
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('escapes raw HTML blocks, attributes and event handlers', () => {
    const html = renderMarkdown('<img src=x onerror="alert(1)">\n\n<div style="color:red">x</div>');
    expect(html).not.toMatch(/<img|<div|style="/);
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
  });

  it('escapes inside headings, lists, code, links and wikilinks', () => {
    const html = renderMarkdown(
      [
        '# <b>title</b>',
        '- <i>item</i>',
        '`<code>`',
        '```',
        '<script>x</script>',
        '```',
        '[<b>x</b>](javascript:alert("1"))',
        '[[<img src=x>|<svg onload=1>]]',
      ].join('\n'),
    );
    expect(html).not.toMatch(/<(b|i|img|svg|script)[ >]/);
    expect(html).not.toContain(' href="javascript');
  });

  it('does not turn link addresses into hrefs', () => {
    const html = renderMarkdown('See [the docs](https://example.com/a?b=1&c=2 "Docs").');
    expect(html).toBe(
      '<p>See <a class="external-link" data-href="https://example.com/a?b=1&amp;c=2" ' +
        'title="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer">the docs</a>.</p>',
    );
    expect(html).not.toContain(' href=');
  });

  it('keeps a quote in a link address inside its attribute', () => {
    const html = renderMarkdown('[x](http://a/"onmouseover=alert(1))');
    expect(html).not.toMatch(/"onmouseover/);
  });

  it('shows images as a text placeholder, never loading them', () => {
    const html = renderMarkdown('![a cat](https://example.com/cat.png)');
    expect(html).toContain('[image: a cat]');
    expect(html).not.toContain('<img');
  });
});

describe('wikilinks', () => {
  it('renders a resolved [[Target]] with its note id', () => {
    expect(renderMarkdown('[[Kenneth Moreau]]', { links })).toBe(
      '<p><a class="wikilink" data-target="Kenneth Moreau" data-id="n5" href="#">Kenneth Moreau</a></p>',
    );
  });

  it('shows the alias of [[Target|alias]]', () => {
    expect(renderMarkdown('[[projects/q3-budget|Q3 budget]]', { links })).toBe(
      '<p><a class="wikilink" data-target="projects/q3-budget" data-id="n2" href="#">Q3 budget</a></p>',
    );
  });

  it('keeps the heading of [[Target#heading]]', () => {
    const html = renderMarkdown('[[lisbon-offsite#Budget]]', { links });
    expect(html).toBe(
      '<p><a class="wikilink" data-target="lisbon-offsite" data-heading="Budget" data-id="n3" href="#">' +
        'lisbon-offsite › Budget</a></p>',
    );
  });

  it('handles [[Target#heading|alias]] and [[#heading]] in the same note', () => {
    const html = renderMarkdown('[[lisbon-offsite#Budget|the budget]] and [[#Ideas]]', { links, selfId: 'n9' });
    expect(html).toContain('data-target="lisbon-offsite" data-heading="Budget" data-id="n3" href="#">the budget</a>');
    expect(html).toContain('data-target="" data-heading="Ideas" data-id="n9" href="#">Ideas</a>');
  });

  it('marks unresolved targets and gives them no id', () => {
    const html = renderMarkdown('see [[Roadmap 2024]] and [[Nowhere]]', { links });
    expect(html).toContain('<a class="wikilink unresolved" data-target="Roadmap 2024" title=');
    expect(html).toContain('<a class="wikilink unresolved" data-target="Nowhere" title=');
    expect(html).not.toContain('data-id');
  });

  it('resolves case-insensitively and without .md', () => {
    expect(renderMarkdown('[[kenneth moreau.md]]', { links })).toContain('data-id="n5"');
  });

  it('renders embeds as links and leaves wikilinks in code alone', () => {
    expect(renderMarkdown('![[Kenneth Moreau]]', { links })).toContain('class="wikilink" data-target="Kenneth Moreau"');
    const code = renderMarkdown('`[[Kenneth Moreau]]`\n\n```\n[[Kenneth Moreau]]\n```', { links });
    expect(code).not.toContain('wikilink');
    expect(code).toContain('<code>[[Kenneth Moreau]]</code>');
  });

  it('leaves empty or broken brackets as text', () => {
    expect(renderMarkdown('[[]] and [[open')).toBe('<p>[[]] and [[open</p>');
  });
});

describe('blocks', () => {
  it('renders headings one step below the note title and paragraphs with line breaks', () => {
    expect(renderMarkdown('# Top\n\n## Sub ##\n\nline one\nline two')).toBe(
      '<h3 data-heading="Top">Top</h3>\n<h4 data-heading="Sub">Sub</h4>\n<p>line one<br>line two</p>',
    );
  });

  it('does not take #tags for headings', () => {
    expect(renderMarkdown('#work #q3')).toBe('<p>#work #q3</p>');
  });

  it('drops the leading heading that repeats the title, and the front matter', () => {
    const src = '---\ntitle: Home\ntags: [index]\n---\n# Home\n\nStart here.';
    expect(renderMarkdown(src, { title: 'Home' })).toBe('<p>Start here.</p>');
    expect(renderMarkdown(src)).toBe('<h3 data-heading="Home">Home</h3>\n<p>Start here.</p>');
  });

  it('renders bullet lists', () => {
    expect(renderMarkdown('- one\n- two\n* three')).toBe('<ul><li>one</li><li>two</li><li>three</li></ul>');
  });

  it('renders numbered lists, keeping the start number', () => {
    expect(renderMarkdown('1. one\n2. two')).toBe('<ol><li>one</li><li>two</li></ol>');
    expect(renderMarkdown('3) three\n4) four')).toBe('<ol start="3"><li>three</li><li>four</li></ol>');
  });

  it('nests lists by indentation and comes back out', () => {
    expect(renderMarkdown('- a\n  - b\n    1. c\n- d')).toBe(
      '<ul><li>a<ul><li>b<ol><li>c</li></ol></li></ul></li><li>d</li></ul>',
    );
  });

  it('keeps a list going over blank lines and ends it at a paragraph', () => {
    expect(renderMarkdown('- a\n\n- b\n\nafter')).toBe('<ul><li>a</li><li>b</li></ul>\n<p>after</p>');
  });

  it('renders task items as disabled checkboxes', () => {
    expect(renderMarkdown('- [ ] todo\n- [x] done')).toBe(
      '<ul><li><input type="checkbox" disabled> todo</li><li><input type="checkbox" disabled checked> done</li></ul>',
    );
  });

  it('renders fenced code blocks verbatim, with a language class', () => {
    expect(renderMarkdown('```rust\nfn main() { *x* }\n  [[not]]\n```\nafter')).toBe(
      '<pre><code class="language-rust">fn main() { *x* }\n  [[not]]</code></pre>\n<p>after</p>',
    );
    expect(renderMarkdown('~~~\nunclosed <b>')).toBe('<pre><code>unclosed &lt;b&gt;</code></pre>');
  });

  it('cleans the language name of a fence', () => {
    expect(renderMarkdown('```"><script>\nx\n```')).not.toContain('<script');
  });

  it('renders quotes and rules', () => {
    expect(renderMarkdown('> quoted *text*\n\n---')).toBe(
      '<blockquote><p>quoted <em>text</em></p></blockquote>\n<hr>',
    );
  });

  it('renders an empty note as nothing', () => {
    expect(renderMarkdown('')).toBe('');
    expect(renderMarkdown('\n\n  \n')).toBe('');
  });
});

describe('inline', () => {
  it('renders bold, italic, strikethrough and code', () => {
    expect(renderMarkdown('**bold** *it* _it2_ __b2__ ~~gone~~ `a*b*c`')).toBe(
      '<p><strong>bold</strong> <em>it</em> <em>it2</em> <strong>b2</strong> <del>gone</del> <code>a*b*c</code></p>',
    );
  });

  it('nests emphasis', () => {
    expect(renderMarkdown('***both***')).toBe('<p><strong><em>both</em></strong></p>');
    expect(renderMarkdown('*it **bold** it*')).toBe('<p><em>it <strong>bold</strong> it</em></p>');
    expect(renderMarkdown('**see [[Kenneth Moreau]]**', { links })).toContain(
      '<strong>see <a class="wikilink" data-target="Kenneth Moreau" data-id="n5" href="#">Kenneth Moreau</a></strong>',
    );
  });

  it('leaves lone or spaced stars and snake_case alone', () => {
    expect(renderMarkdown('2 * 3 * 4, a_b_c, *unclosed')).toBe('<p>2 * 3 * 4, a_b_c, *unclosed</p>');
  });

  it('honours backslash escapes', () => {
    expect(renderMarkdown('\\*not italic\\* \\[[x]]')).toBe('<p>*not italic* [[x]]</p>');
  });

  it('keeps code spans of longer backtick runs', () => {
    expect(renderMarkdown('``a ` b``')).toBe('<p><code>a ` b</code></p>');
  });
});

describe('helpers', () => {
  it('matches link keys like the core does', () => {
    expect(linkKey(' People\\Sara.md ')).toBe('people/sara');
  });

  it('resolves against links by exact target first', () => {
    expect(resolveLink('Kenneth Moreau', links)).toBe('n5');
    expect(resolveLink('Roadmap 2024', links)).toBeNull();
    expect(resolveLink('', [], 'n1')).toBe('n1');
  });

  it('strips front matter only at the very start', () => {
    expect(stripFrontMatter('---\na: 1\n---\nbody')).toBe('body');
    expect(stripFrontMatter('body\n---\na\n---')).toBe('body\n---\na\n---');
    expect(stripFrontMatter('---\nnot closed')).toBe('---\nnot closed');
  });
});
