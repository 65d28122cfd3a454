// Polynomials with rational coefficients in any number of symbols, read from sympy's input
// syntax (numbers, names, + - * / **, parentheses, factorials of whole numbers). Enough to decide RG's polynomial datasets:
// simple_integration (the answer's derivative equals the integrand) and
// polynomial_multiplication (sympy's structural equality with the expanded product).
// Text outside this subset (function calls, division by a sum, `^`) is not a polynomial: null.
// Division by a monomial gives negative exponents (a Laurent polynomial), as sympy cancels
// `x*x/x` to `x`; `I` is sympy's imaginary unit (I**2 = -1).

import { SYMPY_CONSTANT_NAMES, SYMPY_NON_SYMBOLS } from './sympyNames';
import { add, div, equals, mul, rational, type Rational } from '../rational';
import { PY_NAME, pythonSyntaxTrap } from './py';
import { tokenizeSympy } from './sympyTokens';

/** Monomial key ("x^2*y^1", "" for the constant) → coefficient; zero terms are never stored. */
export type Poly = ReadonlyMap<string, Rational>;

const MAX_LENGTH = 5000;
const MAX_DEPTH = 100;
const MAX_POWER = 200n;
/** Factorials of numbers beyond this are refused (the values would be astronomically large). */
const MAX_FACTORIAL = 1000n;
/** A product with more terms than this is refused (hostile input like (a+b+c+d)**200 would explode). */
const MAX_TERMS = 1000;
/** Names sympy's parser does not turn into plain symbols (Python keywords, sympy functions/objects). */

function parseMonomial(key: string): Map<string, bigint> {
  const m = new Map<string, bigint>();
  if (key === '') return m;
  for (const part of key.split('*')) {
    const [s, e] = part.split('^');
    m.set(s ?? '', BigInt(e ?? '1'));
  }
  return m;
}

/** A monomial's key: its symbols with nonzero exponents, sorted by name, as `x^2*y^1` (`''` for a constant). */
export function monomialKey(m: ReadonlyMap<string, bigint>): string {
  return [...m]
    .filter(([, e]) => e !== 0n)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([s, e]) => `${s}^${e}`)
    .join('*');
}

function constant(v: Rational): Poly {
  return v.num === 0n ? new Map() : new Map([['', v]]);
}

function addPoly(a: Poly, b: Poly): Poly {
  const out = new Map(a);
  for (const [k, v] of b) {
    const s = add(out.get(k) ?? rational(0n), v);
    if (s.num === 0n) out.delete(k);
    else out.set(k, s);
  }
  return out;
}

function mulPoly(a: Poly, b: Poly): Poly {
  if (a.size * b.size > MAX_TERMS * 10) throw new SyntaxError('too many terms');
  const out = new Map<string, Rational>();
  for (const [ka, va] of a) {
    for (const [kb, vb] of b) {
      const m = parseMonomial(ka);
      for (const [s, e] of parseMonomial(kb)) m.set(s, (m.get(s) ?? 0n) + e);
      // sympy's imaginary unit (`I`, and `2j`, read as `2*I`): I**2 is -1 (I**-1 is -I).
      const ie = m.get('I') ?? 0n;
      const iSign = ((ie % 4n) + 4n) % 4n >= 2n ? -1n : 1n;
      if (ie !== 0n) m.set('I', ((ie % 2n) + 2n) % 2n);
      const key = monomialKey(m);
      const sum = add(out.get(key) ?? rational(0n), mul(mul(va, vb), rational(iSign)));
      if (sum.num === 0n) out.delete(key);
      else out.set(key, sum);
    }
  }
  if (out.size > MAX_TERMS) throw new SyntaxError('too many terms');
  return out;
}

function isConstant(p: Poly): boolean {
  return p.size === 0 || (p.size === 1 && p.has(''));
}

function constantValue(p: Poly): Rational {
  return p.get('') ?? rational(0n);
}

/**
 * A parsed polynomial and whether sympy would keep it as a plain sum of monomials: sympy's
 * automatic evaluation combines like terms and powers, and distributes a number over a sum
 * (`2*(x+1)` → `2*x + 2`), but keeps other products and powers of sums (`x*(x+1)`, `(x+1)**2`).
 */
