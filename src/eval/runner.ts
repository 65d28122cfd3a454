// The evaluation loop: every record of a task set is solved (by an injected `solve`, so this
// file knows nothing of models, sandboxes or VS Code), scored, and appended to a results file
// the moment it is done. Concurrency is a fixed number of workers pulling from one queue; a
// per-question timeout aborts that question only; cancelling the run stops every worker and
// writes nothing for the questions in flight, so a resumed run redoes exactly those.
import { writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formatResultLine, latestById, readResults, sampleKey, summarize, type ResultRecord, type RunSummary } from './results';
import type { TaskRecord } from './types';
import { NOT_RUN_MESSAGE } from '../trajectory/execResult';
import { lockResultsFile } from './resultsLock';
import { openForAppend } from './safeWrite';

/** Settings recorded with every result (the paper's sampling settings and the mode). */
export interface RunMeta {
  readonly model: string;
  readonly temperature: number;
  readonly seed?: number | null;
  readonly textOnly: boolean;
  /** The code-call budget (--max-code-calls); undefined for a text-only run. */
  readonly maxCodeCalls?: number;
}

/** What one solve produced, before the runner adds timing and the run's settings. */
export type SolveOutcome = Omit<ResultRecord, 'durationMs' | 'model' | 'temperature' | 'seed' | 'textOnly' | 'maxCodeCalls'>;

export interface SolveContext {
  /** Aborted on the per-question timeout and when the whole run is cancelled. */
  readonly signal: AbortSignal;
  /** 0 … concurrency − 1: which worker runs it. */
  readonly worker: number;
  /** 0 … samples − 1: which of the question's samples this is. */
  readonly sample: number;
}

export type SolveFn = (record: TaskRecord, context: SolveContext) => Promise<SolveOutcome>;

export interface EvalRunOptions {
  readonly records: readonly TaskRecord[];
  readonly solve: SolveFn;
  readonly meta: RunMeta;
  /** Questions solved at once (≥ 1). */
  readonly concurrency: number;
  /** Wall-clock limit per question; 0 = none. A question over the limit is scored wrong. */
  readonly perQuestionTimeoutMs: number;
  /** JSONL file the results are appended to; without one results are only reported. */
  readonly resultsFile?: string;
  /** Skip samples that already have a finished result (no `error`) in `resultsFile`. */
  readonly resume: boolean;
  /** Times each question is asked (`--samples k`, ≥ 1; default 1). Each sample is its own result line. */
  readonly samples?: number;
  /**
   * The claim of `resultsFile` taken earlier with claimResultsFile (so a refusal is said before
   * anything else runs): used as is, and left for the caller to release.
   */
  readonly claimed?: ResultsClaim;
}

export type EvalEvent =
  | {
      readonly type: 'start';
      /** Records in the task set. */
      readonly total: number;
      /** Already done in the results file (resume). */
      readonly skipped: number;
      readonly toRun: number;
      /** Results from earlier runs kept in the file for this run's questions and samples (for the summary). */
      readonly previous: readonly ResultRecord[];
      /** Results in the file for other questions (another task set, other ids) or samples beyond this run's: not summarized. */
      readonly outside: number;
      /** A cut-off last line in the results file was removed. */
      readonly repairedTail: boolean;
    }
  | { readonly type: 'question-start'; readonly record: TaskRecord; readonly worker: number; readonly sample: number }
  | {
      readonly type: 'result';
      readonly record: TaskRecord;
      readonly result: ResultRecord;
      /** Finished in this run so far, and how many this run has to do. */
      readonly done: number;
      readonly toRun: number;
      readonly correctSoFar: number;
      readonly elapsedMs: number;
      /** Estimated time to finish, from the pace so far; undefined before the first result. */
      readonly etaMs: number | undefined;
    }
  | {
      readonly type: 'end';
      readonly cancelled: boolean;
      /** Summary over the whole results file (earlier runs and this one), latest result per id and sample. */
      readonly summary: RunSummary;
      /**
       * The same results without `trajectory`, `steps` and `executionSpans` (those stay in the
       * results file): a long run's memory does not grow with its transcripts.
       */
      readonly results: readonly ResultRecord[];
      readonly elapsedMs: number;
      /** Results of this run that carry an `error` (server down, sandbox broken, checker broken). */
      readonly errors: number;
    };

