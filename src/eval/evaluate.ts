// The evaluation as both front ends run it (CLI and VS Code): the runner loop plus one sandbox
// per worker, reused across that worker's questions in stateless mode (every cell a fresh
// namespace, as in R1-CI training), so no question sees another's variables and no question
// pays an interpreter start. Sandboxes are disposed when the run ends, however it ends.
import type { CodeRunner } from '../sandbox/types';
import { runEvaluation, sampleSeed, type EvalEvent } from './runner';
import { sandboxCheckRunner } from './sandboxChecker';
import { modelRunSettings, type ModelRunSettings } from '../agent/modelRunSettings';
import { solveRecord } from './solveRecord';
import type { TaskRecord } from './types';

export interface EvaluateOptions extends ModelRunSettings {
  readonly records: readonly TaskRecord[];
  /** The paper's text-only baseline: no code is run (custom checkers still run in a sandbox). */
  readonly textOnly: boolean;
  readonly concurrency: number;
  readonly perQuestionTimeoutMs: number;
  readonly resultsFile?: string;
  readonly resume: boolean;
  /** Times each question is asked (≥ 1, default 1); sample i of a seeded run uses seed + i. */
  readonly samples?: number;
  /** A new stateless sandbox for worker `worker` (called at most once per worker). */
  readonly newRunner: (worker: number, signal: AbortSignal) => Promise<CodeRunner>;
}

/** Concurrency 0 means "pick from the server": a local Ollama serves one request at a time well; vLLM-style servers batch. */
export function autoConcurrency(setting: number, backendKind: 'ollama' | 'openai'): number {
  if (setting > 0) return setting;
  return backendKind === 'openai' ? 4 : 1;
}

export async function* evaluate(options: EvaluateOptions, signal: AbortSignal): AsyncGenerator<EvalEvent, void, undefined> {
  const runners = new Map<number, Promise<CodeRunner>>();
  // Starts are serialised: a pool hands its one warm spare to one caller at a time.
  let starting: Promise<unknown> = Promise.resolve();
  const runnerFor = (worker: number): Promise<CodeRunner> => {
    let r = runners.get(worker);
    if (!r) {
      r = starting.then(() => options.newRunner(worker, signal));
      starting = r.catch(() => undefined);
      runners.set(worker, r);
      // A failed start is retried by the next question instead of failing every later one.
      r.catch(() => runners.delete(worker));
    }
    return r;
  };
  try {
    yield* runEvaluation(
      {
        records: options.records,
        meta: { model: options.model, temperature: options.temperature, seed: options.seed ?? null, textOnly: options.textOnly },
        concurrency: options.concurrency,
        perQuestionTimeoutMs: options.perQuestionTimeoutMs,
        resultsFile: options.resultsFile,
        resume: options.resume,
        samples: options.samples,
        prepareWorker: options.textOnly ? undefined : async (worker) => void (await runnerFor(worker)),
        solve: async (record, context) => {
          let runner: CodeRunner | null = null;
          if (!options.textOnly) {
            try {
              runner = await runnerFor(context.worker);
            } catch (e) {
              if (context.signal.aborted) throw e;
              return sandboxFailure(record, e);
            }
          }
          return solveRecord(record, {
            ...modelRunSettings(options),
            seed: sampleSeed(options.seed, context.sample) ?? undefined,
            runner,
            python: sandboxCheckRunner(() => runnerFor(context.worker), context.signal),
            signal: context.signal,
          });
        },
      },
      signal,
    );
  } finally {
    const started = [...runners.values()];
    runners.clear();
    await Promise.all(started.map((p) => p.then((r) => r.dispose(), () => undefined)));
  }
}

function sandboxFailure(record: TaskRecord, e: unknown): Awaited<ReturnType<typeof solveRecord>> {
  const error = `the sandbox could not start: ${e instanceof Error ? e.message : String(e)}`;
  return { id: record.id, task: record.task, question: record.question, answer: null, correct: false, reason: `error: ${error}`, turns: 0, codeCalls: 0, usedCode: false, error };
}
