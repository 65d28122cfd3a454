// RG's simple_integration test, `simplify(diff(answer, x) - integrand) == 0`, for an answer that
// is a sum of monomial terms with sympy Floats in their coefficients (`-X**5/7. - X**3/2 + C`).
// sympy computes a Float coefficient in binary floating point (53 bits for a literal of up to 15
// significant digits, more for longer ones), rounding after every operation in the order Python
// evaluates it, so the derivative's coefficient can miss the integrand's rational one by a unit
// in the last place: `-X**5/7.` has the coefficient fl(-1/7), its derivative fl(5 * fl(-1/7)),
// which is not fl(-5/7), and the difference is a tiny Float that `simplify` keeps (RG scores 0).
// Here every Float step is the exact result rounded to the operands' precision, to nearest with
// ties to even, as mpmath rounds.
//
// Only the subset whose evaluation order is certain is read: sums and differences of terms, a
// term being numbers and names (a name to a whole power, a number to the power -1 to 2) joined by
// `*` and `/`, with unary signs, and such a term in parentheses. Anything else (a sum in
// parentheses, functions, a Float power of a name, answers without a Float) gives null, and the
// caller keeps its exact reading.

import { SYMPY_CONSTANT_NAMES, SYMPY_NON_SYMBOLS } from './sympyNames';
import { add, div, mul, neg, rational, type Rational } from '../rational';
import { PY_NAME, pythonSyntaxTrap } from './py';
import { tokenizeSympy } from './sympyTokens';
import { monomialKey } from './polynomial';

/**
 * An exact sympy Rational, or a sympy Float: its exact (binary) value and its precision in bits
 * (53 for a literal of up to 15 significant digits, more for longer ones, as sympy reads them).
 */
type Num = { readonly q: Rational } | { readonly f: Rational; readonly p: number };
/** One term: a coefficient times a product of symbol powers. */
interface Term {
  readonly c: Num;
  readonly m: ReadonlyMap<string, bigint>;
}

class Unsupported extends Error {}
const bail = (): never => {
  throw new Unsupported();
};

const NAME = new RegExp(`^${PY_NAME}$`, 'u');
const KEYWORDS = new Set(['and', 'or', 'not', 'if', 'else', 'in', 'is', 'lambda', 'None', 'True', 'False']);
/** Beyond this precision (about 300 digits) nothing is emulated. */
const MAX_PREC = 1000;

const bitLength = (n: bigint): number => (n === 0n ? 0 : n.toString(2).length);

/** `r` rounded to `p` significant bits, to nearest with ties to even, as mpmath rounds (`round_nearest`). */
function roundTo(r: Rational, p: number): Rational {
  if (r.num === 0n) return r;
  const negative = r.num < 0n;
  const a = negative ? -r.num : r.num;
  const b = r.den;
  // e such that a / b / 2^e has p bits before the point.
  let e = bitLength(a) - bitLength(b) - p;
  const scaled = (k: number): [bigint, bigint] => (k >= 0 ? [a, b << BigInt(k)] : [a << BigInt(-k), b]);
  let [n, d] = scaled(e);
  if (n / d >= 1n << BigInt(p)) [n, d] = scaled(++e);
  else if (n / d < 1n << BigInt(p - 1)) [n, d] = scaled(--e);
  let q = n / d;
  const rem2 = 2n * (n - q * d);
  if (rem2 > d || (rem2 === d && (q & 1n) === 1n)) q += 1n;
  const value = e >= 0 ? rational(q << BigInt(e)) : rational(q, 1n << BigInt(-e));
  return negative ? neg(value) : value;
}

/** sympy's precision of a Float literal: the digits of Python's Decimal(text) (at least 15), in bits (mpmath's dps_to_prec). */
function literalPrecision(src: string): number {
  const text = src.replace(/_/g, '').toLowerCase();
  const [mantissa = '', exponent = '0'] = text.split('e');
  const digits = mantissa.replace('.', '').replace(/^0+/, '');
  let dps = Math.max(digits.length, 1);
  // An integer without a point (`12e3`): at least the digits of the integer it is.
  if (!mantissa.includes('.')) dps = Math.max(dps, digits.length + Number(exponent));
  return Math.max(1, Math.round((Math.max(15, dps) + 1) * 3.3219280948873626));
}

