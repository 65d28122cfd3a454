// toFloat: the double nearest to an exact fraction, as Python's `float(Fraction)` / `int / int`
// give it (coin_flip reads `Fraction(answer)` and compares its float). Expected values are
// Python 3.11's `repr(n / d)`.
import { describe, expect, it } from 'vitest';
import { rational, toFloat } from '../../../src/eval/rational';

const p = (k: number): bigint => 10n ** BigInt(k);

describe('toFloat', () => {
  it.each([
    [p(400), 3n * p(399), 3.3333333333333335],
    [1n, 3n, 0.3333333333333333],
    [2n ** 53n + 1n, 1n, 9007199254740992],
    [2n ** 54n + 3n, 2n, 9007199254740994],
    [p(30) + 1n, p(30), 1],
    [-7n * p(350), 9n * p(330), -7.777777777777777e19],
    [1n, p(320), 1e-320],
    [3125n * p(400), p(404), 0.3125],
    [2n ** 1100n + 1n, 2n ** 80n, 1.1235582092889474e307],
    [123456789012345678901234567890n, 987654321098765432109876543210n, 0.1249999988609375],
  ])('case %#', (num, den, want) => {
    expect(toFloat(rational(num, den))).toBe(want);
  });

  it('is infinite beyond the double range (where Python raises OverflowError)', () => {
    expect(toFloat(rational(p(400), 1n))).toBe(Infinity);
    expect(toFloat(rational(-p(400), 7n))).toBe(-Infinity);
  });
});
