// The layout of a solution as notebook cells: reasoning split at the code fences, code cells
// with their results, the answer (or why there is none) last.
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import type { Trajectory } from '../../../src/trajectory/trajectory';
import type { ExecResult } from '../../../src/sandbox/types';
import { notebookMarkdown } from '../../../src/notebook/notebookMarkdown';
import { openingFenceOffset, solutionCells } from '../../../src/notebook/solutionCells';

const ok = (stdout: string): ExecResult => ({ stdout, stderr: '', exitCode: 0, durationMs: 5, timedOut: false, truncated: false, artifacts: [] });

function trajectory(over: Partial<Trajectory> = {}): Trajectory {
  return {
    question: 'What is 6*7?',
    model: 'm',
    turns: [
      { turn: 0, text: 'Let me compute.\n\n```python\nprint(6*7)\n```', cell: { index: 0, language: 'python', code: 'print(6*7)\n', result: ok('42\n') } },
      { turn: 1, text: 'It printed 42.\n\n<<<42>>>' },
    ],
    answer: '42',
    reason: 'answer',
    codeCalls: 1,
    modelMs: 1,
    codeMs: 1,
    ...over,
  };
}

describe('solutionCells', () => {
  it('lays out question, reasoning, code with its result, reasoning, answer', () => {
    const cells = solutionCells(trajectory());
    expect(cells.map((c) => (c.kind === 'code' ? 'code' : c.role))).toEqual(['question', 'reasoning', 'code', 'reasoning', 'answer']);
    expect(cells[1]).toMatchObject({ source: 'Let me compute.' });
    expect(cells[2]).toMatchObject({ kind: 'code', source: 'print(6*7)', language: 'python', executionOrder: 1, result: { stdout: '42\n' } });
    expect(cells[4]).toMatchObject({ source: '## Answer\n\n**42**' });
  });

  it('keeps a code cell that never ran without a result, and says why there is no answer', () => {
    const t = trajectory({ answer: null, reason: 'cancelled', turns: [{ turn: 0, text: '```py\nx = 1\n```', cell: { index: 0, language: 'py', code: 'x = 1\n' } }] });
    const cells = solutionCells(t);
    expect(cells.map((c) => c.kind)).toEqual(['markdown', 'code', 'markdown']);
    expect(cells[1]).toEqual({ kind: 'code', source: 'x = 1', language: 'python', executionOrder: 1 });
    expect(cells[2]).toMatchObject({ source: '## Answer\n\n*The solve was cancelled before the model gave a final answer.*' });
  });

  it("shows the answer once, as the answer cell; the model's words around the marker stay", () => {
    const cells = solutionCells(trajectory());
    expect(cells[3]).toMatchObject({ role: 'reasoning', source: 'It printed 42.' });
    const inline = solutionCells(trajectory({ turns: [{ turn: 0, text: 'Since \\(6 \\times 7 = 42\\), the answer is <<<42>>>.' }], codeCalls: 0 }));
    expect(inline.map((c) => (c.kind === 'markdown' ? c.source : ''))).toEqual([expect.stringContaining('## Question'), 'Since $6 \\times 7 = 42$, the answer is.', '## Answer\n\n**42**']);
    // Nowhere but the answer cell: no marker of the answer in any other markdown cell.
    for (const c of [...cells, ...inline].filter((x) => x.kind === 'markdown' && x.role !== 'answer')) expect(c.source).not.toMatch(/(<|&lt;){3}\s*42/);
  });

  it('an answer-only turn adds no empty cell', () => {
    const cells = solutionCells(trajectory({ turns: [{ turn: 0, text: '<<<42>>>' }], codeCalls: 0 }));
    expect(cells.map((c) => (c.kind === 'code' ? 'code' : c.role))).toEqual(['question', 'answer']);
  });

  it('escapes markdown in the answer', () => {
    const cells = solutionCells(trajectory({ answer: 'a*b_c' }));
    expect(cells[cells.length - 1]).toMatchObject({ source: '## Answer\n\n**a\\*b\\_c**' });
  });
});

