// What small models really emit, row by row: which code block runs (if any), what text is kept
// (generation stops at the closing fence), and which final answer is read. Every row is fed
// both whole and one character at a time, as a stream would deliver it.
import { describe, expect, it } from 'vitest';
import { CodeBlockDetector, type CodeBlock } from '../../../src/agent/codeBlocks';
import { extractFinalAnswer } from '../../../src/agent/finalAnswer';

interface Row {
  readonly name: string;
  readonly text: string;
  /** The code that runs, or null when nothing runs. */
  readonly code: string | null;
  /** For rows that run code: the kept text ends exactly here (everything after is dropped). */
  readonly keptEndsWith?: string;
  readonly unclosed?: boolean;
  /** extractFinalAnswer over the whole text (for rows without code) or the kept text. */
  readonly answer: string | null;
}

const F = '```';

const ROWS: readonly Row[] = [
  { name: '```python block', text: `Let me compute.\n${F}python\nprint(2 ** 10)\n${F}\n`, code: 'print(2 ** 10)', keptEndsWith: `${F}\n`, answer: null },
  { name: '```py label', text: `${F}py\nprint(1)\n${F}\n`, code: 'print(1)', answer: null },
  { name: '```python3 label', text: `${F}python3\nprint(3)\n${F}\n`, code: 'print(3)', answer: null },
  { name: '```Python (capitalised)', text: `${F}Python\nprint(4)\n${F}\n`, code: 'print(4)', answer: null },
  // Only python-labelled fences run (the authors' harness); a bare fence is data, shown only.
  { name: 'unlabeled fence', text: `Compute:\n${F}\nx = 6 * 7\nprint(x)\n${F}\n`, code: null, answer: null },
  { name: 'fence with an info string', text: `${F}python title="solve.py"\nprint(5)\n${F}\n`, code: 'print(5)', answer: null },
  { name: 'tilde fence', text: `~~~python\nprint(6)\n~~~\n`, code: 'print(6)', answer: null },
  { name: 'indented fence (inside a list item)', text: `1. Run:\n   ${F}python\n   print(7)\n   ${F}\n`, code: 'print(7)', answer: null },
  // CommonMark: up to the opening fence's indentation is removed from each line, at any list depth.
  { name: 'fence in a nested list item', text: `- a\n    - b:\n      ${F}python\n      for i in range(2):\n          print(i)\n      ${F}\n`, code: 'for i in range(2):\n    print(i)', answer: null },
  // Other containers and spellings (fenceLines.ts): tabs count to the next multiple of 4 columns.
  { name: 'fence in a numbered list indented with tabs', text: `1.\tCount:\n\t${F}python\n\tfor i in range(2):\n\t    print(i)\n\t${F}\n`, code: 'for i in range(2):\n    print(i)', answer: null },
  { name: "fence opened on the list item's own line", text: `1. ${F}python\n   print(13)\n   ${F}\n`, code: 'print(13)', answer: null },
  { name: 'fence inside a blockquote', text: `> ${F}python\n> for i in range(2):\n>     print(i)\n> ${F}\n`, code: 'for i in range(2):\n    print(i)', answer: null },
  { name: 'fence inside a list item inside a blockquote', text: `> - step:\n>   ${F}python\n>   print(14)\n>   ${F}\n`, code: 'print(14)', answer: null },
  { name: '```py3 label', text: `${F}py3\nprint(15)\n${F}\n`, code: 'print(15)', answer: null },
  { name: '```{python} label (pandoc, Quarto)', text: `${F}{python}\nprint(16)\n${F}\n`, code: 'print(16)', answer: null },
  { name: '```ipython label', text: `${F}ipython\nprint(17)\n${F}\n`, code: 'print(17)', answer: null },
  { name: 'a pycon block (>>> prompts) is data', text: `${F}pycon\n>>> 1 + 1\n2\n${F}\nSo <<<2>>>`, code: null, answer: '2' },
  // No python line starts with ```: the model meant the block to end there.
  { name: 'python block closed by a fence with text after it', text: `${F}python\nprint(18)\n${F} and now I run it.\nmore`, code: 'print(18)', keptEndsWith: `${F} and now I run it.\n`, answer: null },
  { name: 'a second ```python before the first closed ends the first', text: `${F}python\nprint(19)\n${F}python\nprint(20)\n${F}\n`, code: 'print(19)', keptEndsWith: `${F}python\n`, answer: null },
  { name: 'a bare fence keeps CommonMark: text after a fence does not close it', text: `${F}\nboard\n${F} not a close\n${F}\n${F}python\nprint(21)\n${F}\n`, code: 'print(21)', answer: null },
  { name: 'closing fence with trailing spaces', text: `${F}python\nprint(8)\n${F}   \nmore`, code: 'print(8)', keptEndsWith: `${F}   \n`, answer: null },
  { name: 'CRLF line endings', text: `${F}python\r\nprint(9)\r\n${F}\r\n`, code: 'print(9)', answer: null },
  { name: 'fence left open at the end of the stream', text: `Try:\n${F}python\nprint(10)\n`, code: 'print(10)', unclosed: true, answer: null },
  { name: 'closing fence as the very last line, no newline', text: `${F}python\nprint(11)\n${F}`, code: 'print(11)', answer: null },
  {
    name: 'several blocks in one turn: only the first runs, the rest is cut',
    text: `${F}python\nprint("a")\n${F}\nand then\n${F}python\nprint("b")\n${F}\n`,
    code: 'print("a")',
    keptEndsWith: `print("a")\n${F}\n`,
    answer: null,
  },
  {
    name: 'text after a block, including a hallucinated result and answer, is cut',
    text: `${F}python\nprint(90.0)\n${F}\nCode Execution Results: 12345\n<<<12345>>>`,
    code: 'print(90.0)',
    keptEndsWith: `${F}\n`,
    answer: null,
  },
  { name: 'a non-Python block is skipped, the Python one after it runs', text: `${F}text\nnot code\n${F}\n${F}python\nprint(12)\n${F}\n`, code: 'print(12)', answer: null },
  { name: 'bash block is not executed', text: `${F}bash\npip install numpy\n${F}\nSo <<<done>>>`, code: null, answer: 'done' },
  { name: 'empty block is not executed', text: `${F}python\n${F}\nNothing. <<<0>>>`, code: null, answer: '0' },
  { name: 'a longer fence keeps ``` inside the code', text: `${F}\`python\ns = """\n${F}\n"""\nprint(s)\n${F}\`\n`, code: `s = """\n${F}\n"""\nprint(s)`, answer: null },
  { name: 'inline triple backticks on one line are not a block', text: `Use ${F}print(1)${F} here. <<<1>>>`, code: null, answer: '1' },
  { name: 'plain answer', text: 'The total is 3.\n\n<<<3>>>', code: null, answer: '3' },
  { name: 'the last of several answers counts', text: 'Maybe <<<2>>>. No, recounting: <<<3>>>', code: null, answer: '3' },
  { name: 'answer spread across lines', text: '<<<[[1, 2],\n [3, 4]]>>>', code: null, answer: '[[1, 2],\n [3, 4]]' },
  { name: 'answer with inner spaces and quotes', text: 'Final: <<< "Move A to B" >>>', code: null, answer: '"Move A to B"' },
  { name: 'empty answer is an answer (the empty string)', text: 'I cannot tell. <<<>>>', code: null, answer: '' },
  { name: 'answer inside an unlabeled block is read, and not executed', text: `Final answer:\n${F}\n<<<42>>>\n${F}\n`, code: null, answer: '42' },
  { name: 'answer inside a python-labelled block alone is not executed', text: `${F}python\n<<<B>>>\n${F}`, code: null, answer: 'B' },
  {
    name: 'a print template in code is not the answer; the prose answer is',
    text: `${F}python\nprint(f"<<<{x}>>>")\n${F}\nThe code printed 7, so <<<7>>>`,
    code: 'print(f"<<<{x}>>>")',
    answer: null,
  },
  { name: 'print template in a non-executed block, answer in prose', text: `${F}text\nprint(f"<<<{x}>>>")\n${F}\nSo <<<7>>>`, code: null, answer: '7' },
  { name: '\\boxed{} is not an answer', text: 'Hence the value is \\boxed{\\frac{3}{4}}.', code: null, answer: null },
  { name: '<<<>>> wins over \\boxed{}', text: '\\boxed{1} ... actually <<<2>>>', code: null, answer: '2' },
  { name: 'an unfinished <<< is no answer', text: 'The answer is <<<4', code: null, answer: null },
  { name: 'no answer at all', text: 'I need more time to think about this.', code: null, answer: null },
  { name: 'the format echoed from the prompt, then the real answer', text: 'I must answer as <<<answer content>>>. Computing... <<<17>>>', code: null, answer: '17' },
];

