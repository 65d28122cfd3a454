// Our own task files: JSONL (one record per line) or JSON (one record, an array, or
// {"tasks": [...]}). Each record has a question and an answer and/or a checker.
// schemas/taskfile.schema.json describes the same shape for the editor.

import path from 'node:path';
import { z } from 'zod';
import { parseIntMatrix } from '../answerText';
import { itemId } from '../ids';
import { parseBlocksworldTask } from '../scorers/blocksworld';
import { ANSWER_FORMAT_INSTRUCTION, type LoadProblem, type LoadResult, type ScorerSpec, type TaskRecord } from '../types';
import { inferScorer, parseOptions } from './infer';
import { forEachJsonlRecord } from './jsonl';
import { checkerPathInside } from '../safeRead';
import { taskSetName } from '../taskSetName';

export const BUILTIN_CHECKERS = ['exact', 'number', 'choice', 'list', 'matrix', 'sudoku', 'queens', 'logic_puzzle', 'blocksworld', 'game24', 'arithmetic_target'] as const;
export type BuiltinChecker = (typeof BUILTIN_CHECKERS)[number];

const answerValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.unknown())]);

export const taskFileRecordSchema = z
  .strictObject({
    id: z.union([z.string().min(1), z.number()]).optional(),
    question: z.string().min(1),
    answer: answerValue.optional(),
    checker: z.string().min(1).optional(),
    task: z.string().min(1).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((r) => r.answer !== undefined || r.checker !== undefined, { message: 'a record needs "answer" or "checker" (or both)' });
export type TaskFileRecord = z.infer<typeof taskFileRecordSchema>;

const cells = z.array(z.tuple([z.number().int(), z.number().int()]));
const intGrid = z.array(z.array(z.number().int()));
const numberList = z.array(z.union([z.number(), z.string()])).min(1);

type Built = { ok: true; scorer: ScorerSpec } | { ok: false; error: string };

function answerText(answer: TaskFileRecord['answer']): string | undefined {
  if (answer === undefined) return undefined;
  return typeof answer === 'string' ? answer : JSON.stringify(answer);
}

function fromMeta<T>(schema: z.ZodType<T>, value: unknown, what: string): { ok: true; value: T } | { ok: false; error: string } {
  const p = schema.safeParse(value);
  return p.success ? { ok: true, value: p.data } : { ok: false, error: `metadata.${what}: ${p.error.issues[0]?.message ?? 'invalid'}` };
}

/** Numbers for 24-style checkers: metadata.numbers, else every number in the question. */
function arithmeticNumbers(meta: Record<string, unknown>): { ok: true; value: string[] } | { ok: false; error: string } {
  const n = fromMeta(numberList, meta.numbers, 'numbers');
  return n.ok ? { ok: true, value: n.value.map(String) } : n;
}

/** Turns a record's checker name (and metadata for constraint checkers) into a scorer. */
export function buildScorer(record: TaskFileRecord, baseDir: string): Built {
  const meta = record.metadata ?? {};
  const answer = answerText(record.answer);
  const checker = record.checker;
  if (checker === undefined) return { ok: true, scorer: inferScorer(record.answer, record.question) };
  if (checker.startsWith('python:')) {
    const file = checker.slice('python:'.length).trim();
    if (!file.endsWith('.py')) return { ok: false, error: `checker "${checker}" must name a .py file` };
    const inside = checkerPathInside(baseDir, file);
    if (!inside.ok) return inside;
    return { ok: true, scorer: { kind: 'python', checkerFile: inside.file, ...(answer !== undefined ? { expected: answer } : {}) } };
  }
  if (!(BUILTIN_CHECKERS as readonly string[]).includes(checker)) {
    return { ok: false, error: `unknown checker "${checker}" (built-in: ${BUILTIN_CHECKERS.join(', ')}; or "python:<file.py>")` };
  }
  const name = checker as BuiltinChecker;
  const needAnswer = (): Built => ({ ok: false, error: `checker "${name}" needs "answer"` });
  switch (name) {
    case 'exact':
      return answer === undefined ? needAnswer() : { ok: true, scorer: { kind: 'exact', expected: answer } };
    case 'number':
      return answer === undefined ? needAnswer() : { ok: true, scorer: { kind: 'number', expected: answer } };
    case 'choice': {
      if (answer === undefined) return needAnswer();
      const options = parseOptions(record.question);
      return { ok: true, scorer: { kind: 'choice', expected: answer, ...(options ? { options } : {}) } };
    }
    case 'list':
      return Array.isArray(record.answer) ? { ok: true, scorer: { kind: 'list', expected: record.answer } } : { ok: false, error: 'checker "list" needs "answer" to be an array' };
    case 'matrix': {
      const m = answer === undefined ? null : parseIntMatrix(answer);
      return m ? { ok: true, scorer: { kind: 'matrix', expected: m } } : { ok: false, error: 'checker "matrix" needs "answer" as a matrix of integers' };
    }
    case 'sudoku': {
      const puzzle = fromMeta(intGrid, meta.puzzle, 'puzzle');
      if (!puzzle.ok) return puzzle;
      const solution = answer !== undefined ? parseIntMatrix(answer) : null;
      return { ok: true, scorer: { kind: 'sudoku', puzzle: puzzle.value, ...(solution ? { solution } : {}) } };
    }
    case 'queens': {
      const blocked = fromMeta(cells.default([]), meta.blocked_positions, 'blocked_positions');
      const placed = fromMeta(cells.default([]), meta.placed_queens, 'placed_queens');
      const size = fromMeta(z.number().int().positive().default(8), meta.size, 'size');
      if (!blocked.ok) return blocked;
      if (!placed.ok) return placed;
      if (!size.ok) return size;
      return { ok: true, scorer: { kind: 'queens', size: size.value, blocked: blocked.value, placed: placed.value } };
    }
    case 'logic_puzzle': {
      const grid = fromMeta(intGrid, meta.grid, 'grid');
      const select = fromMeta(z.number().int().positive(), meta.select, 'select');
      const start = fromMeta(z.tuple([z.number().int(), z.number().int()]).optional(), meta.start, 'start');
      const constraint = fromMeta(z.enum(['sum_le_4', 'product_gt_0']).default('sum_le_4'), meta.constraint, 'constraint');
      if (!grid.ok) return grid;
      if (!select.ok) return select;
      if (!start.ok) return start;
      if (!constraint.ok) return constraint;
      return { ok: true, scorer: { kind: 'logic_puzzle', grid: grid.value, select: select.value, start: start.value, constraint: constraint.value } };
    }
    case 'blocksworld': {
      const parsed = parseBlocksworldTask(record.question);
      return parsed.ok ? { ok: true, scorer: { kind: 'blocksworld', ...parsed.task } } : { ok: false, error: `checker "blocksworld" reads the stacks from the question: ${parsed.error}` };
    }
    case 'game24':
    case 'arithmetic_target': {
      const numbers = arithmeticNumbers(meta);
      if (!numbers.ok) return numbers;
      const target = fromMeta(z.union([z.number(), z.string()]).optional(), meta.target, 'target');
      if (!target.ok) return target;
      const ordered = fromMeta(z.boolean().default(false), meta.ordered, 'ordered');
      if (!ordered.ok) return ordered;
      const t = target.value ?? (name === 'game24' ? 24 : undefined);
      if (t === undefined) return { ok: false, error: 'checker "arithmetic_target" needs metadata.target' };
      return {
        ok: true,
        scorer: { kind: 'arithmetic_target', numbers: numbers.value, target: String(t), ordered: ordered.value, ...(answer !== undefined ? { solution: answer } : {}) },
      };
    }
  }
}

/** A field the record lacks is said as missing, not as Zod's "Invalid input: expected string, received undefined". */
function issueWords(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message)) return `missing (a ${issue.expected} is needed; docs/task-files.md lists the fields)`;
  return issue.message;
}

