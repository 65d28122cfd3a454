// `r1ci score --answers`: a number written as a JSON value is scored as the text Python's
// str(json.loads(...)) gives it, compared with CPython itself on edge and seeded random tokens.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { IntTooLongError, pythonStrOfJsonNumber, topLevelNumberText } from '../../../src/eval/pythonStr';
import { parseAnswerLine } from '../../../src/eval/scoreAnswers';
import { mulberry32 } from '../../support/seeded';

/** A random JSON number token: an integer of up to 40 digits, or a decimal with an optional exponent. */
function randomToken(next: () => number): string {
  const digits = (n: number): string => Array.from({ length: n }, () => String(Math.floor(next() * 10))).join('');
  const sign = next() < 0.3 ? '-' : '';
  const whole = next() < 0.2 ? '0' : `${1 + Math.floor(next() * 9)}${digits(Math.floor(next() * 40))}`;
  if (next() < 0.3) return `${sign}${whole}`;
  const frac = next() < 0.7 ? `.${digits(1 + Math.floor(next() * 20))}` : '';
  const exp = next() < 0.5 || frac === '' ? `${next() < 0.5 ? 'e' : 'E'}${['', '+', '-'][Math.floor(next() * 3)] ?? ''}${Math.floor(next() * 330)}` : '';
  return `${sign}${whole}${frac}${exp}`;
}

describe('pythonStrOfJsonNumber', () => {
  it("matches CPython's str(json.loads(token)) on edges and 2,000 seeded random tokens", () => {
    const edges = ['42', '-0', '0', '1.0', '1.50', '1e3', '1E3', '1e16', '1e15', '123456789012345678901234567890', '0.0001', '0.00001', '1.5e-7', '-0.0', '1e400', '-1e400', '5e-324', '12345678901234567.0'];
    const next = mulberry32(20261201);
    const tokens = [...edges, ...Array.from({ length: 2000 }, () => randomToken(next))];
    const script = 'import json,sys; print(json.dumps([str(json.loads(t)) for t in json.load(sys.stdin)]))';
    const expected = JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(tokens), encoding: 'utf8' })) as string[];
    expect(tokens.map(pythonStrOfJsonNumber)).toEqual(expected);
  });
});

describe('topLevelNumberText', () => {
  it('finds the last top-level value of the key, never one inside a nested value or a string', () => {
    expect(topLevelNumberText('{"id": "x", "answer": 1.50}', 'answer')).toBe('1.50');
    expect(topLevelNumberText('{"meta": {"answer": 7}, "s": "\\"answer\\": 8", "answer": -2e3}', 'answer')).toBe('-2e3');
    expect(topLevelNumberText('{"answer": 1, "answer": 10}', 'answer')).toBe('10');
    expect(topLevelNumberText('{"\\u0061nswer": 3.0}', 'answer')).toBe('3.0');
    expect(topLevelNumberText('{"answer": [1], "n": 2}', 'answer')).toBeUndefined();
  });
});

describe('parseAnswerLine: answers that are JSON numbers or booleans', () => {
  it.each([
    ['{"id": "x", "answer": 42}', '42'],
    ['{"id": "x", "answer": 1.5}', '1.5'],
    ['{"id": "x", "answer": 2.0}', '2.0'],
    ['{"id": "x", "answer": 123456789012345678901234567890}', '123456789012345678901234567890'],
    ['{"id": "x", "answer": true}', 'True'],
    ['{"id": "x", "answer": false}', 'False'],
  ])('%s is scored as %j', (line, answer) => {
    expect(parseAnswerLine(line)).toEqual({ ok: true, value: { id: 'x', answer } });
  });

  it.each([
    ['{"id": "x", "answer": [1, 2]}', 'an array'],
    ['{"id": "x", "answer": {"v": 1}}', 'an object'],
  ])('%s is refused, naming what it got', (line, kind) => {
    expect(parseAnswerLine(line)).toEqual({ ok: false, id: 'x', error: `"answer" must be a string, a number, a boolean or null (got ${kind}: write the final answer as text, e.g. "[1, 2]")` });
  });
});

describe("integers over Python's 4300-digit limit for integer text", () => {
  it('are converted up to the limit and refused past it, as CPython json.loads does (the sign not counted)', () => {
    const tokens = ['1'.repeat(4300), `-${'9'.repeat(4300)}`, '1'.repeat(4301), `-${'9'.repeat(4301)}`, `1${'0'.repeat(20000)}`, `${'1'.repeat(4301)}.0`, `${'1'.repeat(4301)}e0`];
    // What CPython makes of each line: its str(), or the ValueError's type.
    const script = 'import json,sys\nout=[]\nfor t in json.load(sys.stdin):\n  try: out.append(str(json.loads(t)))\n  except ValueError: out.append(None)\nprint(json.dumps(out))';
    const expected = JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(tokens), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as (string | null)[];
    expect(expected.map((e) => e === null)).toEqual([false, false, true, true, true, false, false]);
    const ours = tokens.map((t) => {
      try {
        return pythonStrOfJsonNumber(t);
      } catch (e) {
        expect(e).toBeInstanceOf(IntTooLongError);
        return null;
      }
    });
    expect(ours).toEqual(expected);
  });

  it('an answer line with one is refused for that line, with the reason and its id', () => {
    const parsed = parseAnswerLine(`{"id": "x", "answer": -${'7'.repeat(4301)}}`);
    expect(parsed).toEqual({ ok: false, id: 'x', error: `"answer" is an integer of 4301 digits, over Python's limit of 4300 for integer text (json.loads raises ValueError on it): write it as a string` });
    expect(parseAnswerLine(`{"id": "x", "answer": ${'7'.repeat(4300)}}`)).toEqual({ ok: true, value: { id: 'x', answer: '7'.repeat(4300) } });
  });
});

describe('integers past the double range, within Python’s limit', () => {
  it('are scored with every digit, as CPython str(json.loads(...)) prints them, not refused as a bad line', () => {
    for (const token of [`1${'0'.repeat(309)}`, `-${'3'.repeat(400)}`, '9'.repeat(4300)]) {
      const line = `{"id": "x", "answer": ${token}}`;
      const python = execFileSync('python3', ['-c', 'import json,sys; print(str(json.loads(sys.stdin.read())["answer"]), end="")'], { input: line, encoding: 'utf8' });
      expect(parseAnswerLine(line)).toEqual({ ok: true, value: { id: 'x', answer: python } });
    }
  });
});
