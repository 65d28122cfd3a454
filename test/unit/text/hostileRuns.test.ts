// Long runs of one character in hostile text (a cell's output, model code, model reasoning, an
// answer) must cost the host time linear in their length. A regular expression anchored at the
// end (`/\s+$/`, `/\n+$/`, `/[.。]+$/`) retries at every start of a run that does not reach the
// end: 60,000 spaces then a letter held the host's main thread for about 3 s each time. Measured
// as CPU time of this process, which a loaded machine does not inflate: the fixed paths take
// milliseconds, the quadratic ones seconds.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveOllamaHost } from '../../../src/agent/backends/ollama';
import { normalizeOpenAiBaseUrl } from '../../../src/agent/backends/openai';
import { answerInOutput, findFinalAnswer } from '../../../src/agent/finalAnswer';
import { toolCallsInText, xmlCallBodies } from '../../../src/agent/pythonTool';
import { InlineThinkSplitter } from '../../../src/agent/thinkTags';
import { formatExecution } from '../../../src/agent/protocol';
import { createPrinter } from '../../../src/cli/printer';
import { cleanAnswer, normalizeText, parseNumberText } from '../../../src/eval/answerText';
import { parseOptions } from '../../../src/eval/loaders/infer';
import { loadSampleFolder } from '../../../src/eval/loaders/symbench';
import { scoreReasoningGym } from '../../../src/eval/reasoningGym';
import { moveArguments } from '../../../src/eval/reasoningGym/boxnet';
import { thinkBlock } from '../../../src/eval/export/segments';
import { boxNetMove, scoreFamily } from '../../../src/eval/scorers/families';
import { failureOf } from '../../../src/notebook/cellFailure';
import { codeSpans, notebookMarkdown } from '../../../src/notebook/notebookMarkdown';
import { openingFenceOffset } from '../../../src/notebook/solutionCells';
import type { ExecResult } from '../../../src/sandbox/types';
import { trimTrailing } from '../../../src/text/trimTrailing';
import { PY_WS } from '../../../src/text/pythonStrip';

/** Output of about the sandbox's 64 KiB cap: a run of `c` that stops one character short of the end. */
const run = (c: string): string => `${c.repeat(64_000)}x`;