export interface PolyForm {
  readonly poly: Poly;
  readonly expanded: boolean;
  /** Written with a decimal point or exponent somewhere (sympy Floats). */
  readonly usesFloat: boolean;
}

/** Python's floor division and modulo of two rationals (null for a zero divisor, where sympy raises). */
function floorMod(op: '//' | '%', a: Rational, b: Rational): Rational | null {
  if (b.num === 0n) return null;
  const q = div(a, b);
  if (!q) return null;
  let f = q.num / q.den;
  if (q.num < 0n && f * q.den !== q.num) f -= 1n;
  return op === '//' ? rational(f) : add(a, mul(rational(-f), b));
}

/** The key of an undefined function's call (`f(x)`, sympy's auto_symbol): equal calls cancel. */
function callKey(name: string, args: readonly Poly[]): string {
  const show = (p: Poly): string =>
    [...p]
      .map(([k, v]) => `${k.replace(/\^/g, '~')}:${v.num}/${v.den}`)
      .sort()
      .join('+');
  return `${name}(${args.map(show).join(',')})`;
}

/**
 * Parses sympy input as a polynomial; null when it is not one (or not valid input). Python's
 * `and`, `or`, `not` and `x if c else y` pick a side by its truth value (a non-zero number or a
 * non-constant polynomial is true); `S(p)` is p, `Symbol("y")` the symbol y, `True` / `False` the
 * ints 1 / 0 (beside a whole number only: `x + True` raises in sympy). Whole numbers fold under
 * `//` and `%` (`0%1` is 0, `1//oo` 0); other operands of them are refused. An undefined
 * function's call (`f(x)`) is an opaque symbol whose name holds `(`.
 */
