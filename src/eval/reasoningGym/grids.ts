// Grid and matrix answers: sudoku-style boards, Survo, Kakurasu, matrices written as rows,
// ARC boards, and the datasets that also take a Python list (`eval`) for reduced credit.

import { metaArray, metaNumber, metaNumberGrid, oracle, RgDataError, type RgScorer } from './entry';
import { pyFloat, pyInt, pyLen, pyRstrip, pySplit, pySplitlines, pyStrip } from './py';
import { parsePyLiteral, pyIter, pyJoin, pyStr } from './pyLiteral';

/**
 * sudoku, mini_sudoku, futoshiki: the board text equal up to trailing spaces per line → 1;
 * else 0.9 × the share of cells right, reading each line with exactly `n` digits 1-9 as the
 * next row; either way scaled by len(gold)/len(answer) when the answer is longer.
 */
export const digitBoard: RgScorer = (answer, entry) => {
  if (answer.length === 0) return 0;
  const gold = oracle(entry);
  const solution = metaNumberGrid(entry, 'solution');
  const n = (solution[0] ?? []).length;
  const norm = (s: string): string => s.split('\n').map(pyRstrip).join('\n');
  let reward: number;
  if (norm(answer) === norm(gold)) reward = 1;
  else {
    let row = 0;
    let matching = 0;
    for (const line of answer.split('\n')) {
      if (row >= solution.length) break;
      const digits = [...line].filter((c) => '123456789'.includes(c)).map(Number);
      if (digits.length !== n) continue;
      const want = solution[row] ?? [];
      digits.forEach((d, j) => {
        if (j < want.length && want[j] === d) matching++;
      });
      row++;
    }
    reward = (matching / (n * n)) * 0.9;
  }
  const la = pyLen(answer);
  const lg = pyLen(gold);
  if (la > lg) reward *= lg / la;
  return reward;
};

/** survo: whitespace-separated integers per line (non-integers skipped) must equal the solution grid. */
export const survo: RgScorer = (answer, entry) => {
  const size = metaNumber(entry, 'board_size');
  const truth = metaNumberGrid(entry, 'solution');
  const grid: bigint[][] = [];
  for (const line of pyStrip(answer).split('\n')) {
    const row = pySplit(line)
      .map(pyInt)
      .filter((v): v is bigint => v !== null);
    if (row.length > 0) grid.push(row);
  }
  if (grid.length !== size || grid.some((r) => r.length !== size)) return 0;
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) if (grid[i]?.[j] !== BigInt(truth[i]?.[j] ?? Number.NaN)) return 0;
  return 1;
};

