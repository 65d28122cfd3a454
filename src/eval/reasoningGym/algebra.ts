// Polynomial datasets RG decides with sympy, decided here with exact polynomial arithmetic.

import { metaString, oracle, RgDataError, type RgScorer } from './entry';
import { derivative, hasFactorialOf, parsePolynomial, polyEquals } from './polynomial';
import { pyStrip } from './py';
import { isAntiderivative, sympyReadsNan } from './calculus';
import { floatPolyAntiderivative, floatPolyCoefficients } from './sympyFloatPoly';

/**
 * sympy's `diff` turns a string result of `parse_expr` (a quoted answer) back into an
 * expression, so a quoted answer counts as its content.
 */
function unquote(answer: string): string {
  const t = pyStrip(answer);
  const m = /^(['"])([^'"\\\n]*)\1$/.exec(t);
  return m?.[2] ?? answer;
}

/** simple_integration: the answer's derivative in `metadata.variable` equals the integrand (any constant, `+ C` included). */
export const simpleIntegration: RgScorer = (answer, entry) => {
  const variable = metaString(entry, 'variable');
  const integrand = parsePolynomial(metaString(entry, 'integrand'));
  if (!integrand) throw new RgDataError('metadata.integrand is not a polynomial');
  const text = unquote(answer);
  const user = parsePolynomial(text);
  // Float coefficients: sympy's 53-bit rounding can leave a tiny difference (`-X**5/7.`: RG 0).
  const rounded = !user || user.usesFloat ? floatPolyAntiderivative(text, variable, integrand.poly) : null;
  if (rounded !== null) return rounded ? 1 : 0;
  // What the polynomial reader leaves (escapes in a quoted answer, `f(x)`, floor and Mod of symbols,
  // `C !`): the general antiderivative test, as RG's code is the same for both datasets.
  if (!user || [...user.poly.keys()].some((k) => k.includes('('))) return isAntiderivative(answer, variable, metaString(entry, 'integrand')) ? 1 : 0;
  // factorial(x) of the variable has a derivative (polygamma) that is never a polynomial.
  if (hasFactorialOf(user.poly, variable)) return 0;
  // sympy's nan absorbs the sum (`+ 0*oo`, `+ oo - oo`), whose derivative is then 0.
  if (sympyReadsNan(text, text === answer ? [variable, 'C'] : [])) return 0;
  return polyEquals(derivative(user.poly, variable), integrand.poly) ? 1 : 0;
};

/**
 * polynomial_multiplication: RG's `parse_expr(answer) == parse_expr(gold)` is sympy's
 * structural equality, so the product must be written expanded (as a sum of monomials, in any
 * order); `(x+1)*(x-1)` for `x**2 - 1` scores 0, as in RG.
 */
export const polynomialMultiplication: RgScorer = (answer, entry) => {
  const gold = parsePolynomial(oracle(entry));
  if (!gold) throw new RgDataError('the stored answer is not a polynomial');
  const user = parsePolynomial(answer);
  // Floats that cancel exactly in sympy's rounding leave nothing (`+ 1e-01 - 1e-01`, `+ 7.**-1 - 7**-1.`);
  // a Float coefficient left is never equal to the gold's Integer (`+ 0.3 - 0.1 - 0.2` leaves -2.8e-17).
  const floats = !user || user.usesFloat ? floatPolyCoefficients(answer) : null;
  if (floats) return ![...floats.values()].some((t) => t.float) && polyEquals(new Map([...floats].map(([k, t]) => [k, t.value])), gold.poly) ? 1 : 0;
  if (!user || !user.expanded || user.usesFloat || sympyReadsNan(answer)) return 0;
  return polyEquals(user.poly, gold.poly) ? 1 : 0;
};