/** A Float of precision `p` with the exact value `r` rounded to it. */
const float = (r: Rational, p: number): Num => (p > MAX_PREC ? bail() : { f: roundTo(r, p), p });
/** The operands' common precision: the Float's (a Rational is rounded to it first), or the larger of two Floats'. */
function operands(a: Num, b: Num): [Rational, Rational, number] {
  const p = Math.max('f' in a ? a.p : 0, 'f' in b ? b.p : 0);
  const value = (n: Num): Rational => ('f' in n ? n.f : roundTo(n.q, p));
  return [value(a), value(b), p];
}
const isZero = (n: Num): boolean => ('f' in n ? n.f.num === 0n : n.q.num === 0n);

function mulNum(a: Num, b: Num): Num {
  if ('q' in a && 'q' in b) return { q: mul(a.q, b.q) };
  const [x, y, p] = operands(a, b);
  return float(mul(x, y), p);
}

function addNum(a: Num, b: Num): Num {
  if ('q' in a && 'q' in b) return { q: add(a.q, b.q) };
  const [x, y, p] = operands(a, b);
  return float(add(x, y), p);
}

function negNum(a: Num): Num {
  return 'f' in a ? { f: neg(a.f), p: a.p } : { q: neg(a.q) };
}

/** sympy's `1/n` (`Pow(n, -1)`): exact for a Rational, 1/F rounded to F's precision for a Float. */
function inverse(a: Num): Num {
  if ('f' in a) return float(div(rational(1n), a.f) ?? bail(), a.p);
  return { q: div(rational(1n), a.q) ?? bail() };
}

/** The quotient of two numbers as sympy's Number classes compute it (`Rational / Float` is `self * (1/other)`). */
function divNum(a: Num, b: Num): Num {
  if (isZero(b)) bail();
  if ('q' in a && 'q' in b) return { q: div(a.q, b.q) ?? bail() };
  if ('f' in a) {
    const [x, y, p] = operands(a, b);
    return float(div(x, y) ?? bail(), p);
  }
  return mulNum(a, inverse(b));
}

/**
 * A number to a whole power where a Float is involved (`7.**-1`, `7**-1.`, `2.5**2`): the exact
 * power rounded once, as mpmath's integer power is for exponents -1 to 2 (others are not read).
 */
function floatPower(base: Num, k: bigint, exponentPrec: number): Num {
  if (k < -1n || k > 2n) bail();
  const p = Math.max('f' in base ? base.p : 0, exponentPrec);
  const b = 'f' in base ? base.f : roundTo(base.q, p);
  if (k === 0n) return float(rational(1n), p);
  if (b.num === 0n && k < 0n) bail();
  const r = k === -1n ? (div(rational(1n), b) ?? bail()) : k === 1n ? b : mul(b, b);
  return float(r, p);
}

