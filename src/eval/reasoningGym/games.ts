// Arithmetic games: puzzle24 and countdown (an expression that reaches a target).

import { type Rational } from '../rational';
import { metaArray, metaNumber, RgDataError, type RgScorer } from './entry';
import { evaluateSympyArithmetic, literalInts } from './expr';
import { pyStrip } from './py';
import { sympyFloat } from './sympyFloat';

function numbersOf(value: unknown[]): bigint[] {
  return value.map((n) => {
    if (typeof n !== 'number' || !Number.isInteger(n)) throw new RgDataError('metadata.numbers is not a list of integers');
    return BigInt(n);
  });
}

function sameMultiset(a: bigint[], b: bigint[]): boolean {
  const s = (l: bigint[]): string => [...l].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)).join(',');
  return a.length === b.length && s(a) === s(b);
}

/** Python `int(x)` of a fraction: truncation toward zero. */
function truncate(v: Rational): bigint {
  return v.num / v.den;
}

/** RG's puzzle24 defaults: numbers from 1 to 10. */
const PUZZLE24_MIN = 1n;
const PUZZLE24_MAX = 10n;

/**
 * puzzle24, as RG: `int(value) == 24`, four literal numbers each in 1..10; else 0.01.
 * Diverges where RG breaks the question's own rules ("Make 24 using a, b, c, d ... each number
 * once ... operators + - * /"): the numbers must be exactly the given ones, the value exactly
 * 24 (RG truncates 24.5 to 24) and `**`, `//`, `%` are not allowed operators. Such answers get 0.01.
 */
export const puzzle24: RgScorer = (answer, entry) => {
  const a = pyStrip(answer);
  const ev = evaluateSympyArithmetic(a);
  if (!ev) return 0.01;
  const used = literalInts(a);
  if (used.length !== 4 || used.some((n) => n > PUZZLE24_MAX || n < PUZZLE24_MIN)) return 0.01;
  if (truncate(ev.value) !== 24n) return 0.01;
  // RG would give 1.0 here; the question's rules follow.
  const exact24 = ev.value.num === 24n && ev.value.den === 1n;
  if (!exact24 || ev.usesOtherOperator || !sameMultiset(used, numbersOf(metaArray(entry, 'numbers')))) return 0.01;
  return 1;
};

/** numpy `isclose(a, b, atol=1e-6)` (rtol 1e-5 relative to b). */
function isClose(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 + 1e-5 * Math.abs(b);
}

/**
 * countdown, as RG: 0.01 where `float(parse_expr(answer))` raises, 0.05 where the literal whole
 * numbers are not the given ones or the value misses the target (numpy `isclose`), else 1. As
 * sympy reads it, an answer may use constants, names that cancel and a few functions:
 * `<gold> + E - E` scores 1 and `<gold> + E` 0.05 (reasoning_gym/games/countdown.py).
 */
export const countdown: RgScorer = (answer, entry) => {
  if (pyStrip(answer) === '') return 0.01;
  const ev = evaluateSympyArithmetic(answer);
  // Beyond exact arithmetic (names, `0j`, sqrt(...)), RG's float(parse_expr(answer)) may still give a number.
  const f = ev ? null : sympyFloat(answer);
  if (f === 'raise' || f === 'unsupported') return 0.01;
  if (!sameMultiset(literalInts(answer), numbersOf(metaArray(entry, 'numbers')))) return 0.05;
  const value = ev ? Number(ev.value.num) / Number(ev.value.den) : (f ?? NaN);
  return isClose(value, metaNumber(entry, 'target')) ? 1 : 0.05;
};
