// The evaluation as both front ends run it (CLI and VS Code): the runner loop plus, for every
// question, a stateless sandbox that no other question's code touched, and a second one for its
// custom checker that no model code ever ran in (issue 10: a cell that patches builtins must not
// make a later question's checker accept anything). Each worker keeps its model sandbox from
// question to question, made fresh by a reset between them (every other process killed, its
// writable folders emptied, a new interpreter forked by the supervisor, which never ran model
// code: see PythonCodeRunner.reset); a sandbox whose reset fails, or whose question hit a limit,
// is disposed and the next question gets a new one. Checker sandboxes are never reused.
import type { CodeRunner } from '../sandbox/types';
import { runEvaluation, sampleSeed, type EvalEvent, type ResultsClaim } from './runner';
import { sandboxCheckRunner } from './sandboxChecker';
import { modelRunSettings, type ModelRunSettings } from '../agent/modelRunSettings';
import { solveRecord } from './solveRecord';
import type { TaskRecord } from './types';
import { removeTree } from '../sandbox/scratchJanitor';

export interface EvaluateOptions extends ModelRunSettings {
  readonly records: readonly TaskRecord[];
  /** The paper's text-only baseline: no code is run (custom checkers still run in a sandbox). */
  readonly textOnly: boolean;
  readonly concurrency: number;
  readonly perQuestionTimeoutMs: number;
  readonly resultsFile?: string;
  /** `resultsFile` claimed beforehand (claimResultsFile), released by the caller; else claimed and released here. */
  readonly claimed?: ResultsClaim;
  readonly resume: boolean;
  /** Times each question is asked (≥ 1, default 1); sample i of a seeded run uses seed + i. */
  readonly samples?: number;
  /**
   * A new stateless sandbox whose scratch folder is named `slot` (a plain name, unique within
   * the run, e.g. `q7` or `q7-checker`), for the model's code or for a custom checker. Called
   * once or twice per question; evaluate disposes the runner and removes its scratch folder
   * when the question ends.
   */
  readonly newRunner: (slot: string, signal: AbortSignal, purpose: 'model' | 'checker') => Promise<CodeRunner>;
}

/** Concurrency 0 means "pick from the server": a local Ollama serves one request at a time well; vLLM-style servers batch. */
export function autoConcurrency(setting: number, backendKind: 'ollama' | 'openai'): number {
  if (setting > 0) return setting;
  return backendKind === 'openai' ? 4 : 1;
}

/** A runner whose sandbox can be made as fresh as a new one (PythonCodeRunner.reset). */
export interface ResettableRunner extends CodeRunner {
  reset(signal?: AbortSignal): Promise<boolean>;
}

/** True when `runner` can be reset (a PythonCodeRunner): then reused between questions, and between answers in `r1ci score`. */
export function isResettable(runner: CodeRunner): runner is ResettableRunner {
  return typeof (runner as Partial<ResettableRunner>).reset === 'function';
}

/** Ends a runner and removes its scratch folder (rm never follows links: nothing outside goes). */
async function disposeRunner(runner: CodeRunner): Promise<void> {
  await runner.dispose();
  await removeTree(runner.scratchDir).catch(() => undefined);
}

export async function* evaluate(options: EvaluateOptions, signal: AbortSignal): AsyncGenerator<EvalEvent, void, undefined> {
  let nextSlot = 0;
  /** Per worker: its model sandbox, reset after its last question, for its next one. */
  const idle = new Map<number, CodeRunner>();
  // Starts are serialised: one sandbox starts at a time (each worker takes the pool's warm spare
  // in turn) instead of eight bubblewraps at once competing for a small machine's cores.
  let starting: Promise<unknown> = Promise.resolve();
  const newRunner: EvaluateOptions['newRunner'] = (slot, runSignal, purpose) => {
    const started = starting.then(() => options.newRunner(slot, runSignal, purpose));
    starting = started.catch(() => undefined);
    return started;
  };
  const events = runEvaluation(
    {
      records: options.records,
      meta: { model: options.model, temperature: options.temperature, seed: options.seed ?? null, textOnly: options.textOnly, ...(options.textOnly ? {} : { maxCodeCalls: options.maxCodeCalls }) },
      concurrency: options.concurrency,
      perQuestionTimeoutMs: options.perQuestionTimeoutMs,
      resultsFile: options.resultsFile,
      claimed: options.claimed,
      resume: options.resume,
      samples: options.samples,
      solve: async (record, context) => {
        const slot = `q${nextSlot++}`;
        const sandboxes = new QuestionSandboxes(newRunner, context.signal);
        let runner: CodeRunner | null = null;
        try {
          if (!options.textOnly) {
            try {
              runner = idle.get(context.worker) ?? (await newRunner(slot, context.signal, 'model'));
              idle.delete(context.worker);
            } catch (e) {
              if (context.signal.aborted) throw e;
              return sandboxFailure(record, e);
            }
          }
          const outcome = await solveRecord(record, {
            ...modelRunSettings(options),
            seed: sampleSeed(options.seed, context.sample) ?? undefined,
            runner,
            // Its own interpreter, started only when a `python:` checker is needed.
            python: sandboxCheckRunner(() => sandboxes.get(`${slot}-checker`, 'checker'), context.signal),
            signal: context.signal,
          });
          // Recorded so a replayed trajectory shows the tier its code really ran on.
          return runner ? { ...outcome, tier: runner.tier } : outcome;
        } finally {
          const model = runner;
          await Promise.all([
            sandboxes.dispose(),
            model &&
              (async () => {
                if (isResettable(model) && !context.signal.aborted && (await model.reset(context.signal))) idle.set(context.worker, model);
                else await disposeRunner(model);
              })(),
          ]);
        }
      },
    },
    signal,
  );
  try {
    yield* events;
  } finally {
    const left = [...idle.values()];
    idle.clear();
    await Promise.all(left.map(disposeRunner));
  }
}

/** The sandboxes of one question, started on first use and all disposed (scratch removed) at its end. */
class QuestionSandboxes {
  private readonly started = new Map<string, Promise<CodeRunner>>();

  constructor(
    private readonly newRunner: EvaluateOptions['newRunner'],
    private readonly signal: AbortSignal,
  ) {}

  get(slot: string, purpose: 'model' | 'checker'): Promise<CodeRunner> {
    let runner = this.started.get(slot);
    if (!runner) {
      runner = this.newRunner(slot, this.signal, purpose);
      this.started.set(slot, runner);
    }
    return runner;
  }

  async dispose(): Promise<void> {
    const all = [...this.started.values()];
    this.started.clear();
    await Promise.all(all.map((p) => p.then(disposeRunner, () => undefined)));
  }
}

function sandboxFailure(record: TaskRecord, e: unknown): Awaited<ReturnType<typeof solveRecord>> {
  const error = `the sandbox could not start: ${e instanceof Error ? e.message : String(e)}`;
  return { id: record.id, task: record.task, question: record.question, answer: null, correct: false, reason: `error: ${error}`, turns: 0, codeCalls: 0, usedCode: false, error };
}
