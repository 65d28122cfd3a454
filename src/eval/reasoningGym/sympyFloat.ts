// `float(parse_expr(text))` for the answers RG's countdown scorer reads, where they go beyond
// exact arithmetic: sympy's constants (E, pi, I, oo, nan, zoo, EulerGamma, ...), imaginary
// literals (`0j`), Python's True / False, free symbols (`x`), and a few functions (sqrt, exp, log,
// sin, cos, tan, Abs, abs, S, Integer, Float, Rational). Computed in complex floating point;
// model text is never eval'ed.
//
// sympy's automatic evaluation cancels `x - x` and `x/x`, so a free symbol that cancels leaves a
// number and `float()` succeeds; one that remains makes `float()` raise. Here each free symbol is
// given two different values and the result must not depend on them. This follows sympy where
// the cancellation is one sympy does automatically (like terms and like factors); where sympy
// keeps an unexpanded form (`(x+1)**2 - x**2 - 2*x`) it raises and this gives a number.

import { PY_NAME, pyStrip, pythonSyntaxTrap } from './py';
import { SYMPY_CONSTANT_NAMES, SYMPY_NON_SYMBOLS } from './sympyNames';
import { tokenizeSympy, type SympyToken } from './sympyTokens';

// Of the text without its surrounding whitespace (parse_expr strips it: a correct answer padded
// with 3,000 spaces scores 1 in RG).
const MAX_LENGTH = 2000;
// Brackets nested as deep as Python's parser takes them in sympy's rewrite (200 levels, the
// innermost number's `Integer (` one of them): a correct answer in 199 parentheses scores 1 in RG.
const MAX_DEPTH = 199;

/**
 * A complex number; `zoo` marks sympy's complex infinity (re and im are NaN then). `py` marks a
 * Python int (True, False and what Python computes from them); `inexact` a value computed from
 * a sympy Float.
 */
interface C {
  re: number;
  im: number;
  zoo?: true;
  py?: true;
  inexact?: true;
  /** Computed from a free symbol (which may have cancelled). */
  sym?: true;
  /** A sympy Boolean (BooleanTrue / BooleanFalse, from `<`): re is 1 or 0; no number. */
  sb?: true;
  /** A Relational sympy cannot decide (`x < 1`): no number, and no truth value (using one raises). */
  rel?: true;
  /** A Python bool (True, False, `not`, `==`): a Boolean to sympy's `& | ^` (a Python int is not). */
  bool?: true;
  /** The free symbol itself (`y`, `Symbol("y")`, `~~y`), which sympy's `& | ^ ~` read as a proposition. */
  bare?: string;
  /** A sympy logic expression (Not, And, Or, Xor of symbols): true, no number; `==` compares its structure. */
  logic?: Logic;
  /** A Python str (a string literal) or None: only a truth value (`"" ` and None are false). */
  other?: 'str' | 'emptystr' | 'none';
}

class Raise extends Error {}

/** sympy's logic values: true, false, a symbol, and Not / And / Or / Xor of them (args unique, in key order). */
type Logic = { t: 'true' } | { t: 'false' } | { t: 'sym'; n: string } | { t: 'not'; a: Logic } | { t: 'and' | 'or' | 'xor'; args: readonly Logic[] };
const TRUE: Logic = { t: 'true' };
const FALSE: Logic = { t: 'false' };

function logicKey(l: Logic): string {
  if (l.t === 'true' || l.t === 'false') return l.t;
  if (l.t === 'sym') return `s:${l.n}`;
  if (l.t === 'not') return `~(${logicKey(l.a)})`;
  return `${l.t}(${l.args.map(logicKey).join(',')})`;
}

/** sympy's Not: of true/false the other, of a Not its argument; else kept. */
function logicNot(a: Logic): Logic {
  if (a.t === 'true') return FALSE;
  if (a.t === 'false') return TRUE;
  if (a.t === 'not') return a.a;
  return { t: 'not', a };
}

