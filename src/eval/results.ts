// Results of an evaluation run: one JSON line per question, appended as the run goes so a
// run can be resumed; plus summaries (per-task accuracy), comparisons, exports and SFT data.

import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import type { IsolationTier } from '../sandbox/types';

import { chatMessageSchema } from '../trajectory/chatMessage';
import { execResultSchema } from '../trajectory/execResult';
import { answerSourceSchema, codeSourceSchema } from '../trajectory/trajectory';
import { openForAppend, openNoFollow } from './safeWrite';
import { counted } from '../text/counted';
import { errnoCode } from '../text/fileErrors';
export { chatMessageSchema };
export type { ChatMessage } from '../trajectory/chatMessage';

/** One model request of a stored trajectory, enough to replay it in the solve panel. */
export const resultStepSchema = z.object({
  /** What the model wrote in this request (up to the closing fence when it called code). */
  text: z.string(),
  /** The model's reasoning in this request (reasoning channel or inline <think>). */
  reasoning: z.string().optional(),
  code: z.string().optional(),
  language: z.string().optional(),
  /** Where the code came from: 'reasoning' or 'tool-call' (absent: a fence in the text). */
  codeSource: codeSourceSchema.optional(),
  /** The cell's result, without artifacts (their files are not part of a results file). */
  output: execResultSchema.pick({ stdout: true, stderr: true, exitCode: true, durationMs: true, timedOut: true, killMessage: true, truncated: true }).optional(),
});
export type ResultStep = z.infer<typeof resultStepSchema>;

export const resultRecordSchema = z.object({
  id: z.string(),
  task: z.string(),
  question: z.string(),
  /** The stored answer for display; absent for constraint-checked tasks without one. */
  expected: z.string().optional(),
  /** The content of the model's last <<<...>>>, or null when it gave none. */
  answer: z.string().nullable(),
  /** True only for a full score: accuracy counts these. */
  correct: z.boolean(),
  /**
   * Credit in [0, 1] (partial where the benchmark's own scorer gives it). Absent in results
   * written before scores existed: then 1 when correct, else 0 (`scoreOf`).
   */
  score: z.number().min(0).max(1).optional(),
  reason: z.string(),
  /** Model requests made (1 = answered without any code round trip). */
  turns: z.number().int().nonnegative(),
  codeCalls: z.number().int().nonnegative(),
  usedCode: z.boolean(),
  durationMs: z.number().nonnegative(),
  model: z.string(),
  temperature: z.number(),
  seed: z.number().int().nullable().optional(),
  /** True when the run forbade code (the paper's text-only baseline). */
  textOnly: z.boolean(),
  /** The run's code-call budget (--max-code-calls: 5 for the v1 checkpoints, 8 for v2); absent for text-only runs and in older files. */
  maxCodeCalls: z.number().int().nonnegative().optional(),
  /** The sandbox tier the model's code ran on; absent for text-only runs and older results files. */
  tier: z.enum(['isolated', 'basic'] as const satisfies readonly IsolationTier[]).optional(),
  error: z.string().optional(),
  trajectory: z.array(chatMessageSchema).optional(),
  /** The turns with their code and its output, for showing a failure in the panel. */
  steps: z.array(resultStepSchema).optional(),
  /** Time waiting on the model and running code (summed over turns): where the time went. */
  modelMs: z.number().nonnegative().optional(),
  codeMs: z.number().nonnegative().optional(),
  /** Why the agent stopped: answer, no-answer, budget, error. */
  stopReason: z.string().optional(),
  /** 'code-output' when the answer was printed by the code, not written by the model. */
  answerSource: answerSourceSchema.optional(),
  /** 0-based sample index when a question is asked k times (`--samples k`); absent = 0 (older files). */
  sample: z.number().int().nonnegative().optional(),
  /**
   * Where the injected execution results sit in `trajectory`: `trajectory[message].content`
   * characters [start, end) (UTF-16 code units, as JavaScript strings count them), header
   * included. A trainer masks these from the loss, as the paper does in RL.
   */
  executionSpans: z.array(z.object({ message: z.number().int().nonnegative(), start: z.number().int().nonnegative(), end: z.number().int().nonnegative() })).optional(),
});
export type ResultRecord = z.infer<typeof resultRecordSchema>;

/** One JSONL line (with its newline) for a result; validates so a bad record never reaches disk. */
export function formatResultLine(result: ResultRecord): string {
  return `${JSON.stringify(resultRecordSchema.parse(result))}\n`;
}

/** Appends one result line to `file`; a link there is refused (UnsafeOutputPathError, see safeWrite). */
export async function appendResult(file: string, result: ResultRecord): Promise<void> {
  const line = formatResultLine(result);
  const handle = await openForAppend(file);
  try {
    await handle.write(line);
  } finally {
    await handle.close();
  }
}

