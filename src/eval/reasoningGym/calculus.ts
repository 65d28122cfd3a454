// intermediate_integration: RG accepts an answer whose derivative (sympy.diff) minus the
// integrand simplifies to 0. Here the answer is parsed (sympy's input syntax: numbers, names,
// + - * / **, calls of the elementary functions, `Integral(f, x)`), differentiated symbolically,
// and the difference is evaluated in complex arithmetic (so square roots of negative arguments
// behave as in sympy) at several points: zero at every point means an antiderivative.
// Other names are constants (`+ C`, `+ D`), as they are for sympy.

import { SYMPY_CONSTANT_NAMES, SYMPY_NON_SYMBOLS } from './sympyNames';
import { metaString, RgDataError, type RgScorer } from './entry';
import { PY_NAME, PY_WORD, pyDecimal, pyIntBase0, pyStrip, pythonSyntaxTrap } from './py';
import { parsePyLiteral } from './pyLiteral';
import type { Rational } from '../rational';

type C = readonly [number, number];
type Node =
  | { readonly t: 'num'; readonly v: C; readonly float?: true; readonly py?: true; /** A Float literal's exact decimal value. */ readonly dec?: Rational }
  | { readonly t: 'sym'; readonly name: string }
  | { readonly t: 'add' | 'mul' | 'pow'; readonly a: Node; readonly b: Node }
  | { readonly t: 'neg'; readonly a: Node }
  | { readonly t: 'fn'; readonly name: Fn; readonly a: Node }
  | { readonly t: 'integral'; readonly f: Node; readonly x: string }
  /** `a // b` or `a % b` of symbols (floor / Mod): a constant unless it depends on the variable. */
  | { readonly t: 'floor' | 'mod'; readonly a: Node; readonly b: Node }
  /** An undefined function (`f(x)`, sympy's auto_symbol): cancels only with the same call. */
  | { readonly t: 'ufn'; readonly name: string; readonly args: readonly Node[]; readonly order: number };

