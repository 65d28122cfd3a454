// Python's own parsing rules, reimplemented so Reasoning-Gym's `score_answer` (Python) can be
// reproduced exactly: which strings `float()`, `int()`, `Decimal()` accept, what `str.strip()`
// removes, and `len()` in code points. Every function is total: bad input gives null, never throws.

import { rational, type Rational } from '../rational';
import { PY_WS, pyNumberStrip, pyRstrip, pyStrip } from '../../text/pythonStrip';

export { pyRstrip, pyStrip };

/** Python's `\w` in a str pattern: letters, digits and numerals of any script, `_` (a regular-expression class). */
export const PY_WORD = '[\\p{L}\\p{N}_]';

/**
 * A name token as Python 3.11's `tokenize` (which sympy's `parse_expr` runs) reads it: a run of
 * `\w` whose first character may start an identifier (`ß`, `λ`, `ﬁC`, `C²`, `x٣`, `Ⅻ`). A run
 * that starts with another `\w` (`²`, `٣`) is an operator token there, a syntax error for sympy, and
 * an identifier character that is no `\w` (`℘`) is no token at all. Needs the `u` flag.
 */
export const PY_NAME = `(?=${PY_WORD})[\\p{XID_Start}_]${PY_WORD}*`;

/** Python `len(s)`: code points, not UTF-16 units (emoji count once). */
export function pyLen(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The text `int()` / `float()` / `complex()` parse: the whitespace they skip (not U+001C-U+001F) removed around it, Unicode digits as ASCII. */
function numberText(s: string): string {
  return pyNumberStrip(pyAsciiDigits(s));
}

/** Python `s.splitlines()`: lines split at \n, \r, \r\n, \v, \f, \x1c-\x1e, \x85, \u2028, \u2029; no trailing empty line. */
export function pySplitlines(s: string): string[] {
  const lines = s.split(/\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Python `s.split()` (no separator): runs of whitespace, no empty parts. */
export function pySplit(s: string): string[] {
  const t = pyStrip(s);
  return t === '' ? [] : t.split(new RegExp(`[${PY_WS}]+`));
}

/** The value 0-9 of a Unicode decimal digit (category Nd: each script's digits are ten consecutive code points from 0). */
function digitValue(cp: number): number {
  let zero = cp;
  while (zero > 0 && /\p{Nd}/u.test(String.fromCodePoint(zero - 1))) zero--;
  return (cp - zero) % 10;
}

/**
 * Unicode decimal digits (`٣`, `３`, `𝟑`) replaced by ASCII ones, as Python's `int()`, `float()`,
 * `complex()` and `Decimal()` read them before parsing.
 */
export function pyAsciiDigits(s: string): string {
  return s.replace(/(?![0-9])\p{Nd}/gu, (d) => String(digitValue(d.codePointAt(0) ?? 48)));
}

const DIGITS = '\\d(?:_?\\d)*';
const INT_RE = new RegExp(`^[+-]?${DIGITS}$`);
const FLOAT_RE = new RegExp(`^[+-]?(?:(?:${DIGITS})?\\.${DIGITS}|${DIGITS}\\.?)(?:[eE][+-]?${DIGITS})?$`);
const SPECIAL_RE = /^[+-]?(?:inf|infinity|nan)$/i;

/**
 * How deep RG's scorers can recurse into an answer: Python's recursion limit (1000) less the
 * frames `score_answer` runs under. Measured at RG's pinned commit with Python 3.11: `json.loads`
 * reads a list nested 994 deep and raises RecursionError at 995 (graph_color: 0.01, then 0), and
 * propositional_logic's `parse_expr` reads 994 nested parentheses and raises at 995. Deeper
 * nesting is no value here either.
 */
export const PY_NESTING_LIMIT = 994;

/** CPython's default limit on the digits of an int read from or written as text (sys.get_int_max_str_digits(), Python ≥ 3.11). */
export const PY_INT_MAX_STR_DIGITS = 4300;

/**
 * Whether Python ≥ 3.11 refuses to read the base-10 digits of `t` as an int (ValueError
 * "Exceeds the limit (4300 digits) for integer string conversion"): more than
 * PY_INT_MAX_STR_DIGITS digits, leading zeros included, sign and `_` not counted.
 */
export function pyIntTooLong(t: string): boolean {
  let n = 0;
  for (const ch of t) if (ch !== '_' && ch !== '+' && ch !== '-') n++;
  return n > PY_INT_MAX_STR_DIGITS;
}

/**
 * Python `int(s)` for base 10: surrounding whitespace, `_` between digits and Unicode digits
 * allowed; null beyond 4300 digits, where Python ≥ 3.11 raises (PY_INT_MAX_STR_DIGITS).
 */
export function pyInt(s: string): bigint | null {
  const t = numberText(s);
  if (!INT_RE.test(t) || pyIntTooLong(t)) return null;
  return BigInt(t.replace(/_/g, ''));
}

/**
 * Python `repr(float)` (also its `str()`): the shortest round-trip digits, positional for
 * exponents -4..15 ("0.0001", "1e-05", "1e+16"), "-0.0", "nan", "inf", "-inf".
 */
export function pyFloatRepr(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const [mant = '', expText = '0'] = v.toExponential().split('e');
  const exp = Number(expText);
  const neg = mant.startsWith('-');
  const digits = mant.replace(/[-.]/g, '');
  let out: string;
  if (exp >= -5 + 1 && exp < 16) {
    if (exp >= 0) {
      const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
      const frac = digits.slice(exp + 1);
      out = `${whole}.${frac === '' ? '0' : frac}`;
    } else out = `0.${'0'.repeat(-exp - 1)}${digits}`;
  } else {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    out = `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return neg ? `-${out}` : out;
}

/** Python `float(s)`: decimal literal with optional exponent, inf, nan, Unicode digits; null where Python raises. */
export function pyFloat(s: string): number | null {
  const t = numberText(s);
  if (SPECIAL_RE.test(t)) {
    const neg = t.startsWith('-');
    if (/nan/i.test(t)) return Number.NaN;
    return neg ? -Infinity : Infinity;
  }
  if (!FLOAT_RE.test(t)) return null;
  return Number(t.replace(/_/g, ''));
}

/** One real number as Python's float parser reads it inside `complex()`: no sign, no spaces. */
const UNSIGNED_FLOAT = `(?:(?:${DIGITS})?\\.${DIGITS}|${DIGITS}\\.?)(?:[eE][+-]?${DIGITS})?|inf(?:inity)?|nan`;
const COMPLEX_BOTH = new RegExp(`^([+-]?(?:${UNSIGNED_FLOAT}))([+-])(${UNSIGNED_FLOAT})?[jJ]$`, 'i');
const COMPLEX_IMAG = new RegExp(`^([+-]?)(${UNSIGNED_FLOAT})?[jJ]$`, 'i');

/**
 * Python `complex(s)` for a string, as [real, imag]; null where Python raises. As CPython:
 * surrounding whitespace, one pair of parentheses (with whitespace inside), `_` between digits,
 * inf/nan, a bare `j` for 1j (`1+j`), no space between the parts.
 */
export function pyComplex(s: string): [number, number] | null {
  let t = numberText(s);
  if (t.startsWith('(') && t.endsWith(')')) t = numberText(t.slice(1, -1));
  const part = (sign: string, body: string | undefined): number | null => {
    const v = body === undefined ? 1 : pyFloat(body);
    return v === null ? null : sign === '-' ? -v : v;
  };
  const both = COMPLEX_BOTH.exec(t);
  if (both) {
    const re = pyFloat(both[1] ?? '');
    const im = part(both[2] ?? '+', both[3]);
    return re === null || im === null ? null : [re, im];
  }
  const imag = COMPLEX_IMAG.exec(t);
  if (imag) {
    const im = part(imag[1] ?? '', imag[2]);
    return im === null ? null : [0, im];
  }
  const re = pyFloat(t);
  return re === null ? null : [re, 0];
}

/**
 * Python `Decimal(s)` as an exact fraction (null where Decimal raises, and for
 * Infinity/NaN, which no scorer here compares). Surrounding whitespace is allowed. CPython's
 * (C) decimal drops every `_` once the whitespace is stripped, wherever it stands: `_-4`, `6._`
 * and `7__9` are numbers (unlike `float()`, which allows `_` only between digits); `1 _` is not.
 */
export function pyDecimal(s: string): Rational | null {
  return exactDecimal(pyStrip(pyAsciiDigits(s)).replace(/_/g, ''));
}

/**
 * A decimal number written as Python's literals and `float()` write it (`_` only between
 * digits: `1_000.5`, not `1__0` or `10_`) as an exact fraction, surrounding whitespace and
 * Unicode digits allowed; null otherwise, and beyond 10^±10000.
 */
export function pyDecimalLiteral(s: string): Rational | null {
  return exactDecimal(pyStrip(pyAsciiDigits(s)));
}

/** `t` (already stripped, ASCII digits) as an exact fraction; `_` only between digits; null beyond 10^±10000 (zero excepted). */
function exactDecimal(t: string): Rational | null {
  const m = new RegExp(`^([+-]?)(${DIGITS})?(?:\\.(${DIGITS})?)?(?:[eE]([+-]?${DIGITS}))?$`).exec(t);
  if (!m) return null;
  const whole = (m[2] ?? '').replace(/_/g, '');
  const frac = (m[3] ?? '').replace(/_/g, '');
  if (whole === '' && frac === '') return null;
  // Zero is zero whatever its exponent (`0e99999`, `0.e65652`).
  if (/^0*$/.test(whole + frac)) return rational(0n);
  const exp = m[4] !== undefined ? BigInt(m[4].replace(/_/g, '')) : 0n;
  const scale = exp - BigInt(frac.length);
  if (scale > 10000n || scale < -10000n) return null;
  let num = BigInt((whole || '0') + frac);
  if (m[1] === '-') num = -num;
  return scale >= 0n ? rational(num * 10n ** scale) : rational(num, 10n ** -scale);
}

/**
 * Python `int(s, 0)`: base from the prefix (0x, 0o, 0b), `_` separators, sign; a decimal
 * literal may not start with 0 unless it is all zeros, nor have more than 4300 digits.
 */
export function pyIntBase0(s: string): bigint | null {
  const t = numberText(s);
  const m = /^([+-]?)(0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|0(?:_?0)*|[1-9](?:_?\d)*)$/.exec(t);
  if (!m || m[2] === undefined) return null;
  // The digit limit binds base 10 only (powers of two are exempt in CPython).
  if (!/^0[xXoObB]/.test(m[2]) && pyIntTooLong(m[2])) return null;
  const v = BigInt(m[2].replace(/_/g, ''));
  return m[1] === '-' ? -v : v;
}

/** Python `round(x, n)` / numpy `np.round` (half to even on the binary value, as numpy does). */
export function npRound(x: number, decimals: number): number {
  const f = 10 ** decimals;
  const y = x * f;
  const r = Math.round(y);
  // numpy rounds half to even
  const rounded = Math.abs(y - Math.trunc(y)) === 0.5 ? 2 * Math.round(y / 2) : r;
  return rounded / f;
}

/** Python `str.title()`: first letter of each run of letters upper, the rest lower. */
export function pyTitle(s: string): string {
  return s.toLowerCase().replace(/(^|[^\p{L}])(\p{L})/gu, (_m, a: string, b: string) => a + b.toUpperCase());
}

/**
 * Python-syntax errors sympy's `parse_expr` raises that a token-level parser would miss: a line
 * break outside brackets (a second statement; inside brackets Python joins lines) and an integer
 * literal with a leading zero (`020`). Surrounding whitespace is allowed, as in sympy.
 */
export function pythonSyntaxTrap(text: string): boolean {
  const t = pyStrip(text);
  let depth = 0;
  for (const ch of t) {
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
    else if ((ch === '\n' || ch === '\r') && depth === 0) return true;
  }
  // A decimal integer with a leading zero (`01`, `0_61`, and `094j`, which sympy's auto_number rewrites
  // to `Integer(094)*I`), not the exponent of a float (`5e-01`, `1.E+03`).
  for (const m of t.matchAll(/(?<![\w.])(?<!(?:^|[^\w.])(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)[eE][+-])\d(?:_?\d)*(?=[jJ](?![\w.])|(?![\w.]))/g)) {
    const digits = m[0].replace(/_/g, '');
    if (digits.length > 1 && digits.startsWith('0') && /[1-9]/.test(digits)) return true;
  }
  return false;
}