/** CPU time (user + system) `work` took, in ms. */
function cpuMs(work: () => unknown): number {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** `count` strings of up to `maxParts` pieces drawn from `pieces`, the same every run (a fixed-seed generator). */
function samples(pieces: readonly string[], maxParts: number, count: number): string[] {
  let seed = 12345;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  return Array.from({ length: count }, () => Array.from({ length: next(maxParts + 1) }, () => pieces[next(pieces.length)] ?? '').join(''));
}

const result = (stdout: string): ExecResult => ({ stdout, stderr: stdout, exitCode: 0, durationMs: 1, timedOut: false, truncated: false, artifacts: [] });

describe('trimTrailing', () => {
  it('cuts the run of the given characters at the end, nothing else', () => {
    expect(trimTrailing('x.。.', '.。')).toBe('x');
    expect(trimTrailing('a.b', '.')).toBe('a.b');
    expect(trimTrailing('\n\n', '\n')).toBe('');
    expect(trimTrailing('', '\n')).toBe('');
    expect(trimTrailing('code\n\n', '\n')).toBe('code');
  });
});

describe('long runs in hostile text cost the host linear time', () => {
  it('a cell output of 64,000 spaces then a letter, as the model sees it and as the CLI prints it', () => {
    let printed = '';
    const print = createPrinter({ write: (t) => (printed += t) }, false);
    const cost = cpuMs(() => {
      expect(formatExecution(result(run(' ')))).toContain(' x');
      print({ type: 'exec-result', index: 0, result: result(run('\t')) });
    });
    expect(printed).toContain('\tx');
    expect(cost).toBeLessThan(1_000);
  });

  it('model code, reasoning and answers with long runs of newlines, spaces and periods', () => {
    const cost = cpuMs(() => {
      expect(openingFenceOffset('no fence', `${run('\n')}\n`)).toBeGreaterThanOrEqual(-1);
      expect(thinkBlock(`${run(' ')}`)).toContain(' x');
      expect(normalizeText(run('.'))).toBe(`${'.'.repeat(64_000)}x`);
    });
    expect(cost).toBeLessThan(1_000);
  });
});

// Patterns with two quantifiers around a lazy body (`\s*([\s\S]*?)\s*</tool_call>`,
// `\s*(.+?)\s*\)$`) took cubic time on a long whitespace run: 8,000 tabs after `<tool_call>` in a
// model's reply did not finish in 100 s; a BoxNet answer of 6,000 took 23 s.
describe('whitespace runs inside tool calls and scored answers cost the host linear time', () => {
  it('reads <tool_call> bodies as before: trimmed, in order, an unclosed one is no call', () => {
    const call = '{"name": "python", "arguments": {"code": "print(1)"}}';
    expect(toolCallsInText(`a <tool_call>\n ${call} \n</tool_call> b <tool_call>${call}</tool_call>`).map((c) => c.arguments)).toEqual(['{"code":"print(1)"}', '{"code":"print(1)"}']);
    expect(toolCallsInText('<tool_call> \n </tool_call>').map((c) => c.arguments)).toEqual(['']);
    expect(toolCallsInText(`<tool_call>${call}</tool_call><tool_call>${call}`)).toHaveLength(1);
  });

  it('a <tool_call> then 64,000 characters of whitespace, closed or not', () => {
    const cost = cpuMs(() => {
      expect(toolCallsInText(`<tool_call>${run('\t')}`)).toEqual([]);
      expect(toolCallsInText(`<tool_call>${' '.repeat(64_000)}x${' '.repeat(64_000)}</tool_call>`).map((c) => c.arguments)).toEqual(['x']);
      expect(toolCallsInText('<tool_call>'.repeat(6_000))).toEqual([]);
    });
    expect(cost).toBeLessThan(1_000);
  });

  // The check for an answer marker (`/<<<[\s\S]*?>>>/`) scanned to the end from every `<<<`:
  // 256 KB of `<` took 12 s, these 2 MB about 12 minutes of one blocked thread; linear, milliseconds.
  it('a reply of 2 MB of "<" and no ">>>": no call, and the check for an answer ends', () => {
    expect(toolCallsInText('<'.repeat(2_000_000))).toEqual([]);
  });

  it('a fenced <tool_call> is the wrapper of a small model only when no <<<answer>>> is given', () => {
    const reply = (end: string): string => `A call looks like this:\n\n\`\`\`json\n<tool_call>\n{"name": "python", "arguments": {"code": "print(1)"}}\n</tool_call>\n\`\`\`\n\nIt is ${end}`;
    expect(toolCallsInText(reply('<<<7>>>'))).toEqual([]);
    expect(toolCallsInText(reply('<<<<7>>>>'))).toEqual([]);
    expect(toolCallsInText(reply('>>> <<<7'))).toHaveLength(1);
    expect(toolCallsInText(reply('<<<7'))).toHaveLength(1);
  });

  it('special-token and harmony calls: many openers, long whitespace, a fence never closed', () => {
    expect(toolCallsInText('<|tool_call_begin|>'.repeat(6_000))).toHaveLength(0);
    expect(toolCallsInText('<|tool_call_begin|>python<|tool_call_argument_begin|>{}'.repeat(6_000))).toHaveLength(6_000);
    expect(toolCallsInText('<|channel|>commentary to=functions.python<|message|>'.repeat(6_000))).toHaveLength(1);
    const fenced = toolCallsInText(`<｜tool▁call▁begin｜>function<｜tool▁sep｜>python\n\`\`\`json${' '.repeat(64_000)}x`);
    expect(fenced.map((c) => c.name)).toEqual(['python']);
    expect(toolCallsInText(`<|python_tag|>${run(' ')}`).map((c) => c.arguments)).toEqual(['{"code":"x"}']);
  });

  it("gpt-oss's end tokens ending a reply and Gemma 4's calls: many of them, streamed in small pieces", () => {
    const splitText = (pieces: readonly string[]): string => {
      const split = new InlineThinkSplitter();
      const out = [...pieces.flatMap((p) => split.push(p)), ...split.end()];
      return out.map((p) => p.text).join('');
    };
    const tokens = '<|return|>'.repeat(64_000);
    const inPieces = (text: string): string[] => Array.from({ length: Math.ceil(text.length / 3) }, (_, i) => text.slice(i * 3, i * 3 + 3));
    const cost = cpuMs(() => {
      expect(splitText(inPieces(`It is 42.${tokens}`))).toBe('It is 42.');
      expect(splitText(inPieces(`It is 42.${tokens}x`))).toBe(`It is 42.${tokens}x`);
      expect(toolCallsInText('<|tool_call>call:python{code:<|"|>print(1)<|"|>}<tool_call|>'.repeat(4_000))).toHaveLength(4_000);
      expect(toolCallsInText('<|tool_call>x<tool_call|>'.repeat(6_000))).toHaveLength(6_000);
      expect(toolCallsInText(`<|tool_call>call:python{${'a:{'.repeat(6_000)}`)).toHaveLength(1);
    });
    expect(cost).toBeLessThan(1_000);
  });

  it('special tokens quoted in Markdown: 64,000 backticks, quoted tokens, fences', () => {
    const cost = cpuMs(() => {
      expect(toolCallsInText(`${run('`')}<|python_tag|>print(1)`)).toHaveLength(1);
      expect(toolCallsInText('`<|python_tag|>` '.repeat(8_000))).toEqual([]);
      expect(toolCallsInText('```\n<|channel|>commentary to=python<|message|>print(1)<|call|>\n```\n'.repeat(2_000))).toEqual([]);
      expect(toolCallsInText('`x<|tool_call_begin|>python<|tool_call_argument_begin|>{}'.repeat(4_000))).toHaveLength(2_000);
    });
    expect(cost).toBeLessThan(1_000);
  });

  it('reads a BoxNet move as before: trimmed destination on one line', () => {
    expect(boxNetMove('move( box_red ,  square[1, 2] )')).toEqual(['box_red', 'square[1, 2]']);
    expect(boxNetMove('move(box_red,target_red)')).toEqual(['box_red', 'target_red']);
    expect(boxNetMove('move(box_red, a\nb)')).toBeNull();
    expect(boxNetMove('move(box_red, \t\n)')).toEqual(['box_red', '\t']);
    expect(boxNetMove('move(box_red,\n)')).toBeNull();
    expect(boxNetMove('move(box_red,)')).toBeNull();
    expect(boxNetMove('move(red, square[1, 2])')).toBeNull();
    expect(boxNetMove('move(box_red, x) ')).toBeNull();
  });

  it('letter_values: a value of 64,000 digits after a leading zero, then a sign', () => {
    const data = { numbers: [1, 2], equations: [] };
    expect(scoreFamily('letter_values', data, '[01, 2]').correct).toBe(false);
    const cost = cpuMs(() => {
      expect(scoreFamily('letter_values', data, `[0${'1'.repeat(64_000)}+, 2]`).correct).toBe(false);
    });
    expect(cost).toBeLessThan(1_000);
  });

  it('a BoxNet move with long whitespace runs in its destination', () => {
    const cost = cpuMs(() => {
      expect(boxNetMove(`move(box_m,${'\t'.repeat(32_000)}box_e${'\t'.repeat(32_000)}\n,))`)).toBeNull();
    });
    expect(cost).toBeLessThan(1_000);
  });
});

// Quantifiers that can trade characters (`\d+\.?\d*`, a name then `\s*` then `(.*)$`, `\s*\n?` then a
// lazy body) retried every split when the end did not match: seconds on 64,000 characters.
describe('numbers, fenced answers and the last line of a failed cell cost the host linear time', () => {
  it('reads them as before', () => {
    expect([parseNumberText('12.'), parseNumberText('-.5e3'), parseNumberText('1.2.3'), parseNumberText('.')]).toEqual([12, -500, null, null]);
    expect([cleanAnswer('```py\n42\n```'), cleanAnswer('```42'), cleanAnswer('``````')]).toEqual(['42', '```42', '']);
    const failed = (stderr: string): Error => failureOf({ ...result(''), stderr, exitCode: 1 });
    expect([failed('Traceback\nValueError: bad  \n').name, failed('ValueError: bad  ').message]).toEqual(['ValueError', 'bad']);
    expect([failed('KeyboardInterrupt').name, failed('Oops:\t x\ry').name, failed('oops: x').name]).toEqual(['KeyboardInterrupt', 'Error', 'Error']);
  });

  it('a long number followed by a letter, a fence then whitespace, a long last line of stderr', () => {
    const cost = cpuMs(() => {
      expect(parseNumberText(`${'1'.repeat(64_000)}x`)).toBeNull();
      expect(cleanAnswer(`\`\`\`\t${'\n'.repeat(64_000)}-`)).toContain('-');
      expect(failureOf({ ...result(''), stderr: `I${'\t'.repeat(64_000)}x\ry`, exitCode: 1 }).name).toBe('Error');
      expect(failureOf({ ...result(''), stderr: `${'A'.repeat(64_000)}:x\ry`, exitCode: 1 }).name).toBe('Error');
    });
    expect(cost).toBeLessThan(1_000);
  });
});

// `<<<([\s\S]*?)>>>` scanned to the end from every `<<<` when no `>>>` followed (and from every
// blank before one, `[ \t]*<<<`); `\{[^}]*\}` from every `{` without a `}`; the notebook's fence
// line regex gave a long fence back one character at a time.
describe('answer markers and fence lines cost the host linear time', () => {
  it('finds and removes them as before', () => {
    expect(answerInOutput('<<<1>>> <<<2>>> <<<3')).toBe('2');
    expect(findFinalAnswer('```python\nprint("<<<{x}>>>")\nprint("<<<5>>>")\nprint("<<<%s>>>" % x)\n```')?.answer).toBe('5');
    expect(notebookMarkdown('Done \t<<<42>>> or <<<7>>> <<<42>>>', '42')).toBe('Done or &lt;&lt;&lt;7>>>');
    // A fence line is code; one with a line terminator after the fence, or a backtick in a backtick fence's info, is prose.
    expect([notebookMarkdown('~~~python\n<b>\n~~~'), notebookMarkdown('~~~~\rx\n<b>\n~~~~'), notebookMarkdown('```a`b\n<b>\n```')]).toEqual(['~~~python\n<b>\n~~~', '~~~~\nx\n&lt;b>\n~~~~', '```a`b\n&lt;b>\n```']);
  });

  it('long runs of openers, blanks and braces without their closers', () => {
    const cost = cpuMs(() => {
      expect(answerInOutput(`${'<<<'.repeat(21_000)}x`)).toBeNull();
      expect(findFinalAnswer(`\`\`\`python\nprint("<<<${'{'.repeat(64_000)}>>>")\n\`\`\``)?.answer).toHaveLength(64_000);
      expect(notebookMarkdown(`${'\t'.repeat(64_000)}x`, '42')).toContain('x');
      expect(notebookMarkdown(`~~~${'~'.repeat(64_000)}\rx`)).toContain('x');
    });
    expect(cost).toBeLessThan(1_000);
  });
});

// A run of one character that the pattern reads with two quantifiers in turn, or retries from each
// of its positions (`` (`+)…\1 `` from every backtick of a run, `^\s*` with /m from every line start
// of a run of line breaks, `\s+(.*)$` giving blanks back before a line break, `(.*?),\s(.*?)\)`
// trying every comma, `\d*\.?\d*$`), took seconds on 64,000 characters. Each is now a scan; the
// patterns stay here as the reference for what the scan returns.
describe('code spans, answer options, numbered constraints, BoxNet actions and codeio numbers cost the host linear time', () => {
  it('finds code spans as the regex did: a run of backticks up to one of the same length, in a paragraph', () => {
    const CODE_SPAN = /(`+)(?!`)(?:(?!\n[ \t]*\n)[\s\S])*?(?<!`)\1(?!`)/g;
    const regex = (s: string): number[][] => [...s.matchAll(CODE_SPAN)].map((m) => [m.index, m.index + m[0].length]);
    expect(codeSpans('a `b` ``c`d`` ```e``')).toEqual([
      [2, 5],
      [6, 13],
      [15, 20],
    ]);
    expect(codeSpans('``a`')).toEqual([[1, 4]]);
    expect(codeSpans('`a\n \t\nb`')).toEqual([]);
    expect(codeSpans('`a\nb`')).toEqual([[0, 5]]);
    expect(codeSpans('``')).toEqual([]);
    expect(codeSpans(`${run('`')}\`\``)).toEqual([[63_998, 64_003]]);
    const texts = samples(['`', '`', '``', 'a', '\n', ' ', '\t', '\n\n'], 10, 20_000);
    expect(texts.map(codeSpans)).toEqual(texts.map(regex));
    expect(notebookMarkdown('``a` <b> `c` <d>')).toBe('``a` &lt;b> `c` &lt;d>');
  });

  it('notebook Markdown of 64,000 backticks then a letter', () => {
    const cost = cpuMs(() => {
      expect(notebookMarkdown(run('`'))).toBe(run('`'));
      // The last two backticks of the run open a span that CommonMark does not read: so the tag is escaped.
      expect(notebookMarkdown(`${run('`')} <b> \`\``)).toBe(`${run('`')} &lt;b> \`\``);
    });
    expect(cost).toBeLessThan(1_000);
  });

  it('reads answer options as the regex did, blank lines and trailing blanks included', () => {
    const regex = (s: string): Record<string, string> | undefined => {
      const options: Record<string, string> = {};
      for (const m of s.matchAll(/^\s*\(([A-Z])\)\s*(.+?)\s*$/gm)) if (m[1] && m[2]) options[m[1]] = m[2];
      return Object.keys(options).length > 0 ? options : undefined;
    };
    expect(parseOptions('Pick one:\n(A) 12/11/1937 \n  (B)  x y\r\n(c) no\n(D)\n\nnext line\n(E) ')).toEqual({ A: '12/11/1937', B: 'x y', D: 'next line', E: ' ' });
    expect(parseOptions('no options (A) here')).toBeUndefined();
    const texts = samples(['(A)', '(B)', '(', ')', 'A', 'a', '\n', '\n', ' ', ' ', '\t', '\r', '\u2028', '\u00a0', 'x y'], 10, 20_000);
    expect(texts.map(parseOptions)).toEqual(texts.map(regex));
  });

  it('answer options in a question of 64,000 line breaks or blanks', () => {
    const cost = cpuMs(() => {
      expect(parseOptions(run('\n'))).toBeUndefined();
      expect(parseOptions(`(A)${run(' ')}\r`)).toEqual({ A: 'x' });
      expect(parseOptions(`(A)${'\n'.repeat(64_000)}`)).toBeUndefined();
    });
    expect(cost).toBeLessThan(1_000);
  });

  it("reads BoxNet actions as RG's regex did", () => {
    // RG's re.match(r"move\((.*?),\s(.*?)\)") in Python's terms: `.` stops only at \n, `\s` is Python's whitespace.
    const python = new RegExp(`^move\\(([^\\n]*?),[${PY_WS}]([^\\n]*?)\\)`);
    const regex = (s: string): string[] | null => {
      const m = python.exec(s);
      return m ? [m[1] ?? '', m[2] ?? ''] : null;
    };
    expect(moveArguments('move(box_red, square[0.5, 1.5])')).toEqual(['box_red', 'square[0.5, 1.5]']);
    expect(moveArguments('move(a,b, c) d)')).toEqual(['a,b', 'c']);
    expect(moveArguments('move(a,\nb)')).toEqual(['a', 'b']);
    expect(moveArguments('move(a, b\n)')).toBeNull();
    expect(moveArguments('move(a,\x85b)')).toEqual(['a', 'b']);
    expect(moveArguments('move(a,\ufeffb)')).toBeNull();
    expect(moveArguments('move(a,\rb\u2028)')).toEqual(['a', 'b\u2028']);
    const texts = samples([',', ', ', ',\n', ')', ')', 'a', '\n', ' ', '\r', '\u2028', '\u00a0', ',\t', '(', '\x85', '\x1c', '\ufeff'], 9, 20_000).map((s, i) => (i % 10 === 0 ? `mov(${s}` : `move(${s}`));
    expect(texts.map(moveArguments)).toEqual(texts.map(regex));
  });

  it('a BoxNet answer whose action has 64,000 commas and no closing parenthesis', () => {
    const entry = { answer: '', metadata: { initial_state: { '0.5_0.5': ['box_red', 'target_red'] } } };
    const answer = JSON.stringify([{ 'Agent[0.5, 0.5]': `move(${', '.repeat(64_000)}x` }]);
    const cost = cpuMs(() => {
      expect(scoreReasoningGym('boxnet', answer, entry).score).toBe(0.05);
    });
    expect(cost).toBeLessThan(1_000);
  });

  it('a propositional_logic answer of 50 kB: a tautology over 14 names, 200,000 nested parentheses', () => {
    // RG enumerates the 2^16 rows of the truth table and evaluates the whole answer in each.
    const entry = { answer: '', metadata: { variables: ['P', 'Q'], premises: ['Q', 'Q', '(Q → P)', 'Q'] } };
    const names = 'abcdefghijklmn';
    const tree = (k: number, depth: number): string => (depth === 0 ? `(${names[k % 14]} ∨ ¬${names[k % 14]})` : `(${tree(2 * k, depth - 1)} ∧ ${tree(2 * k + 1, depth - 1)})`);
    const cost = cpuMs(() => {
      expect(scoreReasoningGym('propositional_logic', tree(0, 12), entry).score).toBe(0.25);
      expect(scoreReasoningGym('propositional_logic', `${tree(0, 12)} ∧ ¬a`, entry).score).toBe(0.05);
      expect(scoreReasoningGym('propositional_logic', `${'('.repeat(200_000)}P${')'.repeat(200_000)}`, entry).score).toBe(0);
    });
    expect(cost).toBeLessThan(3_000);
  });

  it('codeio compares numeric values as before', () => {
    const codeio = (gold: string, answer: string): number => scoreReasoningGym('codeio', answer, { answer: gold, metadata: {} }).score;
    // "1.5", "12." and "2" are numbers (relative difference); "1.2.3", "." and "1²" are numeric text but not numbers.
    const scores = ['"1.5"', '"12."', '".5"', '"1.2.3"', '"."', '"1\u00b2"'].map((v) => codeio(`{"a": ${v}}`, '{"a": "2"}'));
    expect(scores).toEqual([0.5833333333333334, 0.01, 0.01, 0.01, 0.01, 0.375]);
  });

  it('a codeio answer with a value of 19,900 digits then another numeric character', () => {
    const gold = JSON.stringify(Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, String(i)])));
    const answer = JSON.stringify({ k0: `${'1'.repeat(19_900)}\u00b2` });
    const cost = cpuMs(() => {
      expect(scoreReasoningGym('codeio', answer, { answer: gold, metadata: {} }).score).toBe(0.01);
    });
    expect(cost).toBeLessThan(1_000);
  });

  it('reads numbered constraints as before, and a line of 64,000 blanks before a line break', async () => {
    const family = path.join(await mkdtemp(path.join(tmpdir(), 'r1ci-hostile-')), 'logical_equation_x');
    const load = async (question: string): Promise<unknown> => {
      const dir = path.join(family, 'sample_0');
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'question.txt'), question);
      await writeFile(path.join(dir, 'solution.json'), '[1, 2]');
      const item = await loadSampleFolder(dir, 'logical_equation_x/sample_0', new Set(['question.txt', 'solution.json']));
      return 'record' in item ? item.record?.scorer : item;
    };
    const scorer = await load('each representing one of the numbers 1, 2. Find them.\n 1.\tA + B = 3\n2. A < B\r\n3.x\n4. C\rD');
    expect(scorer).toMatchObject({ kind: 'family', family: 'letter_values', data: { numbers: [1, 2], equations: [expect.anything(), expect.anything()] } });
    const question = `1.${run(' ')}\ry\n2.${run('\t')}\u2028y\n3.${run(' ')}\ry\n4. A + B = 3`;
    const start = process.cpuUsage();
    expect(await load(question)).toMatchObject({ kind: 'family', data: { equations: [expect.anything()] } });
    const used = process.cpuUsage(start);
    expect((used.user + used.system) / 1000).toBeLessThan(1_000);
  });

  it('base URLs with a long run of slashes inside', () => {
    const cost = cpuMs(() => {
      expect(normalizeOpenAiBaseUrl(`http://h/${run('/')}//`)).toBe(`http://h/${run('/')}`);
      expect(resolveOllamaHost(`http://h:1/${run('/')}/`, {})).toBe(`http://h:1/${run('/')}`);
    });
    expect(cost).toBeLessThan(1_000);
  });
});

// The XML tool-call forms scanned to the end of the text from every opener without its closer.
describe('XML tool calls cost the host linear time', () => {
  /** xmlCallBodies as it was, with the regexes: the reference for what the scan returns. */
  const regexBodies = (text: string): string[] => {
    const value = (v: string): string => v.replace(/^\r?\n/, '').replace(/\r?\n$/, '');
    const bodies = [...text.matchAll(/<function=([^>\n]+)>([\s\S]*?)(?:<\/function>|$)/g)].map((f) => {
      const args = Object.fromEntries([...(f[2] ?? '').matchAll(/<parameter=([^>\n]+)>([\s\S]*?)(?:<\/parameter>|(?=<parameter=)|$)/g)].map((p) => [(p[1] ?? '').trim(), value(p[2] ?? '')]));
      return JSON.stringify({ name: (f[1] ?? '').trim(), arguments: args });
    });
    if (bodies.length > 0) return bodies;
    const glm = /^\s*([A-Za-z_][\w.-]*)\s*(?=<arg_key>)/.exec(text);
    if (glm === null) return [];
    const args = Object.fromEntries([...text.matchAll(/<arg_key>([\s\S]*?)<\/arg_key>\s*<arg_value>([\s\S]*?)(?:<\/arg_value>|$)/g)].map((a) => [(a[1] ?? '').trim(), value(a[2] ?? '')]));
    return [JSON.stringify({ name: glm[1], arguments: args })];
  };

  it('reads Qwen3-Coder and GLM calls as the regexes did', () => {
    expect(xmlCallBodies('<function=python>\n<parameter=code>\nprint(1)\n</parameter>\n</function>')).toEqual(['{"name":"python","arguments":{"code":"print(1)"}}']);
    expect(xmlCallBodies('python<arg_key>code</arg_key>\n<arg_value>print(1)</arg_value>')).toEqual(['{"name":"python","arguments":{"code":"print(1)"}}']);
    const xml = samples(['<function=', 'f>', '>', '\n', '</function>', '<parameter=', 'p>', 'v', '</parameter>', '<function=x', ' '], 8, 20_000);
    expect(xml.map(xmlCallBodies)).toEqual(xml.map(regexBodies));
    const glm = samples(['<arg_key>', 'k', '</arg_key>', ' ', '\n', '<arg_value>', 'v', '</arg_value>', '<'], 8, 20_000).map((s) => `python${s}`);
    expect(glm.map(xmlCallBodies)).toEqual(glm.map(regexBodies));
  });

  it('a reply of repeated openers without their closers', () => {
    const cost = cpuMs(() => {
      expect(toolCallsInText('<function='.repeat(12_800))).toEqual([]);
      expect(toolCallsInText(`<function=python>${'<parameter='.repeat(11_600)}`)).toEqual([{ id: expect.stringMatching(/^[a-zA-Z0-9]{9}$/), name: 'python', arguments: '{}' }]);
      expect(toolCallsInText(`python${'<arg_key>'.repeat(14_200)}`)).toEqual([{ id: expect.stringMatching(/^[a-zA-Z0-9]{9}$/), name: 'python', arguments: '{}' }]);
      expect(toolCallsInText(`python${'<arg_key></arg_key>'.repeat(7_100)}`)).toEqual([{ id: expect.stringMatching(/^[a-zA-Z0-9]{9}$/), name: 'python', arguments: '{}' }]);
    });
    expect(cost).toBeLessThan(1_000);
  });
});
