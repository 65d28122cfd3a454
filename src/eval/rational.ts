// Exact rational arithmetic on bigints, so that checks like 8 / (3 - 8/3) = 24 hold
// exactly instead of depending on floating-point rounding.

/** A fraction in lowest terms with a positive denominator. */
export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

/** Builds a normalised fraction; the denominator must not be zero. */
export function rational(num: bigint, den: bigint = 1n): Rational {
  if (den === 0n) throw new RangeError('zero denominator');
  const sign = den < 0n ? -1n : 1n;
  const g = gcd(num, den) || 1n;
  return { num: (sign * num) / g, den: (sign * den) / g };
}

export function add(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den + b.num * a.den, a.den * b.den);
}

export function sub(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den - b.num * a.den, a.den * b.den);
}

export function mul(a: Rational, b: Rational): Rational {
  return rational(a.num * b.num, a.den * b.den);
}

/** Division; null when dividing by zero (a caller decides what that means). */
export function div(a: Rational, b: Rational): Rational | null {
  if (b.num === 0n) return null;
  return rational(a.num * b.den, a.den * b.num);
}

export function neg(a: Rational): Rational {
  return { num: -a.num, den: a.den };
}

/**
 * The double nearest to `a` (ties to even), as Python's `float(Fraction)` / `int / int` give it:
 * exact for any size of numerator and denominator, ±Infinity beyond the double range (where
 * Python raises OverflowError). `Number(num) / Number(den)` is only right while both are exact
 * doubles; beyond that it rounds twice, and gives NaN for two huge terms (10^400 / 10^399).
 */
export function toFloat(a: Rational): number {
  const { num, den } = a;
  if (num === 0n) return 0;
  const limit = 2n ** 53n;
  const n = num < 0n ? -num : num;
  if (n <= limit && den <= limit) return Number(num) / Number(den);
  // A quotient of 64-65 bits, its last bit set when the division is inexact (a sticky bit):
  // Number() then rounds it to 53 bits exactly as the full quotient would round.
  const shift = n.toString(2).length - den.toString(2).length - 64;
  const scaledN = shift < 0 ? n << BigInt(-shift) : n;
  const scaledD = shift > 0 ? den << BigInt(shift) : den;
  let q = scaledN / scaledD;
  if (q * scaledD !== scaledN) q |= 1n;
  // Scaling by a power of two is exact; done in steps so 2^shift itself never overflows.
  let v = Number(q);
  for (let k = shift; k !== 0;) {
    const step = Math.max(-1000, Math.min(1000, k));
    v *= 2 ** step;
    k -= step;
  }
  return num < 0n ? -v : v;
}

export function equals(a: Rational, b: Rational): boolean {
  return a.num === b.num && a.den === b.den;
}

/**
 * Parses an unsigned or signed decimal ("12", "-3.25", "1e3" is NOT accepted) or a
 * fraction "a/b" exactly. Returns null for anything else.
 */
export function parseRational(text: string): Rational | null {
  const t = text.trim();
  const frac = /^([+-]?\d+)\s*\/\s*([+-]?\d+)$/.exec(t);
  if (frac?.[1] !== undefined && frac[2] !== undefined) {
    const den = BigInt(frac[2]);
    return den === 0n ? null : rational(BigInt(frac[1]), den);
  }
  const dec = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(t);
  if (!dec) return null;
  const sign = dec[1] === '-' ? -1n : 1n;
  const whole = dec[2] ?? '';
  const fracPart = dec[3] ?? '';
  if (whole === '' && fracPart === '') return null;
  const digits = BigInt((whole || '0') + fracPart);
  return rational(sign * digits, 10n ** BigInt(fracPart.length));
}

export function formatRational(a: Rational): string {
  return a.den === 1n ? a.num.toString() : `${a.num}/${a.den}`;
}
