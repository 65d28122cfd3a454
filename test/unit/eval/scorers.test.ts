// Answer normalisation: robust to decoration, strict about values.
import { describe, expect, it } from 'vitest';
import { cleanAnswer, extractFinalAnswer, normalizeText, parseCells, parseLiteral, parseNumberText } from '../../../src/eval/answerText';
import { choiceLetter, scoreChoice, scoreExact, scoreList, scoreMatrix, scoreNumber } from '../../../src/eval/scorers/basic';
import { scoreArithmeticTarget } from '../../../src/eval/scorers/arithmeticTarget';
import { parseMoves } from '../../../src/eval/scorers/blocksworld';
import { repeatedJsonKey } from '../../../src/eval/scorers/pyText';
import { scoreAnswer } from '../../../src/eval/score';
import type { TaskRecord } from '../../../src/eval/types';

describe('extracting and cleaning answers', () => {
  it('takes the last <<<...>>> of a reply, across newlines', () => {
    expect(extractFinalAnswer('first <<<1>>> then <<<Move A from 1 to 2\nMove B from 3 to 1>>> done')).toBe('Move A from 1 to 2\nMove B from 3 to 1');
    expect(extractFinalAnswer('no answer here')).toBeNull();
  });

  it('removes labels, fences and quotes but keeps the value', () => {
    expect(cleanAnswer('Answer: 42')).toBe('42');
    expect(cleanAnswer('The answer is 42')).toBe('42');
    expect(cleanAnswer('Solutions differ')).toBe('Solutions differ');
    expect(cleanAnswer('Answers')).toBe('Answers');
    expect(cleanAnswer('The final answer is: (B)')).toBe('(B)');
    expect(cleanAnswer('```\n[1, 2]\n```')).toBe('[1, 2]');
    expect(normalizeText('  "Hello   World."  ')).toBe('hello world');
    expect(normalizeText('`No`')).toBe('no');
  });

  it('parses Python and JSON literals, tuples and bare words', () => {
    expect(parseLiteral("[['a', 'b'], [1, 2]]")).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(parseLiteral('("x", 3,)')).toEqual(['x', '3']);
    expect(parseLiteral('[A, B]')).toEqual(['A', 'B']);
    expect(parseLiteral('[1, 2')).toBeNull();
    expect(parseLiteral('[1] trailing')).toBeNull();
  });

  it('reads numbers in their usual spellings only', () => {
    expect(parseNumberText('3.0')).toBe(3);
    expect(parseNumberText('1/2')).toBe(0.5);
    expect(parseNumberText('1,234')).toBe(1234);
    expect(parseNumberText('-2.5e3')).toBe(-2500);
    expect(parseNumberText('[7]')).toBe(7);
    expect(parseNumberText('7 apples')).toBeNull();
    expect(parseNumberText('1/0')).toBeNull();
    expect(parseNumberText('1,2')).toBeNull();
  });

  it('pairs cell coordinates and refuses words or odd counts', () => {
    expect(parseCells('0 3, 1 0')).toEqual([
      [0, 3],
      [1, 0],
    ]);
    expect(parseCells('[(0, 3), (1, 0)]')).toEqual([
      [0, 3],
      [1, 0],
    ]);
    expect(parseCells('0 3, 1')).toBeNull();
    expect(parseCells('row 0 col 3')).toBeNull();
  });
});

describe('single-value scorers', () => {
  it('numbers use a 1e-6 relative tolerance', () => {
    expect(scoreNumber('3', '3.0').correct).toBe(true);
    expect(scoreNumber('1000000', '1000000.5').correct).toBe(true);
    expect(scoreNumber('1000000', '1000002').correct).toBe(false);
    expect(scoreNumber('0.5', '1/2').correct).toBe(true);
    expect(scoreNumber('0.333333333', '1/3').correct).toBe(true);
    expect(scoreNumber('3', 'three').correct).toBe(false);
  });

  it('multiple choice accepts the common spellings of the right letter only', () => {
    for (const a of ['(B)', 'B', 'b)', 'B.', 'Option B', '(B) blue', 'b: blue']) expect(choiceLetter(a), a).toBe('B');
    expect(choiceLetter('Blue')).toBeNull();
    expect(choiceLetter('(B) or (C)')).toBeNull();
    expect(choiceLetter('(B) (B) is right')).toBe('B');
    expect(scoreChoice('(B)', 'A').correct).toBe(false);
    expect(scoreChoice('(B)', 'blue', { A: 'red', B: 'blue' }).correct).toBe(true);
    expect(scoreChoice('(B)', 'green', { A: 'red', B: 'blue' }).correct).toBe(false);
  });

  it('exact text ignores case, spacing, quotes and a final period, not content', () => {
    expect(scoreExact('Yes', 'yes.').correct).toBe(true);
    expect(scoreExact('ABCD', '["ABCD"]').correct).toBe(true);
    expect(scoreExact('ABCD', 'ABCE').correct).toBe(false);
    expect(scoreExact('Yes', 'Yes, definitely').correct).toBe(false);
  });

  it('lists compare element-wise, numerically where both are numbers', () => {
    expect(scoreList(['5', '3', 'F', 'A'], "['5', '3', 'f', 'A']").correct).toBe(true);
    expect(scoreList([1, 2], '[1.0, 2]').correct).toBe(true);
    expect(scoreList([['a', 'b']], "[['a','b']]").correct).toBe(true);
    expect(scoreList([['a', 'b']], "['a','b']").correct).toBe(false);
    expect(scoreList([1, 2], '[1, 2, 3]').correct).toBe(false);
  });

  it('matrices accept text rows, nested lists or one flat row of the right size', () => {
    expect(
      scoreMatrix(
        [
          [16, 0],
          [4, 2],
        ],
        '16, 0\n4, 2',
      ).correct,
    ).toBe(true);
    expect(
      scoreMatrix(
        [
          [16, 0],
          [4, 2],
        ],
        '[[16, 0], [4, 2]]',
      ).correct,
    ).toBe(true);
    expect(
      scoreMatrix(
        [
          [16, 0],
          [4, 2],
        ],
        '16 0 4 2',
      ).correct,
    ).toBe(true);
    expect(
      scoreMatrix(
        [
          [16, 0],
          [4, 2],
        ],
        '0, 16\n4, 2',
      ).correct,
    ).toBe(false);
    expect(
      scoreMatrix(
        [
          [16, 0],
          [4, 2],
        ],
        '16, 0, 4',
      ).correct,
    ).toBe(false);
  });
});

