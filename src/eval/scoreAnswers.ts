// Scoring answers produced elsewhere (another harness, a saved run) without a model: the
// engine behind `r1ci score`, and the same path the conformance tests take. Each input line is
// scored on its own, against the question with that id in the loaded tasks.

import { z } from 'zod';
import { IntTooLongError, pythonStrOfJsonNumber, topLevelNumberText } from './pythonStr';
import { scoreAnswerAsync, submittedAnswer, type AsyncScoreOptions, type Submission } from './score';
import type { LoadResult, TaskRecord, UnsupportedTask } from './types';

/**
 * One input line: the final answer as already extracted, or a whole model reply. Other fields
 * (a model name, a timestamp another harness adds) are ignored; `answer` and `text` together are
 * refused, as it would be unclear which one is scored. An `answer` that is a JSON number or
 * boolean (harnesses write {"answer": 42}) is scored as Python's str() prints it (parseAnswerLine).
 */
const idSchema = z.union([z.string(), z.number()]);
/**
 * Any JSON number answer, also one past the double range: JSON.parse makes ±Infinity of an
 * integer of over 309 digits, which Python reads exactly (up to 4300 digits), and its str() is
 * taken from the JSON text (pythonStr.ts). z.number() refuses infinities.
 */
const numberAnswerSchema = z.custom<number>((v) => typeof v === 'number' && !Number.isNaN(v));
export const answerLineSchema = z.union([z.object({ id: idSchema, answer: z.union([z.string(), numberAnswerSchema, z.boolean()]).nullable() }), z.object({ id: idSchema, text: z.string() })]);
/** A parsed line, its answer as text. */
type AnswerLine = { readonly id: string | number; readonly answer: string | null } | { readonly id: string | number; readonly text: string };

/** One output line, in input order. */
export interface ScoredLine {
  /** The id as given; null when the line was not valid JSON or had no string or number `id`. */
  readonly id: string | null;
  /** The answer that was scored: as given, or extracted from `text`; null when none. */
  readonly answer: string | null;
  /** True only for a full score. */
  readonly correct: boolean;
  /** In [0, 1]. */
  readonly score: number;
  readonly reason: string;
}

/** The loaded tasks indexed for look-up by id (records, and the ids of unsupported questions). */
export interface TaskIndex {
  readonly records: ReadonlyMap<string, TaskRecord>;
  readonly unsupported: ReadonlyMap<string, UnsupportedTask>;
}

export function indexTasks(loaded: LoadResult): TaskIndex {
  return {
    records: new Map(loaded.records.map((r) => [r.id, r])),
    unsupported: new Map((loaded.unsupported ?? []).map((u) => [u.id, u])),
  };
}

/** Parses one input line; the error names what is wrong. */
export function parseAnswerLine(line: string): { ok: true; value: AnswerLine } | { ok: false; error: string; id: string | null } {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (e) {
    return { ok: false, error: `invalid JSON: ${e instanceof Error ? e.message : String(e)}`, id: null };
  }
  const problem = answerLineProblem(raw);
  const p = answerLineSchema.safeParse(raw);
  if (problem !== undefined || !p.success) return { ok: false, error: problem ?? 'expected {"id", "answer"} or {"id", "text"}', id: readableId(raw) };
  if (!('answer' in p.data)) return { ok: true, value: p.data };
  const { id, answer } = p.data;
  // A number is read from its JSON text (every digit of an integer, 1.0 not 1), as Python would.
  if (typeof answer === 'number') {
    try {
      return { ok: true, value: { id, answer: pythonStrOfJsonNumber(topLevelNumberText(line, 'answer') ?? String(answer)) } };
    } catch (e) {
      // Too many digits for Python to read: said for the line, as Python's json.loads would refuse it.
      if (e instanceof IntTooLongError) return { ok: false, error: `"answer" is ${e.message}`, id: readableId(raw) };
      throw e;
    }
  }
  if (typeof answer === 'boolean') return { ok: true, value: { id, answer: answer ? 'True' : 'False' } };
  return { ok: true, value: { id, answer } };
}

