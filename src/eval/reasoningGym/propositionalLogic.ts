// propositional_logic: RG parses the conclusion with its own splitter (outer parentheses
// dropped; ↔, then →, ∨, ∧ split at the rightmost top-level occurrence; a leading ¬; anything
// else is a variable name, quotes and brackets included) and checks by truth table that the
// premises entail it: 1, or 0.25 for a tautology / bare variable, 0.05 when not entailed.

import { metaArray, RgDataError, type RgScorer } from './entry';
import { isPyWhitespace } from '../../text/pythonStrip';
import { PY_NESTING_LIMIT } from './py';

type Expr = { readonly op: null; readonly name: string } | { readonly op: '¬'; readonly arg: Expr } | { readonly op: '∧' | '∨' | '→' | '↔'; readonly left: Expr; readonly right: Expr };

const LEVELS = ['↔', '→', '∨', '∧'] as const;
/**
 * The truth table's size: RG enumerates all 2^n rows, however many names. Here a table is built
 * while its words (2^n / 32 per column) times the expressions' nodes (the work) and times their
 * depth (the buffers held at once) stay under these; past them the answer scores 0, where RG
 * takes minutes (docs/task-files.md).
 */
const MAX_TABLE_WORK = 2 ** 27;
const MAX_TABLE_WORDS_HELD = 2 ** 23;
/** Row numbers are read bit by bit as 32-bit integers. */
const MAX_VARIABLES = 30;
/** RG's `parse_expr` recurses once a level and raises RecursionError past this (py.ts). */
const MAX_DEPTH = PY_NESTING_LIMIT;
/**
 * Characters the splitter may scan in all (each level scans its range): past this the answer
 * scores 0, where RG, scanning as much in Python, takes minutes (docs/task-files.md).
 */
const MAX_SCAN = 50_000_000;

class ParseError extends Error {}

/**
 * RG's splitter on `text[lo, hi)`, read in place: no copy of the text per level, and each level
 * scans its range twice (outer parentheses, then every operator at once), at most MAX_SCAN
 * characters in all (`budget.left`; was: several copies per level, minutes for 200,000 nested
 * parentheses). The characters it looks for are single UTF-16 units, so reading units finds what
 * RG's reading of code points finds. Throws ParseError where RG raises (ValueError,
 * RecursionError) or the budget runs out.
 */
function parse(text: string, lo: number, hi: number, depth: number, budget: { left: number }): Expr {
  if (depth > MAX_DEPTH) throw new ParseError('nested too deeply');
  budget.left -= 2 * (hi - lo);
  if (budget.left < 0) throw new ParseError('too long to parse');
  // Python's str.strip()
  while (lo < hi && isPyWhitespace(text.charCodeAt(lo))) lo++;
  while (hi > lo && isPyWhitespace(text.charCodeAt(hi - 1))) hi--;
  if (lo === hi) throw new ParseError('empty expression');
  if (text[lo] === '(' && text[hi - 1] === ')' && enclosedBy(text, lo, hi)) return parse(text, lo + 1, hi - 1, depth + 1, budget);
  // The rightmost top-level occurrence of each operator, in one pass from the right.
  const at = new Map<string, number>();
  let level = 0;
  for (let i = hi - 1; i >= lo; i--) {
    const c = text[i] ?? '';
    if (c === ')') level++;
    else if (c === '(') level--;
    else if (level === 0 && (LEVELS as readonly string[]).includes(c) && !at.has(c)) at.set(c, i);
  }
  for (const op of LEVELS) {
    const i = at.get(op);
    if (i !== undefined) return { op, left: parse(text, lo, i, depth + 1, budget), right: parse(text, i + 1, hi, depth + 1, budget) };
  }
  if (text[lo] === '¬') return { op: '¬', arg: parse(text, lo + 1, hi, depth + 1, budget) };
  return { op: null, name: text.slice(lo, hi) };
}

/** Whether the parentheses at `lo` and `hi - 1` enclose the whole range (RG: no level below 0 inside, 0 at the end). */
function enclosedBy(text: string, lo: number, hi: number): boolean {
  let level = 0;
  for (let i = lo + 1; i < hi - 1; i++) {
    const c = text[i];
    if (c === '(') level++;
    else if (c === ')' && --level < 0) return false;
  }
  return level === 0;
}

/** `text` parsed whole. */
const parseAll = (text: string): Expr => parse(text, 0, text.length, 0, { left: MAX_SCAN });

/**
 * An expression's column of the truth table over the names in `vars` (row i gives name j the
 * value of bit j of i, RG's order), 32 rows a word, written into `pool[depth]` (its children use
 * the buffers below it: no allocation per node). Every node is evaluated once for all rows, so
 * an answer of k nodes over n names costs k × 2^n / 32 word operations (was: k × 2^n, minutes
 * for a 50 kB tautology over 14 names). Rows past 2^n in the last word are 0.
 */