/** Results of a file that a resumed run may keep: finished, and produced with the same settings. */
export async function resumableResults(file: string, meta: RunMeta): Promise<{ kept: ResultRecord[]; repairedTail: boolean }> {
  const read = await readResults(file, { repair: true });
  if (read.problems.length > 0) {
    const first = read.problems[0];
    throw new Error(`${file}:${first?.line ?? 0}: ${first?.message ?? 'bad line'} (${read.problems.length} bad line(s); fix or remove them before resuming)`);
  }
  const other = read.results.find((r) => r.model !== meta.model || r.textOnly !== meta.textOnly);
  if (other) {
    throw new Error(`${file} holds results of another run (model ${other.model}${other.textOnly ? ', text only' : ''}); this run is ${meta.model}${meta.textOnly ? ', text only' : ''}. Write to another results file.`);
  }
  return { kept: latestById(read.results), repairedTail: read.truncatedTail };
}

/**
 * What a run of `records` × `samples` still has to ask, given the results `previous` of its
 * results file (resumableResults' `kept`): each question and sample (0-based) without a finished
 * result, in sample-major order (every question's first sample before any second one, so an
 * interrupted run has the widest coverage). Finished: no error, and no cell refused for want of
 * isolation (that question was answered without the code it asked for; a run that may run code
 * must not keep it). The runner asks these; `r1ci eval` starts no sandbox when there are none.
 */
export function pendingSamples(previous: readonly ResultRecord[], records: readonly TaskRecord[], samples: number): Array<{ record: TaskRecord; sample: number }> {
  const finished = new Set(previous.filter(isFinished).map(sampleKey));
  const queue: Array<{ record: TaskRecord; sample: number }> = [];
  for (let sample = 0; sample < samples; sample++) {
    for (const record of records) if (!finished.has(sampleKey({ id: record.id, sample }))) queue.push({ record, sample });
  }
  return queue;
}

/** A result a resumed run keeps: no error, and no cell refused for want of isolation. */
function isFinished(r: ResultRecord): boolean {
  return r.error === undefined && !r.steps?.some((s) => s.output?.killMessage === NOT_RUN_MESSAGE);
}

/**
 * A finished result of this run's questions and samples made otherwise than `meta` asks: at
 * another temperature or seed (`seedsDiffer`: both seeded, sample i of a run seeded S has S + i), or
 * with another code-call budget (compared when both record one: older files and text-only runs
 * have none). Results of other task sets and results with an error (a re-run replaces them) are
 * not looked at. Undefined when there is none.
 */
function madeOtherwise(previous: readonly ResultRecord[], records: readonly TaskRecord[], samples: number, meta: RunMeta): ResultRecord | undefined {
  const inRun = new Set(records.map((r) => r.id));
  return previous.find(
    (r) =>
      inRun.has(r.id) &&
      (r.sample ?? 0) < samples &&
      isFinished(r) &&
      (r.temperature !== meta.temperature || seedsDiffer(r, meta) || (r.maxCodeCalls !== undefined && meta.maxCodeCalls !== undefined && r.maxCodeCalls !== meta.maxCodeCalls)),
  );
}

/**
 * Whether `r` and the run `meta` are both seeded and `r`'s seed is not the run's for its sample
 * (S + i): the run's samples could then repeat seeds the file's already used (a run seeded 39
 * asks sample 2 with the seed 41 that sample 1 of a run seeded 40 had). An unseeded side draws
 * fresh samples, which mix with seeded ones like any other.
 */
function seedsDiffer(r: ResultRecord, meta: RunMeta): boolean {
  const own = sampleSeed(meta.seed, r.sample ?? 0);
  return r.seed !== undefined && r.seed !== null && own !== null && r.seed !== own;
}

/** `temperature T, seed S` (or `no seed`)`, budget of N code calls`, as a refusal names a result's settings. */
function runSettings(temperature: number, seed: number | null, maxCodeCalls: number | undefined): string {
  return `temperature ${temperature}, ${seed === null ? 'no seed' : `seed ${seed}`}${maxCodeCalls === undefined ? '' : `, a budget of ${maxCodeCalls} code calls`}`;
}

/** The sentence naming `other`'s settings beside those `meta` asks for. */
function otherwiseSentence(file: string, other: ResultRecord, meta: RunMeta): string {
  const sample = other.sample ?? 0;
  const budgets = other.maxCodeCalls !== undefined && meta.maxCodeCalls !== undefined;
  return `${file} holds ${other.id}, sample ${sample}, made with ${runSettings(other.temperature, other.seed ?? null, budgets ? other.maxCodeCalls : undefined)}; this run asks for ${runSettings(meta.temperature, sampleSeed(meta.seed, sample), budgets ? meta.maxCodeCalls : undefined)}${meta.seed !== null && meta.seed !== undefined && sample > 0 ? ' (sample i uses seed + i)' : ''}`;
}