/** What is wrong with a parsed line, in the user's terms ("\"answer\" must be a string or null (got a number)"); undefined when nothing is. */
function answerLineProblem(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return `expected a JSON object {"id", "answer"} or {"id", "text"} (got ${kindOf(raw)})`;
  const line = raw as Record<string, unknown>;
  if (!idSchema.safeParse(line['id']).success) return `"id" must be a string or a number (got ${kindOf(line['id'])})`;
  const hasAnswer = 'answer' in line;
  const hasText = 'text' in line;
  if (hasAnswer && hasText) return 'give "answer" (the final answer) or "text" (a whole reply), not both';
  if (!hasAnswer && !hasText) return 'give "answer" (the final answer) or "text" (a whole reply)';
  const answer = line['answer'];
  if (hasAnswer && answer !== null && !['string', 'number', 'boolean'].includes(typeof answer))
    return `"answer" must be a string, a number, a boolean or null (got ${kindOf(answer)}: write the final answer as text, e.g. "[1, 2]")`;
  if (hasText && typeof line['text'] !== 'string') return `"text" must be a string (got ${kindOf(line['text'])})`;
  return undefined;
}

/** "a number", "an array", "null", "nothing": a JSON value's kind for a message. */
function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const kind = typeof value;
  return kind === 'object' ? 'an object' : `a ${kind}`;
}

/** The id of a JSON line that is not a valid answer line, so the output still names it; null when it has no string or number `id`. */
function readableId(raw: unknown): string | null {
  const p = z.object({ id: idSchema }).safeParse(raw);
  return p.success ? String(p.data.id) : null;
}

/**
 * Scores one submission for the question `id`. Never throws: an unknown id, an unsupported
 * question or a failing checker is a wrong line with the reason.
 */
export async function scoreSubmission(index: TaskIndex, id: string, submission: Submission, options: AsyncScoreOptions = {}): Promise<ScoredLine> {
  const answer = submittedAnswer(submission);
  const record = index.records.get(id);
  if (!record) {
    const unsupported = index.unsupported.get(id);
    const meant = unsupported ? undefined : meantId(index, id);
    const reason = unsupported ? `not scored: ${unsupported.reason}` : `unknown id: no question in the tasks given has it${meant === undefined ? '' : `; did you mean "${meant}"?`} (ids: docs/task-files.md, "Ids")`;
    return { id, answer, correct: false, score: 0, reason };
  }
  const result = await scoreAnswerAsync(record, answer, options);
  return { id, answer, correct: result.correct, score: result.score, reason: result.reason };
}

/** The longest unknown id a hint is looked for (characters). */
const MEANT_ID_MAX = 1000;

/** Per index: each tail of a loaded id (after a `/` or the `#`) → the one id it ends, or null when several do. Made at the first unknown id. */
const tailsOf = new WeakMap<TaskIndex, ReadonlyMap<string, string | null>>();

/**
 * The loaded id an unknown `id` probably means, for the hint in its reason: `id` with the
 * folders of its start dropped (ids relative to a folder above the one given), else the one
 * loaded id that ends in `id` after a `/` or the `#` (an item's own id without its file, a path
 * given from a folder inside the one given). Undefined when none or several fit.
 */
function meantId(index: TaskIndex, id: string): string | undefined {
  // Every cut below copies the rest of the id: a line's id of megabytes gets no hint, in linear time.
  if (id.length > MEANT_ID_MAX) return undefined;
  for (let at = id.indexOf('/'); at >= 0; at = id.indexOf('/', at + 1)) {
    const rest = id.slice(at + 1);
    if (index.records.has(rest)) return rest;
  }
  let tails = tailsOf.get(index);
  if (!tails) {
    const made = new Map<string, string | null>();
    for (const full of index.records.keys()) {
      for (let at = 0; at < full.length; at++) {
        const c = full.charCodeAt(at);
        if (c !== 0x2f && c !== 0x23) continue; // '/' or '#'
        const tail = full.slice(at + 1);
        made.set(tail, made.has(tail) && made.get(tail) !== full ? null : full);
      }
    }
    tails = made;
    tailsOf.set(index, tails);
  }
  return tails.get(id) ?? undefined;
}