export function parsePolynomial(text: string): PolyForm | null {
  if (text.length > MAX_LENGTH || pythonSyntaxTrap(text)) return null;
  const toks = tokenizeSympy(text, { python: true });
  if (!toks || toks.length === 0) return null;
  let i = 0;
  let depth = 0;
  let usesFloat = false;
  const isOp = (v: string): boolean => {
    const t = toks[i];
    return t?.t === 'op' && t.v === v;
  };
  type F = { poly: Poly; expanded: boolean; py?: true };
  const isKw = (v: string): boolean => {
    const t = toks[i];
    return t?.t === 'name' && t.v === v;
  };
  const truthy = (f: F): boolean => !isConstant(f.poly) || constantValue(f.poly).num !== 0n;
  /** A Python bool beside anything but a whole number raises in sympy. */
  const checkBool = (a: F, b: F): void => {
    const whole = (f: F): boolean => isConstant(f.poly) && constantValue(f.poly).den === 1n;
    if ((a.py && !whole(b)) || (b.py && !whole(a))) fail();
  };
  const fail = (): never => {
    throw new SyntaxError('not a polynomial');
  };
  const terms = (f: F): number => f.poly.size;
  // sympy's factorial_notation wraps the number, name or parenthesised group just before `!` /
  // `!!`. A whole number's factorial is a number (`x**2!` is `x**2`); a symbol's is an opaque
  // symbol named `C!` / `C!!` (sympy's unevaluated factorial(C)); anything else is refused.
  const atom = (): F => {
    let v = operand();
    while (isOp('!') || isOp('!!')) {
      const bang = isOp('!') ? '!' : '!!';
      const step = bang === '!' ? 1n : 2n;
      i++;
      const [key, coeff] = v.poly.size === 1 ? ([...v.poly][0] ?? ['', rational(0n)]) : ['', rational(0n)];
      if (/^\w+\^1$/.test(key) && equals(coeff, rational(1n))) {
        v = { poly: new Map([[`${key.slice(0, -2)}${bang}^1`, rational(1n)]]), expanded: true };
        continue;
      }
      if (!isConstant(v.poly)) fail();
      const n = constantValue(v.poly);
      if (n.den !== 1n || n.num < 0n || n.num > MAX_FACTORIAL) fail();
      let r = 1n;
      for (let k = n.num; k > 1n; k -= step) r *= k;
      v = { poly: constant(rational(r)), expanded: true };
    }
    return v;
  };
  const operand = (): F => {
    const t = toks[i];
    if (t?.t === 'num') {
      i++;
      // A Float zero vanishes in sympy's sum (`x + 0.0` is `x`, `+ 0.0j` too); any other Float stays.
      if (t.float && t.v.num !== 0n) usesFloat = true;
      return { poly: constant(t.v), expanded: true };
    }
    if (t?.t === 'name') {
      i++;
      // A function call, keyword or sympy object fails; sympy's constants (E, pi, oo, ...) stay opaque
      // constants, as a constant of integration `+ E` is one for RG.
      if (t.v === 'True' || t.v === 'False') return { poly: constant(rational(t.v === 'True' ? 1n : 0n)), expanded: true, py: true };
      if (isOp('(')) return call(t.v);
      // nan is an opaque constant here too (the scorers check separately whether sympy makes the answer nan).
      if (SYMPY_NON_SYMBOLS.has(t.v) && t.v !== 'nan') fail();
      return { poly: new Map([[`${t.v}^1`, rational(1n)]]), expanded: true };
    }
    if (isOp('(')) {
      i++;
      if (++depth > MAX_DEPTH) fail();
      const v = test();
      depth--;
      if (!isOp(')')) fail();
      i++;
      return v;
    }
    return fail();
  };
  const call = (name: string): F => {
    i++; // (
    if (++depth > MAX_DEPTH) fail();
    const str = toks[i];
    if (name === 'Symbol' && str?.t === 'str' && isOpAt(i + 1, ')')) {
      i += 2;
      depth--;
      if (!new RegExp(`^${PY_NAME}$`, 'u').test(str.v)) fail();
      return { poly: new Map([[`${str.v}^1`, rational(1n)]]), expanded: true };
    }
    const args: F[] = [];
    while (!isOp(')')) {
      args.push(test());
      if (isOp(',')) i++;
      else break;
    }
    if (!isOp(')')) fail();
    i++;
    depth--;
    const [a] = args;
    if (name === 'S' && a && args.length === 1 && !a.py) return a;
    // Python's abs (sympy's Abs) of a number is its absolute value (`abs(5)*x`); of anything else it is not read.
    if ((name === 'abs' || name === 'Abs') && a && args.length === 1 && isConstant(a.poly) && !(a.py && name === 'Abs')) {
      const v = constantValue(a.poly);
      return { poly: constant(v.num < 0n ? rational(-v.num, v.den) : v), expanded: true, ...(a.py ? { py: true as const } : {}) };
    }
    if (SYMPY_NON_SYMBOLS.has(name) || SYMPY_CONSTANT_NAMES.has(name) || args.some((f) => f.py)) return fail();
    return {
      poly: new Map([
        [
          `${callKey(
            name,
            args.map((f) => f.poly),
          )}^1`,
          rational(1n),
        ],
      ]),
      expanded: true,
    };
  };
  const isOpAt = (k: number, v: string): boolean => {
    const t = toks[k];
    return t?.t === 'op' && t.v === v;
  };
  const unary = (): F => {
    if (isOp('-')) {
      i++;
      const v = unary();
      return { poly: mulPoly(constant(rational(-1n)), v.poly), expanded: v.expanded };
    }
    if (isOp('+')) {
      i++;
      return unary();
    }
    if (isOp('~')) {
      // Python's ~ of a whole number (a sympy Integer or a bool): -(n + 1); of anything else it is not read.
      i++;
      const v = unary();
      if (!isConstant(v.poly) || constantValue(v.poly).den !== 1n) fail();
      return { poly: constant(rational(-constantValue(v.poly).num - 1n)), expanded: true, ...(v.py ? { py: true as const } : {}) };
    }
    return power();
  };
  const power = (): F => {
    const base = atom();
    if (!isOp('**')) return base;
    i++;
    const from = i;
    const exp = unary();
    // A float exponent (x**8.0) is no longer a polynomial power for sympy (x**8.0 != x**8).
    if (toks.slice(from, i).some((tk) => tk.t === 'num' && tk.float)) fail();
    if (!isConstant(exp.poly)) fail();
    const e = constantValue(exp.poly);
    if (e.den !== 1n || e.num < 0n || e.num > MAX_POWER) fail();
    let poly: Poly = constant(rational(1n));
    for (let k = 0n; k < e.num; k++) poly = mulPoly(poly, base.poly);
    // A power of a sum stays unexpanded in sympy unless the exponent is 0 or 1.
    return { poly, expanded: base.expanded && (terms(base) <= 1 || e.num <= 1n) };
  };
  const product = (): F => {
    const floatBefore = usesFloat;
    const v = productTerms();
    // A product that is 0 (`1.5*0.0`) vanishes from the sum, Floats and all.
    if (isConstant(v.poly) && constantValue(v.poly).num === 0n) usesFloat = floatBefore;
    return v;
  };
  const productTerms = (): F => {
    let v = unary();
    while (isOp('*') || isOp('/') || isOp('//') || isOp('%')) {
      const op = toks[i++];
      let r = unary();
      checkBool(v, r);
      if (op?.v === '//' || op?.v === '%') {
        const same = polyEquals(v.poly, r.poly) && !isConstant(v.poly);
        // Mod(a, a) is 0 and floor(a/a) 1; 0 % a and 0 // a are 0; `x//oo` is 0 (`x%oo` nan).
        if (same) {
          v = { poly: constant(rational(op.v === '%' ? 0n : 1n)), expanded: true };
          continue;
        }
        const [rInf] = r.poly.size === 1 ? [...r.poly] : [];
        if (!isConstant(v.poly) && rInf && (rInf[0] === 'oo^1' || rInf[0] === 'zoo^1') && op.v === '//') {
          v = { poly: constant(rational(0n)), expanded: true };
          continue;
        }
        if (isConstant(v.poly) && constantValue(v.poly).num === 0n && !isConstant(r.poly) && !(rInf && (rInf[0] === 'oo^1' || rInf[0] === 'zoo^1'))) {
          v = { poly: constant(rational(0n)), expanded: true };
          continue;
        }
        if (!isConstant(v.poly)) fail();
        const a = constantValue(v.poly);
        // A number over an infinity: `1//oo` is 0, `-2//oo` -1 (Python's floor), `2%oo` nan.
        const [inf] = r.poly.size === 1 ? [...r.poly] : [];
        if (inf && (inf[0] === 'oo^1' || inf[0] === 'zoo^1')) {
          if (v.py || op.v === '%') fail();
          // Python's floor of a whole number over an infinity (`-2//oo` is -1); a Float or fraction gives 0.
          const negative = inf[1].num < 0n;
          v = { poly: constant(rational(inf[0] === 'oo^1' && a.den === 1n && a.num !== 0n && a.num < 0n !== negative ? -1n : 0n)), expanded: true };
          continue;
        }
        if (!isConstant(r.poly)) fail();
        // Bools take part as Python ints beside whole numbers (`True % 2` is 1, `False // True` 0).
        const q = floorMod(op.v, a, constantValue(r.poly));
        if (!q) fail();
        v = { poly: constant(q ?? rational(0n)), expanded: true, ...(v.py && r.py ? { py: true as const } : {}) };
        continue;
      }
      if (op?.v === '/' && (v.py || r.py)) fail();
      if (op?.v === '/') {
        // Division by a number or by one monomial (sympy cancels like factors: `x*x/x` is `x`);
        // by a sum it is no polynomial.
        const [only] = r.poly.size === 1 ? [...r.poly] : [];
        if (!only) fail();
        const [key, coeff] = only ?? ['', rational(1n)];
        const inv = div(rational(1n), coeff);
        if (!inv) fail();
        const m = parseMonomial(key);
        for (const [sym, e] of m) m.set(sym, -e);
        r = { poly: new Map([[monomialKey(m), inv ?? rational(1n)]]), expanded: r.expanded };
      }
      const numberTimesSum = isConstant(v.poly) || isConstant(r.poly);
      if (v.py && r.py) {
        v = { poly: mulPoly(v.poly, r.poly), expanded: true, py: true };
        continue;
      }
      const expanded = v.expanded && r.expanded && (numberTimesSum || (terms(v) <= 1 && terms(r) <= 1));
      v = { poly: mulPoly(v.poly, r.poly), expanded };
    }
    return v;
  };
  const sum = (): F => {
    let v = product();
    while (isOp('+') || isOp('-')) {
      const op = toks[i++];
      const r = product();
      checkBool(v, r);
      v = { poly: addPoly(v.poly, op?.v === '+' ? r.poly : mulPoly(constant(rational(-1n)), r.poly)), expanded: v.expanded && r.expanded };
    }
    return v;
  };
  /** A comparison's truth value, as a bool: `==` / `!=` compare the polynomials, `<` ... two numbers; else sympy has none (fails). */
  const comparison = (): F => {
    let v = sum();
    for (;;) {
      const t = toks[i];
      if (t?.t !== 'op' || !['==', '!=', '<', '>', '<=', '>='].includes(t.v)) return v;
      i++;
      const r = sum();
      let holds: boolean;
      if (t.v === '==' || t.v === '!=') holds = polyEquals(v.poly, r.poly) === (t.v === '==');
      else {
        if (!isConstant(v.poly) || !isConstant(r.poly)) fail();
        const d = add(constantValue(v.poly), mul(rational(-1n), constantValue(r.poly)));
        holds = t.v === '<' ? d.num < 0n : t.v === '>' ? d.num > 0n : t.v === '<=' ? d.num <= 0n : d.num >= 0n;
      }
      v = { poly: constant(rational(holds ? 1n : 0n)), expanded: true, py: true };
    }
  };
  const notTest = (): F => {
    if (isKw('not')) {
      i++;
      const v = notTest();
      return { poly: constant(rational(truthy(v) ? 0n : 1n)), expanded: true, py: true };
    }
    // A string or None as a condition: Python's truth value ("" and None are false).
    const lit = toks[i];
    const next = toks[i + 1];
    if (lit && (lit.t === 'str' || (lit.t === 'name' && lit.v === 'None')) && next?.t === 'name' && ['else', 'if', 'and', 'or'].includes(next.v)) {
      i++;
      return { poly: constant(rational(lit.t === 'str' && lit.v !== '' ? 1n : 0n)), expanded: true, py: true };
    }
    return comparison();
  };
  const boolLevel =
    (kw: 'and' | 'or', next: () => F): (() => F) =>
    (): F => {
      const floatBefore = usesFloat;
      let v = next();
      let floatV = usesFloat;
      while (isKw(kw)) {
        i++;
        usesFloat = floatBefore;
        const r = next();
        const floatR = usesFloat;
        const keepLeft = truthy(v) === (kw === 'or');
        v = keepLeft ? v : r;
        floatV = keepLeft ? floatV : floatR;
      }
      usesFloat = floatV;
      return v;
    };
  const orTest = boolLevel('or', boolLevel('and', notTest));
  function test(): F {
    // Only the side picked counts for Floats (`x if 1.5 else 2.0` has none).
    const floatBefore = usesFloat;
    const body = orTest();
    if (!isKw('if')) return body;
    const floatBody = usesFloat;
    i++;
    const cond = orTest();
    if (!isKw('else')) fail();
    i++;
    usesFloat = floatBefore;
    const other = test();
    const pickBody = truthy(cond);
    if (pickBody) usesFloat = floatBody;
    return pickBody ? body : other;
  }
  try {
    const v = test();
    if (i !== toks.length) return null;
    if (v.py && !isConstant(v.poly)) return null;
    return { poly: v.poly, expanded: v.expanded, usesFloat };
  } catch {
    return null;
  }
}

/** Whether `p` holds sympy's unevaluated factorial of `symbol` (`x!`, `x!!`), which is no polynomial in it. */
export function hasFactorialOf(p: Poly, symbol: string): boolean {
  return [...p.keys()].some((k) => [...parseMonomial(k).keys()].some((s) => s === `${symbol}!` || s === `${symbol}!!`));
}

/** d/d`symbol` of a polynomial (factorials of symbols count as constants: see `hasFactorialOf`). */
export function derivative(p: Poly, symbol: string): Poly {
  let out: Poly = new Map();
  for (const [k, v] of p) {
    const m = parseMonomial(k);
    const e = m.get(symbol) ?? 0n;
    if (e === 0n) continue;
    m.set(symbol, e - 1n);
    out = addPoly(out, new Map([[monomialKey(m), mul(v, rational(e))]]));
  }
  return out;
}

export function polyEquals(a: Poly, b: Poly): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || !equals(v, w)) return false;
  }
  return true;
}