function feed(text: string, pieces: readonly string[]): { block: CodeBlock | undefined; kept: string } {
  const d = new CodeBlockDetector();
  for (const p of pieces) {
    const block = d.push(p);
    if (block) return { block, kept: d.accumulated.slice(0, block.end) };
  }
  const block = d.end();
  return { block, kept: block ? d.accumulated.slice(0, block.end) : text };
}

describe('parsing what small models emit', () => {
  it('has a realistic number of rows', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(30);
  });

  describe.each(ROWS)('$name', (row) => {
    it.each([
      ['whole', [row.text]],
      ['char by char', [...row.text]],
    ] as const)('%s', (_how, pieces) => {
      const { block, kept } = feed(row.text, pieces);
      expect(block?.code ?? null).toBe(row.code);
      if (row.keptEndsWith !== undefined) {
        expect(kept.endsWith(row.keptEndsWith)).toBe(true);
        expect(row.text.startsWith(kept)).toBe(true);
      }
      if (row.code !== null) expect(block?.unclosed ?? false).toBe(row.unclosed ?? false);
      expect(extractFinalAnswer(row.code !== null ? kept : row.text)).toBe(row.answer);
    });
  });

  it('reads the final answer after a code call from the continued text', () => {
    const kept = `${F}python\nprint(f"<<<{x}>>>")\n${F}\n`;
    expect(extractFinalAnswer(`${kept}\nThe code printed 7, so <<<7>>>`)).toBe('7');
  });
});