const FNS = ['sin', 'cos', 'tan', 'exp', 'log', 'sqrt', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh'] as const;
type Fn = (typeof FNS)[number];
const isFn = (s: string): s is Fn => (FNS as readonly string[]).includes(s);

const MAX_LENGTH = 3000;
const MAX_DEPTH = 80;
/** The largest whole number whose factorial is read (170! is the last finite double). */
const MAX_FACTORIAL = 170;

const num = (re: number, im = 0): Node => ({ t: 'num', v: [re, im] });
const ZERO = num(0);
const ONE = num(1);
const isZero = (n: Node): boolean => n.t === 'num' && n.v[0] === 0 && n.v[1] === 0;
const isOne = (n: Node): boolean => n.t === 'num' && n.v[0] === 1 && n.v[1] === 0;
const addN = (a: Node, b: Node): Node => (isZero(a) ? b : isZero(b) ? a : { t: 'add', a, b });
const mulN = (a: Node, b: Node): Node => (isZero(a) || isZero(b) ? ZERO : isOne(a) ? b : isOne(b) ? a : { t: 'mul', a, b });
const negN = (a: Node): Node => (isZero(a) ? ZERO : { t: 'neg', a });
const powN = (a: Node, b: Node): Node => ({ t: 'pow', a, b });
const divN = (a: Node, b: Node): Node => mulN(a, powN(b, num(-1)));
const fn = (name: Fn, a: Node): Node => ({ t: 'fn', name, a });
/** sympy's complex infinity (zoo), as a number both of whose parts are infinite. */
const ZOO_NODE = num(Infinity, Infinity);
/** Python's True / False (a bool, which sympy takes only beside an Integer). */
const isPyInt = (n: Node): boolean => n.t === 'num' && n.py === true;
/** A sympy Integer (or a bool): the only numbers a Python bool combines with. */
const isWholeNum = (n: Node): boolean => n.t === 'num' && !n.float && n.v[1] === 0 && Number.isInteger(n.v[0]);
/** Whether a bool meets anything but a whole number (sympy raises: `x + True`, `I*False`, `0.5 + True`). */
const badBool = (a: Node, b: Node): boolean => (isPyInt(a) && !isWholeNum(b)) || (isPyInt(b) && !isWholeNum(a));
const isZooC = (v: C): boolean => v[1] === Infinity;
const isNanC = (v: C): boolean => Number.isNaN(v[0]) || Number.isNaN(v[1]);
const isFiniteC = (v: C): boolean => Number.isFinite(v[0]) && Number.isFinite(v[1]);

/** sympy's sum and product of two numbers, infinities included (`oo - oo`, `0*oo`, `0*zoo` are nan). */
function numAdd(a: C, b: C): C {
  if (isNanC(a) || isNanC(b)) return [Number.NaN, 0];
  if (isZooC(a) || isZooC(b)) return (isZooC(a) && isZooC(b)) || !isFiniteC(isZooC(a) ? b : a) ? [Number.NaN, 0] : [Infinity, Infinity];
  return [a[0] + b[0], a[1] + b[1]];
}
function numMul(a: C, b: C): C {
  if (isNanC(a) || isNanC(b)) return [Number.NaN, 0];
  const zero = (v: C): boolean => v[0] === 0 && v[1] === 0;
  if (isZooC(a) || isZooC(b)) return zero(a) || zero(b) ? [Number.NaN, 0] : [Infinity, Infinity];
  if (a[1] === 0 && b[1] === 0) return [a[0] * b[0], 0];
  if (!isFiniteC(a) || !isFiniteC(b)) return [Number.NaN, 0];
  return [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
}

/**
 * `a // b` and `a % b` as sympy evaluates them (floor(a/b), Mod(a, b)); null where sympy raises
 * (`3 % 0`, `3 // 0`, a bool operand). Numbers fold: `5 % 3` is 2, `oo // 2` oo, `1 // oo` 0, `2 % zoo`
 * and `oo % 2` nan, `-2 // oo` -1 (a sympy Integer floors as Python's float division does). A
 * symbolic side gives a floor / Mod node, except that `C // oo` is 0 and `C % oo` nan.
 */
function floorOrMod(op: string, a: Node, b: Node): Node | null {
  if (badBool(a, b)) return null;
  const nan = num(Number.NaN);
  if ((a.t === 'num' && isNanC(a.v)) || (b.t === 'num' && isNanC(b.v))) return nan;
  // Mod(a, a) is 0 and floor(a/a) 1, for a symbolic a.
  if (a.t !== 'num' && JSON.stringify(a) === JSON.stringify(b)) return op === '%' ? ZERO : ONE;
  if (a.t === 'num' && b.t === 'num') {
    const [x, xi] = a.v;
    const [y, yi] = b.v;
    const aInf = !isFiniteC(a.v);
    const bInf = !isFiniteC(b.v);
    if ((xi !== 0 && !aInf) || (yi !== 0 && !bInf)) {
      if (aInf || bInf || (y === 0 && yi === 0)) return null;
      // A complex quotient: floor of each part (`2//I` is -2*I); Mod stays unevaluated, a constant.
      if (op === '%') return { t: 'mod', a, b };
      const d = y * y + yi * yi;
      return num(Math.floor((x * y + xi * yi) / d), Math.floor((xi * y - x * yi) / d));
    }
    const bZero = y === 0 && yi === 0;
    if (op === '%') {
      if (bZero) return aInf ? nan : null;
      if (aInf || bInf) return nan;
      const r = x - y * Math.floor(x / y);
      return a.float || b.float ? { t: 'num', v: [r, 0], float: true } : num(r);
    }
    if (bZero) {
      if (aInf) return a;
      if (b.float || !a.float || x !== Math.trunc(x)) return b.float || !a.float ? null : ZOO_NODE;
      return x === 0 ? nan : ZOO_NODE;
    }
    if (aInf && bInf) return nan;
    if (aInf) return isZooC(a.v) ? ZOO_NODE : num(y > 0 ? x : -x);
    if (isZooC(b.v)) return ZERO;
    if (bInf) return !a.float && Number.isInteger(x) && x !== 0 && x > 0 !== y > 0 ? num(-1) : ZERO;
    return num(Math.floor(x / y));
  }
  if (b.t === 'num' && !isFiniteC(b.v)) return op === '%' ? nan : ZERO;
  // An infinity modulo anything is nan (`zoo % y`, `-oo % f(C)`); 0 % y and 0 // y are 0.
  if (a.t === 'num' && !isFiniteC(a.v) && op === '%') return nan;
  if (a.t === 'num' && a.v[0] === 0 && a.v[1] === 0 && b.t !== 'num') return ZERO;
  if (b.t === 'num' && b.v[0] === 0 && b.v[1] === 0 && op === '%') return null;
  return { t: op === '//' ? 'floor' : 'mod', a, b };
}

/** Python's truth value of what sympy built: a number is true unless zero; an expression with a symbol is true unless it is 0 everywhere. */
function truthy(n: Node): boolean {
  if (n.t === 'num') return !(n.v[0] === 0 && n.v[1] === 0);
  const names = [...symbols(n, new Set())];
  return [0.37, 1.61].some((base) => {
    const v = evaluate(n, new Map(names.map((s, k): [string, C] => [s, [base + 0.29 * k, 0]])));
    return !(v[0] === 0 && v[1] === 0);
  });
}

/** Whether sympy's automatic evaluation makes `n` nan: a nan anywhere, or numbers of a sum or product that meet as `oo - oo`, `0*oo`. */
function hasNan(n: Node): boolean {
  const flat = (m: Node, kind: 'add' | 'mul', into: Node[]): Node[] => {
    if (m.t === kind) {
      flat(m.a, kind, into);
      flat(m.b, kind, into);
    } else into.push(m);
    return into;
  };
  const value = (m: Node): C | null => (m.t === 'num' ? m.v : m.t === 'neg' && m.a.t === 'num' ? numMul([-1, 0], m.a.v) : null);
  switch (n.t) {
    case 'num':
      return isNanC(n.v);
    case 'sym':
      return false;
    case 'add':
    case 'mul': {
      const parts = flat(n, n.t, []);
      const nums = parts.map(value).filter((v): v is C => v !== null);
      const total = nums.reduce((acc, v) => (n.t === 'add' ? numAdd(acc, v) : numMul(acc, v)), n.t === 'add' ? [0, 0] : [1, 0]);
      return isNanC(total) || parts.some(hasNan);
    }
    case 'neg':
    case 'fn':
      return hasNan(n.a);
    case 'integral':
      return hasNan(n.f);
    case 'ufn':
      return n.args.some(hasNan);
    default:
      return hasNan(n.a) || hasNan(n.b);
  }
}

/** A pseudo-random value of an undefined function (or its derivative of some order) at its arguments: equal calls agree. */
function ufnValue(name: string, order: number, args: readonly C[]): C {
  let h = order * 7.7;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) % 1000003;
  for (const a of args) h = h * 1.37 + a[0] + 0.61 * a[1];
  return [Math.sin(h) * 3 + 0.5, Math.cos(h * 1.3)];
}

/**
 * Python 3.11 tokenize's tokens as far as read here: blanks, numbers, names (PY_NAME: `+ ß` is a
 * constant, as for sympy), operators, and any other single character (U+2028 included), which fails.
 */
const TOKENS = new RegExp(
  `[ \\t\\n\\r\\f]+|"[^"\\\\\\n\\r]*"|'[^'\\\\\\n\\r]*'|0(?:[xX](?:_?[\\da-fA-F])+|[oO](?:_?[0-7])+|[bB](?:_?[01])+)|\\d(?:_?\\d)*(?:\\.(?:\\d(?:_?\\d)*)?)?(?:[eE][+-]?\\d(?:_?\\d)*)?|\\.\\d(?:_?\\d)*(?:[eE][+-]?\\d(?:_?\\d)*)?|${PY_NAME}|\\*\\*|\\/\\/|==|!=|<=|>=|[-+*/(),%<>~]|[^]`,
  'gu',
);
const NAME_START = new RegExp(`^${PY_NAME}`, 'u');

/**
 * Parses sympy input; null outside the subset (syntax errors, functions not known here) or where
 * sympy raises. `localNames` are the names RG passes in parse_expr's `local_dict` (the variable
 * and `C`): sympy's factorial notation also takes those with blanks before the `!` (`C !`, `C\n!`).
 * Python's `and`, `or`, `not` and `x if c else y` pick a side by its truth value (a non-zero
 * number or an expression with a symbol is true); `True` / `False` are Python ints, which sympy
 * takes only beside a number (`True*2` is 2, `x + True` raises).
 */
export function parseExpression(text: string, localNames: readonly string[] = []): Node | null {
  // A line break between a local name and its `!` is no statement end for sympy (`C\n!`).
  const bangs = localNames.map((n) => n.replace(/[^\p{L}\p{N}_]/gu, '')).filter((n) => n !== '');
  const joined = bangs.length > 0 ? text.replace(new RegExp(`(?<!${PY_WORD})(${bangs.join('|')})(?:[ \\t\\f]+|[ \\t\\f]*[\\r\\n]+)!`, 'gu'), '$1!') : text;
  if (text.length > MAX_LENGTH || pythonSyntaxTrap(joined)) return null;
  // Whitespace as Python's tokenizer skips it, around and between tokens (sympy strips the text
  // first); anything else, a byte order mark or no-break space inside included, is a syntax error.
  const toks = pyStrip(text).match(TOKENS) ?? [];
  // sympy re-joins operator tokens, so `x * * 2` (spaces or tabs between, no line break) is `x**2`.
  const t: string[] = [];
  for (const [k, s] of toks.entries()) {
    if (/^[ \t\n\r\f]+$/.test(s)) continue;
    const gap = toks[k - 1];
    // An imaginary literal (`2j`, `1.5J`): sympy's auto_number writes it as `Integer(2)*I`.
    if (/^[jJ]$/.test(s) && gap !== undefined && /^(\d|\.\d)/.test(gap)) {
      t.push('*', 'I');
      continue;
    }
    if (s === '*' && t[t.length - 1] === '*' && gap !== undefined && /^[ \t\f]+$/.test(gap) && toks[k - 2] === '*') t[t.length - 1] = '**';
    else if (s === '/' && t[t.length - 1] === '/' && gap !== undefined && /^[ \t\f]+$/.test(gap) && toks[k - 2] === '/') t[t.length - 1] = '//';
    // sympy's factorial notation: `!` or `!!` right after its operand (`2 !` and `2!!!` are errors).
    else if (s === '!' && gap === '!' && (t[t.length - 1] === '!' || t[t.length - 1] === '!!')) t[t.length - 1] += '!';
    // Blanks, or a line break with nothing after it on the new line (`C \n !` is an indentation error).
    else if (s === '!' && gap !== undefined && /^(?:[ \t\f]+|[ \t\f]*[\r\n]+)$/.test(gap) && localNames.includes(t[t.length - 1] ?? '') && toks[k - 2] === t[t.length - 1]) t.push(s);
    else if (s === '!' && (gap === undefined || /^[ \t\n\r\f]+$/.test(gap))) return null;
    else t.push(s);
  }
  let i = 0;
  let depth = 0;
  const fail = (): never => {
    throw new SyntaxError('unsupported');
  };
  const atom = (): Node => {
    const tok = t[i];
    if (tok === undefined) return fail();
    if (/^0[xXoObB]/.test(tok)) {
      // Python's hexadecimal, octal and binary integers: sympy's Integer of their value.
      i++;
      const v = pyIntBase0(tok);
      return v === null ? fail() : num(Number(v));
    }
    if (/^(\d|\.\d)/.test(tok)) {
      i++;
      const v = pyDecimal(tok);
      if (!v) fail();
      const value = Number(v?.num) / Number(v?.den);
      return /[.eE]/.test(tok) && v ? { t: 'num', v: [value, 0], float: true, dec: v } : num(value);
    }
    if (NAME_START.test(tok)) {
      i++;
      if (t[i] === '(') {
        i++;
        if (++depth > MAX_DEPTH) fail();
        // sympy's Symbol("y") is the symbol y.
        const str = t[i];
        if (tok === 'Symbol' && str !== undefined && /^["']/.test(str) && t[i + 1] === ')') {
          const name = str.slice(1, -1);
          i += 2;
          depth--;
          if (!NAME_START.test(name) || NAME_START.exec(name)?.[0] !== name) return fail();
          return { t: 'sym', name };
        }
        const args: Node[] = t[i] === ')' ? [] : [test()];
        while (t[i] === ',') {
          i++;
          if (t[i] === ')') break; // Python allows one trailing comma in a call: `sin(x, )`
          args.push(test());
        }
        if (t[i] !== ')') fail();
        i++;
        depth--;
        const [a, b] = args;
        if (tok === 'Integral' && args.length === 2 && a && b?.t === 'sym') return { t: 'integral', f: a, x: b.name };
        // `Integral(f)`: sympy integrates over f's only symbol (and refuses f with none or several).
        const only = a && args.length === 1 && tok === 'Integral' ? [...symbols(a, new Set())] : [];
        if (a && only.length === 1 && only[0] !== undefined) return { t: 'integral', f: a, x: only[0] };
        if (isFn(tok) && args.length === 1 && a) return fn(tok, a);
        if (tok === 'S' && args.length === 1 && a) return a;
        // Python's abs (sympy's Abs) of a number is its absolute value (`abs(5)*x`); of anything else it is not read.
        if ((tok === 'abs' || tok === 'Abs') && args.length === 1 && a) {
          if (a.t !== 'num' || (a.py && tok === 'Abs')) return fail();
          return { ...a, v: [Math.hypot(a.v[0], a.v[1]), 0] };
        }
        // A name sympy does not know is an undefined function (auto_symbol).
        if (!SYMPY_NON_SYMBOLS.has(tok) && !SYMPY_CONSTANT_NAMES.has(tok) && !isFn(tok) && tok !== 'Integral' && !localNames.includes(tok)) {
          if (args.some(isPyInt)) return fail();
          return { t: 'ufn', name: tok, args, order: 0 };
        }
        return fail();
      }
      if (tok === 'E') return fn('exp', ONE);
      if (tok === 'True' || tok === 'False') return { t: 'num', v: [tok === 'True' ? 1 : 0, 0], py: true };
      // sympy's infinities and nan are numbers: `oo - oo` and `0*zoo` are nan.
      if (tok === 'oo') return num(Infinity);
      if (tok === 'zoo') return ZOO_NODE;
      if (tok === 'nan') return num(Number.NaN);
      if (tok === 'pi') return num(Math.PI);
      if (tok === 'I') return num(0, 1);
      // sympy's other constants (oo, zoo, EulerGamma, ...) are constants of integration here; any
      // other name of sympy's namespace (gamma, CC, N, ...) is no symbol and fails, as in RG.
      if (SYMPY_NON_SYMBOLS.has(tok) || isFn(tok) || tok === 'Integral') fail();
      return { t: 'sym', name: tok };
    }
    if (tok === '(') {
      i++;
      if (++depth > MAX_DEPTH) fail();
      const v = test();
      if (t[i] !== ')') fail();
      i++;
      depth--;
      return v;
    }
    return fail();
  };
  const unary = (): Node => {
    if (t[i] === '-') {
      i++;
      const v = unary();
      // A number's sign folds into it (`-True` is the Python int -1, `-4` the Integer -4).
      return v.t === 'num' ? { t: 'num', v: [-v.v[0], -v.v[1]], ...(v.float ? { float: true as const } : {}), ...(v.dec ? { dec: v.dec } : {}) } : negN(v);
    }
    if (t[i] === '+') {
      i++;
      return unary();
    }
    if (t[i] === '~') {
      // Python's ~ of a whole number (a sympy Integer or a bool): -(n + 1); of anything else it is not read.
      i++;
      const v = unary();
      if (v.t !== 'num' || v.float || v.v[1] !== 0 || !Number.isInteger(v.v[0])) return fail();
      return { t: 'num', v: [-v.v[0] - 1, 0], ...(v.py ? { py: true as const } : {}) };
    }
    let base = atom();
    // A whole number's factorial is a number (`2!*x`); a name's is a constant named `C!` / `C!!`
    // (sympy's unevaluated factorial(C); that of the variable is refused by the scorer).
    while (t[i] === '!' || t[i] === '!!') {
      const bang = t[i] ?? '!';
      const step = bang === '!' ? 1 : 2;
      i++;
      if (base.t === 'sym') {
        base = { t: 'sym', name: base.name + bang };
        continue;
      }
      if (base.t !== 'num' || base.v[1] !== 0 || !Number.isInteger(base.v[0]) || base.v[0] < 0 || base.v[0] > MAX_FACTORIAL) return fail();
      let r = 1;
      for (let k = base.v[0]; k > 1; k -= step) r *= k;
      base = num(r);
    }
    if (t[i] === '**') {
      i++;
      const e = unary();
      if (isPyInt(base) || isPyInt(e)) return fail();
      return powN(base, e);
    }
    return base;
  };
  const product = (): Node => {
    let v = unary();
    while (t[i] === '*' || t[i] === '/' || t[i] === '//' || t[i] === '%') {
      const op = t[i++];
      const r = unary();
      if (badBool(v, r) || (op === '/' && (isPyInt(v) || isPyInt(r)))) return fail();
      if (op === '//' || op === '%') v = floorOrMod(op, v, r) ?? fail();
      else if (v.t === 'num' && r.t === 'num' && (isPyInt(v) || isPyInt(r))) v = num(op === '*' ? v.v[0] * r.v[0] : v.v[0] / r.v[0]);
      else v = op === '*' ? { t: 'mul', a: v, b: r } : divN(v, r);
    }
    return v;
  };
  const sum = (): Node => {
    let v = product();
    while (t[i] === '+' || t[i] === '-') {
      const op = t[i++];
      const r = product();
      if (badBool(v, r)) return fail();
      if (isPyInt(v) || isPyInt(r)) v = num(op === '+' ? (v as { v: C }).v[0] + (r as { v: C }).v[0] : (v as { v: C }).v[0] - (r as { v: C }).v[0]);
      else v = op === '+' ? { t: 'add', a: v, b: r } : { t: 'add', a: v, b: negN(r) };
    }
    return v;
  };
  /**
   * A comparison's truth value, as a bool: `==` / `!=` are structural (same parse), `<` ... of two
   * real numbers; of anything else sympy's Relational has no truth value (fails here).
   */
  const comparison = (): Node => {
    let v = sum();
    while (t[i] === '==' || t[i] === '!=' || t[i] === '<' || t[i] === '>' || t[i] === '<=' || t[i] === '>=') {
      const op = t[i++] ?? '';
      const r = sum();
      let holds: boolean;
      if (op === '==' || op === '!=') holds = (JSON.stringify(v) === JSON.stringify(r)) === (op === '==');
      else {
        if (v.t !== 'num' || r.t !== 'num' || v.v[1] !== 0 || r.v[1] !== 0 || isNanC(v.v) || isNanC(r.v)) return fail();
        const [a, b] = [v.v[0], r.v[0]];
        holds = op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b;
      }
      v = { t: 'num', v: [holds ? 1 : 0, 0], py: true };
    }
    return v;
  };
  const notTest = (): Node => {
    if (t[i] === 'not') {
      i++;
      const v = notTest();
      return { t: 'num', v: [truthy(v) ? 0 : 1, 0], py: true };
    }
    // A string or None as a condition: Python's truth value ("" and None are false).
    const lit = t[i];
    const next = t[i + 1];
    if (lit !== undefined && (/^["']/.test(lit) || lit === 'None') && next !== undefined && ['else', 'if', 'and', 'or'].includes(next)) {
      i++;
      return { t: 'num', v: [lit === 'None' || lit.length === 2 ? 0 : 1, 0], py: true };
    }
    return comparison();
  };
  const boolLevel =
    (kw: 'and' | 'or', next: () => Node): (() => Node) =>
    (): Node => {
      let v = next();
      while (t[i] === kw) {
        i++;
        const r = next();
        v = truthy(v) === (kw === 'or') ? v : r;
      }
      return v;
    };
  const orTest = boolLevel('or', boolLevel('and', notTest));
  function test(): Node {
    const body = orTest();
    if (t[i] !== 'if') return body;
    i++;
    const cond = orTest();
    if (t[i] !== 'else') return fail();
    i++;
    const other = test();
    return truthy(cond) ? body : other;
  }
  try {
    const v = test();
    return i === t.length ? v : null;
  } catch {
    return null;
  }
}

function dependsOn(n: Node, x: string): boolean {
  switch (n.t) {
    case 'num':
      return false;
    case 'sym':
      return n.name === x;
    case 'neg':
    case 'fn':
      return dependsOn(n.a, x);
    case 'integral':
      return true;
    case 'ufn':
      return n.args.some((a) => dependsOn(a, x));
    default:
      return dependsOn(n.a, x) || dependsOn(n.b, x);
  }
}

/** d/dx; null where it cannot be taken (an integral in another variable). */
function diff(n: Node, x: string): Node | null {
  if (!dependsOn(n, x)) return ZERO;
  switch (n.t) {
    case 'num':
      return ZERO;
    case 'sym':
      return ONE;
    case 'neg': {
      const d = diff(n.a, x);
      return d && negN(d);
    }
    case 'add': {
      const da = diff(n.a, x);
      const db = diff(n.b, x);
      return da && db && addN(da, db);
    }
    case 'mul': {
      const da = dependsOn(n.a, x) ? diff(n.a, x) : ZERO;
      const db = dependsOn(n.b, x) ? diff(n.b, x) : ZERO;
      return da && db && addN(mulN(da, n.b), mulN(n.a, db));
    }
    case 'pow': {
      const { a: u, b: v } = n;
      const du = diff(u, x);
      if (!du) return null;
      if (!dependsOn(v, x)) return mulN(mulN(v, powN(u, addN(v, num(-1)))), du);
      const dv = diff(v, x);
      if (!dv) return null;
      return mulN(n, addN(mulN(dv, fn('log', u)), mulN(v, divN(du, u))));
    }
    case 'integral':
      return n.x === x ? n.f : null;
    // floor and Mod of the variable: sympy leaves their derivative unevaluated (never the integrand).
    case 'floor':
    case 'mod':
      return null;
    case 'ufn': {
      // The chain rule over every argument; the k-th partial derivative is another opaque function.
      let total: Node = ZERO;
      for (const [k, u] of n.args.entries()) {
        if (!dependsOn(u, x)) continue;
        const du = diff(u, x);
        if (!du) return null;
        total = addN(total, mulN({ ...n, order: n.order * 16 + k + 1 }, du));
      }
      return total;
    }
    case 'fn': {
      const u = n.a;
      const du = diff(u, x);
      if (!du) return null;
      const outer: Record<Fn, Node> = {
        sin: fn('cos', u),
        cos: negN(fn('sin', u)),
        tan: addN(ONE, powN(fn('tan', u), num(2))),
        exp: fn('exp', u),
        log: powN(u, num(-1)),
        sqrt: divN(num(0.5), fn('sqrt', u)),
        asin: powN(addN(ONE, negN(powN(u, num(2)))), num(-0.5)),
        acos: negN(powN(addN(ONE, negN(powN(u, num(2)))), num(-0.5))),
        atan: powN(addN(ONE, powN(u, num(2))), num(-1)),
        sinh: fn('cosh', u),
        cosh: fn('sinh', u),
        tanh: addN(ONE, negN(powN(fn('tanh', u), num(2)))),
      };
      return mulN(outer[n.name], du);
    }
  }
}

// Complex arithmetic (principal branches, as sympy's).
const cadd = (a: C, b: C): C => [a[0] + b[0], a[1] + b[1]];
const cmul = (a: C, b: C): C => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const cexp = (a: C): C => [Math.exp(a[0]) * Math.cos(a[1]), Math.exp(a[0]) * Math.sin(a[1])];
const clog = (a: C): C => [Math.log(Math.hypot(a[0], a[1])), Math.atan2(a[1], a[0])];
const cdiv = (a: C, b: C): C => {
  const d = b[0] * b[0] + b[1] * b[1];
  return [(a[0] * b[0] + a[1] * b[1]) / d, (a[1] * b[0] - a[0] * b[1]) / d];
};
function cpow(a: C, b: C): C {
  if (b[1] === 0 && Number.isInteger(b[0]) && Math.abs(b[0]) <= 64) {
    let r: C = [1, 0];
    for (let k = 0; k < Math.abs(b[0]); k++) r = cmul(r, a);
    return b[0] < 0 ? cdiv([1, 0], r) : r;
  }
  if (a[0] === 0 && a[1] === 0) return [0, 0];
  return cexp(cmul(b, clog(a)));
}
const I: C = [0, 1];
const csqrt = (a: C): C => cpow(a, [0.5, 0]);
function cfn(name: Fn, a: C): C {
  switch (name) {
    case 'exp':
      return cexp(a);
    case 'log':
      return clog(a);
    case 'sqrt':
      return csqrt(a);
    case 'sin':
      return cdiv(cadd(cexp(cmul(I, a)), cmul([-1, 0], cexp(cmul([0, -1], a)))), [0, 2]);
    case 'cos':
      return cdiv(cadd(cexp(cmul(I, a)), cexp(cmul([0, -1], a))), [2, 0]);
    case 'tan':
      return cdiv(cfn('sin', a), cfn('cos', a));
    case 'sinh':
      return cdiv(cadd(cexp(a), cmul([-1, 0], cexp(cmul([-1, 0], a)))), [2, 0]);
    case 'cosh':
      return cdiv(cadd(cexp(a), cexp(cmul([-1, 0], a))), [2, 0]);
    case 'tanh':
      return cdiv(cfn('sinh', a), cfn('cosh', a));
    case 'asin': // −i·log(i·a + sqrt(1 − a²))
      return cmul([0, -1], clog(cadd(cmul(I, a), csqrt(cadd([1, 0], cmul([-1, 0], cmul(a, a)))))));
    case 'acos':
      return cadd([Math.PI / 2, 0], cmul([-1, 0], cfn('asin', a)));
    case 'atan': // (i/2)·(log(1 − i·a) − log(1 + i·a))
      return cmul([0, 0.5], cadd(clog(cadd([1, 0], cmul([0, -1], a))), cmul([-1, 0], clog(cadd([1, 0], cmul(I, a))))));
  }
}

function evaluate(n: Node, env: ReadonlyMap<string, C>): C {
  switch (n.t) {
    case 'num':
      return n.v;
    case 'sym':
      return env.get(n.name) ?? [Number.NaN, 0];
    case 'neg':
      return cmul([-1, 0], evaluate(n.a, env));
    case 'add':
      return cadd(evaluate(n.a, env), evaluate(n.b, env));
    case 'mul':
      return cmul(evaluate(n.a, env), evaluate(n.b, env));
    case 'pow':
      return cpow(evaluate(n.a, env), evaluate(n.b, env));
    case 'fn':
      return cfn(n.name, evaluate(n.a, env));
    case 'integral':
    case 'floor':
    case 'mod':
      return [Number.NaN, 0]; // constants: only their derivative (0) is ever needed
    case 'ufn':
      return ufnValue(
        n.name,
        n.order,
        n.args.map((a) => evaluate(a, env)),
      );
  }
}

/** Whether `n` holds a number written with a point or exponent (a sympy Float). */
function hasFloat(n: Node): boolean {
  if (n.t === 'num') return n.float === true;
  if (n.t === 'neg' || n.t === 'fn') return hasFloat(n.a);
  if (n.t === 'add' || n.t === 'mul' || n.t === 'pow' || n.t === 'floor' || n.t === 'mod') return hasFloat(n.a) || hasFloat(n.b);
  if (n.t === 'ufn') return n.args.some(hasFloat);
  return n.t === 'integral' && hasFloat(n.f);
}

/**
 * Whether `n` raises an expression in `x` to a Float power (`x**2.0`, `(2*x + 1)**(3.0/2)`): sympy
 * keeps `x**1.0` apart from `x` and `x**1.5` apart from `x**(3/2)`, so RG's simplify never reaches 0.
 */
function floatPowerOf(n: Node, x: string): boolean {
  if (n.t === 'pow' && hasFloat(n.b) && symbols(n.a, new Set()).has(x)) return true;
  if (n.t === 'neg' || n.t === 'fn') return floatPowerOf(n.a, x);
  if (n.t === 'add' || n.t === 'mul' || n.t === 'pow' || n.t === 'floor' || n.t === 'mod') return floatPowerOf(n.a, x) || floatPowerOf(n.b, x);
  if (n.t === 'ufn') return n.args.some((a) => floatPowerOf(a, x));
  return n.t === 'integral' && floatPowerOf(n.f, x);
}

/** Whether `n` holds a Float other than 0.0 (sympy drops a Float zero from a sum, unless another number there makes it a Float: `0.0 + 1` is 1.0). */
function hasNonZeroFloat(n: Node): boolean {
  if (n.t === 'num') return n.float === true && !(n.v[0] === 0 && n.v[1] === 0);
  if (n.t === 'add') {
    const terms: Node[] = [];
    const flat = (m: Node): void => {
      if (m.t === 'add') {
        flat(m.a);
        flat(m.b);
      } else terms.push(m);
    };
    flat(n);
    const nums = terms.filter((m) => m.t === 'num');
    if (nums.some((m) => m.t === 'num' && m.float === true) && nums.length > 1) return true;
    return terms.some(hasNonZeroFloat);
  }
  if (n.t === 'neg' || n.t === 'fn') return hasNonZeroFloat(n.a);
  if (n.t === 'mul' || n.t === 'pow' || n.t === 'floor' || n.t === 'mod') return hasNonZeroFloat(n.a) || hasNonZeroFloat(n.b);
  if (n.t === 'ufn') return n.args.some(hasNonZeroFloat);
  return n.t === 'integral' && hasNonZeroFloat(n.f);
}

/**
 * Whether a Float sits inside a function's argument (`exp(1.0*x)`, `cos(3.0*x)`) or in a sum raised
 * to a power (`(2.0 - 8*x)**(3/2)`), in `x`: sympy keeps `1.0*x` apart from `x` there, so RG's
 * simplify(derivative - integrand) never reaches 0. A Float coefficient of a whole term
 * (`12.0*sin(x)`, `2*(4*x + 2)**(3/2)/3.0`) combines with the exact one and is not caught here.
 */
function floatInsideOf(n: Node, x: string): boolean {
  if (n.t === 'fn' && hasNonZeroFloat(n.a) && symbols(n.a, new Set()).has(x)) return true;
  if (n.t === 'pow' && n.a.t === 'add' && hasNonZeroFloat(n.a) && symbols(n.a, new Set()).has(x)) return true;
  if (n.t === 'neg' || n.t === 'fn') return floatInsideOf(n.a, x);
  if (n.t === 'add' || n.t === 'mul' || n.t === 'pow' || n.t === 'floor' || n.t === 'mod') return floatInsideOf(n.a, x) || floatInsideOf(n.b, x);
  if (n.t === 'ufn') return n.args.some((a) => floatInsideOf(a, x));
  return n.t === 'integral' && floatInsideOf(n.f, x);
}

type NumNode = Extract<Node, { t: 'num' }>;

/** The direct subexpressions of `n`, in order (none for a number or a symbol). */
function children(n: Node): readonly Node[] {
  if (n.t === 'neg' || n.t === 'fn') return [n.a];
  if (n.t === 'add' || n.t === 'mul' || n.t === 'pow' || n.t === 'floor' || n.t === 'mod') return [n.a, n.b];
  if (n.t === 'integral') return [n.f];
  if (n.t === 'ufn') return n.args;
  return [];
}

/** The Float literals of `n` (num nodes written with a point or exponent). */
function floatLiterals(n: Node, into: NumNode[] = []): NumNode[] {
  if (n.t === 'num' && n.float) into.push(n);
  for (const c of children(n)) floatLiterals(c, into);
  return into;
}

/** `n` with the node `target` (by identity) given the value `value`. */
function withValue(n: Node, target: Node, value: number): Node {
  if (n === target && n.t === 'num') return { ...n, v: [value, n.v[1]] };
  if (n.t === 'neg' || n.t === 'fn') return { ...n, a: withValue(n.a, target, value) };
  if (n.t === 'add' || n.t === 'mul' || n.t === 'pow' || n.t === 'floor' || n.t === 'mod') return { ...n, a: withValue(n.a, target, value), b: withValue(n.b, target, value) };
  if (n.t === 'integral') return { ...n, f: withValue(n.f, target, value) };
  if (n.t === 'ufn') return { ...n, args: n.args.map((a) => withValue(a, target, value)) };
  return n;
}

/**
 * Whether a decimal is a rounded form of a simpler fraction: not a binary fraction (those sympy
 * holds exactly), and within 1e-7 (relative) of, but not equal to, a fraction with a denominator
 * up to 10^6 (`0.6666666667`, `12.0000000000001`; not `0.1`, `0.35`, `1.5`).
 */
function roundedDecimal(dec: Rational): boolean {
  let den = dec.den;
  while (den % 2n === 0n) den /= 2n;
  if (den === 1n) return false;
  // Convergents of the continued fraction of |dec|.
  let [p0, q0, p1, q1] = [0n, 1n, 1n, 0n];
  let [a, b] = [dec.num < 0n ? -dec.num : dec.num, dec.den];
  while (b !== 0n) {
    const k = a / b;
    [a, b] = [b, a - k * b];
    [p0, q0, p1, q1] = [p1, q1, k * p1 + p0, k * q1 + q0];
    if (q1 > 1000000n || b === 0n) return false;
    // |dec - p1/q1| <= 1e-7 * |dec|, exactly: |num*q1 - p1*den| * 10^7 <= |num| * q1.
    const absNum = dec.num < 0n ? -dec.num : dec.num;
    const diffNum = absNum * q1 - p1 * dec.den;
    if ((diffNum < 0n ? -diffNum : diffNum) * 10000000n <= absNum * q1) return true;
  }
  return false;
}

function symbols(n: Node, into: Set<string>): Set<string> {
  if (n.t === 'sym') into.add(n.name);
  for (const c of children(n)) symbols(c, into);
  return into;
}

const POINTS = [0.31, -0.57, 1.13, -1.71, 2.37, 0.83];
const CONSTANTS = [0.7, 1.9, -1.3, 2.6, -0.4];

/** True when `d` and `f` agree (relative 1e-7) at every sample point where both are finite, with at least 3 such points. */
function sameFunction(d: Node, f: Node, x: string): boolean {
  const others = [...symbols(d, symbols(f, new Set()))].filter((s) => s !== x);
  let compared = 0;
  for (const p of POINTS) {
    const env = new Map<string, C>(others.map((s, k) => [s, [CONSTANTS[k % CONSTANTS.length] ?? 1, 0]]));
    env.set(x, [p, 0]);
    const a = evaluate(d, env);
    const b = evaluate(f, env);
    if (![...a, ...b].every(Number.isFinite)) continue;
    compared++;
    if (Math.hypot(a[0] - b[0], a[1] - b[1]) > 1e-7 * Math.max(1, Math.hypot(b[0], b[1]))) return false;
  }
  return compared >= 3;
}

/** A Python string literal counts as its content, escapes read (`"\\tx**2"`): parse_expr gives the str, and sympy's diff re-parses it. */
function unquote(answer: string): string {
  const v = /^['"]/.test(pyStrip(answer)) ? parsePyLiteral(pyStrip(answer)) : null;
  return v?.k === 'str' ? v.v : answer;
}

/**
 * RG's integration test (simple_ and intermediate_integration): whether sympy's derivative in
 * `variable` of `answer` (parsed with the variable and `C` as local names) minus `integrand`
 * simplifies to 0. Throws RgDataError when the integrand is outside the syntax read here.
 */
export function isAntiderivative(answer: string, variable: string, integrandText: string): boolean {
  const x = variable;
  const integrand = parseExpression(integrandText);
  if (!integrand) throw new RgDataError('metadata.integrand is outside the supported expression syntax');
  const quoted = unquote(answer);
  // Re-parsed from a string, the answer has no local names (C and the variable are plain symbols).
  const user = parseExpression(quoted, quoted === answer ? [x, 'C'] : []);
  // factorial(x) of the variable: its derivative (polygamma) is outside what is checked here.
  if (!user || symbols(user, new Set()).has(`${x}!`) || symbols(user, new Set()).has(`${x}!!`)) return false;
  if (floatPowerOf(user, x) || floatInsideOf(user, x) || isPyInt(user) || hasNan(user)) return false;
  const d = diff(user, x);
  if (d === null || !sameFunction(d, integrand, x)) return false;
  // A rounded decimal (`0.6666666667*...` for 2/3) is no exact antiderivative: sympy keeps the
  // residue of its Float, which simplify does not remove (RG 0), where the numbers here agree.
  for (const lit of floatLiterals(user)) {
    if (!lit.dec || !roundedDecimal(lit.dec)) continue;
    const moved = diff(withValue(user, lit, lit.v[0] * 1.001), x);
    if (moved === null || !sameFunction(moved, d, x)) return false;
  }
  return true;
}

/** Whether sympy reads `text` as nan (`+ 0*oo`, `+ oo - oo`, `+ nan`); false where it is not read here. */
export function sympyReadsNan(text: string, localNames: readonly string[] = []): boolean {
  const n = parseExpression(text, localNames);
  return n !== null && hasNan(n);
}

/** intermediate_integration: 1 when the answer's derivative equals the integrand, else 0. */
export const intermediateIntegration: RgScorer = (answer, entry) => (isAntiderivative(answer, metaString(entry, 'variable'), metaString(entry, 'integrand')) ? 1 : 0);
