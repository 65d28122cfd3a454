// Turning the text a model put inside <<<...>>> into comparable values.
// Models decorate answers ("Answer: (B).", quotes, code fences, Python lists); these helpers
// remove decoration only, so a wrong value stays wrong.

import { extractFinalAnswer } from '../agent/finalAnswer';
import { trimTrailing } from '../text/trimTrailing';

// One definition of "the final answer": the agent's (eval scores what the agent extracted).
export { extractFinalAnswer };

/** "Answer:", "Final answer =", "The answer is" — only with a delimiter, so "Solutions" stays intact. */
const LABEL = /^(?:the\s+)?(?:final\s+)?(?:answer|result|solution)(?:\s+is\s*:?|\s*[:=])\s*/i;

/** Removes wrappers: stray <<< >>>, code fences, an "Answer:" label, surrounding whitespace. */
export function cleanAnswer(raw: string): string {
  let s = raw.trim();
  const inner = extractFinalAnswer(s);
  if (inner !== null) s = inner.trim();
  // Only a text that ends with ``` can match: the regex then succeeds at once; tried on any text, a
  // long run of whitespace after the opening fence cost quadratic time.
  const fence = s.endsWith('```') ? /^```[\w-]*\s*\n?([\s\S]*?)\n?```$/.exec(s) : null;
  if (fence?.[1] !== undefined) s = fence[1].trim();
  if (s.startsWith('`') && s.endsWith('`') && s.length >= 2) s = s.slice(1, -1).trim();
  s = s.replace(LABEL, '').trim();
  return s;
}

/** Strips one pair of matching surrounding quotes (straight or typographic). */
export function stripQuotes(s: string): string {
  const t = s.trim();
  const pairs: ReadonlyArray<readonly [string, string]> = [
    ['"', '"'],
    ["'", "'"],
    ['\u201c', '\u201d'],
    ['\u2018', '\u2019'],
  ];
  for (const [open, close] of pairs) {
    if (t.length >= 2 && t.startsWith(open) && t.endsWith(close)) return t.slice(open.length, -close.length).trim();
  }
  return t;
}

/** Case-, whitespace-, quote- and trailing-period-insensitive form of a short text answer. */
export function normalizeText(s: string): string {
  let t = stripQuotes(cleanAnswer(s));
  t = t.replace(/\s+/g, ' ').trim().toLowerCase();
  t = trimTrailing(t, '.。').trim();
  return stripQuotes(t);
}

/** A parsed Python/JSON-ish literal: scalars keep their source text (unquoted), lists nest. */
export type Literal = string | Literal[];

/**
 * Parses "[['a', 'b'], [1, 2]]", '["5","3","F","A"]', "(1, 2)" or "[A, B]" (bare words).
 * Tuples count as lists. Returns null when the text is not one literal.
 */