describe('arithmetic targets', () => {
  const spec = { numbers: ['4', '7', '8', '8'], target: '24', ordered: false };
  it('accepts any expression using each number once', () => {
    expect(scoreArithmeticTarget(spec, '(7-(8/8))*4').correct).toBe(true);
    expect(scoreArithmeticTarget(spec, '4*(7-8/8) = 24').correct).toBe(true);
    expect(scoreArithmeticTarget(spec, "['(', '7', '-', '8', '/', '8', ')', '*', '4']").correct).toBe(true);
  });
  it('rejects reused, missing or extra numbers, unary minus, wrong totals and a false "= 24"', () => {
    expect(scoreArithmeticTarget(spec, '(7-8/8)*4*1').reason).toMatch(/exactly once/);
    expect(scoreArithmeticTarget(spec, '(7-8/8)*4+8-8').correct).toBe(false);
    expect(scoreArithmeticTarget(spec, '7*4-8+8').reason).toMatch(/evaluates to 28/);
    expect(scoreArithmeticTarget(spec, '-(4-7-8)*8/8+13').correct).toBe(false);
    expect(scoreArithmeticTarget(spec, '4*7-8/8 = 24').correct).toBe(false);
    expect(scoreArithmeticTarget(spec, '4**7 - 8 - 8').reason).toMatch(/not a valid expression/);
    expect(scoreArithmeticTarget(spec, '(7-8/(8-8))*4').reason).toMatch(/division by zero/);
    expect(scoreArithmeticTarget({ numbers: ['4', '6'], target: '24', ordered: false }, '-4*-6').reason).toMatch(/unary/);
    expect(scoreArithmeticTarget({ numbers: ['4', '6'], target: '24', ordered: false }, '4*6').correct).toBe(true);
  });
});

describe('blocksworld move parsing', () => {
  it('reads numbered lines, bare stack numbers and ";" separators', () => {
    const p = parseMoves('1. Move A from stack1 to stack2; move B from 3 to 1.');
    expect(p).toEqual({
      ok: true,
      moves: [
        { block: 'A', from: '1', to: '2' },
        { block: 'B', from: '3', to: '1' },
      ],
    });
    expect(parseMoves('Put A on B').ok).toBe(false);
  });
});

describe('repeatedJsonKey', () => {
  it('names a key an object holds twice, after unescaping, at any depth; keys of different objects and string values do not count', () => {
    expect(repeatedJsonKey('[{"a": 1, "a": 2}]')).toBe('a');
    expect(repeatedJsonKey('{"x": {"A": 1, "\\u0041": 2}}')).toBe('A');
    expect(repeatedJsonKey('[{"a": 1}, {"a": 2}]')).toBeUndefined();
    expect(repeatedJsonKey('{"a": "a", "b": ["a", "a"], "c": {"a": 1}}')).toBeUndefined();
    expect(repeatedJsonKey('{"a\\"" : 1, "a\\"": 2}')).toBe('a"');
    expect(repeatedJsonKey('{"a": 1, "a": 2')).toBeUndefined(); // not JSON
  });
});

describe('scoreAnswer', () => {
  const record: TaskRecord = {
    id: 't1',
    task: 't',
    question: 'q <<<answer>>>',
    scorer: { kind: 'exact', expected: 'Paris' },
    source: { file: 'x.jsonl', line: 1 },
    metadata: {},
  };
  it('treats a missing or blank answer as wrong, with the expected answer shown', () => {
    expect(scoreAnswer(record, null)).toEqual({ correct: false, score: 0, reason: 'no final answer', expected: 'Paris' });
    expect(scoreAnswer(record, '   ').correct).toBe(false);
  });
  it('does not run Python checkers synchronously', () => {
    const py: TaskRecord = { ...record, scorer: { kind: 'python', checkerFile: '/nope.py' } };
    expect(scoreAnswer(py, 'x')).toMatchObject({ correct: false, reason: expect.stringMatching(/scoreAnswerAsync/) });
  });
});