/**
 * Refuses a results file that holds a result under an id of this run for another question (its
 * stored `question` is not the record's): ids are relative to the task file or folder given, so
 * two task sets whose files have the same names (`a/tasks.jsonl`, `b/tasks.jsonl`) share ids, and
 * a task file edited since is another task set too. Resuming would count the other question's
 * answer as this one's and never ask this one; refused whether or not anything is left to ask.
 * @throws Error naming the id, both questions (cut to 80 characters) and what to do.
 */
export function refuseOtherQuestions(file: string, previous: readonly ResultRecord[], records: readonly TaskRecord[]): void {
  const questions = new Map(records.map((r) => [r.id, r.question]));
  const other = previous.find((r) => questions.has(r.id) && questions.get(r.id) !== r.question);
  if (!other) return;
  const cut = (q: string): string => JSON.stringify(q.length > 80 ? `${q.slice(0, 80)}…` : q);
  throw new Error(
    `${file} holds a result for ${other.id} of another question (${cut(other.question)}, not ${cut(questions.get(other.id) ?? '')}): ids are relative to the task file or folder given, so task sets whose files have the same names share them, and a task file edited since is another task set. Write to another results file.`,
  );
}

/**
 * Refuses to add samples to a results file whose finished results of the same questions and
 * samples were made otherwise (`madeOtherwise`: another temperature, seed or code-call budget):
 * they would be counted with the new ones in one p, accuracy and pass@k, and a question done at
 * the old settings would not be asked at the new ones. Nothing is refused when nothing is left to
 * ask (see `madeOtherwiseNote`).
 * @throws Error naming one such result, both settings, and what to do.
 */
export function refuseMixedSampling(file: string, previous: readonly ResultRecord[], records: readonly TaskRecord[], samples: number, meta: RunMeta): void {
  if (pendingSamples(previous, records, samples).length === 0) return;
  const other = madeOtherwise(previous, records, samples, meta);
  if (!other) return;
  throw new Error(`${otherwiseSentence(file, other, meta)}. Resuming would count both kinds in one accuracy and pass@k: give the same settings, or write to another results file.`);
}

/**
 * When nothing is left to ask but the file's results were made otherwise than `meta` asks (the
 * same command with a new --max-code-calls, say), the sentence that says so: the run asks nothing
 * and its summary is of the old settings. Undefined otherwise.
 */
export function madeOtherwiseNote(file: string, previous: readonly ResultRecord[], records: readonly TaskRecord[], samples: number, meta: RunMeta): string | undefined {
  if (pendingSamples(previous, records, samples).length > 0) return undefined;
  const other = madeOtherwise(previous, records, samples, meta);
  return other ? `${otherwiseSentence(file, other, meta)}. Nothing was asked again, so the summary is of those results: to run at the new settings, write to another results file.` : undefined;
}

/** Results files (resolved paths) an evaluation of this process is writing now. */
const resultsFilesInUse = new Set<string>();

/** A results file held by one evaluation: resolved `file`, and `release()` (idempotent) that frees it. */
export interface ResultsClaim {
  readonly file: string;
  release(): Promise<void>;
}

/**
 * Claims `resultsFile` for one evaluation: of this process (a command run and the Testing view of
 * one window) and of others (`<results file>.lock`, resultsLock.ts: two `r1ci eval`, the CLI
 * beside VS Code), whose lines would be mixed in one file, each resuming from the other's half.
 * The claim is made on the first step, with no await before it: two runs started at once cannot
 * both pass.
 * @throws Error naming the other writer when another evaluation holds it; file errors of the lock as they are.
 */
export async function claimResultsFile(resultsFile: string): Promise<ResultsClaim> {
  const file = resolve(resultsFile);
  if (resultsFilesInUse.has(file)) throw new Error(`Another evaluation is writing ${resultsFile} now: wait for it to end (or cancel it), or write to another results file.`);
  resultsFilesInUse.add(file);
  try {
    const unlock = await lockResultsFile(file);
    let released = false;
    return {
      file,
      release: async () => {
        if (released) return;
        released = true;
        try {
          await unlock();
        } finally {
          resultsFilesInUse.delete(file);
        }
      },
    };
  } catch (error) {
    resultsFilesInUse.delete(file);
    throw error;
  }
}

/**
 * Runs the evaluation, yielding progress. Always ends with one `end` event (also when
 * cancelled through `signal`); throws when the results file cannot be read or written, or when
 * another evaluation is writing it (claimResultsFile; unless `options.claimed` holds it already).
 */
