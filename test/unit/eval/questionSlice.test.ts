import { describe, expect, it } from 'vitest';
import { applyQuestionSlice, parseQuestionSlice, SliceSyntaxError } from '../../../src/eval/questionSlice';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('question slices (Python slice notation)', () => {
  it("5::30 of the 1,361 rows of 24.csv are the authors' 46 puzzles, range(5, 1361, 30)", () => {
    const picked = applyQuestionSlice(range(1361), parseQuestionSlice('5::30'));
    expect(picked).toHaveLength(46);
    expect(picked.slice(0, 3)).toEqual([5, 35, 65]);
    expect(picked.at(-1)).toBe(1355);
  });

  it('matches Python for every form with empty parts', () => {
    const xs = range(10);
    // Expected values are Python's list(range(10))[s].
    expect(applyQuestionSlice(xs, parseQuestionSlice(':3'))).toEqual([0, 1, 2]);
    expect(applyQuestionSlice(xs, parseQuestionSlice('7:'))).toEqual([7, 8, 9]);
    expect(applyQuestionSlice(xs, parseQuestionSlice('::4'))).toEqual([0, 4, 8]);
    expect(applyQuestionSlice(xs, parseQuestionSlice('1:8:3'))).toEqual([1, 4, 7]);
    expect(applyQuestionSlice(xs, parseQuestionSlice('2:100'))).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(applyQuestionSlice(xs, parseQuestionSlice('12:'))).toEqual([]);
    expect(applyQuestionSlice(xs, parseQuestionSlice(':'))).toEqual(xs);
  });

  it.each([
    ['5', /not a slice/],
    ['1:2:3:4', /not a slice/],
    ['-5:', /not a whole number/],
    ['a:b', /not a whole number/],
    ['1.5:', /not a whole number/],
    ['::0', /step is 0/],
    ['5:5', /holds no question/],
    ['9:2', /holds no question/],
  ])('refuses %s with a reason', (text, reason) => {
    expect(() => parseQuestionSlice(text)).toThrow(SliceSyntaxError);
    expect(() => parseQuestionSlice(text)).toThrow(reason);
  });
});
