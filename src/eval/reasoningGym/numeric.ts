// Datasets whose answer is a number: RG compares with Decimal, float or int parsing, often
// with a tolerance or a distance-based partial credit.

import { equals, rational, sub, toFloat, type Rational } from '../rational';
import { metaArray, metaNumber, metaString, oracle, RgDataError, type RgScorer } from './entry';
import { PY_WORD, npRound, pyAsciiDigits, pyComplex, pyDecimal, pyDecimalLiteral, pyFloat, pyInt, pyIntBase0, pyIntTooLong, pyLen, pyStrip, pySplit, pyTitle } from './py';
import { PY_WS } from '../../text/pythonStrip';

function absRational(a: Rational): Rational {
  return a.num < 0n ? { num: -a.num, den: a.den } : a;
}

function lessOrEqual(a: Rational, b: Rational): boolean {
  return a.num * b.den <= b.num * a.den;
}

/**
 * RG's `compute_decimal_reward` (chain_sum, products): commas removed, Decimal equality
 * (so "+01,000.00" = "1000"); otherwise the default substring partial credit.
 */
export const decimalReward: RgScorer = (answer, entry) => {
  if (answer.length === 0) return 0;
  const a = answer.replace(/,/g, '');
  const gold = oracle(entry).replace(/,/g, '');
  const av = pyDecimal(a);
  const gv = pyDecimal(gold);
  if (av && gv && equals(av, gv)) return 1;
  return a.includes(gold) ? pyLen(gold) / pyLen(a) : 0;
};

/** decimal_chain_sum: Decimal equality of the stripped answer. */
export const decimalChainSum: RgScorer = (answer, entry) => {
  if (pyStrip(answer).length === 0) return 0;
  const av = pyDecimal(answer);
  const gv = pyDecimal(oracle(entry));
  return av && gv && equals(av, gv) ? 1 : 0;
};

/** RG's default `max_num_decimal_places` for decimal_arithmetic. */
const DECIMAL_ARITHMETIC_PLACES = 3;

/** decimal_arithmetic: within one unit of the last of 3 decimal places (RG's default config). */
export const decimalArithmetic: RgScorer = (answer, entry) => {
  const av = pyDecimal(answer);
  const gv = pyDecimal(oracle(entry));
  if (!av || !gv) return 0;
  return lessOrEqual(absRational(sub(av, gv)), { num: 1n, den: 10n ** BigInt(DECIMAL_ARITHMETIC_PLACES) }) ? 1 : 0;
};

/** number_format: float of the answer without commas within 0.01 of `metadata.solution`. */
export const numberFormat: RgScorer = (answer, entry) => {
  if (answer.length === 0) return 0;
  const v = pyFloat(pyStrip(answer).replace(/,/g, ''));
  if (v === null) return 0;
  return Math.abs(v - metaNumber(entry, 'solution')) < 1e-2 ? 1 : 0;
};

/** Python's `\b` in a str pattern, built on its Unicode `\w`. */
const PY_BOUNDARY = `(?:(?<=${PY_WORD})(?!${PY_WORD})|(?<!${PY_WORD})(?=${PY_WORD}))`;
/** RG's `\b-?\d+(?:\.\d+)?\b` with Python's Unicode `\d` and `\b`. */
const GSM_NUMBER = new RegExp(`${PY_BOUNDARY}-?\\p{Nd}+(?:\\.\\p{Nd}+)?(?!${PY_WORD})`, 'u');

/** gsm_symbolic: the first number in the answer (word-bounded) equals the gold as floats; else 0.01. */
export const gsmSymbolic: RgScorer = (answer, entry) => {
  const m = GSM_NUMBER.exec(answer);
  if (!m) return 0;
  const expected = pyFloat(oracle(entry));
  if (expected === null) return 0;
  return pyFloat(m[0]) === expected ? 1 : 0.01;
};

/**
 * Python `Fraction(s)` as a float: "a/b", decimals and exponents. As Python 3.11's `fractions`
 * (the version RG was run with here): no blank around the slash (`7 / 64` raises; 3.12 allows
 * it), and its regex's `\d` takes every Unicode digit (`٧/٦٤`, `７/６４`), which int() reads.
 */