export function parseLiteral(text: string): Literal | null {
  const src = text.trim();
  let i = 0;
  let depth = 0;

  const skipWs = (): void => {
    while (i < src.length && /\s/.test(src[i] ?? '')) i++;
  };

  const parseValue = (): Literal | null => {
    skipWs();
    const ch = src[i];
    if (ch === undefined) return null;
    if (ch === '[' || ch === '(') {
      if (++depth > 32) return null;
      const close = ch === '[' ? ']' : ')';
      i++;
      const items: Literal[] = [];
      skipWs();
      if (src[i] === close) {
        i++;
        depth--;
        return items;
      }
      for (;;) {
        const item = parseValue();
        if (item === null) return null;
        items.push(item);
        skipWs();
        if (src[i] === ',') {
          i++;
          skipWs();
          if (src[i] === close) {
            i++;
            break;
          }
          continue;
        }
        if (src[i] === close) {
          i++;
          break;
        }
        return null;
      }
      depth--;
      return items;
    }
    if (ch === '"' || ch === "'") {
      i++;
      let out = '';
      while (i < src.length && src[i] !== ch) {
        if (src[i] === '\\' && i + 1 < src.length) i++;
        out += src[i];
        i++;
      }
      if (src[i] !== ch) return null;
      i++;
      return out;
    }
    // A bare scalar (number or unquoted word) runs to the next separator.
    const start = i;
    while (i < src.length && !/[,[\]()'"]/.test(src[i] ?? '')) i++;
    const word = src.slice(start, i).trim();
    return word === '' ? null : word;
  };

  const value = parseValue();
  skipWs();
  return value !== null && i === src.length ? value : null;
}

/** Parses one number written as integer, decimal, scientific, fraction or with thousands separators. */
export function parseNumberText(text: string): number | null {
  let t = stripQuotes(cleanAnswer(text)).replace(/\.$/, '').trim();
  // A one-element list "[90]" is still that number (the new-operator prompt asks for a list).
  const lit = parseLiteral(t);
  if (Array.isArray(lit) && lit.length === 1 && typeof lit[0] === 'string') t = stripQuotes(lit[0]);
  if (/^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(t)) t = t.replace(/,/g, '');
  const frac = /^([+-]?\d+(?:\.\d+)?)\s*\/\s*([+-]?\d+(?:\.\d+)?)$/.exec(t);
  if (frac?.[1] !== undefined && frac[2] !== undefined) {
    const d = Number(frac[2]);
    return d === 0 ? null : Number(frac[1]) / d;
  }
  // `\d+(?:\.\d*)?`, not `\d+\.?\d*`: two digit runs that can split anywhere cost quadratic time on a long number followed by anything else.
  if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/** Relative comparison with an absolute floor so that 0 vs 1e-12 is equal too. */
export function numbersClose(a: number, b: number, relTol = 1e-6): boolean {
  return Math.abs(a - b) <= relTol * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Reads a matrix of integers: a nested list literal, or rows on lines / separated by ";". */
export function parseIntMatrix(text: string): number[][] | null {
  const t = cleanAnswer(text);
  const lit = parseLiteral(t);
  if (Array.isArray(lit)) {
    if (lit.every((row) => Array.isArray(row))) return literalRowsToInts(lit as Literal[][]);
    return literalRowsToInts([lit]);
  }
  const rows = t
    .split(/\n|;/)
    .map((line) => line.trim().replace(/^[[(]|[\])],?$/g, ''))
    .filter((line) => line.trim() !== '');
  const out: number[][] = [];
  for (const row of rows) {
    const cells = row.split(/[,\s]+/).filter((c) => c !== '');
    const nums = cells.map((c) => (/^[+-]?\d+$/.test(c) ? Number(c) : Number.NaN));
    if (nums.some((n) => Number.isNaN(n))) return null;
    out.push(nums);
  }
  return out.length > 0 ? out : null;
}

function literalRowsToInts(rows: Literal[][]): number[][] | null {
  const out: number[][] = [];
  for (const row of rows) {
    const nums: number[] = [];
    for (const cell of row) {
      if (typeof cell !== 'string' || !/^[+-]?\d+$/.test(stripQuotes(cell))) return null;
      nums.push(Number(stripQuotes(cell)));
    }
    out.push(nums);
  }
  return out;
}

/** Reshapes a one-row matrix into `rows` × `cols` when the count fits (an answer written on one line). */
export function reshape(m: number[][], rows: number, cols: number): number[][] | null {
  if (m.length === rows && m.every((r) => r.length === cols)) return m;
  const flat = m.flat();
  if (m.length !== 1 || flat.length !== rows * cols) return null;
  const out: number[][] = [];
  for (let r = 0; r < rows; r++) out.push(flat.slice(r * cols, (r + 1) * cols));
  return out;
}

/** Reads "0 3, 1 0" / "[[0,3],[1,0]]" / "(0,3), (1,0)" as a list of (row, column) pairs. */
export function parseCells(text: string): Array<[number, number]> | null {
  const t = cleanAnswer(text);
  if (/[a-z]/i.test(t)) return null; // words would make the pairing ambiguous
  const nums = [...t.matchAll(/-?\d+/g)].map((m) => Number(m[0]));
  if (nums.length === 0 || nums.length % 2 !== 0) return null;
  const out: Array<[number, number]> = [];
  for (let i = 0; i < nums.length; i += 2) out.push([nums[i] ?? 0, nums[i + 1] ?? 0]);
  return out;
}
