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
const LEADING = new RegExp(`^[${PY_WS}]+`);
const TRAILING = new RegExp(`[${PY_WS}]+$`);

/** Python `s.strip()`: `s` without the whitespace Python recognises at either end. */
export function pyStrip(s: string): string {
  return s.replace(LEADING, '').replace(TRAILING, '');
}

/** Python `s.rstrip()`. */
export function pyRstrip(s: string): string {
  return s.replace(TRAILING, '');
}
