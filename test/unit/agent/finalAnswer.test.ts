import { describe, expect, it } from 'vitest';
import { extractFinalAnswer } from '../../../src/agent/finalAnswer';

describe('extractFinalAnswer', () => {
  it('takes the last <<<...>>>', () => {
    expect(extractFinalAnswer('first <<<1>>> then <<< 2 >>>')).toBe('2');
  });
  it('reads an answer that spans lines', () => {
    expect(extractFinalAnswer('<<<[[1, 2],\n [3, 4]]>>>')).toBe('[[1, 2],\n [3, 4]]');
  });
  it('falls back to \\boxed{} with nested braces', () => {
    expect(extractFinalAnswer('so \\boxed{\\frac{1}{2}}.')).toBe('\\frac{1}{2}');
  });
  it('returns null when there is no answer, and an empty string for an empty one', () => {
    expect(extractFinalAnswer('no answer here')).toBeNull();
    expect(extractFinalAnswer('<<<>>>')).toBe('');
  });
});