export interface ReadResultsProblem {
  readonly line: number;
  readonly message: string;
}

export interface ReadResults {
  readonly results: ResultRecord[];
  /** Bad lines other than an unfinished last line. */
  readonly problems: ReadResultsProblem[];
  /** The last line was cut off (the run was killed while writing); it was ignored. */
  readonly truncatedTail: boolean;
}

/**
 * Reads a results JSONL file; a missing file is an empty run. An unfinished last line (no
 * newline, not parseable) is ignored, and with `repair` cut from the file so appending can
 * resume cleanly. The file is opened once without following a link (UnsafeOutputPathError
 * for a link, a non-regular file, or — with `repair` — a file with another hard link) and
 * repaired through that descriptor, never by path.
 */
export async function readResults(file: string, options: { repair?: boolean } = {}): Promise<ReadResults> {
  let handle: FileHandle;
  try {
    handle = await openNoFollow(file, options.repair ? constants.O_RDWR : constants.O_RDONLY);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return { results: [], problems: [], truncatedTail: false };
    throw e;
  }
  try {
    return await readAndRepair(handle, options.repair === true);
  } finally {
    await handle.close();
  }
}

async function readAndRepair(handle: FileHandle, repair: boolean): Promise<ReadResults> {
  const text = await handle.readFile('utf8');
  const lines = text.split('\n');
  const endsClean = text.endsWith('\n') || text === '';
  const results: ResultRecord[] = [];
  const problems: ReadResultsProblem[] = [];
  let truncatedTail = false;
  let goodBytes = 0;
  lines.forEach((line, i) => {
    const isTail = i === lines.length - 1;
    if (isTail && endsClean) return; // the empty string after the final newline
    const lineBytes = Buffer.byteLength(line, 'utf8') + (isTail ? 0 : 1);
    if (line.trim() === '') {
      goodBytes += lineBytes;
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      if (isTail) truncatedTail = true;
      else problems.push({ line: i + 1, message: `invalid JSON: ${e instanceof Error ? e.message : String(e)}` });
      if (!isTail) goodBytes += lineBytes;
      return;
    }
    const parsed = resultRecordSchema.safeParse(raw);
    if (parsed.success) results.push(parsed.data);
    else problems.push({ line: i + 1, message: parsed.error.issues.map((x) => `${x.path.join('.') || '(record)'}: ${x.message}`).join('; ') });
    goodBytes += lineBytes;
  });
  if (truncatedTail && repair) await handle.truncate(goodBytes);
  else if (!endsClean && !truncatedTail && repair) {
    // A complete last line without its newline: add it so the next append starts a new line.
    await handle.write('\n', Buffer.byteLength(text, 'utf8'));
  }
  return { results, problems, truncatedTail };
}

/** The key of one attempt slot: a question's id and its sample index (0 when absent). */
export function sampleKey(r: { readonly id: string; readonly sample?: number }): string {
  return `${r.id}\u0000${r.sample ?? 0}`;
}

/** A resumed run may hold a question (sample) twice; the last attempt of each id and sample counts. */
export function latestById(results: readonly ResultRecord[]): ResultRecord[] {
  const byKey = new Map<string, ResultRecord>();
  for (const r of results) {
    const key = sampleKey(r);
    byKey.delete(key); // keep insertion order of the latest attempt
    byKey.set(key, r);
  }
  return [...byKey.values()];
}

/** A result's credit in [0, 1]; results without a `score` field count 1 when correct, else 0. */
export function scoreOf(r: Pick<ResultRecord, 'score' | 'correct'>): number {
  return r.score ?? (r.correct ? 1 : 0);
}

export interface Stats {
  readonly n: number;
  readonly correct: number;
  /** correct / n (0 when n = 0): only full scores count. */
  readonly accuracy: number;
  /** Mean of the scores in [0, 1] (partial credit included), reported beside accuracy. */
  readonly meanScore: number;
  readonly meanTurns: number;
  readonly meanCodeCalls: number;
  /** Among results that gave an answer, the share whose trajectory ran code. */
  readonly usedCodeShare: number;
  readonly answered: number;
  readonly errors: number;
}

export interface TaskStats extends Stats {
  readonly task: string;
}

export interface RunSummary {
  readonly overall: Stats;
  /** Mean of the per-task accuracies (the paper averages over tasks). */
  readonly macroAccuracy: number;
  readonly tasks: TaskStats[];
  readonly models: string[];
}