function fractionFloat(s: string): number | null {
  const t = pyStrip(s);
  // Fraction reads each run of digits (numerator, denominator, decimals, exponent) with int(),
  // which raises beyond 4300 digits (`0.` and 4300 zeros and a 1 is a ValueError).
  for (const run of t.match(/[\p{Nd}_]+/gu) ?? []) if (pyIntTooLong(run)) return null;
  const frac = /^([+-]?\p{Nd}(?:_?\p{Nd})*)\/(\p{Nd}(?:_?\p{Nd})*)$/u.exec(t);
  if (frac?.[1] !== undefined && frac[2] !== undefined) {
    const den = BigInt(pyAsciiDigits(frac[2]).replace(/_/g, ''));
    if (den === 0n) return null;
    return finiteOrNull(toFloat(rational(BigInt(pyAsciiDigits(frac[1]).replace(/_/g, '')), den)));
  }
  const d = pyDecimalLiteral(t);
  if (d) return finiteOrNull(toFloat(d));
  // Beyond the exact range (`1e-20000`) a decimal literal is the double float() gives (0 here);
  // `inf` and `nan` are no Fraction.
  return /[a-df-z]/i.test(t) ? null : pyFloat(t);
}

/** null for ±Infinity: Python's float() of a Fraction that large raises OverflowError. */
function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Python's `f"{x:.10g}"`. */
function format10g(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const p = 10;
  let s: string;
  const e = Number(x.toExponential(p - 1).split('e')[1]);
  if (e < -4 || e >= p) {
    const [mant, ex] = x.toExponential(p - 1).split('e');
    const m = (mant ?? '').replace(/\.?0+$/, '');
    const n = Number(ex);
    s = `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  } else {
    s = x
      .toFixed(Math.max(0, p - 1 - e))
      .replace(/\.0+$/, '')
      .replace(/(\.\d*?)0+$/, '$1');
  }
  return s;
}

/** coin_flip: |a − gold| ≤ 1e-4 as fractions; else the matching prefix of both printed with 10 significant digits. */
export const coinFlip: RgScorer = (answer, entry) => {
  if (pyStrip(answer).length === 0) return 0;
  const a = fractionFloat(answer.replace(/,/g, ''));
  const g = fractionFloat(oracle(entry).replace(/,/g, ''));
  if (a === null || g === null) return 0;
  if (Math.abs(a - g) <= 1e-4) return 1;
  const as = format10g(a);
  const gs = format10g(g);
  let match = 0;
  for (let i = 0; i < Math.min(as.length, gs.length) && as[i] === gs[i]; i++) match++;
  return match / Math.min(gs.length, as.length);
};

/** Rounds x to `sig` significant figures, half to even (Decimal.quantize in RG's context). */
function sigFigs(x: Rational, sig: number): Rational | 'zero' {
  if (x.num === 0n) return 'zero';
  const a = absRational(x);
  // adjusted(): exponent of the leading digit.
  let exp = a.num.toString().length - a.den.toString().length;
  const pow = (e: number): Rational => (e >= 0 ? { num: 10n ** BigInt(e), den: 1n } : { num: 1n, den: 10n ** BigInt(-e) });
  if (!lessOrEqual(pow(exp), a)) exp -= 1;
  if (lessOrEqual(pow(exp + 1), a)) exp += 1;
  const shift = sig - exp - 1;
  // x * 10^shift rounded half-even to an integer.
  const scaledNum = shift >= 0 ? x.num * 10n ** BigInt(shift) : x.num;
  const scaledDen = shift >= 0 ? x.den : x.den * 10n ** BigInt(-shift);
  const neg = scaledNum < 0n;
  const n = neg ? -scaledNum : scaledNum;
  let q = n / scaledDen;
  const r = n % scaledDen;
  if (2n * r > scaledDen || (2n * r === scaledDen && q % 2n === 1n)) q += 1n;
  const signed = neg ? -q : q;
  return shift >= 0 ? { num: signed, den: 10n ** BigInt(shift) } : { num: signed * 10n ** BigInt(-shift), den: 1n };
}

/** power_function: both rounded to 3 significant figures must be equal; anything else 0.01. */
export const powerFunction: RgScorer = (answer, entry) => {
  const av = pyDecimal(answer);
  const gv = pyDecimal(oracle(entry));
  if (!av || !gv) return 0.01;
  const a = sigFigs(av, 3);
  const g = sigFigs(gv, 3);
  if (a === 'zero' || g === 'zero') return a === g ? 1 : 0.01;
  return a.num * g.den === g.num * a.den ? 1 : 0.01;
};

/** rectangle_count: exact count 1; off by d < 5 → 0.8·(1 − d/5); else 0. */
export const rectangleCount: RgScorer = (answer, entry) => {
  const gold = pyInt(oracle(entry).toLowerCase().replace(/\n/g, ''));
  const a = pyInt(pyStrip(answer));
  if (gold === null || a === null) return 0;
  const d = Math.abs(Number(a - gold));
  if (d === 0) return 1;
  if (d >= 5) return 0;
  return Math.max(0, 0.8 * (1 - d / 5));
};

/** bitwise_arithmetic: `int(answer, 0)` equals the value of `metadata.problem`. */
export const bitwiseArithmetic: RgScorer = (answer, entry) => {
  const user = pyIntBase0(answer);
  if (user === null) return 0;
  const value = evalBitwiseProblem(metaString(entry, 'problem'));
  return value !== null && value === user ? 1 : 0;
};

/**
 * Evaluates RG's bitwise problems: integer literals (hex/decimal), + - *, << >>, parentheses,
 * with Python's precedence (* over + - over shifts). Null for anything else.
 */
function evalBitwiseProblem(text: string): bigint | null {
  const tokens = text.match(/0x[0-9a-fA-F]+|\d+|<<|>>|[-+*()]|\S/g) ?? [];
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const unary = (): bigint | null => {
    const t = peek();
    if (t === '-') {
      i++;
      const v = unary();
      return v === null ? null : -v;
    }
    if (t === '+') {
      i++;
      return unary();
    }
    if (t === '(') {
      i++;
      const v = shift();
      if (peek() !== ')') return null;
      i++;
      return v;
    }
    if (t !== undefined && /^(0x[0-9a-fA-F]+|\d+)$/.test(t)) {
      i++;
      return BigInt(t);
    }
    return null;
  };
  const term = (): bigint | null => {
    let v = unary();
    while (v !== null && peek() === '*') {
      i++;
      const r = unary();
      v = r === null ? null : v * r;
    }
    return v;
  };
  const arith = (): bigint | null => {
    let v = term();
    while (v !== null && (peek() === '+' || peek() === '-')) {
      const op = tokens[i++];
      const r = term();
      v = r === null ? null : op === '+' ? v + r : v - r;
    }
    return v;
  };
  const shift = (): bigint | null => {
    let v = arith();
    while (v !== null && (peek() === '<<' || peek() === '>>')) {
      const op = tokens[i++];
      const r = arith();
      if (r === null || r < 0n || r > 100000n) return null;
      v = op === '<<' ? v << r : v >> r; // BigInt >> floors like Python's
    }
    return v;
  };
  const v = shift();
  return i === tokens.length ? v : null;
}

/** RG's `parse_string_to_complex`: spaces removed, outer brackets dropped, i → j. Null where it fails. */
function parseComplexAnswer(answer: string): [number, number] | null {
  let a = answer.replace(/ /g, '').toLowerCase();
  while (a.length > 1 && a.startsWith('(') && a.endsWith(')')) a = a.slice(1, -1);
  a = a.replace(/i/g, 'j');
  if (!a.includes('j')) {
    const f = pyFloat(a);
    return f === null ? null : [f, 0];
  }
  if (a === 'j') return [0, 1];
  if (a === '-j') return [0, -1];
  const head = a.slice(0, -1);
  if ((a.endsWith('j') && !/[+-]/.test(head)) || (a.startsWith('-') && !/[+-]/.test(a.slice(1, -1)))) {
    const coef = head === '' ? '1' : head === '-' ? '-1' : head;
    const f = pyFloat(coef);
    return f === null ? null : [0, f];
  }
  if (!a.endsWith('j')) return null;
  a = a.replace(/\+j/g, '+1j').replace(/-j/g, '-1j');
  return pyComplex(a);
}

/** complex_arithmetic: exp(−|answer − result|), capped at 1. */
export const complexArithmetic: RgScorer = (answer, entry) => {
  const result = metaArray(entry, 'result');
  const [re, im] = result;
  if (typeof re !== 'number' || typeof im !== 'number') throw new RgDataError('metadata.result is not [real, imag]');
  const parsed = parseComplexAnswer(answer);
  if (!parsed) return 0;
  const d = Math.hypot(parsed[0] - re, parsed[1] - im);
  // RG's Python min(1.0, nan) is 1.0: a `nan` answer gets full credit there (documented divergence).
  return Number.isNaN(d) ? 0 : Math.min(1, Math.exp(-d));
};

/** RG's `\\(?:frac|dfrac)\s*{\s*(\d+)\s*}\s*{\s*(\d+)\s*}` (re.IGNORECASE), `\s` and `\d` as Python's (U+0085 and U+001C-U+001F are blanks, U+FEFF is not). */
const FRAC_LATEX = new RegExp(`^\\\\(?:frac|dfrac)[${PY_WS}]*\\{[${PY_WS}]*(\\p{Nd}+)[${PY_WS}]*\\}[${PY_WS}]*\\{[${PY_WS}]*(\\p{Nd}+)[${PY_WS}]*\\}`, 'iu');

/** RG's `_extract_fraction`: LaTeX \frac{a}{b} or "a/b" after stripping "$". */
function extractFraction(answer: string): [bigint, bigint] | null {
  const cleaned = pyStrip(pyStripChars(pyStrip(answer), '$'));
  // Python's \d matches every Unicode decimal digit, and int() reads it.
  const latex = FRAC_LATEX.exec(cleaned);
  if (latex?.[1] !== undefined && latex[2] !== undefined) {
    const [ln, ld] = [pyInt(latex[1]), pyInt(latex[2])];
    return ln === null || ld === null ? null : [ln, ld];
  }
  const slash = cleaned.indexOf('/');
  if (slash < 0) return null;
  // map(str.strip, cleaned.split("/", 1)) first: str.strip() also removes U+001C-U+001F, which int() refuses.
  const n = pyInt(pyStrip(cleaned.slice(0, slash)));
  const d = pyInt(pyStrip(cleaned.slice(slash + 1)));
  return n === null || d === null ? null : [n, d];
}

/** Python `s.strip(chars)`. */
function pyStripChars(s: string, chars: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && chars.includes(s[a] ?? '')) a++;
  while (b > a && chars.includes(s[b - 1] ?? '')) b--;
  return s.slice(a, b);
}

/** fraction_simplification: the simplified fraction 1; right numerator or denominator 0.1; else 0.05 / 0.01. */
export const fractionSimplification: RgScorer = (answer, entry) => {
  const f = extractFraction(answer);
  if (!f) return 0.01;
  const [n, d] = f;
  const big = (k: string): bigint => BigInt(metaNumber(entry, k));
  if (n === big('simplified_numerator') && d === big('simplified_denominator')) return 1;
  if (n === big('numerator') || d === big('denominator')) return 0.1;
  return pyStrip(answer).length > 0 ? 0.05 : 0.01;
};

/** RG's prime_factorization `_normalize_answer`: integers split on "×", sorted; null where int() raises. */
function factors(s: string): bigint[] | null {
  if (pyStrip(s) === '') return [];
  const out: bigint[] = [];
  for (const part of s.split('×')) {
    if (pyStrip(part) === '') continue;
    const v = pyInt(pyStrip(part)); // int(factor.strip())
    if (v === null) return null;
    out.push(v);
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * prime_factorization: the same sorted factors 1; the same product 0.5; else 0.01. RG raises
 * (no score) on text that is not integers joined by "×"; we give 0 there.
 */
export const primeFactorization: RgScorer = (answer, entry) => {
  const g = factors(oracle(entry));
  const a = factors(answer);
  if (!g) throw new RgDataError('the stored answer is not a factor list');
  if (!a) return 0;
  if (a.length === g.length && a.every((v, i) => v === g[i])) return 1;
  const prod = (l: bigint[]): bigint => l.reduce((x, y) => x * y, 1n);
  return prod(a) === prod(g) ? 0.5 : 0.01;
};

/** Weekday names RG accepts for calendar tasks. */
const WEEKDAYS = new Set(['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']);

/** calendar_arithmetic: weekday, day-count (exp(−5·relative error)) and leap-year tasks. */
export const calendarArithmetic: RgScorer = (answer, entry) => {
  if (answer.length === 0) return 0;
  const gold = oracle(entry);
  const task = metaString(entry, 'task');
  if (task === 'weekday_offset' || task === 'weekday_of_date_from_first_date' || task === 'weekday_of_date') {
    const a = pyStrip(answer);
    if (a === gold) return 1;
    if (WEEKDAYS.has(a)) return 0.1;
    if (WEEKDAYS.has(pyTitle(a))) return 0.05;
    return 0;
  }
  if (task === 'count_business_days' || task === 'count_days' || task === 'recurring_event_day') {
    const a = pyInt(pyStrip(answer)); // int(answer.strip())
    const g = pyInt(pyStrip(gold));
    if (a === null || g === null) return 0;
    if (g === 0n) return a === 0n ? 1 : 0;
    const rel = Math.abs(Number(a - g)) / Number(g);
    return Math.max(0, Math.exp(-5 * rel));
  }
  if (task === 'is_leap_year') return pyStrip(answer).toLowerCase() === gold.toLowerCase() ? 1 : 0;
  return 0;
};

/** RG's time_intervals defaults: 100 days, 24 h. */
const MAX_DATE_DIFF_DAYS = 100;
const MAX_TIME_DIFF_SECONDS = 24 * 60 * 60;

function parseClock(t: string): number | null {
  const parts = pyStrip(t).split(':');
  if (parts.length < 2) return null;
  const h = pyInt(parts[0] ?? '');
  const m = pyInt(parts[1] ?? '');
  if (h === null || m === null) return null;
  let seconds = Number(h) * 3600 + Number(m) * 60;
  if (parts.length > 2) {
    const p2 = parts[2] ?? '';
    if (p2.includes('.')) {
      const sp = p2.split('.');
      if (sp.length !== 2) return null;
      const s = pyInt(sp[0] ?? '');
      const ms = pyInt(sp[1] ?? '');
      if (s === null || ms === null) return null;
      seconds += Number(s) + Number(ms) / 1000;
    } else {
      const s = pyInt(p2);
      if (s === null) return null;
      seconds += Number(s);
    }
  }
  return seconds;
}

function parseDayTime(t: string): number | null {
  const idx = t.indexOf(' days,');
  const days = pyInt(idx < 0 ? t : t.slice(0, idx));
  const commaParts = t.split(',');
  if (days === null || commaParts.length < 2) return null;
  const parts = pyStrip(commaParts[1] ?? '').split(':');
  if (parts.length < 2) return null;
  const h = pyInt(parts[0] ?? '');
  const m = pyInt(parts[1] ?? '');
  if (h === null || m === null) return null;
  let seconds = Number(h) * 3600 + Number(m) * 60;
  if (parts.length > 2) {
    const s = pyInt(parts[2] ?? '');
    if (s === null) return null;
    seconds += Number(s);
  }
  return Number(days) * 86400 + seconds;
}

/** time_intervals: exact interval 1, else linear credit by distance (100 days / 24 h scale). */
export const timeIntervals: RgScorer = (answer, entry) => {
  const gold = oracle(entry);
  const type = metaString(entry, 'task_type');
  let a: number | null;
  let g: number | null;
  let scale: number;
  if (type === 'date') {
    const first = (s: string): number | null => {
      const w = pySplit(s)[0];
      if (w === undefined) return null;
      const v = pyInt(w);
      return v === null ? null : Number(v);
    };
    a = first(answer);
    g = first(gold);
    scale = MAX_DATE_DIFF_DAYS;
  } else if (type.startsWith('time')) {
    a = parseClock(answer);
    g = parseClock(gold);
    scale = MAX_TIME_DIFF_SECONDS;
  } else {
    a = parseDayTime(answer);
    g = parseDayTime(gold);
    scale = MAX_DATE_DIFF_DAYS * 86400;
  }
  if (a === null || g === null) return 0;
  if (a === g) return 1;
  return Math.max(0, 1 - Math.abs(a - g) / scale);
};

/** advanced_geometry: angle (2 decimals), orthocenter (exact or 3 decimals) and incircle radius tasks. */
export const advancedGeometry: RgScorer = (answer, entry) => {
  const gold = oracle(entry);
  const type = metaString(entry, 'task_type');
  if (type === 'angle_measure') {
    const a = pyFloat(answer.replace(/\u00b0/g, ''));
    const g = pyFloat(gold.replace(/\u00b0/g, ''));
    if (a === null || g === null) return 0.01;
    if (npRound(a, 2) === npRound(g, 2)) return 1;
    return pyStrip(answer.replace(/\u00b0/g, '')).length > 0 ? 0.05 : 0.01;
  }
  if (type === 'orthocenter') {
    const parts = answer.split(',');
    if (parts.length < 2) return 0.01;
    const x = pyFloat(pyStrip((parts[0] ?? '').replace(/\(/g, '')));
    const y = pyFloat(pyStrip((parts[1] ?? '').replace(/\)/g, '')));
    const ortho = metaArray(entry, 'ortho');
    const coord = (v: unknown): number | null => {
      if (typeof v === 'number') return v;
      if (typeof v !== 'string') return null;
      if (v.includes('/')) {
        const [n, d] = v.split('/');
        const ni = pyInt(n ?? '');
        const di = pyInt(d ?? '');
        if (ni === null || di === null || di === 0n) return null;
        return Number(ni) / Number(di);
      }
      return pyFloat(v);
    };
    const ex = coord(ortho[0]);
    const ey = coord(ortho[1]);
    if (x === null || y === null || ex === null || ey === null) return 0.01;
    if (x === ex && y === ey) return 1;
    return npRound(x, 3) === npRound(ex, 3) && npRound(y, 3) === npRound(ey, 3) ? 1 : 0.01;
  }
  if (type === 'incircle_radius') {
    if (answer === gold) return 1;
    const a = pyFloat(answer);
    const exact = entry.metadata.incircle_radius_exact;
    const e = typeof exact === 'number' ? exact : typeof exact === 'string' ? pyFloat(exact) : null;
    if (a === null || e === null) return 0.01;
    if (npRound(a, 2) === npRound(e, 2)) return 0.5;
    return pyStrip(answer).length > 0 ? 0.05 : 0.01;
  }
  return 0.01;
};

/** RG's polynomial_equations defaults: exp(−10·distance) per root, 0.5 off per missing or extra root. */
const ROOT_DISTANCE_FACTOR = -10;
const ROOT_MISSING_PENALTY = 0.5;
const ROOT_EXTRA_PENALTY = 0.5;

/** Comma-separated floats (unparsable parts ignored), sorted. */
function rootList(text: string): number[] {
  if (text.length === 0) return [];
  return text
    .split(',')
    .map((p) => pyFloat(pyStrip(p)))
    .filter((v): v is number => v !== null)
    .sort((a, b) => a - b);
}

/**
 * polynomial_equations: each given root is matched greedily to the nearest unmatched real
 * root and earns exp(−10·distance); the mean, minus 0.5 per missing and per extra root.
 */
export const polynomialEquations: RgScorer = (answer, entry) => {
  const oracleRoots = rootList(oracle(entry));
  const predicted = rootList(answer);
  if (oracleRoots.length === 0 && predicted.length === 0) return 1;
  let total = 0;
  let matched = 0;
  let extra = 0;
  for (const p of predicted) {
    let best = Infinity;
    let bestIndex = -1;
    oracleRoots.forEach((o, i) => {
      if (best > Math.abs(p - o)) {
        best = Math.abs(p - o);
        bestIndex = i;
      }
    });
    if (bestIndex >= 0) {
      matched++;
      oracleRoots.splice(bestIndex, 1);
      total += Math.exp(best * ROOT_DISTANCE_FACTOR);
    } else extra++;
  }
  const penalty = oracleRoots.length * ROOT_MISSING_PENALTY + extra * ROOT_EXTRA_PENALTY;
  if (matched > 0) total /= matched;
  return Math.max(0, total - penalty);
};
