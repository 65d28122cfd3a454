// Game of 24 and "combinatorial calculation": an expression that uses each given number
// exactly once (in the given order when the task says so) and evaluates exactly to the target.

import { evaluateArithmetic } from '../arithmetic';
import { cleanAnswer, stripQuotes } from '../answerText';
import { equals, formatRational, parseRational, type Rational } from '../rational';
import type { ScoreResult } from '../types';

export interface ArithmeticTargetSpec {
  readonly numbers: readonly string[];
  readonly target: string;
  readonly ordered: boolean;
  readonly solution?: string;
}

/** "[6, /, 2, +, 7]" or "['6','/','2','+','7']" (the SymBench token-list format) → "6 / 2 + 7". */
export function tokenListToExpression(text: string): string {
  const t = text.trim();
  if (!(t.startsWith('[') && t.endsWith(']'))) return t;
  return t
    .slice(1, -1)
    .split(',')
    .map((tok) => stripQuotes(tok.trim()))
    .filter((tok) => tok !== '')
    .join(' ');
}

function sameMultiset(a: readonly Rational[], b: readonly Rational[]): boolean {
  if (a.length !== b.length) return false;
  const rest = [...b];
  for (const x of a) {
    const i = rest.findIndex((y) => equals(x, y));
    if (i < 0) return false;
    rest.splice(i, 1);
  }
  return true;
}

export function scoreArithmeticTarget(spec: ArithmeticTargetSpec, answer: string): ScoreResult {
  const expected = spec.solution;
  const target = parseRational(spec.target);
  const numbers = spec.numbers.map((n) => parseRational(n));
  if (!target || numbers.some((n) => n === null)) return { correct: false, score: 0, reason: 'the task has unreadable numbers', expected };
  const given = numbers.filter((n): n is Rational => n !== null);

  let expr = tokenListToExpression(stripQuotes(cleanAnswer(answer)));
  // "expr = 24" is fine when the right-hand side is the target.
  const eq = expr.split('=');
  if (eq.length > 2) return { correct: false, score: 0, reason: 'more than one "="', expected };
  if (eq.length === 2) {
    const rhs = parseRational(eq[1] ?? '');
    if (!rhs || !equals(rhs, target)) return { correct: false, score: 0, reason: `"=${eq[1]}" is not the target ${spec.target}`, expected };
    expr = eq[0] ?? '';
  }
  const result = evaluateArithmetic(expr);
  if (!result.ok) return { correct: false, score: 0, reason: `not a valid expression: ${result.error}`, expected };
  const { value, numbers: used, unaryOps } = result.eval;
  if (unaryOps > 0) return { correct: false, score: 0, reason: 'unary signs are not allowed', expected };
  if (spec.ordered) {
    const inOrder =
      used.length === given.length &&
      used.every((u, i) => {
        const g = given[i];
        return g !== undefined && equals(u, g);
      });
    if (!inOrder) return { correct: false, score: 0, reason: `must use ${spec.numbers.join(', ')} once each, in that order`, expected };
  } else if (!sameMultiset(used, given)) {
    return { correct: false, score: 0, reason: `must use ${spec.numbers.join(', ')} exactly once each`, expected };
  }
  return equals(value, target) ? { correct: true, score: 1, reason: `evaluates to ${spec.target}`, expected } : { correct: false, score: 0, reason: `evaluates to ${formatRational(value)}, not ${spec.target}`, expected };
}
