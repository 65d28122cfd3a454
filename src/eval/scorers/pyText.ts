// How Python reads a number or a literal, for benchmarks whose authors check answers with
// `int(text)`, `float(text)` or `json.loads(text)` (SymBench, CodeSteer-v1.0). Where the
// question's own rules say nothing more, following the authors' parser keeps our verdicts
// comparable with theirs (docs/task-files.md lists where we differ).

import { pyFloat as pythonFloat, pyInt as pythonInt, pyStrip } from '../reasoningGym/py';

/**
 * Python's `int(text.strip())` (the authors strip every answer and part first): Python's
 * whitespace around, a sign, digits (Unicode ones too) with single underscores between them.
 */
export function pyInt(text: string): number | null {
  const v = pythonInt(pyStrip(text));
  return v !== null && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : null;
}

/** Python's `float(text.strip())` for finite values: decimals, exponents, underscores between digits, Unicode digits. */
export function pyFloat(text: string): number | null {
  const v = pythonFloat(pyStrip(text));
  return v !== null && Number.isFinite(v) ? v : null;
}

/** Python's `json.loads(text)` (NaN/Infinity aside); undefined when the text is not JSON. */
export function jsonValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The first key that an object of the JSON `text` holds twice (compared after unescaping, so
 * `"A"` and `"\u0041"` are one key), or undefined when none does or the text is not JSON.
 * JSON.parse and Python's json.loads keep only the last of repeated keys; a question that asks
 * for unique keys needs the text itself. Linear in the text's length, no recursion.
 */
export function repeatedJsonKey(text: string): string | undefined {
  if (jsonValue(text) === undefined) return undefined;
  // One entry per open container: the keys seen so far (an object) or null (an array).
  const open: Array<Set<string> | null> = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') open.push(new Set());
    else if (c === '[') open.push(null);
    else if (c === '}' || c === ']') open.pop();
    else if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const keys = open[open.length - 1];
      let next = end + 1;
      while (/[ \t\n\r]/.test(text[next] ?? '')) next++; // JSON's whitespace
      if (keys && text[next] === ':') {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
      i = end;
    }
  }
  return undefined;
}

/** `[part.strip() for part in text.split(',')]`. */
export function commaParts(text: string): string[] {
  return text.split(',').map((p) => pyStrip(p));
}