/** Parses the subset into its collected terms (monomial key → coefficient), as sympy's Add collects them. */
function parseTerms(text: string): Map<string, { c: Num; m: ReadonlyMap<string, bigint> }> {
  // As long as the polynomial reader takes (a hostile answer of many huge literals stays cheap).
  if (text.length > 5000 || pythonSyntaxTrap(text)) bail();
  const toks = tokenizeSympy(text) ?? bail();
  let i = 0;
  let sawFloat = false;
  const isOp = (v: string): boolean => {
    const t = toks[i];
    return t?.t === 'op' && t.v === v;
  };
  const atom = (): Term => {
    const t = toks[i++];
    if (t?.t === 'num') {
      if (t.float) sawFloat = true;
      return { c: t.float ? float(t.v, literalPrecision(t.src ?? bail())) : { q: t.v }, m: new Map() };
    }
    if (t?.t === 'name') {
      if (!NAME.test(t.v) || KEYWORDS.has(t.v) || SYMPY_NON_SYMBOLS.has(t.v) || SYMPY_CONSTANT_NAMES.has(t.v)) bail();
      return { c: { q: rational(1n) }, m: new Map([[t.v, 1n]]) };
    }
    // A parenthesised term (`X**5*(1/7.)`): evaluated first, as Python does; a parenthesised sum is not read.
    if (t?.t === 'op' && t.v === '(') {
      const v = term();
      if (!isOp(')')) bail();
      i++;
      return v;
    }
    return bail();
  };
  const power = (): Term => {
    const base = atom();
    if (!isOp('**')) return base;
    i++;
    let sign = 1n;
    for (;;) {
      if (isOp('-')) sign = -sign;
      else if (!isOp('+')) break;
      i++;
    }
    const e = toks[i++];
    // A whole-number exponent, Integer or Float (`7**-1.` is Float(7)**Float(-1.), 1/7 rounded).
    if (e?.t !== 'num' || e.v.den !== 1n || e.v.num > 200n) return bail();
    if (e.float) sawFloat = true;
    const k = sign * e.v.num;
    if (base.m.size === 0 && ('f' in base.c || e.float)) return { c: floatPower(base.c, k, e.float ? literalPrecision(e.src ?? bail()) : 0), m: new Map() };
    if (e.float) bail();
    if (base.m.size === 0) {
      let r = rational(1n);
      const q = (base.c as { q: Rational }).q;
      for (let n = 0n; n < (k < 0n ? -k : k); n++) r = mul(r, q);
      return { c: { q: k < 0n ? (div(rational(1n), r) ?? bail()) : r }, m: new Map() };
    }
    const [only, ...more] = [...base.m];
    if (!only || more.length > 0 || !('q' in base.c) || base.c.q.num !== 1n || base.c.q.den !== 1n || only[1] !== 1n) bail();
    return { c: base.c, m: new Map([[only?.[0] ?? '', k]]) };
  };
  const unary = (): Term => {
    if (isOp('-')) {
      i++;
      const v = unary();
      return { c: negNum(v.c), m: v.m };
    }
    if (isOp('+')) {
      i++;
      return unary();
    }
    return power();
  };
  function term(): Term {
    let v = unary();
    while (isOp('*') || isOp('/')) {
      const op = toks[i++];
      const f = unary();
      const m = new Map(v.m);
      const sign = op?.t === 'op' && op.v === '/' ? -1n : 1n;
      for (const [s, e] of f.m) m.set(s, (m.get(s) ?? 0n) + sign * e);
      if (sign === 1n) v = { c: mulNum(v.c, f.c), m };
      else if (f.m.size === 0 && v.m.size === 0) v = { c: divNum(v.c, f.c), m };
      // Expr / Expr is Mul(v, Pow(f, -1)): the divisor's coefficient is inverted first.
      else v = { c: mulNum(v.c, inverse(f.c)), m };
    }
    return v;
  }
  const sum = new Map<string, { c: Num; m: ReadonlyMap<string, bigint> }>();
  const put = (t: Term): void => {
    const key = monomialKey(t.m);
    const old = sum.get(key);
    const c = old ? addNum(old.c, t.c) : t.c;
    // sympy's Add drops a term whose coefficient is 0 (a Float 0.0 too).
    if (isZero(c)) sum.delete(key);
    else sum.set(key, { c, m: t.m });
  };
  put(term());
  while (isOp('+') || isOp('-')) {
    const op = toks[i++];
    const t = term();
    put(op?.t === 'op' && op.v === '-' ? { c: negNum(t.c), m: t.m } : t);
  }
  // Without a Float the exact readers decide.
  if (i !== toks.length || !sawFloat) bail();
  return sum;
}

/**
 * The answer as sympy collects it (monomial key → coefficient, each Float coefficient rounded as
 * sympy rounds it; a term whose coefficient comes to 0, a Float 0.0 too, is dropped), or null
 * outside the subset read here or without a Float. For polynomial_multiplication's structural
 * `==`: a Float coefficient left over never equals the gold's Integer.
 */
export function floatPolyCoefficients(answer: string): Map<string, { float: boolean; value: Rational }> | null {
  try {
    const out = new Map<string, { float: boolean; value: Rational }>();
    for (const [key, { c }] of parseTerms(answer)) out.set(key, 'f' in c ? { float: true, value: c.f } : { float: false, value: c.q });
    return out;
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
}

/**
 * Whether `simplify(diff(answer, variable) - integrand) == 0` holds in sympy for an answer written
 * as a sum of monomial terms with Float coefficients, the derivative's Float coefficients computed
 * as sympy rounds them (53 bits); null when the answer is outside that subset (the caller decides
 * then). `integrand` maps monomial keys (`x^2`, `` for the constant) to exact coefficients.
 */
export function floatPolyAntiderivative(answer: string, variable: string, integrand: ReadonlyMap<string, Rational>): boolean | null {
  try {
    const terms = parseTerms(answer);
    const derivative = new Map<string, Num>();
    for (const { c, m } of terms.values()) {
      const e = m.get(variable) ?? 0n;
      if (e === 0n) continue;
      const dm = new Map(m);
      dm.set(variable, e - 1n);
      derivative.set(monomialKey(dm), mulNum(c, { q: rational(e) }));
    }
    for (const key of new Set([...derivative.keys(), ...integrand.keys()])) {
      const d = derivative.get(key) ?? { q: rational(0n) };
      // Float - Rational: the Rational is rounded to the Float's precision; sympy's Add drops a 0 result.
      if (!isZero(addNum(d, { q: neg(integrand.get(key) ?? rational(0n)) }))) return false;
    }
    return true;
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
}
