// Constraint checkers for grid puzzles. Every answer that obeys the rules is right,
// not only the stored solution.

import { cleanAnswer, parseCells, parseIntMatrix, reshape } from '../answerText';
import type { Cell, ScoreResult } from '../types';
import { formatMatrix } from './basic';
import { jsonValue } from './pyText';
import { pyStrip } from '../../text/pythonStrip';

const key = (r: number, c: number): string => `${r},${c}`;
const formatCells = (cells: readonly Cell[]): string => cells.map(([r, c]) => `${r} ${c}`).join(', ');

function isPermutation1to9(values: readonly number[]): boolean {
  return values.length === 9 && new Set(values).size === 9 && values.every((v) => Number.isInteger(v) && v >= 1 && v <= 9);
}

/**
 * Rows written without separators ("853214679" or ['853214679', ...]): accepted only when
 * the text is nothing but 81 digits and punctuation, so no stray number can slip in.
 */
function digitGrid(answer: string): number[][] | null {
  const t = cleanAnswer(answer);
  if (!/^[\d\s,;'"[\]()]*$/.test(t)) return null;
  const digits = [...t.replace(/[^\d]/g, '')].map(Number);
  if (digits.length !== 81) return null;
  return Array.from({ length: 9 }, (_, r) => digits.slice(r * 9, r * 9 + 9));
}

/** A JSON list of 9 lists of 9 integers, or null. */
function jsonGrid(answer: string): number[][] | null {
  const value = jsonValue(pyStrip(answer));
  const ok = Array.isArray(value) && value.length === 9 && value.every((row) => Array.isArray(row) && row.length === 9 && row.every((v) => typeof v === 'number' && Number.isInteger(v)));
  return ok ? (value as number[][]) : null;
}

/** `jsonOnly`: only a JSON grid is read (see the sudoku scorer spec). */
export function scoreSudoku(puzzle: number[][], solution: number[][] | undefined, answer: string, jsonOnly = false): ScoreResult {
  const expected = solution ? formatMatrix(solution) : undefined;
  const parsed = jsonOnly ? null : parseIntMatrix(answer);
  const grid = jsonOnly ? jsonGrid(answer) : ((parsed ? reshape(parsed, 9, 9) : null) ?? digitGrid(answer));
  if (!grid && jsonOnly) return { correct: false, score: 0, reason: 'not a 9×9 matrix written as JSON ([[8, 5, ...], ...])', expected };
  if (!grid) return { correct: false, score: 0, reason: 'not a 9×9 grid of numbers', expected };
  for (let r = 0; r < 9; r++) {
    for (let c = 0; c < 9; c++) {
      const given = puzzle[r]?.[c] ?? 0;
      if (given !== 0 && grid[r]?.[c] !== given) return { correct: false, score: 0, reason: `given ${given} at (${r},${c}) was changed`, expected };
    }
  }
  for (let i = 0; i < 9; i++) {
    const row = grid[i] ?? [];
    const col = grid.map((rw) => rw[i] ?? 0);
    const box: number[] = [];
    for (let k = 0; k < 9; k++) box.push(grid[3 * Math.floor(i / 3) + Math.floor(k / 3)]?.[3 * (i % 3) + (k % 3)] ?? 0);
    if (!isPermutation1to9(row)) return { correct: false, score: 0, reason: `row ${i} is not 1–9 once each`, expected };
    if (!isPermutation1to9(col)) return { correct: false, score: 0, reason: `column ${i} is not 1–9 once each`, expected };
    if (!isPermutation1to9(box)) return { correct: false, score: 0, reason: `box ${i} is not 1–9 once each`, expected };
  }
  return { correct: true, score: 1, reason: 'valid completed sudoku', expected };
}

export interface QueensSpec {
  readonly size: number;
  readonly placed: readonly Cell[];
  readonly blocked: readonly Cell[];
  readonly solution?: readonly Cell[];
}

/** The answer may list all queens or only the added ones; the pre-placed ones always count. */
export function scoreQueens(spec: QueensSpec, answer: string): ScoreResult {
  const expected = spec.solution ? formatCells(spec.solution) : undefined;
  const cells = parseCells(answer);
  if (!cells) return { correct: false, score: 0, reason: 'not a list of "row column" positions', expected };
  const seen = new Set<string>();
  for (const [r, c] of cells) {
    if (seen.has(key(r, c))) return { correct: false, score: 0, reason: `position (${r},${c}) listed twice`, expected };
    seen.add(key(r, c));
  }
  const all: Cell[] = [...cells];
  for (const [r, c] of spec.placed) if (!seen.has(key(r, c))) all.push([r, c]);
  if (all.length !== spec.size) return { correct: false, score: 0, reason: `${all.length} queens, need ${spec.size}`, expected };
  const blocked = new Set(spec.blocked.map(([r, c]) => key(r, c)));
  for (const [r, c] of all) {
    if (r < 0 || c < 0 || r >= spec.size || c >= spec.size) return { correct: false, score: 0, reason: `(${r},${c}) is off the board`, expected };
    if (blocked.has(key(r, c))) return { correct: false, score: 0, reason: `(${r},${c}) is a blocked cell`, expected };
  }
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const a = all[i];
      const b = all[j];
      if (!a || !b) continue;
      if (a[0] === b[0] || a[1] === b[1] || Math.abs(a[0] - b[0]) === Math.abs(a[1] - b[1])) {
        return { correct: false, score: 0, reason: `queens at (${a[0]},${a[1]}) and (${b[0]},${b[1]}) attack each other`, expected };
      }
    }
  }
  return { correct: true, score: 1, reason: `${spec.size} non-attacking queens`, expected };
}