function column(e: Expr, vars: ReadonlyMap<string, Uint32Array>, rows: number, pool: Uint32Array[], depth: number): Uint32Array {
  const words = Math.ceil(rows / 32);
  let out = pool[depth];
  if (out === undefined) {
    out = new Uint32Array(words);
    pool[depth] = out;
  }
  switch (e.op) {
    case null: {
      const v = vars.get(e.name);
      if (v) out.set(v);
      else out.fill(0);
      break;
    }
    case '¬': {
      const x = column(e.arg, vars, rows, pool, depth + 1);
      for (let w = 0; w < words; w++) out[w] = ~(x[w] ?? 0);
      break;
    }
    default: {
      out.set(column(e.left, vars, rows, pool, depth + 1));
      const r = column(e.right, vars, rows, pool, depth + 1);
      for (let w = 0; w < words; w++) {
        const x = out[w] ?? 0;
        const y = r[w] ?? 0;
        out[w] = e.op === '∧' ? x & y : e.op === '∨' ? x | y : e.op === '→' ? ~x | y : ~(x ^ y);
      }
    }
  }
  if (rows < 32) out[0] = (out[0] ?? 0) & ((1 << rows) - 1);
  return out;
}

/** `e`'s column (see `column`) in a buffer of its own. */
const columnOf = (e: Expr, vars: ReadonlyMap<string, Uint32Array>, rows: number): Uint32Array => column(e, vars, rows, [], 0).slice();

/** The node count and depth of `e`. */
function size(e: Expr): { readonly nodes: number; readonly depth: number } {
  if (e.op === null) return { nodes: 1, depth: 1 };
  if (e.op === '¬') {
    const a = size(e.arg);
    return { nodes: a.nodes + 1, depth: a.depth + 1 };
  }
  const l = size(e.left);
  const r = size(e.right);
  return { nodes: l.nodes + r.nodes + 1, depth: Math.max(l.depth, r.depth) + 1 };
}

function variables(e: Expr, into: Set<string>): Set<string> {
  if (e.op === null) into.add(e.name);
  else if (e.op === '¬') variables(e.arg, into);
  else {
    variables(e.left, into);
    variables(e.right, into);
  }
  return into;
}

/** The truth-table columns of the sorted `names` (RG's order: name j is bit j of the row number), and the row count. */
function nameColumns(names: ReadonlySet<string>): { readonly vars: Map<string, Uint32Array>; readonly rows: number } {
  const sorted = [...names].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const rows = 2 ** sorted.length;
  const vars = new Map<string, Uint32Array>();
  sorted.forEach((n, j) => {
    const col = new Uint32Array(Math.ceil(rows / 32));
    for (let i = 0; i < rows; i++) if (((i >> j) & 1) === 1) col[i >> 5] = (col[i >> 5] ?? 0) | (1 << (i & 31));
    vars.set(n, col);
  });
  return { vars, rows };
}

/** Whether every one of the `rows` rows of `col` is true. */
function allTrue(col: Uint32Array, rows: number): boolean {
  const full = rows < 32 ? (1 << rows) - 1 : 0xffffffff;
  return col.every((w) => w >>> 0 === full);
}

export const propositionalLogic: RgScorer = (answer, entry) => {
  const valid = new Set(metaArray(entry, 'variables').map(String));
  if ((answer.match(/[A-Z]/g) ?? []).some((v) => !valid.has(v))) return 0;
  let premises: Expr[];
  let conclusion: Expr;
  try {
    premises = metaArray(entry, 'premises').map((p) => {
      if (typeof p !== 'string') throw new RgDataError('metadata.premises is malformed');
      return parseAll(p);
    });
    conclusion = parseAll(answer);
  } catch (e) {
    if (e instanceof ParseError) return 0;
    throw e;
  }
  const vars = new Set<string>();
  for (const p of [...premises, conclusion]) variables(p, vars);
  if (vars.size > MAX_VARIABLES) return 0;
  const words = Math.ceil(2 ** vars.size / 32);
  const shape = [...premises, conclusion].map(size);
  const nodes = shape.reduce((n, s) => n + s.nodes, 0);
  const deepest = Math.max(...shape.map((s) => s.depth));
  if (words * nodes > MAX_TABLE_WORK || words * (deepest + 2) > MAX_TABLE_WORDS_HELD) return 0;
  const { vars: columns, rows } = nameColumns(vars);
  // Entailed: no row where every premise holds and the conclusion does not.
  const held = columnOf(conclusion, columns, rows);
  const counter = premises
    .map((p) => columnOf(p, columns, rows))
    .reduce(
      (acc, col) => acc.map((w, i) => w & (col[i] ?? 0)),
      held.map((w) => ~w & (rows < 32 ? (1 << rows) - 1 : 0xffffffff)),
    );
  if (counter.some((w) => w !== 0)) return 0.05;
  if (conclusion.op === null) return 0.25;
  // Trivial: true in every row (over its own names, RG's check, or over all of them: the same).
  return allTrue(held, rows) ? 0.25 : 1;
};