export async function* runEvaluation(options: EvalRunOptions, signal: AbortSignal): AsyncGenerator<EvalEvent, void, undefined> {
  if (options.resultsFile === undefined) {
    yield* runClaimed(options, signal);
    return;
  }
  if (options.claimed !== undefined && options.claimed.file !== resolve(options.resultsFile)) throw new Error(`the claim of ${options.claimed.file} was passed for ${options.resultsFile}`);
  const claim = options.claimed ?? (await claimResultsFile(options.resultsFile));
  try {
    yield* runClaimed(options, signal);
  } finally {
    if (options.claimed === undefined) await claim.release();
  }
}

async function* runClaimed(options: EvalRunOptions, signal: AbortSignal): AsyncGenerator<EvalEvent, void, undefined> {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new Error(`concurrency must be a whole number ≥ 1 (got ${options.concurrency})`);
  const samples = options.samples ?? 1;
  if (!Number.isInteger(samples) || samples < 1) throw new Error(`samples must be a whole number ≥ 1 (got ${samples})`);
  const seedProblem = sampleSeedsProblem(options.meta.seed, samples);
  if (seedProblem !== undefined) throw new Error(seedProblem);
  const started = performance.now();
  let previous: ResultRecord[] = [];
  let repairedTail = false;
  if (options.resultsFile && options.resume) ({ kept: previous, repairedTail } = await resumableResults(options.resultsFile, options.meta));
  // The summary is of this run: its questions and samples. A results file shared with other task
  // sets, written with more samples, or by a version with other ids keeps those lines; they are counted, not summarized.
  const inRun = new Set(options.records.map((r) => r.id));
  const outside = previous.filter((r) => !inRun.has(r.id) || (r.sample ?? 0) >= samples).length;
  if (outside > 0) previous = previous.filter((r) => inRun.has(r.id) && (r.sample ?? 0) < samples);
  if (options.resultsFile && options.resume) {
    refuseOtherQuestions(options.resultsFile, previous, options.records);
    refuseMixedSampling(options.resultsFile, previous, options.records, samples, options.meta);
  }
  const queue = pendingSamples(previous, options.records, samples);
  previous = previous.map(slim);
  const toRun = queue.length;
  const total = options.records.length * samples;
  const events = new EventQueue<EvalEvent>();
  events.push({ type: 'start', total, skipped: total - toRun, toRun, previous, outside, repairedTail });

  const fresh: ResultRecord[] = [];
  let next = 0;
  let correct = 0;
  let writeError: unknown;
  const runStop = new AbortController();
  const stopAll = (): void => runStop.abort();
  signal.addEventListener('abort', stopAll, { once: true });
  if (signal.aborted) stopAll();

  // One handle for the whole run (opening the file per result cost more than the write).
  let handle: FileHandle | undefined;
  if (options.resultsFile) handle = await openForAppend(options.resultsFile);

  const worker = async (index: number): Promise<void> => {
    while (!runStop.signal.aborted) {
      const item = queue[next++];
      if (!item) return;
      const { record, sample } = item;
      events.push({ type: 'question-start', record, worker: index, sample });
      const result = await solveOne(record, index, sample, options, runStop.signal);
      if (!result) return; // the run was cancelled mid-question: nothing is written for it
      if (handle) {
        try {
          appendLine(handle.fd, formatResultLine(result));
        } catch (e) {
          writeError ??= e;
          stopAll();
          return;
        }
      }
      // Counted once on disk, in one synchronous step, so every result gets its own `done`.
      fresh.push(slim(result));
      if (result.correct) correct++;
      const elapsedMs = performance.now() - started;
      const done = fresh.length;
      events.push({ type: 'result', record, result, done, toRun, correctSoFar: correct, elapsedMs, etaMs: (elapsedMs / done) * (toRun - done) });
    }
  };

  const workers = Promise.all(Array.from({ length: Math.min(options.concurrency, Math.max(toRun, 1)) }, (_, i) => worker(i))).finally(() => events.close());
  try {
    yield* events.drain();
    await workers;
  } finally {
    signal.removeEventListener('abort', stopAll);
    runStop.abort();
    await workers.catch(() => undefined);
    await handle?.close();
  }
  if (writeError) throw writeError instanceof Error ? writeError : new Error(String(writeError));
  const all = latestById([...previous, ...fresh]);
  yield {
    type: 'end',
    cancelled: signal.aborted,
    summary: summarize(all),
    results: all,
    elapsedMs: performance.now() - started,
    errors: fresh.filter((r) => r.error !== undefined).length,
  };
}

