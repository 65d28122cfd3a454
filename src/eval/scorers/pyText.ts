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

/** `[part.strip() for part in text.split(',')]`. */
export function commaParts(text: string): string[] {
  return text.split(',').map((p) => pyStrip(p));
}