export interface LogicPuzzleSpec {
  readonly grid: number[][];
  readonly select: number;
  readonly start?: Cell;
  readonly constraint: 'sum_le_4' | 'product_gt_0';
  readonly solution?: readonly Cell[];
}

/** Why a selection breaks the puzzle's rules, or null when it obeys all of them. */
export function logicPuzzleViolation(spec: LogicPuzzleSpec, cells: readonly Cell[]): string | null {
  if (cells.length !== spec.select) return `${cells.length} cells selected, need ${spec.select}`;
  const seen = new Set<string>();
  const values = new Set<number>();
  const rows = new Map<number, number>();
  const cols = new Map<number, number>();
  const isSum = spec.constraint === 'sum_le_4';
  for (const [r, c] of cells) {
    const v = spec.grid[r]?.[c];
    if (v === undefined) return `(${r},${c}) is outside the grid`;
    if (seen.has(key(r, c))) return `(${r},${c}) selected twice`;
    if (values.has(v)) return `the number ${v} is selected twice (numbers must differ)`;
    seen.add(key(r, c));
    values.add(v);
    rows.set(r, isSum ? (rows.get(r) ?? 0) + v : (rows.get(r) ?? 1) * v);
    cols.set(c, isSum ? (cols.get(c) ?? 0) + v : (cols.get(c) ?? 1) * v);
  }
  if (spec.start && !seen.has(key(spec.start[0], spec.start[1]))) return `the starting cell (${spec.start[0]},${spec.start[1]}) is not selected`;
  for (const [name, m] of [
    ['row', rows],
    ['column', cols],
  ] as const) {
    for (const [i, total] of m) {
      if (isSum && total > 4) return `${name} ${i} sums to ${total} > 4`;
      if (!isSum && total <= 0) return `${name} ${i} has product ${total} ≤ 0`;
    }
  }
  return null;
}

/**
 * Any selection obeying the question's rules is right, and only those. The stored solution is
 * shown but gives no credit of its own: many published ones break the stated "sum ≤ 4" rule
 * (the generator cached its check by positions only, across grids); the reason names the rule
 * an answer breaks.
 */
export function scoreLogicPuzzle(spec: LogicPuzzleSpec, answer: string): ScoreResult {
  const expected = spec.solution ? formatCells(spec.solution) : undefined;
  const cells = parseCells(answer);
  if (!cells) return { correct: false, score: 0, reason: 'not a list of "row column" positions', expected };
  const violation = logicPuzzleViolation(spec, cells);
  return violation === null ? { correct: true, score: 1, reason: 'the selection obeys every rule', expected } : { correct: false, score: 0, reason: violation, expected };
}
