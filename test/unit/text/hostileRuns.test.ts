// Long runs of one character in hostile text (a cell's output, model code, model reasoning, an
// answer) must cost the host time linear in their length. A regular expression anchored at the
// end (`/\s+$/`, `/\n+$/`, `/[.。]+$/`) retries at every start of a run that does not reach the
// end: 60,000 spaces then a letter held the host's main thread for about 3 s each time. Measured
// as CPU time of this process, which a loaded machine does not inflate: the fixed paths take
// milliseconds, the quadratic ones seconds.
import { describe, expect, it } from 'vitest';
import { answerInOutput, findFinalAnswer } from '../../../src/agent/finalAnswer';
import { toolCallsInText } from '../../../src/agent/pythonTool';
import { formatExecution } from '../../../src/agent/protocol';
import { createPrinter } from '../../../src/cli/printer';
import { cleanAnswer, normalizeText, parseNumberText } from '../../../src/eval/answerText';
import { thinkBlock } from '../../../src/eval/export/segments';
import { boxNetMove, scoreFamily } from '../../../src/eval/scorers/families';
import { failureOf } from '../../../src/notebook/cellFailure';
import { notebookMarkdown } from '../../../src/notebook/notebookMarkdown';
import { openingFenceOffset } from '../../../src/notebook/solutionCells';
import type { ExecResult } from '../../../src/sandbox/types';
import { trimTrailing } from '../../../src/text/trimTrailing';

/** Output of about the sandbox's 64 KiB cap: a run of `c` that stops one character short of the end. */
const run = (c: string): string => `${c.repeat(64_000)}x`;

/** CPU time (user + system) `work` took, in ms. */
function cpuMs(work: () => unknown): number {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
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
