// Datasets whose answer is JSON read with Python's `json.loads`: group_anagrams (the groups,
// compared after RG's `_sort_nested_list`) and game_of_life (the board, scored cell by cell).
// Python's semantics are kept where they decide the score: what `sorted()` raises a TypeError
// for (→ 0), which values `==` an int (1.0 and true equal 1), what indexing a string or a dict does.

import { jsonDumps, parseJson, pyEquals, pyNumber, type J } from './codeio';
import { metaArray, oracle, RgDataError, type RgScorer } from './entry';

/** Python raised a TypeError (RG's `except Exception` turns it into its failure score). */
class PyTypeError extends Error {}

/** Python `a < b` between numbers (ints exactly; an int beside a float as a double). */
function numberLt(a: bigint | number, b: bigint | number): boolean {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b;
  return Number(a) < Number(b);
}

/** Python `a < b` between strings: code point by code point (JavaScript's `<` compares UTF-16 units). */
function strLt(a: string, b: string): boolean {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < x.length && i < y.length; i++) {
    const cx = x[i]?.codePointAt(0) ?? 0;
    const cy = y[i]?.codePointAt(0) ?? 0;
    if (cx !== cy) return cx < cy;
  }
  return x.length < y.length;
}

/**
 * Python `a < b`; throws PyTypeError where Python raises TypeError (unlike kinds, dicts, None).
 * Lists compare at their first unequal item, else by length.
 */
function pyLt(a: J, b: J): boolean {
  const na = pyNumber(a);
  const nb = pyNumber(b);
  if (na !== null && nb !== null) return numberLt(na, nb);
  if (a.k === 'str' && b.k === 'str') return strLt(a.v, b.v);
  if (a.k === 'list' && b.k === 'list') {
    const n = Math.min(a.items.length, b.items.length);
    for (let i = 0; i < n; i++) {
      const x = a.items[i] as J;
      const y = b.items[i] as J;
      if (!pyEquals(x, y, true)) return pyLt(x, y);
    }
    return a.items.length < b.items.length;
  }
  throw new PyTypeError(`'<' not supported between ${a.k} and ${b.k}`);
}

/**
 * Python `sorted(items, key=...)` (stable). Python raises TypeError when a comparison its sort
 * makes raises. Without NaN that happens exactly when some pair of keys is incomparable (such a
 * pair is adjacent in every order the other comparisons allow, so every sort compares it: a
 * comparison sort must compare each pair adjacent in its output), so the sort here raises as
 * Python's does, from its comparator, in O(n log n) comparisons (checking every pair first took
 * minutes for an answer of some hundred thousand groups). With a NaN (which compares neither
 * below nor above anything) a sort can pass an incomparable pair by, depending on its order of
 * comparisons: RG and this may then differ (0.01 against 0). NaN also leaves the sorted order open; such items are numbers, which
 * never match the gold's words, so the score does not depend on it.
 */
export function pySorted<T>(items: readonly T[], key: (item: T) => J): T[] {
  const keys = items.map(key);
  const order = keys.map((k, i) => ({ k, i }));
  order.sort((x, y) => (pyLt(x.k, y.k) ? -1 : pyLt(y.k, x.k) ? 1 : 0));
  return order.map(({ i }) => items[i] as T);
}

/** Python `iter(x)` for a JSON value: list items, a string's characters, a dict's keys; TypeError otherwise. */
function pyIterate(x: J): J[] {
  if (x.k === 'list') return [...x.items];
  if (x.k === 'str') return [...x.v].map((c) => ({ k: 'str', v: c }));
  if (x.k === 'dict') return [...x.entries.keys()].map((key) => ({ k: 'str', v: key }));
  throw new PyTypeError(`'${x.k}' object is not iterable`);
}

/** RG's `_sort_nested_list`: each group sorted, then the groups sorted by their first item ("" when empty). */
function sortNestedList(x: J): J {
  const groups = pyIterate(x).map((g) => pySorted(pyIterate(g), (item) => item));
  const sorted = pySorted(groups, (g) => g[0] ?? { k: 'str', v: '' });
  return { k: 'list', items: sorted.map((g) => ({ k: 'list', items: g })) };
}

/**
 * group_anagrams: the answer read with `json.loads` and the gold (`metadata.solution`, a list of
 * lists of words) both put through `_sort_nested_list`; equal `json.dumps` → 1, else 0.01 (it
 * parsed); unparsable JSON, or a value Python cannot iterate or sort → 0.
 */
export const groupAnagrams: RgScorer = (answer, entry) => {
  const solution = metaArray(entry, 'solution');
  const gold: J = {
    k: 'list',
    items: solution.map((group) => {
      if (!Array.isArray(group) || !group.every((w) => typeof w === 'string')) throw new RgDataError('metadata.solution is not a list of lists of words');
      return { k: 'list', items: group.map((w: string) => ({ k: 'str', v: w })) };
    }),
  };
  const a = parseJson(answer);
  if (a === null) return 0;
  try {
    return jsonDumps(sortNestedList(a)) === jsonDumps(sortNestedList(gold)) ? 1 : 0.01;
  } catch (e) {
    if (e instanceof PyTypeError) return 0;
    throw e;
  }
};

/** Python `x[i]` for a JSON value and an index i ≥ 0: 'missing' for IndexError/TypeError, 'keyError' for a dict. */
function pyIndex(x: J, i: number): J | 'missing' | 'keyError' {
  if (x.k === 'list') return x.items[i] ?? 'missing';
  if (x.k === 'str') {
    const c = [...x.v][i];
    return c === undefined ? 'missing' : { k: 'str', v: c };
  }
  if (x.k === 'dict') return 'keyError'; // JSON keys are strings; an int key is never found
  return 'missing';
}

/**
 * game_of_life: the answer read with `json.loads` (unparsable → 0) and compared cell by cell with
 * the gold board (the item's `answer`, a JSON list of rows of 0/1): the share of cells where
 * `answer[i][j] == gold[i][j]` in Python (1.0 and true equal 1; a missing row or cell, or one
 * that cannot be indexed, is wrong). Where RG's scorer raises (a JSON object where the board or a
 * row should be: `KeyError`, which it does not catch), RG gives no score; 0 here.
 */
export const gameOfLife: RgScorer = (answer, entry) => {
  const g = parseJson(oracle(entry));
  if (g === null || g.k !== 'list' || g.items.length === 0 || !g.items.every((r) => r.k === 'list' && r.items.every((c) => c.k === 'int'))) {
    throw new RgDataError('the stored answer is not a JSON board (a list of rows of integers)');
  }
  const a = parseJson(answer);
  if (a === null) return 0;
  let total = 0;
  let right = 0;
  for (const [i, row] of g.items.entries()) {
    for (const [j, want] of (row as Extract<J, { k: 'list' }>).items.entries()) {
      total++;
      const r = pyIndex(a, i);
      if (r === 'keyError') return 0;
      if (r === 'missing') continue;
      const c = pyIndex(r, j);
      if (c === 'keyError') return 0;
      if (c === 'missing') continue;
      const n = pyNumber(c);
      const w = pyNumber(want);
      if (n !== null && w !== null && (typeof n === 'bigint' && typeof w === 'bigint' ? n === w : Number(n) === Number(w))) right++;
    }
  }
  return total === 0 ? 0 : right / total;
};
