// Python's `str.strip()`, which the benchmark authors' extraction (`re.findall(r'<<<(.*?)>>>')`
// then `.strip()`) and Reasoning-Gym's `extract_answer` apply to an answer. JavaScript's `trim()`
// differs: it removes a byte order mark (U+FEFF), which Python keeps, and keeps the separators
// U+001C-U+001F and U+0085, which Python removes.

/**
 * Characters Python's `str.strip()` / `str.split()` (and `re`'s `\s`) treat as whitespace: ASCII
 * ones plus Unicode spaces. Not U+FEFF (a byte order mark), which JavaScript's `\s` and `trim()` include.
 * A regular-expression character-class body.
 */
export const PY_WS = '\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/** Whether the UTF-16 unit `c` is in PY_WS (every one of them is a single unit). */
export function isPyWhitespace(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

// A scan, not a regular expression: `/[ws]+$/` retries at every start of a whitespace run that
// does not reach the end, which is quadratic in the run's length (seconds for 40,000 spaces).

/** Python `s.strip()`: `s` without the whitespace Python recognises at either end. Linear time. */
export function pyStrip(s: string): string {
  let start = 0;
  while (start < s.length && isPyWhitespace(s.charCodeAt(start))) start++;
  return s.slice(start, whitespaceEnd(s, start));
}

/** Python `s.rstrip()`. Linear time. */
export function pyRstrip(s: string): string {
  return s.slice(0, whitespaceEnd(s, 0));
}

/** The end of `s` once its trailing whitespace (not before `from`) is cut. */
function whitespaceEnd(s: string, from: number): number {
  let end = s.length;
  while (end > from && isPyWhitespace(s.charCodeAt(end - 1))) end--;
  return end;
}

/**
 * What Python's number parsers (`int()`, `float()`, `complex()`, `int(s, 0)`) skip around a
 * number: `str.strip()`'s whitespace without U+001C-U+001F, which `str.strip()` removes but
 * `int('5\x1c')` refuses. Linear time.
 */
export function pyNumberStrip(s: string): string {
  const skip = (c: number): boolean => isPyWhitespace(c) && !(c >= 0x1c && c <= 0x1f);
  let start = 0;
  while (start < s.length && skip(s.charCodeAt(start))) start++;
  let end = s.length;
  while (end > start && skip(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}