/** kakurasu: the 0/1 digits of each line form the grid; its weighted row and column sums must match. */
export const kakurasu: RgScorer = (answer, entry) => {
  const rowSums = metaArray(entry, 'row_sums');
  const colSums = metaArray(entry, 'col_sums');
  const nRows = metaNumber(entry, 'n_rows');
  const nCols = metaNumber(entry, 'n_cols');
  const grid = pyStrip(answer)
    .split('\n')
    .map((line) => [...pyStrip(line)].filter((c) => c === '0' || c === '1').map(Number));
  if (grid.length !== nRows || grid.some((r) => r.length !== nCols)) return 0;
  const rs = grid.map((r) => r.reduce((s, c, j) => s + (c === 1 ? j + 1 : 0), 0));
  const cs = Array.from({ length: nCols }, (_, j) => grid.reduce((s, r, i) => s + (r[j] === 1 ? i + 1 : 0), 0));
  const same = (a: number[], b: unknown[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
  return same(rs, rowSums) && same(cs, colSums) ? 1 : 0;
};

/** numpy `loadtxt(lines, dtype=float32)`: rows of whitespace-separated floats, `#` comments, blank lines skipped; squeezed shape. */
function loadtxt(text: string): { shape: number[]; values: number[] } | null {
  const rows: number[][] = [];
  for (const raw of pySplitlines(text)) {
    const line = raw.split('#')[0] ?? '';
    const cells = pySplit(line);
    if (cells.length === 0) continue;
    const row: number[] = [];
    for (const c of cells) {
      // numpy's parser reads ASCII digits only, and no `_` separators (which float() allows)
      const v = /(?![0-9])\p{Nd}|_/u.test(c) ? null : pyFloat(c);
      if (v === null) return null;
      row.push(Math.fround(v));
    }
    rows.push(row);
  }
  const width = rows[0]?.length ?? 0;
  if (rows.some((r) => r.length !== width)) return null;
  const shape = [rows.length, width].filter((d) => d !== 1);
  return { shape: rows.length === 0 ? [0] : shape, values: rows.flat() };
}

/** pool_matrix: same shape and values within 1% (numpy allclose, rtol 1e-2) → 1; same shape only → 0.1. */
export const poolMatrix: RgScorer = (answer, entry) => {
  const g = loadtxt(oracle(entry));
  const a = loadtxt(answer);
  if (!g || !a) return 0;
  if (g.shape.join('x') !== a.shape.join('x')) return 0;
  const close = a.values.every((v, i) => {
    const w = g.values[i] ?? Number.NaN;
    return Math.abs(v - w) <= 1e-8 + 1e-2 * Math.abs(w);
  });
  return close ? 1 : 0.1;
};

/** manipulate_matrix: stripped equality, or equality after re-spacing the rows; else substring partial credit. */
export const manipulateMatrix: RgScorer = (answer, entry) => {
  const gold = pyStrip(oracle(entry));
  if (answer.length === 0) return 0;
  const a = pyStrip(answer);
  if (a === gold) return 1;
  const respaced = pyStrip(
    a
      .split('\n')
      .map((row) => pySplit(row).join(' '))
      .join('\n'),
  );
  if (respaced === gold) return 1;
  return respaced.includes(gold) ? pyLen(gold) / pyLen(respaced) : 0;
};

/** spiral_matrix: the stripped text equal → 1; a Python list whose items joined by spaces equal the gold → 0.1. */
export const spiralMatrix: RgScorer = (answer, entry) => {
  const gold = pyStrip(oracle(entry));
  if (answer.length === 0) return 0;
  const a = pyStrip(answer);
  if (a === gold) return 1;
  const v = parsePyLiteral(a);
  const items = v ? pyIter(v) : null;
  return items && items.map(pyStr).join(' ') === gold ? 0.1 : 0;
};

/** Rows of a Python literal joined as "x y z" lines, as RG's `_matrix_to_str` / `_board_to_string`. */
function rowsToText(text: string, itemsMustBeStr: boolean): string | null {
  const v = parsePyLiteral(text);
  const rows = v ? pyIter(v) : null;
  if (!rows) return null;
  const lines: string[] = [];
  for (const row of rows) {
    if (itemsMustBeStr) {
      const joined = pyJoin(' ', row);
      if (joined === null) return null;
      lines.push(joined);
    } else {
      const cells = pyIter(row);
      if (!cells) return null;
      lines.push(cells.map(pyStr).join(' '));
    }
  }
  return lines.join('\n');
}

/** binary_matrix: exact text → 1; a Python list of lists that prints as the gold → 0.1. */
export const binaryMatrix: RgScorer = (answer, entry) => {
  const gold = oracle(entry);
  if (answer === gold) return 1;
  return rowsToText(answer, false) === gold ? 0.1 : 0;
};

/** string_insertion: exact → 1; a Python string or list of strings that joins to the gold → 0.1. */
export const stringInsertion: RgScorer = (answer, entry) => {
  const gold = oracle(entry);
  if (answer === gold) return 1;
  const v = parsePyLiteral(answer);
  return v && pyJoin('', v) === gold ? 0.1 : 0;
};

/** n_queens: one of `metadata.valid_answers` verbatim → 1; as a Python list of rows of cells → 0.5. */
export const nQueens: RgScorer = (answer, entry) => {
  const valid = metaArray(entry, 'valid_answers');
  if (valid.includes(answer)) return 1;
  const board = rowsToText(answer, true);
  return board !== null && valid.includes(board) ? 0.5 : 0;
};

/** RG's `parse_board` with the default formatting (digits 0-9, space between cells, a row per line). */
function parseArcBoard(text: string): number[][] | null {
  const lines = text
    .split('\n')
    .filter((l) => !pyStrip(l).startsWith('Shape: '))
    .map(pyStrip);
  const grid = pyStrip(lines.join('\n'));
  const out: number[][] = [];
  for (const row of grid.split('\n')) {
    const cells = pyStrip(row)
      .split(' ')
      .map(pyStrip)
      .filter((c) => c !== '');
    const parsed: number[] = [];
    for (const c of cells) {
      if (!/^[0-9]$/.test(c)) return null;
      parsed.push(Number(c));
    }
    out.push(parsed);
  }
  return out;
}

/**
 * rearc, arc_agi (the same `parse_board` and comparison in RG): the parsed board equals
 * `metadata.output` → 1; a parsable but different board 0.05; a character outside 0-9 → 0. (RG compares with tuples; its JSON metadata holds lists, compared
 * by value here, which is what RG does with the tuples it generated.)
 */
export const rearc: RgScorer = (answer, entry) => {
  const board = parseArcBoard(answer);
  if (!board) return 0;
  const output = metaNumberGrid(entry, 'output');
  if (output.length === 0) throw new RgDataError('metadata.output is empty');
  const same = board.length === output.length && board.every((r, i) => r.length === (output[i] ?? []).length && r.every((c, j) => c === output[i]?.[j]));
  return same ? 1 : 0.05;
};
