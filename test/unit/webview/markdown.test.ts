// The webview's markdown for untrusted model text: no HTML gets through, links only to the web,
// math becomes escaped placeholders for KaTeX, money is not math.
import { describe, expect, it } from 'vitest';
import { MAX_TEX_CHARS, MAX_TEX_CHARS_PER_TEXT, renderMarkdown } from '../../../webview/src/transcript/markdown';
import { charactersSearched } from '../../support/searchWork';

describe('renderMarkdown', () => {
  it('escapes raw HTML, scripts and event handlers', () => {
    const html = renderMarkdown(`<img src=x onerror="alert(1)"> <script>alert(2)</script>\n\n<svg onload="alert(3)"></svg>`);
    expect(html).not.toMatch(/<img|<script|<svg/);
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(html).toContain('&lt;script&gt;alert(2)&lt;/script&gt;');
  });

  it('renders web links only; javascript: and data: stay text', () => {
    expect(renderMarkdown('[ok](https://example.com/a)')).toContain('<a href="https://example.com/a">ok</a>');
    for (const href of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<b>x</b>', 'vscode://x', 'file:///etc/passwd']) {
      expect(renderMarkdown(`[bad](${href})`)).not.toContain('<a');
    }
  });

  it('turns $…$, \\(…\\), $$…$$ and \\[…\\] into escaped math placeholders', () => {
    expect(renderMarkdown('Area $\\pi r^2$ here')).toContain('<span class="math" data-display="0">\\pi r^2</span>');
    expect(renderMarkdown('so \\(a<b\\) holds')).toContain('<span class="math" data-display="0">a&lt;b</span>');
    expect(renderMarkdown('$$\n\\frac{1}{2}\n$$')).toContain('<div class="math math-display" data-display="1">\\frac{1}{2}</div>');
    expect(renderMarkdown('\\[x^2\\]')).toContain('<div class="math math-display" data-display="1">x^2</div>');
  });

  it('shows TeX past the typesetting caps as source, which typesetMath never picks up (hostile text cannot hold the view in KaTeX)', () => {
    const long = 'x+'.repeat(MAX_TEX_CHARS / 2) + 'x';
    const inline = renderMarkdown(`so $${long}$ holds`);
    expect(inline).not.toContain('data-display');
    expect(inline).toContain(`<code class="math-source">${long}</code>`);
    expect(renderMarkdown(`$$\n${long}\n$$`)).toContain('<pre class="math-source"><code>');
    // Many expressions under the per-expression cap: those past the text's budget stay source.
    const piece = 'y'.repeat(MAX_TEX_CHARS);
    const many = renderMarkdown(Array.from({ length: 6 }, () => `$${piece}$`).join(' '));
    expect(many.match(/data-display="0"/g)).toHaveLength(MAX_TEX_CHARS_PER_TEXT / MAX_TEX_CHARS);
    expect(many.match(/class="math-source"/g)).toHaveLength(6 - MAX_TEX_CHARS_PER_TEXT / MAX_TEX_CHARS);
    // Each text has its own budget.
    expect(renderMarkdown(`$${piece}$`)).toContain('data-display="0"');
  });

  it('leaves prices alone', () => {
    expect(renderMarkdown('It costs $5 and $6 later.')).not.toContain('class="math');
  });

  it('leaves the final answer to the answer card, never as raw HTML', () => {
    const html = renderMarkdown('so <<<a<b>>> done');
    expect(html).toContain('so  done');
    expect(html).not.toContain('a<b');
    expect(html).not.toContain('&lt;&lt;&lt;');
  });

  // Every `<<<` searched to the end for its `>>>`: a reply of 1 MB of `<` held the view for 10 s, 2 MB for a minute.
  it.each([
    ['a run of <', '<'],
    ['<<< openers with text', '<<<x '],
  ])('final-answer openers without a closer (%s): work grows linearly with the text', (_name, unit) => {
    const small = charactersSearched(() => renderMarkdown(unit.repeat(2_000)));
    const large = charactersSearched(() => renderMarkdown(unit.repeat(8_000)));
    // Four times the text: about four times the work (quadratic would be sixteen).
    expect(large).toBeLessThan(small * 6);
  });

  it('still drops each <<<answer>>> marker after openers that do not close', () => {
    expect(renderMarkdown('<<<a>>> and <<<b>>> <<<')).toBe('<p> and  &lt;&lt;&lt;</p>\n');
    expect(renderMarkdown('<<<<a>>>>')).toBe('<p>&gt;</p>\n');
  });
});