function stats(rs: readonly ResultRecord[]): Stats {
  const n = rs.length;
  const answered = rs.filter((r) => r.answer !== null);
  const mean = (f: (r: ResultRecord) => number): number => (n === 0 ? 0 : rs.reduce((s, r) => s + f(r), 0) / n);
  const correct = rs.filter((r) => r.correct).length;
  return {
    n,
    correct,
    accuracy: n === 0 ? 0 : correct / n,
    meanScore: mean(scoreOf),
    meanTurns: mean((r) => r.turns),
    meanCodeCalls: mean((r) => r.codeCalls),
    usedCodeShare: answered.length === 0 ? 0 : answered.filter((r) => r.usedCode).length / answered.length,
    answered: answered.length,
    errors: rs.filter((r) => r.error !== undefined).length,
  };
}

/** Per-task and overall statistics; repeated ids count once (their last result). */
export function summarize(results: readonly ResultRecord[]): RunSummary {
  const latest = latestById(results);
  const byTask = new Map<string, ResultRecord[]>();
  for (const r of latest) byTask.set(r.task, [...(byTask.get(r.task) ?? []), r]);
  const tasks = [...byTask.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([task, rs]) => ({ task, ...stats(rs) }));
  return {
    overall: stats(latest),
    macroAccuracy: tasks.length === 0 ? 0 : tasks.reduce((s, t) => s + t.accuracy, 0) / tasks.length,
    tasks,
    models: [...new Set(latest.map((r) => r.model))].sort(),
  };
}

export interface TaskDelta {
  readonly task: string;
  /**
   * Accuracy of run A / B over the task's questions both runs answered; for a task with no such
   * question (only in one run, or different questions), over that run's own questions of it.
   * Null when that run has no result for the task.
   */
  readonly a: number | null;
  readonly b: number | null;
  /** b − a over the shared questions; null when the task has none (the accuracies are then not paired). */
  readonly delta: number | null;
  /** Result records behind `a` / `b` (every sample of a multi-sample run). */
  readonly nA: number;
  readonly nB: number;
  /** Questions (ids) of the task answered in both runs. */
  readonly shared: number;
}

/** Accuracy of A and B over the same questions, and B − A. */
export interface PairedFigure {
  readonly a: number;
  readonly b: number;
  readonly delta: number;
}

export interface RunComparison {
  readonly tasks: TaskDelta[];
  /** Overall and macro (mean over tasks) accuracy over the shared questions; null when there are none. */
  readonly overall: PairedFigure | null;
  readonly macro: PairedFigure | null;
  /** Questions (distinct ids) answered in both runs, only in A, only in B. */
  readonly shared: number;
  readonly onlyA: number;
  readonly onlyB: number;
}

/**
 * A paired comparison of two runs' results (as read from their results files): every figure
 * with a delta is computed over the questions both answered, matched by result id, so runs over
 * different or partly overlapping task sets are never compared as wholes. All records of a
 * shared id count (every sample of a multi-sample run; a resumed run's last attempt per sample,
 * as in `summarize`). Tasks with no shared question are listed with each run's own accuracy and
 * no delta. Rows sorted by task name.
 */
