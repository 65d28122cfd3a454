// How Python reads a number or a literal, for benchmarks whose authors check answers with
// `int(text)`, `float(text)` or `json.loads(text)` (SymBench, CodeSteer-v1.0). Where the
// question's own rules say nothing more, following the authors' parser keeps our verdicts
// comparable with theirs (docs/task-files.md lists where we differ).

/** Python's `int(text)`: surrounding whitespace, a sign, digits with single underscores between them. */
export function pyInt(text: string): number | null {
  const t = text.trim();
  if (!/^[+-]?\d+(?:_\d+)*$/.test(t)) return null;
  const n = Number(t.replace(/_/g, ''));
  return Number.isSafeInteger(n) ? n : null;
}

/** Python's `float(text)` for finite values: decimals, exponents, underscores between digits. */
export function pyFloat(text: string): number | null {
  const t = text.trim();
  const digits = String.raw`\d+(?:_\d+)*`;
  const re = new RegExp(String.raw`^[+-]?(?:${digits}(?:\.(?:${digits})?)?|\.${digits})(?:[eE][+-]?${digits})?$`);
  if (!re.test(t)) return null;
  const n = Number(t.replace(/_/g, ''));
  return Number.isFinite(n) ? n : null;
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
  return text.split(',').map((p) => p.trim());
}
