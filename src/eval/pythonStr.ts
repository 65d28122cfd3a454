// `r1ci score --answers`: harnesses write numbers and booleans as JSON values ({"answer": 42}),
// not strings. They are scored as the text Python's str() gives the value json.loads makes of
// them (the harnesses this reads are Python): 42 → "42", 1.0 → "1.0", 1e16 → "1e+16", true →
// "True". An integer keeps every digit, so the value's JSON text is needed, not JS's number.
import { PY_INT_MAX_STR_DIGITS, pyFloatRepr } from './reasoningGym/py';

/**
 * Python's `str(json.loads(token))` for `token`, the JSON text of one number ("42", "-0",
 * "1.50", "1e3", "123456789012345678901234567890"): an integer token (no ".", "e" or "E") is a
 * Python int, printed with every digit ("-0" → "0"); any other is a float, printed as repr()
 * prints it (the shortest digits that read back to the same double, "1.0", "1e-05", "1e+16",
 * "inf" for 1e400). `token` must be valid JSON number text.
 * @throws IntTooLongError for an integer of more than PY_INT_MAX_STR_DIGITS digits, as Python raises ValueError.
 */
export function pythonStrOfJsonNumber(token: string): string {
  if (/[.eE]/.test(token)) return pyFloatRepr(Number(token));
  const digits = token.replace(/^-/, '').length;
  if (digits > PY_INT_MAX_STR_DIGITS) throw new IntTooLongError(digits);
  return BigInt(token).toString();
}

export { PY_INT_MAX_STR_DIGITS };

/**
 * An integer token of more than PY_INT_MAX_STR_DIGITS digits: Python's json.loads raises
 * ValueError on it (the harness could not have read it either), so it has no str() to score.
 * `digits`: how many the token has, without its sign.
 */
export class IntTooLongError extends RangeError {
  constructor(readonly digits: number) {
    super(`an integer of ${digits} digits, over Python's limit of ${PY_INT_MAX_STR_DIGITS} for integer text (json.loads raises ValueError on it): write it as a string`);
  }
}

/**
 * The JSON text of the value of the key `key` of the object `line` holds (the last one, as
 * JSON.parse keeps the last of repeated keys), when that value is a number; undefined otherwise.
 * `line` must be valid JSON whose top level is an object.
 */
export function topLevelNumberText(line: string, key: string): string | undefined {
  let depth = 0;
  let found: string | undefined;
  let lastKey: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') {
      const start = i;
      for (i++; i < line.length && line[i] !== '"'; i++) if (line[i] === '\\') i++;
      // A string at depth 1 followed by ":" is a key of the top-level object.
      if (depth === 1) {
        const rest = line.slice(i + 1).trimStart();
        if (rest.startsWith(':')) lastKey = JSON.parse(line.slice(start, i + 1)) as string;
      }
      continue;
    }
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (depth === 1 && lastKey !== undefined && (c === '-' || (c !== undefined && c >= '0' && c <= '9'))) {
      const token = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(line.slice(i))?.[0] ?? '';
      if (lastKey === key) found = token;
      i += token.length - 1;
    } else if (depth === 1 && c === ',') {
      lastKey = undefined;
    }
  }
  return found;
}
