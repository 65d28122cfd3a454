// SymBench samples: <family>/sample_N/question.txt + solution.json. The answer key and the
// way to check it differ per family; they are recognised from the keys of solution.json
// (see docs/task-files.md for the table).

import path from 'node:path';
import { z } from 'zod';
import { ANSWER_FORMAT_INSTRUCTION, type LoadProblem, type ScorerSpec, type TaskRecord } from '../types';
import { parseIntMatrix } from '../answerText';
import { inferScorer } from './infer';
import { readDatasetText } from '../safeRead';

const cells = z.array(z.tuple([z.number().int(), z.number().int()]));
const intGrid = z.array(z.array(z.number().int()));

const sudokuData = z.object({ puzzle: intGrid, solution: intGrid });
const queensData = z.object({
  initial_board: z.array(z.string()).optional(),
  blocked_positions: cells,
  placed_queens: cells,
  solution: cells.optional(),
});
const logicData = z.object({
  grid: intGrid,
  solution: cells,
  constraints: z.object({ type: z.enum(['sum_le_4', 'product_gt_0']) }),
});
const combiData = z.object({
  numbers: z.array(z.number()),
  target: z.number(),
  solution: z.array(z.union([z.string(), z.number()])).optional(),
});
const game2048Data = z.object({ grid: intGrid, moves: z.string(), solution: z.string() });

/** Keys under which SymBench families store a plain answer, in the order they are tried. */
export const ANSWER_KEYS = ['solution', 'answer', 'correct_solution', 'modified_string', 'target', 'result'] as const;

type Detected = { ok: true; scorer: ScorerSpec } | { ok: false; error: string };

function issues(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Picks the scorer for one sample from the shape of its solution.json. */
export function detectSymbenchScorer(data: Record<string, unknown>, question: string): Detected {
  const has = (...keys: string[]): boolean => keys.every((k) => k in data);
  if (has('puzzle', 'solution')) {
    const p = sudokuData.safeParse(data);
    if (!p.success) return { ok: false, error: `sudoku data: ${issues(p.error)}` };
    return { ok: true, scorer: { kind: 'sudoku', puzzle: p.data.puzzle, solution: p.data.solution } };
  }
  if (has('blocked_positions') || has('placed_queens')) {
    const p = queensData.safeParse(data);
    if (!p.success) return { ok: false, error: `queens data: ${issues(p.error)}` };
    const size = p.data.initial_board?.length ?? 8;
    return { ok: true, scorer: { kind: 'queens', size, placed: p.data.placed_queens, blocked: p.data.blocked_positions, solution: p.data.solution } };
  }
  if (has('grid', 'constraints', 'solution')) {
    const p = logicData.safeParse(data);
    if (!p.success) return { ok: false, error: `logic puzzle data: ${issues(p.error)}` };
    // How many to select and the forced first cell are stated only in the question text.
    const select = /select\s+(\d+)\s+different/i.exec(question)?.[1];
    const start = /square\s*\((\d+)\s*,\s*(\d+)\)\s*as the first selected/i.exec(question);
    return {
      ok: true,
      scorer: {
        kind: 'logic_puzzle',
        grid: p.data.grid,
        select: select ? Number(select) : p.data.solution.length,
        start: start?.[1] && start[2] ? [Number(start[1]), Number(start[2])] : undefined,
        constraint: p.data.constraints.type,
        solution: p.data.solution,
      },
    };
  }
  if (has('numbers', 'target')) {
    const p = combiData.safeParse(data);
    if (!p.success) return { ok: false, error: `arithmetic data: ${issues(p.error)}` };
    return {
      ok: true,
      scorer: {
        kind: 'arithmetic_target',
        numbers: p.data.numbers.map(String),
        target: String(p.data.target),
        ordered: /cannot change the order|order of the numbers is determined/i.test(question),
        solution: p.data.solution?.map(String).join(' '),
      },
    };
  }
  if (has('grid', 'moves', 'solution')) {
    const p = game2048Data.safeParse(data);
    if (!p.success) return { ok: false, error: `2048 data: ${issues(p.error)}` };
    const expected = parseIntMatrix(p.data.solution);
    if (!expected) return { ok: false, error: 'solution: not a matrix of integers' };
    return { ok: true, scorer: { kind: 'matrix', expected } };
  }
  for (const key of ANSWER_KEYS) {
    const value = data[key];
    if (value !== undefined && value !== null) return { ok: true, scorer: inferScorer(value, question) };
  }
  return { ok: false, error: `no answer key (${ANSWER_KEYS.join(', ')}) in solution.json` };
}

/** Loads one sample folder; `family` is the name of the folder that holds the samples. */
export async function loadSymbenchSample(dir: string, family: string): Promise<{ record?: TaskRecord; problem?: LoadProblem }> {
  const questionFile = path.join(dir, 'question.txt');
  const solutionFile = path.join(dir, 'solution.json');
  let question: string;
  let rawSolution: string;
  try {
    question = await readDatasetText(questionFile);
  } catch {
    return { problem: { file: questionFile, message: 'cannot read question.txt' } };
  }
  try {
    rawSolution = await readDatasetText(solutionFile);
  } catch {
    return { problem: { file: solutionFile, message: 'cannot read solution.json (a SymBench sample needs question.txt and solution.json)' } };
  }
  let data: unknown;
  try {
    data = JSON.parse(rawSolution);
  } catch (e) {
    return { problem: { file: solutionFile, message: `invalid JSON: ${e instanceof Error ? e.message : String(e)}` } };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { problem: { file: solutionFile, message: 'solution.json must hold an object' } };
  }
  const record = data as Record<string, unknown>;
  const detected = detectSymbenchScorer(record, question);
  if (!detected.ok) return { problem: { file: solutionFile, message: detected.error } };
  const text = question.trimEnd();
  return {
    record: {
      id: `${family}/${path.basename(dir)}`,
      task: family,
      question: text.includes('<<<') ? text : `${text}\n${ANSWER_FORMAT_INSTRUCTION}`,
      scorer: detected.scorer,
      source: { file: questionFile },
      metadata: { layout: 'symbench', data: record },
    },
  };
}