/**
 * Appends `line` (UTF-8) to the results file in full. Synchronous on purpose: one line is a few
 * KiB into the page cache (a few µs), while an asynchronous write cost ~30 µs of CPU per result in
 * the thread-pool hand-off (issue 12, bench/evalHarness); being synchronous, lines of concurrent
 * questions never interleave. Throws the write's error (ENOSPC, EIO …).
 */
function appendLine(fd: number, line: string): void {
  const bytes = Buffer.from(line, 'utf8');
  for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
}

/** Solves one record under its timeout; undefined when the whole run was cancelled. */
async function solveOne(record: TaskRecord, worker: number, sample: number, options: EvalRunOptions, runSignal: AbortSignal): Promise<ResultRecord | undefined> {
  const question = new AbortController();
  const onRunAbort = (): void => question.abort();
  runSignal.addEventListener('abort', onRunAbort, { once: true });
  let timedOut = false;
  const timer =
    options.perQuestionTimeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          question.abort();
        }, options.perQuestionTimeoutMs)
      : undefined;
  const started = performance.now();
  let outcome: SolveOutcome;
  try {
    outcome = await options.solve(record, { signal: question.signal, worker, sample });
  } catch (e) {
    if (runSignal.aborted) return undefined;
    outcome = failedOutcome(record, timedOut ? undefined : `internal error: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    clearTimeout(timer);
    runSignal.removeEventListener('abort', onRunAbort);
  }
  if (runSignal.aborted && !timedOut) return undefined;
  if (timedOut) {
    // A question over its limit is a wrong answer, not an infrastructure error: resume keeps it.
    const { error: _dropped, ...rest } = outcome;
    outcome = { ...rest, answer: null, correct: false, score: 0, reason: `timed out after ${formatSeconds(options.perQuestionTimeoutMs)}` };
  }
  const { model, temperature, seed, textOnly, maxCodeCalls } = options.meta;
  return {
    ...outcome,
    durationMs: performance.now() - started,
    model,
    temperature,
    seed: sampleSeed(seed, sample),
    textOnly,
    ...(maxCodeCalls !== undefined ? { maxCodeCalls } : {}),
    ...((options.samples ?? 1) > 1 || sample > 0 ? { sample } : {}),
  };
}

/**
 * Why a run seeded with `seed` cannot ask `samples` samples, or undefined when it can (and for an
 * unseeded run). Sample i uses seed + i (sampleSeed), and a results line keeps its seed as a
 * whole number that JSON and the results schema hold exactly only up to Number.MAX_SAFE_INTEGER
 * (2^53 − 1): a larger last seed would fail when that sample's result is written, mid-run.
 */
export function sampleSeedsProblem(seed: number | null | undefined, samples: number): string | undefined {
  // Compared without adding: seed + samples − 1 past 2^53 is rounded, and may round back to a safe value.
  const highest = Number.MAX_SAFE_INTEGER - (samples - 1);
  if (seed === undefined || seed === null || seed <= highest) return undefined;
  return `seed ${seed} with ${samples} samples: sample i uses seed + i, and the last one's seed would be above ${Number.MAX_SAFE_INTEGER}, the largest a results file holds exactly; give a seed of at most ${highest}`;
}

/** Sample i of a seeded run uses seed + i, so samples differ yet a rerun reproduces each one. */
export function sampleSeed(seed: number | null | undefined, sample: number): number | null {
  return seed === undefined || seed === null ? null : seed + sample;
}

/** A result as kept in memory for the summary: without the transcripts, which stay on disk. */
function slim(r: ResultRecord): ResultRecord {
  if (r.trajectory === undefined && r.steps === undefined && r.executionSpans === undefined) return r;
  const { trajectory: _t, steps: _s, executionSpans: _e, ...rest } = r;
  return rest;
}

function failedOutcome(record: TaskRecord, error: string | undefined): SolveOutcome {
  return {
    id: record.id,
    task: record.task,
    question: record.question,
    answer: null,
    correct: false,
    reason: error ?? 'no answer',
    turns: 0,
    codeCalls: 0,
    usedCode: false,
    ...(error !== undefined ? { error } : {}),
  };
}

function formatSeconds(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** Events pushed from workers, pulled by the generator; no polling. */
class EventQueue<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | undefined;
  private closed = false;

  push(item: T): void {
    this.items.push(item);
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  async *drain(): AsyncGenerator<T, void, undefined> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }
}
