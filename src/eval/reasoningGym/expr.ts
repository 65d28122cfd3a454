// The arithmetic subset of sympy's `parse_expr` that RG's countdown and puzzle24 scorers
// evaluate: numbers (with Python's float forms "9." and ".5"), + - * / // % **, unary signs,
// parentheses and sympy's factorials `n!` / `n!!` of whole numbers, with Python's precedence. Exact fractions; model text is never eval'ed.
// Anything outside the subset (names, lists, strings, "=", ...) is an error, as it is for RG
// (sympy raises or yields a non-number, and the scorer's except branch applies).

import { add, div, mul, neg, rational, sub, type Rational } from '../rational';
import { PY_WORD, pyAsciiDigits, pyStrip, pythonSyntaxTrap } from './py';
import { tokenizeSympy } from './sympyTokens';

// Of the text without its surrounding whitespace (parse_expr strips it: a correct answer padded
// with 3,000 spaces scores 1 in RG).
const MAX_LENGTH = 2000;
// Brackets nested as deep as Python's parser takes them in sympy's rewrite (200 levels, the
// innermost number's `Integer (` one of them): a correct answer in 199 parentheses scores 1 in RG.
const MAX_DEPTH = 199;
/** Exponents beyond this are refused (the values would be astronomically large). */
const MAX_EXPONENT = 10000n;

class ExprError extends Error {}

function power(base: Rational, exp: Rational): Rational {
  if (exp.den !== 1n) throw new ExprError('non-integer exponent');
  const e = exp.num < 0n ? -exp.num : exp.num;
  if (e > MAX_EXPONENT) throw new ExprError('exponent too large');
  const r = rational(base.num ** e, base.den ** e);
  if (exp.num >= 0n) return r;
  const inv = div(rational(1n), r);
  if (!inv) throw new ExprError('division by zero');
  return inv;
}

/** Factorials beyond this are refused (RG's float() of them is inf anyway). */
const MAX_FACTORIAL = 1000n;

/** sympy's `factorial` (`step` 1) or `factorial2` (`step` 2) of a whole number 0..MAX_FACTORIAL. */
function factorial(v: Rational, step: bigint): Rational {
  // sympy gives zoo or a gamma value (not a fraction) for other arguments.
  if (v.den !== 1n || v.num < 0n || v.num > MAX_FACTORIAL) throw new ExprError('factorial of a non-natural number');
  let r = 1n;
  for (let k = v.num; k > 1n; k -= step) r *= k;
  return rational(r);
}

/** Floor of a fraction, as a fraction. */
function floorOf(v: Rational): Rational {
  const q = v.num / v.den;
  return rational(v.num < 0n && q * v.den !== v.num ? q - 1n : q);
}

/**
 * Parses and evaluates; null where sympy would raise or not give a number. `usesOtherOperator` is set
 * when the text uses an operator beyond + - * / (`**`, `//`, `%`, `!`).
 */
export function evaluateSympyArithmetic(text: string): { value: Rational; usesOtherOperator: boolean } | null {
  if (pyStrip(text).length > MAX_LENGTH || pythonSyntaxTrap(text)) return null;
  const toks = tokenizeSympy(text);
  if (!toks) return null;
  let i = 0;
  let depth = 0;
  let usesOtherOperator = false;
  const isOp = (v: string): boolean => {
    const t = toks[i];
    return t?.t === 'op' && t.v === v;
  };
  // sympy's factorial_notation wraps the number or parenthesised group just before `!` / `!!`.
  const atom = (): Rational => {
    let v = operand();
    while (isOp('!') || isOp('!!')) {
      usesOtherOperator = true;
      v = factorial(v, isOp('!') ? 1n : 2n);
      i++;
    }
    return v;
  };
  const operand = (): Rational => {
    const t = toks[i];
    if (t?.t === 'num') {
      i++;
      return t.v;
    }
    if (isOp('(')) {
      i++;
      if (++depth > MAX_DEPTH) throw new ExprError('too deep');
      const v = sum();
      depth--;
      if (!isOp(')')) throw new ExprError('missing )');
      i++;
      return v;
    }
    throw new ExprError('expected a number');
  };
  // Python: unary binds looser than ** on its right: -2**2 = -(2**2); 2**-1 is allowed.
  const unary = (): Rational => {
    if (isOp('-')) {
      i++;
      return neg(unary());
    }
    if (isOp('+')) {
      i++;
      return unary();
    }
    return pow();
  };
  const pow = (): Rational => {
    const base = atom();
    if (isOp('**')) {
      i++;
      usesOtherOperator = true;
      return power(base, unary());
    }
    return base;
  };
  const product = (): Rational => {
    let v = unary();
    while (isOp('*') || isOp('/') || isOp('//') || isOp('%')) {
      const op = toks[i++];
      const r = unary();
      if (op?.v === '*') {
        v = mul(v, r);
        continue;
      }
      const q = div(v, r);
      if (!q) throw new ExprError('division by zero');
      if (op?.v === '/') v = q;
      else {
        usesOtherOperator = true;
        v = op?.v === '//' ? floorOf(q) : sub(v, mul(r, floorOf(q)));
      }
    }
    return v;
  };
  const sum = (): Rational => {
    let v = product();
    while (isOp('+') || isOp('-')) {
      const op = toks[i++];
      const r = product();
      v = op?.v === '+' ? add(v, r) : sub(v, r);
    }
    return v;
  };
  try {
    if (toks.length === 0) return null;
    const value = sum();
    if (i !== toks.length) return null;
    return { value, usesOtherOperator };
  } catch {
    return null;
  }
}

/** Python's `\b\d+\b` (str pattern): `\w` and `\d` of every script, so `λ1` holds no whole number. */
const LITERAL_INT = new RegExp(`(?<!${PY_WORD})\\p{Nd}+(?!${PY_WORD})`, 'gu');

/** RG's `re.findall(r"\b\d+\b", text)` as integers: the literal whole numbers in the text. */
export function literalInts(text: string): bigint[] {
  return (text.match(LITERAL_INT) ?? []).map((d) => BigInt(pyAsciiDigits(d)));
}