interface Located {
  readonly line?: number;
  readonly index?: number;
}

/**
 * Validates one raw record and converts it; problems name the line or record index. The id is
 * `<fileId>#<the record's id>`, or `<fileId>#<position>` (0-based among the file's records).
 */
export function convertTaskFileRecord(raw: unknown, file: string, fileId: string, position: number, loc: Located): { record?: TaskRecord; problem?: LoadProblem } {
  const where = { file, ...loc };
  const parsed = taskFileRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${issueWords(i)}`).join('; ');
    return { problem: { ...where, message: msg } };
  }
  const r = parsed.data;
  const built = buildScorer(r, path.dirname(file));
  if (!built.ok) return { problem: { ...where, message: built.error } };
  // Without `task`: the file's name as the results file takes it (`my.tasks.jsonl` → `my`, not `my.tasks`).
  const base = taskSetName(path.basename(file));
  const question = r.question.includes('<<<') ? r.question : `${r.question.trimEnd()}\n${ANSWER_FORMAT_INSTRUCTION}`;
  return {
    record: {
      id: itemId(fileId, r.id !== undefined ? String(r.id) : position),
      task: r.task ?? base,
      question,
      scorer: built.scorer,
      source: { file, ...loc },
      metadata: { layout: 'taskfile', ...(r.metadata ?? {}) },
    },
  };
}

export function loadJsonlTaskFile(file: string, fileId: string, text: string): LoadResult {
  const records: TaskRecord[] = [];
  const problems: LoadProblem[] = [];
  forEachJsonlRecord(
    file,
    text,
    problems,
    (raw, { line, position }) => {
      const out = convertTaskFileRecord(raw, file, fileId, position, { line });
      if (out.record) records.push(out.record);
      if (out.problem) problems.push(out.problem);
    },
    { comments: true },
  );
  return { records, problems };
}

/** A JSON task file is one record, an array of records, or {"tasks": [...]}. */
export function isTaskFileJson(data: unknown): boolean {
  if (Array.isArray(data)) return true;
  if (typeof data !== 'object' || data === null) return false;
  return Array.isArray((data as { tasks?: unknown }).tasks) || 'question' in data;
}

export function loadJsonTaskFile(file: string, fileId: string, data: unknown): LoadResult {
  const records: TaskRecord[] = [];
  const problems: LoadProblem[] = [];
  const list: unknown[] = Array.isArray(data) ? data : Array.isArray((data as { tasks?: unknown }).tasks) ? (data as { tasks: unknown[] }).tasks : [data];
  list.forEach((raw, index) => {
    const out = convertTaskFileRecord(raw, file, fileId, index, { index });
    if (out.record) records.push(out.record);
    if (out.problem) problems.push(out.problem);
  });
  return { records, problems };
}