/** sympy's And / Or (a lattice): nested ones flattened, the identity dropped, the zero absorbs, duplicates merged, one argument is itself. */
function logicLattice(t: 'and' | 'or', items: readonly Logic[]): Logic {
  const identity = t === 'and' ? 'true' : 'false';
  const zero = t === 'and' ? FALSE : TRUE;
  const args = new Map<string, Logic>();
  for (const x of items.flatMap((a) => (a.t === t ? a.args : [a]))) {
    if (x.t === zero.t) return zero;
    if (x.t !== identity) args.set(logicKey(x), x);
  }
  const list = [...args.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  if (list.length === 0) return t === 'and' ? TRUE : FALSE;
  return list.length === 1 ? (list[0] ?? FALSE) : { t, args: list };
}

/** sympy's Xor: false dropped, nested Xors flattened, equal arguments cancel in pairs; with true left, Not of the Xor of the rest. */
function logicXor(items: readonly Logic[]): Logic {
  const set = new Map<string, Logic>();
  for (const x of items.flatMap((a) => (a.t === 'xor' ? a.args : [a]))) {
    if (x.t === 'false') continue;
    const k = logicKey(x);
    if (set.has(k)) set.delete(k);
    else set.set(k, x);
  }
  if (set.size === 0) return FALSE;
  if (set.size === 1) return [...set.values()][0] ?? FALSE;
  if (set.delete('true')) return logicNot(logicXor([...set.values()]));
  return { t: 'xor', args: [...set.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v) };
}

const c = (re: number, im = 0): C => ({ re, im });
const ZOO: C = { re: NaN, im: NaN, zoo: true };
const NAN = c(NaN);
const isNan = (a: C): boolean => !a.zoo && (Number.isNaN(a.re) || Number.isNaN(a.im));
const isZero = (a: C): boolean => !a.zoo && a.re === 0 && a.im === 0;
const isInfinite = (a: C): boolean => !a.zoo && (!Number.isFinite(a.re) || !Number.isFinite(a.im)) && !isNan(a);

function cAdd(a: C, b: C): C {
  if (isNan(a) || isNan(b)) return NAN;
  if (a.zoo || b.zoo) return (a.zoo && b.zoo) || isInfinite(a) || isInfinite(b) ? NAN : ZOO;
  return c(a.re + b.re, a.im + b.im);
}

function cMul(a: C, b: C): C {
  if (isNan(a) || isNan(b)) return NAN;
  if (a.zoo || b.zoo) return isZero(a) || isZero(b) ? NAN : ZOO;
  if (a.im === 0 && b.im === 0) return c(a.re * b.re);
  return c(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
}

function cDiv(a: C, b: C): C {
  if (isNan(a) || isNan(b)) return NAN;
  if (b.zoo) return a.zoo || isInfinite(a) ? NAN : c(0);
  if (a.zoo) return isInfinite(b) ? NAN : ZOO;
  // sympy: 0/0 is nan, any other number over 0 is zoo.
  if (isZero(b)) return isZero(a) ? NAN : ZOO;
  if (a.im === 0 && b.im === 0) return c(a.re / b.re);
  const d = b.re * b.re + b.im * b.im;
  return c((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d);
}

/** a**b; throws Unsupported for a huge integer exponent. */
function cPow(a: C, b: C): C {
  if (isNan(a) || isNan(b) || a.zoo || b.zoo) return isZero(b) ? c(1) : NAN;
  if (isZero(b)) return c(1);
  // sympy computes a huge integer power exactly (9**9**9 stalls RG); refused here, as in expr.ts.
  if (b.im === 0 && Number.isInteger(b.re) && Math.abs(b.re) > 10000 && !(a.im === 0 && Math.abs(a.re) <= 1)) throw new Unsupported('exponent too large');
  if (b.im === 0 && Number.isInteger(b.re)) {
    if (isZero(a) && b.re < 0) return ZOO;
    let r = c(1);
    let base = b.re < 0 ? cDiv(c(1), a) : a;
    for (let e = Math.abs(b.re); e > 0; e = Math.floor(e / 2)) {
      if (e % 2 === 1) r = cMul(r, base);
      base = cMul(base, base);
    }
    return r;
  }
  if (a.im === 0 && b.im === 0 && a.re >= 0) return c(a.re ** b.re);
  // sympy: 0**z is 0 for re(z) > 0, zoo for re(z) < 0, nan for an imaginary z.
  if (isZero(a)) return b.re > 0 ? c(0) : b.re < 0 ? ZOO : NAN;
  // Principal branch, as sympy: exp(b * log(a)).
  const mod = Math.hypot(a.re, a.im);
  const arg = Math.atan2(a.im, a.re);
  const l = c(Math.log(mod), arg);
  return cExp(cMul(b, l));
}

function cExp(a: C): C {
  const m = Math.exp(a.re);
  return a.im === 0 ? c(m) : c(m * Math.cos(a.im), m * Math.sin(a.im));
}

/** sympy's numeric constants (the names sympyNames.ts leaves out), as floats. */
const CONSTANTS: ReadonlyMap<string, C> = new Map([
  ['E', c(Math.E)],
  ['pi', c(Math.PI)],
  ['I', c(0, 1)],
  ['oo', c(Infinity)],
  ['zoo', ZOO],
  ['nan', NAN],
  ['EulerGamma', c(0.5772156649015329)],
  ['Catalan', c(0.915965594177219)],
  ['GoldenRatio', c(1.618033988749895)],
  ['TribonacciConstant', c(1.839286755214161)],
  // Python's bools: `True + 3` is 4 (float(True) is 1.0).
  ['True', { re: 1, im: 0, py: true, bool: true }],
  ['False', { re: 0, im: 0, py: true, bool: true }],
]);

/** Functions of one real argument read here (sympy's, and Python's `abs`). */
const REAL_FUNCTIONS: ReadonlyMap<string, (x: number) => number> = new Map([
  ['sqrt', Math.sqrt],
  ['exp', Math.exp],
  ['log', Math.log],
  ['sin', Math.sin],
  ['cos', Math.cos],
  ['tan', Math.tan],
  ['Abs', Math.abs],
  ['abs', Math.abs],
  ['S', (x: number) => x],
  ['Integer', Math.trunc],
  ['Float', (x: number) => x],
]);

class Unsupported extends Error {}

type BinOp = '+' | '-' | '*' | '/' | '//' | '%' | '**';

/** A sympy Integer: exact (no Float involved), finite, real and whole (to float rounding). */
function isInteger(a: C): boolean {
  return !a.inexact && !a.zoo && a.im === 0 && Number.isFinite(a.re) && Math.abs(a.re - Math.round(a.re)) <= 1e-9 * Math.max(1, Math.abs(a.re));
}

/**
 * `a // b` and `a % b` where a side is oo, -oo or zoo (real, non-zero divisor), as sympy 1.14: a
 * modulo is nan; `oo//2` is oo, `oo//-2` -oo, `zoo//1` zoo, two infinities give nan; a finite
 * number over an infinity is 0 (`1//oo`, `2.5//-oo`, `2//zoo`), except that a sympy Integer
 * floors as Python's float division does (`-2//oo` and `2//-oo` are -1).
 */
function floorDivInfinite(op: BinOp, a: C, b: C): C {
  if (op === '%') return NAN;
  const aInf = a.zoo || !Number.isFinite(a.re);
  const bInf = b.zoo || !Number.isFinite(b.re);
  if (aInf && bInf) return NAN;
  if (aInf) return a.zoo ? ZOO : c(b.re > 0 ? a.re : -a.re);
  if (b.zoo || a.re === 0 || !isInteger(a)) return c(0);
  return c(a.re > 0 === b.re > 0 ? 0 : -1);
}

function arith(op: BinOp, a: C, b: C): C {
  switch (op) {
    case '+':
      return cAdd(a, b);
    case '-':
      return cAdd(a, { ...b, re: -b.re, im: -b.im });
    case '*':
      return cMul(a, b);
    case '/':
      return cDiv(a, b);
    case '**':
      return cPow(a, b);
    default: {
      if ((!a.zoo && a.im !== 0) || (!b.zoo && b.im !== 0)) throw new Unsupported('// or % of a complex number');
      if (a.zoo || b.zoo || !Number.isFinite(a.re) || !Number.isFinite(b.re)) return floorDivInfinite(op, a, b);
      if (b.re === 0) return op === '//' ? (a.re === 0 ? NAN : ZOO) : NAN;
      const q = Math.floor(a.re / b.re);
      return c(op === '//' ? q : a.re - b.re * q);
    }
  }
}

/**
 * `a op b` with Python's rules for bools: sympy's Integer takes a Python int in + - * // %
 * (`3 + True` is 4), every other combination with a bool raises (`3/True`, `0.5 + True`,
 * `E*True`, `2**True`), as measured with sympy 1.14.
 */
function binary(op: BinOp, a: C, b: C): C {
  if (a.sb || b.sb || a.rel || b.rel || a.other || b.other || a.logic || b.logic) throw new Raise('arithmetic with a Boolean, str or None');
  // A bool in a power raises beside sympy objects (`2**True`, `oo**True`, `nan**False`); two bools
  // are Python ints (`True**True` is 1).
  if (op === '**' && (a.py || b.py)) {
    if (!(a.py && b.py)) throw new Raise('bool power');
    return b.re < 0 ? { ...c(a.re ** b.re), inexact: true } : { ...c(a.re ** b.re), py: true };
  }
  if (op === '//' && b.py) throw new Raise('bool divisor');
  const sym = a.sym || b.sym ? { sym: true as const } : {};
  // Modulo by zero raises in sympy 1.14 whatever the left side (`3%0`, `nan%0`, `E%0`, `0.0%0.0`,
  // even under `0*(...)`), except an infinity (`oo%0`: nan). Floor division by zero raises for a
  // whole number (`3//0`, `0//0`, `(x-x)//0`) and for a Float zero divisor (`2.5//0.0`); by an exact
  // zero, a Float gives zoo (`2.5//0`), or nan when it is zero (`0.0//0`), as do constants and
  // symbols (`E//0`, `x//0`: zoo). A bool divisor raises in `//`.
  if (op === '%' && isZero(b)) {
    if (isInfinite(a)) return { ...NAN, ...sym };
    throw new Raise('modulo by zero');
  }
  if (op === '//' && isZero(b)) {
    if (isNan(a)) return { ...NAN, ...sym };
    // `oo//0` is oo, `-oo//0` -oo, `zoo//0.0` zoo.
    if (isInfinite(a) || a.zoo) return a;
    if (b.inexact || a.py || isInteger(a) || (a.inexact && a.sym && isZero(a))) throw new Raise('division by zero');
    return isZero(a) ? { ...NAN, ...sym } : { ...ZOO, ...sym };
  }
  // sympy's nan absorbs everything, a bool on its right too (`nan - False` is nan; Python's
  // `False - nan` raises).
  if (a.py && isNan(b)) throw new Raise('bool arithmetic');
  // sympy's Pow gives 1 for an exact zero exponent before it looks at the base: `nan**(x-x)`,
  // `zoo**(E-E)` and `(x-x)**(x-x)` are 1.
  if (op === '**' && !a.py && !b.py && !b.inexact && isZero(b)) return { ...c(1), ...sym };
  if (isNan(a) || isNan(b)) return { ...NAN, ...sym };
  // sympy keeps 0**x symbolic (the sign of x is unknown).
  if (op === '**' && b.sym && isZero(a)) throw new Raise('0**symbol');
  if (a.py && b.py && op === '/' && isZero(b)) throw new Raise('division by zero'); // Python's False/False
  if (a.py && b.py && op === '/') return { ...arith(op, a, b), inexact: true, ...sym }; // Python's True/True is 1.0
  if (a.py || b.py) {
    const other = a.py ? b : a;
    if (op === '/' || op === '**' || !(other.py || isInteger(other))) throw new Raise('bool arithmetic');
    const v = arith(op, { ...a, inexact: undefined }, { ...b, inexact: undefined });
    return a.py && b.py ? { ...v, py: true, ...sym } : { ...v, ...sym };
  }
  // A modulo with an infinite side is nan (`3%oo`, `oo%I`).
  if (op === '%' && (isInfinite(a) || isInfinite(b) || a.zoo || b.zoo)) return { ...NAN, ...sym };
  const v = arith(op, a, b);
  return a.inexact || b.inexact ? { ...v, inexact: true, ...sym } : { ...v, ...sym };
}

/** A value computed on demand, so that Python's `and`, `or` and `x if c else y` evaluate only the side they pick. */
type Thunk = (symbolValue: (name: string) => C) => C;

/** Python's truth value of a sympy object: a number is true unless zero (nan, oo, zoo, I are true); a free symbol is true. */
function truthy(v: C): boolean {
  if (v.rel) throw new Raise('truth value of a Relational');
  if (v.logic) return true;
  if (v.other) return v.other === 'str';
  if (v.sb) return v.re === 1;
  return !isZero(v);
}

/** A Python int: a bool or what bitwise operators made of bools and sympy Integers, as a BigInt (Unsupported beyond 2**53). */
function wholeOf(v: C): bigint {
  // A free symbol, even where it cancels here, is taken for a symbolic operand (sympy raises).
  if (v.sb || v.rel || v.other || v.sym || v.logic || !(v.py || isInteger(v))) throw new Raise('bitwise operand');
  const r = Math.round(v.re);
  if (!Number.isSafeInteger(r)) throw new Unsupported('bitwise operand too large');
  return BigInt(r);
}

const MAX_SHIFT = 1000n;

/**
 * Python's bitwise operators on sympy Integers and bools (`309 & 1`, `309 ^ 1` is 308, `~309`,
 * `1 << 70`); any other operand (a Float, a constant, a symbol) raises, as in sympy 1.14.
 * Two bools give a bool (`True ^ True` is False), else a sympy Integer.
 */
function bitwise(op: string, a: C, b: C): C {
  const x = wholeOf(a);
  const y = wholeOf(b);
  let r: bigint;
  if (op === '&') r = x & y;
  else if (op === '|') r = x | y;
  else if (op === '^') r = x ^ y;
  else {
    if (y < 0n) throw new Raise('negative shift count');
    if (y > MAX_SHIFT) throw new Unsupported('shift too large');
    r = op === '<<' ? x << y : x >> y;
  }
  const sym = a.sym || b.sym ? { sym: true as const } : {};
  // Two bools give a bool under & | ^ (`True ^ True` is False); shifts give ints.
  const bool = a.bool && b.bool && (op === '&' || op === '|' || op === '^') ? { bool: true as const } : {};
  return { ...c(Number(r)), ...(a.py && b.py ? { py: true as const } : {}), ...sym, ...bool };
}

/** A value as sympy's `& | ^ ~` see it: a proposition (a symbol, a logic expression, true/false, a Python bool), else null. */
function asLogic(v: C): Logic | null {
  if (v.logic) return v.logic;
  if (v.bare !== undefined) return { t: 'sym', n: v.bare };
  if (v.sb || v.bool) return v.re === 1 ? TRUE : FALSE;
  return null;
}

/**
 * What sympy's automatic evaluation leaves of a value computed from symbols: the symbol itself
 * where the value is one (`y + 0`, `1*y`, `y**1`, `x*x/x` are y), an Integer where the symbols
 * cancelled to a whole number (`y - y` is 0); else the value as it is. Decided on the values the
 * symbols take here, as the rest of this reader decides cancellation.
 */
function settled(v: C, sv: (name: string) => C, names: ReadonlySet<string>): C {
  if (!v.sym || v.bare !== undefined || v.logic) return v;
  for (const n of names) if (close(v, sv(n))) return { ...sv(n), bare: n };
  return isInteger(v) ? c(Math.round(v.re)) : v;
}

/** A logic result as a value: a symbol is the symbol again (arithmetic works on it), true/false sympy Booleans. */
function fromLogic(l: Logic, sv: (name: string) => C): C {
  if (l.t === 'sym') return { ...sv(l.n), bare: l.n };
  if (l.t === 'true' || l.t === 'false') return { ...c(l.t === 'true' ? 1 : 0), sb: true };
  return { ...NAN, logic: l };
}

/**
 * Python's `& | ^` on sympy objects: where a symbol or logic expression takes part, sympy's logic
 * (`y & y` is y, `y ^ y` false, `y ^ True` ~y, `y | True` true), the other side a proposition too
 * (`y & 1` raises: an Integer is no Boolean); otherwise the bitwise operators on whole numbers.
 */
function bitwiseOrLogic(op: string, a0: C, b0: C, sv: (name: string) => C, names: ReadonlySet<string>): C {
  const a = settled(a0, sv, names);
  const b = settled(b0, sv, names);
  const la = asLogic(a);
  const lb = asLogic(b);
  const symbolic = a.bare !== undefined || b.bare !== undefined || a.logic || b.logic || ((a.sb || b.sb) && la && lb);
  if (!symbolic || op === '<<' || op === '>>') return bitwise(op, a, b);
  if (!la || !lb) throw new Raise('logic operand');
  return fromLogic(op === '&' ? logicLattice('and', [la, lb]) : op === '|' ? logicLattice('or', [la, lb]) : logicXor([la, lb]), sv);
}

/**
 * Python's comparisons of sympy objects: `<`, `<=`, `>`, `>=` give a sympy Boolean for real numbers
 * (oo and E included) and raise for nan, zoo and complex numbers; `==` / `!=` are structural (a
 * Python bool): `3 == 3` is True, `3 == 3.0` False (an Integer is never equal to a Float in sympy
 * 1.14), `nan == nan` True. With a free symbol (a Relational whose truth sympy cannot decide) or a
 * bool on one side these are not read here.
 */
function compare(op: string, a: C, b: C): C {
  if (a.rel || b.rel || a.other || b.other) throw new Unsupported('comparison of a Relational, str or None');
  if (a.logic || b.logic) {
    if (op !== '==' && op !== '!=') throw new Raise('ordering of a logic expression');
    const same = !!a.logic && !!b.logic && logicKey(a.logic) === logicKey(b.logic);
    return { ...c(same === (op === '==') ? 1 : 0), py: true, bool: true };
  }
  if (op === '==' || op === '!=') {
    let same: boolean;
    // sympy's true equals Python's True (not 1); a bool equals the Integer of its value.
    if (a.sb || b.sb) same = !!(a.sb || a.py) && !!(b.sb || b.py) && a.re === b.re;
    else if (a.zoo || b.zoo) same = !!a.zoo && !!b.zoo;
    else if (isNan(a) || isNan(b)) same = isNan(a) && isNan(b);
    else same = !a.inexact === !b.inexact && a.re === b.re && a.im === b.im;
    return { ...c(same === (op === '==') ? 1 : 0), py: true, bool: true };
  }
  // Two Python ints compare as Python does (`(not 2.5) >= (0 != -oo)` is True).
  if (a.py && b.py) {
    const r = op === '<' ? a.re < b.re : op === '<=' ? a.re <= b.re : op === '>' ? a.re > b.re : a.re >= b.re;
    return { ...c(r ? 1 : 0), py: true, bool: true };
  }
  if (a.py || b.py || a.sb || b.sb || a.zoo || b.zoo || isNan(a) || isNan(b) || a.im !== 0 || b.im !== 0) throw new Raise('invalid comparison');
  if (a.sym || b.sym) return { ...NAN, rel: true };
  const r = op === '<' ? a.re < b.re : op === '<=' ? a.re <= b.re : op === '>' ? a.re > b.re : a.re >= b.re;
  return { ...c(r ? 1 : 0), sb: true };
}

const COMPARISONS = new Set(['<', '<=', '>', '>=', '==', '!=']);

/**
 * Parses `toks` as Python's expression grammar over sympy objects (what `parse_expr` evaluates):
 * conditional expressions, `or`, `and`, `not`, comparisons, `| ^ &`, shifts, arithmetic, unary
 * `- + ~`, `**`, factorials, calls. Returns the value as a thunk; syntax errors throw here.
 */
function parse(toks: SympyToken[]): Thunk {
  let i = 0;
  /** The free symbols named in the text (what a value computed from symbols can settle to). */
  const names = new Set<string>();
  let depth = 0;
  const isOp = (v: string): boolean => {
    const t = toks[i];
    return t?.t === 'op' && t.v === v;
  };
  const isKw = (v: string): boolean => {
    const t = toks[i];
    return t?.t === 'name' && t.v === v;
  };
  const nested = (f: () => Thunk): Thunk => {
    if (++depth > MAX_DEPTH) throw new Unsupported('too deep');
    const v = f();
    depth--;
    return v;
  };
  const group = (): Thunk => {
    const v = nested(test);
    if (!isOp(')')) throw new Raise('missing )');
    i++;
    return v;
  };
  const call = (name: string): Thunk => {
    i++; // (
    const args: (Thunk | { str: string })[] = [];
    while (!isOp(')')) {
      const t = toks[i];
      if (t?.t === 'str' && (toks[i + 1]?.t !== 'op' || isOpAt(i + 1, ',') || isOpAt(i + 1, ')'))) {
        args.push({ str: t.v });
        i++;
      } else args.push(nested(test));
      if (isOp(',')) i++;
      else break;
    }
    if (!isOp(')')) throw new Raise('missing )');
    i++;
    return (sv) => {
      // sympy's Symbol("y") is the symbol y.
      if (name === 'Symbol') {
        const [s] = args;
        if (args.length !== 1 || !s || typeof s === 'function' || !new RegExp(`^${PY_NAME}$`, 'u').test(s.str)) throw new Unsupported('Symbol');
        names.add(s.str);
        return { ...sv(s.str), bare: s.str };
      }
      const vals = args.map((a) => {
        if (typeof a !== 'function') throw new Unsupported('string argument');
        return a(sv);
      });
      // A name sympy does not know is an undefined function (auto_symbol): f(x) is a free
      // expression that only cancels with itself (f(x) - f(x) is 0).
      if (!SYMPY_NON_SYMBOLS.has(name) && !SYMPY_CONSTANT_NAMES.has(name) && !REAL_FUNCTIONS.has(name) && name !== 'Rational') {
        if (vals.length === 0 || vals.some((v) => v.sb || v.rel || v.py || v.other || v.logic)) throw new Unsupported('undefined function');
        let h = sv(name).re;
        for (const v of vals) h = h * 1.37 + (Number.isFinite(v.re) ? v.re : 7.1) + 0.61 * (Number.isFinite(v.im) ? v.im : 3.3);
        return { ...c(Math.sin(h) + 2), sym: true };
      }
      if (name === 'round' && vals.length === 1) return pyRound(vals[0] ?? NAN);
      // round(n, k) of a whole number with k >= 0 is n (an Integer); other two-argument forms are not read.
      if (name === 'round' && vals.length === 2) {
        const [n, k] = vals;
        if (!n || !k || n.sym || k.sym || !isInteger(n) || !(k.py || isInteger(k)) || k.re < 0) throw new Unsupported('round(x, k)');
        return c(n.re);
      }
      if (vals.length !== 1) throw vals.length === 0 ? new Unsupported(name) : new Raise('arguments');
      return applyFunction(name, vals[0] ?? NAN);
    };
  };
  const isOpAt = (k: number, v: string): boolean => {
    const t = toks[k];
    return t?.t === 'op' && t.v === v;
  };
  const operand = (): Thunk => {
    const t = toks[i];
    if (t?.t === 'num') {
      i++;
      const v = c(Number(t.v.num) / Number(t.v.den));
      const val = t.float ? { ...v, inexact: true as const } : v;
      return () => val;
    }
    if (t?.t === 'name') {
      i++;
      if (isOp('(')) return call(t.v);
      const k = CONSTANTS.get(t.v);
      if (k) return () => k;
      if (t.v === 'None') {
        const val: C = { ...NAN, other: 'none' };
        return () => val;
      }
      // A keyword where an operand belongs is a syntax error.
      if (PY_OPERAND_KEYWORDS.has(t.v)) throw new Raise(t.v);
      // None, a function or class used as a value: the arithmetic raises.
      if (SYMPY_NON_SYMBOLS.has(t.v)) {
        const name = t.v;
        return () => {
          throw new Raise(name);
        };
      }
      const name = t.v;
      names.add(name);
      return (sv) => ({ ...sv(name), bare: name });
    }
    if (t?.t === 'str') {
      i++;
      const val: C = { ...NAN, other: t.v === '' ? 'emptystr' : 'str' };
      return () => val;
    }
    if (isOp('(')) {
      i++;
      return group();
    }
    throw new Raise('expected an operand');
  };
  const atom = (): Thunk => {
    const inner = operand();
    const steps: number[] = [];
    while (isOp('!') || isOp('!!')) {
      steps.push(isOp('!') ? 1 : 2);
      i++;
    }
    if (steps.length === 0) return inner;
    return (sv) => {
      let v = inner(sv);
      for (const step of steps) {
        if (v.sb || v.rel || v.other || v.logic || v.im !== 0 || !Number.isInteger(v.re) || v.re < 0 || v.re > 1000) throw new Unsupported('factorial');
        let r = 1;
        for (let k = v.re; k > 1; k -= step) r *= k;
        v = { ...c(r), ...(v.py ? { py: true as const } : {}) };
      }
      return v;
    };
  };
  const unary = (): Thunk => {
    if (isOp('-') || isOp('+') || isOp('~')) {
      const op = (toks[i++] as { v: string }).v;
      const v = unary();
      return (sv) => {
        const a = op === '~' ? settled(v(sv), sv, names) : v(sv);
        if (op === '~') {
          if (a.sb) return { ...a, re: 1 - a.re };
          if (a.rel || a.other) throw new Unsupported('~ of a Relational, str or None');
          // sympy's Not of a symbol or logic expression (`~~y` is y); `~True` is Python's -2.
          const l = a.bare !== undefined || a.logic ? asLogic(a) : null;
          if (l) return fromLogic(logicNot(l), sv);
          return bitwise('^', { ...a, bool: undefined }, { ...c(-1), py: true });
        }
        if (a.sb || a.rel || a.other || a.logic) throw new Raise('unary on a Boolean, str or None');
        // `+y` is y; `-y` and `-True` are no longer the symbol or a bool.
        return op === '-' ? { ...a, re: -a.re, im: -a.im, bare: undefined, bool: undefined } : { ...a, bool: undefined };
      };
    }
    const base = atom();
    if (isOp('**')) {
      i++;
      const e = unary();
      return (sv) => binary('**', base(sv), e(sv));
    }
    return base;
  };
  const product = (): Thunk => {
    let v = unary();
    while (isOp('*') || isOp('/') || isOp('//') || isOp('%') || isOp('@')) {
      const op = (toks[i++] as { v: string }).v;
      const l = v;
      const r = unary();
      if (op === '@') {
        v = () => {
          throw new Raise('@');
        };
      } else v = (sv) => binary(op as BinOp, l(sv), r(sv));
    }
    return v;
  };
  const sum = (): Thunk => {
    let v = product();
    while (isOp('+') || isOp('-')) {
      const op = isOp('+') ? '+' : '-';
      i++;
      const l = v;
      const r = product();
      v = (sv) => binary(op, l(sv), r(sv));
    }
    return v;
  };
  const binaryLevel = (ops: readonly string[], next: () => Thunk): (() => Thunk) => {
    const level = (): Thunk => {
      let v = next();
      for (;;) {
        const op = ops.find((o) => isOp(o));
        if (op === undefined) return v;
        i++;
        const l = v;
        const r = next();
        v = (sv) => bitwiseOrLogic(op, l(sv), r(sv), sv, names);
      }
    };
    return level;
  };
  const shift = binaryLevel(['<<', '>>'], sum);
  const band = binaryLevel(['&'], shift);
  const bxor = binaryLevel(['^'], band);
  const bor = binaryLevel(['|'], bxor);
  const comparison = (): Thunk => {
    const first = bor();
    const rest: [string, Thunk][] = [];
    for (;;) {
      const t = toks[i];
      if (t?.t === 'op' && COMPARISONS.has(t.v)) {
        i++;
        rest.push([t.v, bor()]);
      } else if (isKw('in') || isKw('is')) throw new Unsupported('in / is');
      else if (isKw('not') && toks[i + 1]?.t === 'name' && (toks[i + 1] as { v: string }).v === 'in') throw new Unsupported('not in');
      else break;
    }
    if (rest.length === 0) return first;
    // a < b < c is (a < b) and (b < c), b evaluated once.
    return (sv) => {
      let left = first(sv);
      let result: C = left;
      for (const [op, r] of rest) {
        const right = r(sv);
        result = compare(op, left, right);
        if (!truthy(result)) return result;
        left = right;
      }
      return result;
    };
  };
  const notTest = (): Thunk => {
    if (isKw('not')) {
      i++;
      const v = notTest();
      return (sv) => {
        return { ...c(truthy(v(sv)) ? 0 : 1), py: true, bool: true };
      };
    }
    return comparison();
  };
  const boolLevel = (kw: 'and' | 'or', next: () => Thunk): (() => Thunk) => {
    return (): Thunk => {
      let v = next();
      while (isKw(kw)) {
        i++;
        const l = v;
        const r = next();
        v = (sv) => {
          const a = l(sv);
          return truthy(a) === (kw === 'or') ? a : r(sv);
        };
      }
      return v;
    };
  };
  const andTest = boolLevel('and', notTest);
  const orTest = boolLevel('or', andTest);
  const test = (): Thunk => {
    const body = orTest();
    if (!isKw('if')) return body;
    i++;
    const cond = orTest();
    if (!isKw('else')) throw new Raise('expected else');
    i++;
    const other = test();
    return (sv) => {
      return truthy(cond(sv)) ? body(sv) : other(sv);
    };
  };
  if (toks.length === 0) throw new Raise('empty');
  const v = test();
  if (i !== toks.length) throw new Raise('trailing tokens');
  return v;
}

/** Keywords that may not stand where an operand belongs. */
const PY_OPERAND_KEYWORDS = new Set(['and', 'or', 'if', 'else', 'in', 'is', 'not', 'lambda']);

/**
 * Python's `round(n)` of a sympy number: the nearest Integer, halves to even (`round(2.5)` is 2,
 * `round(pi)` 3), an infinity unchanged; of a symbol it raises (not read here when the
 * symbol may cancel), of a complex number it is not read.
 */
function pyRound(a: C): C {
  if (a.sb || a.rel || a.other || a.logic) throw new Raise('round of a Boolean, str or None');
  if (a.sym || a.zoo || isNan(a) || a.im !== 0) throw new Unsupported('round');
  if (!Number.isFinite(a.re)) return a;
  const floor = Math.floor(a.re);
  const diff = a.re - floor;
  const r = diff > 0.5 || (diff === 0.5 && floor % 2 !== 0) ? floor + 1 : floor;
  // round(True) is the int 1, which sympy takes as an Integer (unlike a bool).
  return c(r);
}

/** A function of one argument, as sympy applies it to a number. */
function applyFunction(name: string, a: C): C {
  // Python's abs keeps a bool an int; sympy's functions refuse a bool (sympify(True) is no number).
  if (a.sb || a.rel || a.other || a.logic) throw new Raise('Boolean, str or None argument');
  if (a.py) {
    if (name === 'abs') return { re: Math.abs(a.re), im: 0, py: true };
    throw new Raise('bool argument');
  }
  const inexact = a.inexact || name === 'Float' ? { inexact: true as const } : {};
  if (name === 'Rational') return a;
  const symF = a.sym ? { sym: true as const } : {};
  const f = REAL_FUNCTIONS.get(name);
  if (!f || a.zoo || a.im !== 0 || !Number.isFinite(a.re)) throw new Unsupported(name);
  if (name === 'log' && a.re === 0) return ZOO;
  // sqrt and log of a negative number: sympy's principal values (sqrt(-1) is I).
  if (name === 'sqrt' && a.re < 0) return { ...c(0, Math.sqrt(-a.re)), ...inexact, ...symF };
  if (name === 'log' && a.re < 0) return { ...c(Math.log(-a.re), Math.PI), ...inexact, ...symF };
  return { ...c(f(a.re)), ...inexact, ...symF };
}

function evaluate(toks: SympyToken[], symbolValue: (name: string) => C): C {
  const v = parse(toks)(symbolValue);
  if (v.other) throw new Unsupported('float() of a str or None');
  if (v.sb || v.rel || v.logic) throw new Raise('float() of a Boolean');
  if (v.py) return c(v.re); // float(True) is 1.0
  return v;
}

/** Two generic values per free symbol: sympy's answer cannot depend on them. */
function symbolValues(base: number): (name: string) => C {
  return (name) => {
    let h = 17;
    for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) % 1000003;
    return { ...c(base * (1 + (0.3 * (h % 997)) / 997)), sym: true };
  };
}

/** A value per free symbol just above `base` (base + step..base + 1.3 step): near 0 exponentials, near 1 powers up to about 1000 stay in the double range. */
function nearValues(base: number, step: number): (name: string) => C {
  return (name) => {
    let h = 17;
    for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) % 1000003;
    return { ...c(base + step * (1 + (0.3 * (h % 997)) / 997)), sym: true };
  };
}

/** A value computed from a symbol that left the double range: infinite, NaN, or below 1e-200 (an underflow, never rounding noise). */
function outOfRange(v: C): boolean {
  if (!v.sym || v.zoo) return false;
  return [v.re, v.im].some((x) => !Number.isFinite(x) || (x !== 0 && Math.abs(x) < 1e-200));
}

function close(a: C, b: C): boolean {
  if (a.zoo || b.zoo) return a.zoo === b.zoo;
  if (isNan(a) || isNan(b)) return isNan(a) && isNan(b);
  // Relative: a value that shrinks with the symbol (1e-9*x) is no constant; below 1e-14 both
  // count as a cancelled 0 (x*x/x - x leaves rounding noise that sympy's exact 0 does not have).
  // An overflow at one value only (`(x+1)**1000`: finite at 1.73, infinite at 2.41) depends on
  // the symbol: |x - y| and the bound are both infinite then, so finiteness is checked first.
  const near = (x: number, y: number): boolean =>
    x === y || (Number.isFinite(x) && Number.isFinite(y) && (Math.abs(x - y) <= 1e-12 * Math.max(Math.abs(x), Math.abs(y)) || (Math.abs(x) <= 1e-14 && Math.abs(y) <= 1e-14)));
  return near(a.re, b.re) && near(a.im, b.im);
}

/**
 * Python's `float(sympy.parse_expr(text))`, as RG's countdown scorer computes it: the float (NaN
 * for sympy's nan, ±Infinity for ±oo), `'raise'` where sympy or float() raises (a syntax error,
 * complex infinity, a non-zero imaginary part, a free symbol left over, None or a sympy function
 * used as a value), or `'unsupported'` where the text uses something this reader does not know
 * (another function, complex function arguments, a factorial of a fraction).
 */
export function sympyFloat(text: string): number | 'raise' | 'unsupported' {
  if (pyStrip(text).length > MAX_LENGTH) return 'unsupported';
  if (pythonSyntaxTrap(text)) return 'raise';
  const toks = tokenizeSympy(text, { python: true });
  if (!toks) return 'raise';
  let values: C[];
  try {
    values = [evaluate(toks, symbolValues(0.73)), evaluate(toks, symbolValues(1.41))];
    // A power of a symbol can overflow (or underflow) at these points where sympy's exact
    // cancellation leaves a number (`(x+1)**1000 - (x+1)**1000`, `x**2000/x**2000`, `0*(x+1)**1000`),
    // or shrink below any noise where it stays symbolic (`1/(x+1)**1000`). Then points just above
    // 0 (`exp(800*x)`) or just above 1 (`x**2000`) decide, where every double is in range.
    // sympy's own infinities (`oo`, `zoo`, `nan`, `Float("inf")`) are no overflow: their doubles are exact.
    const infinities = toks.some((t) => t.t === 'str' || (t.t === 'name' && (t.v === 'oo' || t.v === 'zoo' || t.v === 'nan')));
    if (!infinities && values.some(outOfRange)) {
      const inRange = (v: C): boolean => !outOfRange(v) && !v.zoo && Number.isFinite(v.re) && Number.isFinite(v.im);
      // An exact 0 at both points may be an underflow there (`y**2000` near 0, `exp(-800*x)` near 1):
      // a family of points with another value wins over one with 0s.
      const families: C[][] = [];
      for (const base of [0, 1]) {
        try {
          const f = [evaluate(toks, nearValues(base, 0.0007)), evaluate(toks, nearValues(base, 0.0014))];
          if (f.every(inRange)) families.push(f);
        } catch (e) {
          // A point where the text cannot be evaluated (`log(x - 1)` near 1) does not decide.
          if (!(e instanceof Raise || e instanceof Unsupported)) throw e;
        }
      }
      const zeros = (f: C[]): boolean => f.every((v) => v.re === 0 && v.im === 0);
      const pick = families.find((f) => !zeros(f)) ?? families[0];
      if (pick) values = pick;
    }
  } catch (e) {
    if (e instanceof Raise) return 'raise';
    if (e instanceof Unsupported) return 'unsupported';
    throw e;
  }
  const [a, b] = values;
  if (!a || !b || !close(a, b)) return 'raise';
  // Still below 1e-200 at a point: a power of the symbol that underflowed, which sympy keeps symbolic.
  if ((a.sym || b.sym) && a.re !== b.re && [a, b].some((v) => v.re !== 0 && Math.abs(v.re) < 1e-200)) return 'raise';
  if (a.zoo) return 'raise';
  if (isNan(a)) return NaN;
  // sympy keeps `oo*(y + 1/2)` and `zoo*y` symbolic; only nan absorbs a symbol.
  if ((a.sym || b.sym) && !Number.isFinite(a.re)) return 'raise';
  // float() raises on any non-zero imaginary part, however small (`+ 1e-20j`).
  if (a.im !== 0) return 'raise';
  return a.re;
}
