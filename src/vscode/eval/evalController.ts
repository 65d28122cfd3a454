// Runs an evaluation inside VS Code: settings → backend + one stateless sandbox per worker →
// the shared `evaluate` loop, with progress and ETA in a cancellable notification and the
// status bar. Results go to a JSONL file (resumed when it exists); the caller decides what to
// show at the end (the results view, or Test Explorer states).
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { backendFor, modelRunSettingsFor, runOptionsFrom } from '../../config/runOptions';
import { readSettings } from '../shared/settings';
import { autoConcurrency, evaluate } from '../../eval/evaluate';
import { describeLoadProblem, describeSkipped, describeUnsupported, loadTasks } from '../../eval/load';
import { defaultResultsFile, ensureResultsFolder } from '../../eval/resultsLocation';
import type { ResultRecord, RunSummary } from '../../eval/results';
import type { EvalEvent } from '../../eval/runner';
import type { LoadProblem, TaskRecord } from '../../eval/types';
import { SandboxPool } from '../../sandbox';
import { codeMode } from '../conversation/conversationSession';
import type { Log } from '../shared/log';
import { getApiKey } from '../models/solveErrors';
import { scratchRoot } from '../shared/scratch';
import { removeTree } from '../../sandbox/scratchJanitor';
import { showErrorMessage, showWarningMessage, withProgress } from '../shared/notify';
import { makeFolders } from '../../files/makeFolders';

export interface EvalRunRequest {
  /** A task file or folder. */
  readonly target: string;
  readonly textOnly?: boolean;
  readonly resultsFile?: string;
  readonly concurrency?: number;
  /** Times each question is asked (default: the "r1ci.eval.samples" setting). */
  readonly samples?: number;
  /** Skip questions already in the results file (default true). */
  readonly resume?: boolean;
  /** Only these records (Test Explorer runs a selection); default: all. */
  readonly ids?: readonly string[];
  readonly model?: string;
}

export interface EvalRunOutcome {
  readonly target: string;
  readonly resultsFile: string;
  readonly summary: RunSummary;
  readonly results: readonly ResultRecord[];
  readonly cancelled: boolean;
  readonly problems: readonly LoadProblem[];
  readonly textOnly: boolean;
}

export interface EvalRunHooks {
  readonly onEvent?: (event: EvalEvent) => void;
  /** Cancels with the caller's token too (Test Explorer's Stop). */
  readonly token?: vscode.CancellationToken;
  /** Records loaded already by the caller. */
  readonly records?: readonly TaskRecord[];
}

