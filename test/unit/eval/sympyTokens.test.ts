// The sympy input tokens shared by the arithmetic (countdown, puzzle24) and polynomial
// (simple_integration, polynomial_multiplication) scorers. Expected outcomes are sympy 1.x's
// `parse_expr` on the same text: surrounding Unicode spaces stripped, inner ones a SyntaxError.
import { describe, expect, it } from 'vitest';
import { evaluateSympyArithmetic } from '../../../src/eval/reasoningGym/expr';
import { parsePolynomial } from '../../../src/eval/reasoningGym/polynomial';
import { rational } from '../../../src/eval/rational';

describe('sympy tokens (shared by expr and polynomial)', () => {
  it('strips surrounding whitespace of any kind but accepts only Python whitespace between tokens', () => {
    expect(evaluateSympyArithmetic('\u00a01 + 2\u00a0')?.value).toEqual(rational(3n));
    expect(evaluateSympyArithmetic('1 +\f2')?.value).toEqual(rational(3n));
    expect(evaluateSympyArithmetic('1 +\u00a02')).toBeNull();
    expect(evaluateSympyArithmetic('1 +\v2')).toBeNull();
    expect(parsePolynomial('\u2003x + 1\u2003')?.poly.size).toBe(2);
    expect(parsePolynomial('x +\u00a01')).toBeNull();
  });

  it('leaves each parser its own operators and refuses a number run into a name', () => {
    expect(evaluateSympyArithmetic('7 // 2 + 7 % 2')).toEqual({ value: rational(4n), usesOtherOperator: true });
    expect(evaluateSympyArithmetic('2 * x')).toBeNull();
    expect(evaluateSympyArithmetic('2x')).toBeNull();
    expect(parsePolynomial('x // 2')).toBeNull();
    expect(parsePolynomial('x % 2')).toBeNull();
    expect(parsePolynomial('2x')).toBeNull();
    expect(parsePolynomial('2.0*x')?.usesFloat).toBe(true);
  });

  it('re-joins operator tokens split by spaces and reads factorials, as parse_expr does', () => {
    // sympy re-joins tokens before evaluating: `* *` is `**`, `/ /` is `//` (not across a line break).
    expect(evaluateSympyArithmetic('2 * * 3')).toEqual({ value: rational(8n), usesOtherOperator: true });
    expect(evaluateSympyArithmetic('2 *\t* 3')?.value).toEqual(rational(8n));
    expect(evaluateSympyArithmetic('7 / / 2')).toEqual({ value: rational(3n), usesOtherOperator: true });
    expect(evaluateSympyArithmetic('(2 *\n* 3)')).toBeNull();
    expect(evaluateSympyArithmetic('2 * * * 3')).toBeNull();
    expect(parsePolynomial('x * * 2 + 1')?.poly).toEqual(parsePolynomial('x**2 + 1')?.poly);
    // factorial_notation: `!` / `!!` right after a number, name or `)`; `2 !` and `3!!!` are errors.
    expect(evaluateSympyArithmetic('94*4 - 61 - 6!')).toEqual({ value: rational(-405n), usesOtherOperator: true });
    expect(evaluateSympyArithmetic('(3+1)! + 5!! + 2**3! - 0!')?.value).toEqual(rational(24n + 15n + 64n - 1n));
    expect(evaluateSympyArithmetic('-3!')?.value).toEqual(rational(-6n));
    expect(evaluateSympyArithmetic('4 !')).toBeNull();
    expect(evaluateSympyArithmetic('3!!!')).toBeNull();
    expect(evaluateSympyArithmetic('3!2')).toBeNull();
    expect(evaluateSympyArithmetic('(-2)!')).toBeNull();
    expect(parsePolynomial('2*x**2! + 3!')?.poly).toEqual(parsePolynomial('2*x**2 + 6')?.poly);
    expect(parsePolynomial('x!')?.poly).toEqual(new Map([['x!^1', rational(1n)]]));
    expect(parsePolynomial('(x + 1)!')).toBeNull();
  });
});
