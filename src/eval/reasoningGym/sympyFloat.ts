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

import { pythonSyntaxTrap } from './py';
import { SYMPY_NON_SYMBOLS } from './sympyNames';
import { tokenizeSympy, type SympyToken } from './sympyTokens';

const MAX_LENGTH = 2000;
const MAX_DEPTH = 100;

/** A complex number; `zoo` marks sympy's complex infinity (re and im are NaN then). */
interface C {
  re: number;
  im: number;
  zoo?: true;
}

class Raise extends Error {}

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
  if (isZero(a)) return c(0);
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
  ['True', c(1)],
  ['False', c(0)],
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

function evaluate(toks: SympyToken[], symbolValue: (name: string) => C): C {
  let i = 0;
  let depth = 0;
  const isOp = (v: string): boolean => {
    const t = toks[i];
    return t?.t === 'op' && t.v === v;
  };
  const group = (): C => {
    if (++depth > MAX_DEPTH) throw new Unsupported('too deep');
    const v = sum();
    depth--;
    if (!isOp(')')) throw new Raise('missing )');
    i++;
    return v;
  };
  const call = (name: string): C => {
    i++; // (
    const args: C[] = [];
    if (!isOp(')')) {
      if (++depth > MAX_DEPTH) throw new Unsupported('too deep');
      args.push(sum());
      depth--;
    }
    if (!isOp(')')) throw new Raise('missing )');
    i++;
    const [a] = args;
    if (name === 'Rational' && a && args.length === 1) return a;
    const f = REAL_FUNCTIONS.get(name);
    if (!f || !a || args.length !== 1 || a.zoo || a.im !== 0 || !Number.isFinite(a.re)) throw new Unsupported(name);
    if ((name === 'sqrt' || name === 'log') && a.re < 0) throw new Unsupported('complex result');
    if (name === 'log' && a.re === 0) return ZOO;
    return c(f(a.re));
  };
  const operand = (): C => {
    const t = toks[i];
    if (t?.t === 'num') {
      i++;
      return c(Number(t.v.num) / Number(t.v.den));
    }
    if (t?.t === 'name') {
      i++;
      if (isOp('(')) return call(t.v);
      const k = CONSTANTS.get(t.v);
      if (k) return k;
      // None, a function or class used as a value: the arithmetic raises.
      if (SYMPY_NON_SYMBOLS.has(t.v)) throw new Raise(t.v);
      return symbolValue(t.v);
    }
    if (isOp('(')) {
      i++;
      return group();
    }
    throw new Raise('expected an operand');
  };
  const atom = (): C => {
    let v = operand();
    while (isOp('!') || isOp('!!')) {
      const step = isOp('!') ? 1 : 2;
      i++;
      if (v.im !== 0 || !Number.isInteger(v.re) || v.re < 0 || v.re > 1000) throw new Unsupported('factorial');
      let r = 1;
      for (let k = v.re; k > 1; k -= step) r *= k;
      v = c(r);
    }
    return v;
  };
  const unary = (): C => {
    if (isOp('-')) {
      i++;
      return cMul(c(-1), unary());
    }
    if (isOp('+')) {
      i++;
      return unary();
    }
    const base = atom();
    if (isOp('**')) {
      i++;
      return cPow(base, unary());
    }
    return base;
  };
  const product = (): C => {
    let v = unary();
    while (isOp('*') || isOp('/') || isOp('//') || isOp('%')) {
      const op = toks[i++];
      const r = unary();
      if (op?.v === '*') v = cMul(v, r);
      else if (op?.v === '/') v = cDiv(v, r);
      else {
        if (v.im !== 0 || r.im !== 0 || v.zoo || r.zoo || !Number.isFinite(v.re) || !Number.isFinite(r.re)) throw new Unsupported('// or %');
        if (r.re === 0) v = op?.v === '//' ? (v.re === 0 ? NAN : ZOO) : NAN;
        else {
          const q = Math.floor(v.re / r.re);
          v = c(op?.v === '//' ? q : v.re - r.re * q);
        }
      }
    }
    return v;
  };
  const sum = (): C => {
    let v = product();
    while (isOp('+') || isOp('-')) {
      const op = toks[i++];
      const r = product();
      v = cAdd(v, op?.v === '+' ? r : cMul(c(-1), r));
    }
    return v;
  };
  if (toks.length === 0) throw new Raise('empty');
  const v = sum();
  if (i !== toks.length) throw new Raise('trailing tokens');
  return v;
}

/** Two generic values per free symbol: sympy's answer cannot depend on them. */
function symbolValues(base: number): (name: string) => C {
  return (name) => {
    let h = 17;
    for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) % 1000003;
    return c(base + (h % 997) / 211);
  };
}

function close(a: C, b: C): boolean {
  if (a.zoo || b.zoo) return a.zoo === b.zoo;
  if (isNan(a) || isNan(b)) return isNan(a) && isNan(b);
  const near = (x: number, y: number): boolean => x === y || Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
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
  if (text.length > MAX_LENGTH) return 'unsupported';
  if (pythonSyntaxTrap(text)) return 'raise';
  const toks = tokenizeSympy(text);
  if (!toks) return 'raise';
  let values: C[];
  try {
    values = [evaluate(toks, symbolValues(1.37)), evaluate(toks, symbolValues(6.11))];
  } catch (e) {
    if (e instanceof Raise) return 'raise';
    if (e instanceof Unsupported) return 'unsupported';
    throw e;
  }
  const [a, b] = values;
  if (!a || !b || !close(a, b)) return 'raise';
  if (a.zoo) return 'raise';
  if (isNan(a)) return NaN;
  // float() raises on any non-zero imaginary part, however small (`+ 1e-20j`).
  if (a.im !== 0) return 'raise';
  return a.re;
}