export class EvalController implements vscode.Disposable {
  private readonly status = vscode.window.createStatusBarItem('r1ci.eval', vscode.StatusBarAlignment.Left, 40);
  private readonly running = new Set<AbortController>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
  ) {
    this.status.name = 'R1 Code Interpreter: evaluation';
    this.status.command = 'r1ci.eval.cancel';
  }

  get busy(): boolean {
    return this.running.size > 0;
  }

  cancelAll(): void {
    for (const c of this.running) c.abort();
  }

  /** Where results go when the caller names no file: beside the tasks, per model and mode. */
  defaultResultsFile(target: string, model: string, textOnly: boolean): string {
    return defaultResultsFile(target, model, textOnly, this.resultsBase(target));
  }

  /** The folder whose `.r1ci/results` holds the default results for `target`: its workspace folder, else the folder it is in. */
  private resultsBase(target: string): string {
    return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(target))?.uri.fsPath ?? dirname(target);
  }

  /**
   * Runs one evaluation. It counts as running (`busy`; `cancelAll` and the caller's token stop it)
   * from the moment it is asked for, while its tasks still load, so a second "Run Evaluation"
   * clicked meanwhile is refused and a Cancel is never lost.
   */
  async run(request: EvalRunRequest, hooks: EvalRunHooks = {}): Promise<EvalRunOutcome> {
    // Registered before the first await: loading a big task folder takes seconds.
    const controller = new AbortController();
    this.running.add(controller);
    const tokenListener = hooks.token?.onCancellationRequested(() => controller.abort());
    try {
      return await this.evaluate(request, hooks, controller);
    } finally {
      tokenListener?.dispose();
      this.running.delete(controller);
      if (this.running.size === 0) this.status.hide();
    }
  }

  private async evaluate(request: EvalRunRequest, hooks: EvalRunHooks, controller: AbortController): Promise<EvalRunOutcome> {
    const settings = readSettings(this.log);
    const run = runOptionsFrom(settings, await getApiKey(settings.backend));
    const model = request.model ?? run.model;
    let textOnly = request.textOnly ?? false;
    if (!textOnly && (await codeMode(settings)) === 'off') {
      textOnly = true;
      void showWarningMessage('Code is not executed here (Restricted Mode or "r1ci.sandbox.approval": "never"): this evaluation runs text-only.');
    }
    const loaded = hooks.records ? { records: [...hooks.records], problems: [] } : await loadTasks(request.target);
    for (const line of describeUnsupported(loaded.unsupported ?? [])) this.log(line);
    for (const line of describeSkipped(loaded.skipped ?? [])) this.log(line);
    for (const p of loaded.problems) this.log(`Task problem: ${describeLoadProblem(p)}`);
    if (loaded.problems.length > 0) {
      void showWarningMessage(`${loaded.problems.length} problem(s) in the task files (the good records still run): ${describeProblem(loaded.problems[0])}`, 'Show Log').then((c) => {
        if (c) void vscode.commands.executeCommand('workbench.action.output.show');
      });
    }
    const ids = request.ids ? new Set(request.ids) : undefined;
    const records = ids ? loaded.records.filter((r) => ids.has(r.id)) : loaded.records;
    const resultsFile = request.resultsFile ?? this.defaultResultsFile(request.target, model, textOnly);
    // The default lies in the workspace a cloned dataset may fill: its folders are made without links.
    if (request.resultsFile) await makeFolders(dirname(request.resultsFile));
    else await ensureResultsFolder(this.resultsBase(request.target));
    const concurrency = autoConcurrency(request.concurrency ?? run.eval.concurrency, run.server.kind);
    const scratch = join(scratchRoot(this.context).fsPath, `eval-${randomBytes(4).toString('hex')}`);
    // Stateless (R1-CI's setting); evaluate starts a fresh interpreter per question and per checker.
    const pool = new SandboxPool({ ...run.sandbox, mode: 'stateless', scratchRoot: scratch });
    this.log(`Evaluation: ${records.length} question(s) from ${request.target} with ${model}${textOnly ? ' (text only)' : ''}, ${concurrency} at a time → ${resultsFile}`);
    let end: Extract<EvalEvent, { type: 'end' }> | undefined;
    try {
      await withProgress({ location: vscode.ProgressLocation.Notification, title: `Evaluating ${basename(request.target)} with ${model}${textOnly ? ' (text only)' : ''}`, cancellable: true }, async (progress, token) => {
        token.onCancellationRequested(() => controller.abort());
        let lastFraction = 0;
        const backend = backendFor(run);
        // The toast moves with every question that starts or ends, not only with results.
        let done = 0;
        let toRun = 0;
        let running = 0;
        let tail = '';
        const show = (): void => {
          progress.report({ message: `${done}/${toRun} done${running > 0 ? ` · ${running} running` : ''}${tail}` });
          this.showStatus(`${done}/${toRun}`);
        };
        const events = evaluate(
          {
            records,
            ...(await modelRunSettingsFor(run, backend, controller.signal, { model })),
            textOnly,
            concurrency,
            perQuestionTimeoutMs: run.eval.questionTimeoutMs,
            resultsFile,
            resume: request.resume ?? true,
            samples: request.samples ?? run.eval.samples,
            // Custom checkers are code too: no interpreter starts in Restricted Mode.
            newRunner: (slot, signal) =>
              vscode.workspace.isTrusted ? pool.acquire(join(scratch, slot), signal) : Promise.reject(new Error('Restricted Mode: no code (custom checkers included) runs in an untrusted workspace.')),
          },
          controller.signal,
        );
        for await (const event of events) {
          hooks.onEvent?.(event);
          if (event.type === 'start') {
            toRun = event.toRun;
            tail = event.skipped > 0 ? ` · ${event.skipped} already done earlier` : '';
            show();
          } else if (event.type === 'question-start') {
            running++;
            show();
          } else if (event.type === 'result') {
            running = Math.max(0, running - 1);
            done = event.done;
            const fraction = event.done / Math.max(event.toRun, 1);
            const eta = event.done < event.toRun && event.etaMs !== undefined ? ` · ETA ${formatDuration(event.etaMs)}` : '';
            tail = ` · ${event.correctSoFar} right${eta}`;
            progress.report({ increment: (fraction - lastFraction) * 100 });
            lastFraction = fraction;
            show();
          } else if (event.type === 'end') end = event;
        }
      });
    } finally {
      await pool.dispose();
      await removeTree(scratch);
    }
    if (!end) throw new Error('The evaluation ended without a summary.');
    const s = end.summary.overall;
    this.log(`Evaluation ${end.cancelled ? 'cancelled' : 'finished'}: ${s.correct}/${s.n} correct (${(s.accuracy * 100).toFixed(1)}%), ${end.errors} error(s), ${formatDuration(end.elapsedMs)}`);
    if (end.errors > 0) void showErrorMessage(`${end.errors} question(s) failed with an error (e.g. the model server or sandbox); they are retried when you run the evaluation again.`);
    return { target: request.target, resultsFile, summary: end.summary, results: end.results, cancelled: end.cancelled, problems: loaded.problems, textOnly };
  }

  private showStatus(text: string): void {
    this.status.text = `$(beaker~spin) Eval ${text}`;
    this.status.tooltip = 'Evaluation running — click to cancel';
    this.status.show();
  }

  dispose(): void {
    this.cancelAll();
    this.status.dispose();
  }
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m ${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

function describeProblem(p: LoadProblem | undefined): string {
  if (!p) return '';
  return describeLoadProblem(p, basename(p.file));
}
