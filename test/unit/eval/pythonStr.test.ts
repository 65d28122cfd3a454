// `r1ci score --answers`: a number written as a JSON value is scored as the text Python's
// str(json.loads(...)) gives it, compared with CPython itself on edge and seeded random tokens.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { pythonStrOfJsonNumber, topLevelNumberText } from '../../../src/eval/pythonStr';
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