describe('solutionCells shows controls and bidi overrides escaped (the renderer would reorder or act on them)', () => {
  it('in the question, reasoning (fenced code too), thinking, the model name and the answer', () => {
    const rlo = '\u202e';
    const t = trajectory({
      question: `Is ${rlo}cba${'\u202c'} reversed?`,
      model: `m${'\u2066'}x`,
      turns: [
        { turn: 0, reasoning: `think ${rlo}here\x1b[2J`, text: `Prose ${rlo}a\r\nnext\n\n\`\`\`text\nfenced ${rlo}b\n\`\`\`\n` },
        { turn: 1, text: '<<<x>>>' },
      ],
      answer: `x${rlo}y`,
      codeCalls: 0,
    });
    const markdown = solutionCells(t)
      .map((c) => c.source)
      .join('\n');
    expect(markdown).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/);
    expect(markdown).toContain('Is \\u202ecba\\u202c reversed?');
    expect(markdown).toContain('m\\u2066x');
    expect(markdown).toContain('think \\u202ehere\\x1b');
    expect(markdown).toContain('Prose \\u202ea\nnext');
    expect(markdown).toContain('fenced \\u202eb');
    expect(markdown).toContain('**x\\\\u202ey**');
  });
});

describe('notebookMarkdown keeps HTML as text', () => {
  it('writes < as an entity in prose, so tags and the <<<answer>>> format show as typed', () => {
    expect(notebookMarkdown('Answer as <<<number>>>, not <img src=x onerror=alert(1)>.')).toBe('Answer as &lt;&lt;&lt;number>>>, not &lt;img src=x onerror=alert(1)>.');
  });
  it('leaves code spans and fences alone (markdown shows them literally already)', () => {
    expect(notebookMarkdown('Use `a < b` here:\n```python\nprint(1 < 2)\n```\nthen <b>')).toBe('Use `a < b` here:\n```python\nprint(1 < 2)\n```\nthen &lt;b>');
  });
  it('applies to the question and the reasoning cells', () => {
    const cells = solutionCells(trajectory({ question: 'Format: <<<n>>>', turns: [{ turn: 0, text: 'Not <<<41>>> but <b>42</b>.\n\n<<<42>>>' }] }));
    expect(cells[0]).toMatchObject({ source: expect.stringContaining('Format: &lt;&lt;&lt;n>>>') });
    expect(cells[1]).toMatchObject({ source: 'Not &lt;&lt;&lt;41>>> but &lt;b>42&lt;/b>.' });
  });
});

describe('openingFenceOffset', () => {
  it('finds the fence that opens the code, even when the reasoning quotes a fence earlier', () => {
    const text = 'Use ``` to fence code.\n  ```python\nprint(1)\n  ```\n';
    expect(text.slice(0, openingFenceOffset(text, 'print(1)\n'))).toBe('Use ``` to fence code.\n');
  });

  it('falls back to the fence before the closing one when the code is not found verbatim', () => {
    const text = 'Reasoning.\n```python\r\nprint(2)\r\n```';
    expect(text.slice(0, openingFenceOffset(text, 'print(2)\n'))).toBe('Reasoning.\n');
  });
});

describe('solutionCells: a hostile model name', () => {
  it('stays inside its code span: a backtick in the name cannot end it and start a link', () => {
    const source = solutionCells(trajectory({ model: 'evil` [run](command:r1ci.solve) `x' }))[0]?.source ?? '';
    expect(source).toContain('*Solved by ``evil` [run](command:r1ci.solve) `x`` with R1 Code Interpreter');
  });

  it.each([
    ['a blank line', 'x\n\n[run](command:r1ci.solve)'],
    ['a lone carriage return before a blank line', 'x\r\r![p](https://evil.example/p.png)'],
    ['a line that starts a block', 'x\n```\n[run](command:r1ci.solve)'],
  ])('forms no link, image or HTML when it holds %s', (_name, model) => {
    const source = solutionCells(trajectory({ model, question: 'q', answer: 'a\n\n[run](command:r1ci.solve)' }))
      .filter((c) => c.kind === 'markdown')
      .map((c) => c.source)
      .join('\n\n');
    const found: string[] = [];
    const walk = (tokens: ReturnType<MarkdownIt['parse']>): void => {
      for (const t of tokens) {
        if (['link_open', 'image', 'html_inline', 'html_block'].includes(t.type)) found.push(t.type);
        if (t.children) walk(t.children);
      }
    };
    walk(new MarkdownIt({ html: true }).parse(source, {}));
    expect(found).toEqual([]);
  });
});