export function compareRuns(a: readonly ResultRecord[], b: readonly ResultRecord[]): RunComparison {
  const idsA = new Set(a.map((r) => r.id));
  const idsB = new Set(b.map((r) => r.id));
  const shared = new Set([...idsA].filter((id) => idsB.has(id)));
  const split = (rs: readonly ResultRecord[]): { paired: RunSummary; unpaired: RunSummary } => ({
    paired: summarize(rs.filter((r) => shared.has(r.id))),
    unpaired: summarize(rs.filter((r) => !shared.has(r.id))),
  });
  const sa = split(a);
  const sb = split(b);
  const pairedTasks = new Set([...sa.paired.tasks, ...sb.paired.tasks].map((t) => t.task));
  const sharedPerTask = new Map<string, Set<string>>();
  for (const r of a) if (shared.has(r.id)) sharedPerTask.set(r.task, (sharedPerTask.get(r.task) ?? new Set<string>()).add(r.id));
  const names = [...new Set([...pairedTasks, ...sa.unpaired.tasks.map((t) => t.task), ...sb.unpaired.tasks.map((t) => t.task)])].sort((x, y) => x.localeCompare(y));
  const tasks = names.map((task): TaskDelta => {
    const paired = pairedTasks.has(task);
    const ta = (paired ? sa.paired : sa.unpaired).tasks.find((t) => t.task === task);
    const tb = (paired ? sb.paired : sb.unpaired).tasks.find((t) => t.task === task);
    const accA = ta ? ta.accuracy : null;
    const accB = tb ? tb.accuracy : null;
    return { task, a: accA, b: accB, delta: paired && accA !== null && accB !== null ? accB - accA : null, nA: ta?.n ?? 0, nB: tb?.n ?? 0, shared: sharedPerTask.get(task)?.size ?? 0 };
  });
  const figure = (x: number, y: number): PairedFigure => ({ a: x, b: y, delta: y - x });
  return {
    tasks,
    overall: shared.size === 0 ? null : figure(sa.paired.overall.accuracy, sb.paired.overall.accuracy),
    macro: shared.size === 0 ? null : figure(sa.paired.macroAccuracy, sb.paired.macroAccuracy),
    shared: shared.size,
    onlyA: idsA.size - shared.size,
    onlyB: idsB.size - shared.size,
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const num = (x: number): string => x.toFixed(2);
/**
 * Task names come from folder and file names and task files (a cloned dataset): keep them from
 * breaking the table, and from becoming a link, an image (which loads from the network in a
 * Markdown preview) or HTML where the export is rendered: `|`, `<` and `[` (every link and image
 * starts with one) backslash-escaped, and `\` too (else `\[` would escape the escape and leave
 * the `[` open); every line ending (`\r` alone is one) a space, so a row stays one line.
 */
export const mdCell = (s: string): string => s.replace(/[\\|<[]/g, '\\$&').replace(/\r\n?|\n/g, ' ');

export function toMarkdown(summary: RunSummary): string {
  const head = '| Task | N | Correct | Accuracy | Mean score | Mean turns | Mean code calls | Used code | Errors |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|';
  const row = (name: string, s: Stats): string =>
    `| ${mdCell(name)} | ${s.n} | ${s.correct} | ${pct(s.accuracy)} | ${num(s.meanScore)} | ${num(s.meanTurns)} | ${num(s.meanCodeCalls)} | ${pct(s.usedCodeShare)} | ${s.errors} |`;
  return [
    head,
    ...summary.tasks.map((t) => row(t.task, t)),
    row('**Overall**', summary.overall),
    '',
    `Macro accuracy (mean over ${counted(summary.tasks.length, 'task')}): ${pct(summary.macroAccuracy)}${summary.models.length ? ` · model: ${summary.models.map(mdCell).join(', ')}` : ''}`,
    '',
  ].join('\n');
}

/**
 * The comparison as Markdown: a line saying how many questions were compared (and how many are
 * only in A / only in B), then the per-task table | Task | A | B | B − A | with Overall and
 * Macro rows. A task without shared questions gets "–" as its delta, saying why; when the runs
 * share no question, the line says so and the table has no Overall or Macro row.
 */
export function comparisonToMarkdown(c: RunComparison): string {
  const acc = (x: number | null): string => (x === null ? '–' : pct(x));
  const delta = (x: number | null): string => (x === null ? '–' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} pt`);
  const unpaired = (t: TaskDelta): string => (t.b === null ? '– (only in A)' : t.a === null ? '– (only in B)' : '– (no shared question)');
  const rest = `only in A: ${counted(c.onlyA, 'question')}, only in B: ${counted(c.onlyB, 'question')}`;
  const head =
    c.shared === 0 ? `No question is in both runs (${rest}): nothing to compare.` : `Compared: the ${counted(c.shared, 'question')} both runs answered (${rest}); the accuracies and B − A below are over these.`;
  return [
    head,
    '',
    '| Task | A | B | B − A |\n|---|---:|---:|---:|',
    ...c.tasks.map((t) => `| ${mdCell(t.task)} | ${acc(t.a)} | ${acc(t.b)} | ${t.delta === null ? unpaired(t) : delta(t.delta)} |`),
    ...(c.overall ? [`| **Overall** | ${acc(c.overall.a)} | ${acc(c.overall.b)} | ${delta(c.overall.delta)} |`] : []),
    ...(c.macro ? [`| **Macro** | ${acc(c.macro.a)} | ${acc(c.macro.b)} | ${delta(c.macro.delta)} |`] : []),
    '',
  ].join('\n');
}

/**
 * One CSV field (RFC 4180 quoting). A text field that a spreadsheet would run as a formula
 * (starting with = + - @, or a tab or CR: OWASP's "CSV injection") gets a leading `'`, which
 * spreadsheets show as text; numbers stay numbers.
 */
function csvCell(value: string | number): string {
  const s = typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per task plus an "overall" row; numbers unformatted (accuracy as a 0–1 fraction). */
export function toCsv(summary: RunSummary): string {
  const header = ['task', 'n', 'correct', 'accuracy', 'mean_score', 'mean_turns', 'mean_code_calls', 'used_code_share', 'answered', 'errors'];
  const row = (name: string, s: Stats): string => [name, s.n, s.correct, s.accuracy, s.meanScore, s.meanTurns, s.meanCodeCalls, s.usedCodeShare, s.answered, s.errors].map(csvCell).join(',');
  return [header.join(','), ...summary.tasks.map((t) => row(t.task, t)), row('overall', summary.overall)].join('\n') + '\n';
}
