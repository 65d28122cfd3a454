// Evaluation inside VS Code: commands (run — with code or the text-only baseline —, cancel, open/compare results,
// export, SFT export, show a stored trajectory), the Testing view, and the results view.
import { writeFileNoFollow } from '../../eval/safeWrite';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { sftJsonl } from '../../eval/export/sft';
import { readResults } from '../../eval/results';
import { callerPathSchema, evalRunArgsSchema, exportResultsArgsSchema, exportSftArgsSchema, showTrajectoryArgsSchema, type EvalRunArgs } from '../shared/commandArgs';
import { callerArgsOrReport, callerUriPath, confirmCaller } from '../shared/confirmCaller';
import type { ViewEvent } from '../conversation/transcriptProtocol';
import type { Log } from '../shared/log';
import { EvalController, type EvalRunOutcome } from './evalController';
import { loadRun, ResultsPanel, type LoadedRun } from './resultsPanel';
import { EvalTestController } from './testController';
import { showStoredResult } from './trajectoryReplay';
import type { ResultsViewData } from './resultsProtocol';
import type { Command, CommandManager } from '../shared/commandManager';
import { showErrorMessage, showInformationMessage } from '../shared/notify';

/** Opens results files in the results view; its failures open their trajectory in a solve panel. */
type OpenResults = (files: readonly string[]) => Promise<ResultsPanel>;

export class RunEvalCommand implements Command {
  readonly id = 'r1ci.eval.run';
  constructor(
    private readonly evals: EvalController,
    private readonly openResults: OpenResults,
    private readonly log: Log,
  ) {}

  /**
   * Runs an evaluation. Without an argument the user picks the target and the mode; from the
   * explorer's context menu the argument is the clicked file or folder (a Uri: checked, and
   * confirmed when outside the workspace folders, as callerPath says) and the user picks the mode. A caller's argument object (EvalRunArgs: absolute `target` and
   * `resultsFile`) is checked with zod and, since the run executes the model's code on those
   * tasks and writes the results file, confirmed by the user first; invalid ones are refused.
   */
  async execute(raw?: unknown): Promise<EvalRunOutcome | undefined> {
    // From the explorer's context menu the argument is the clicked file or folder.
    const interactive = raw === undefined || raw instanceof vscode.Uri;
    let args: EvalRunArgs | undefined;
    if (raw instanceof vscode.Uri) {
      // Checked as a path is; confirmed when outside the workspace folders (callerPath).
      const target = await callerPath(this.id, 'run the model (and its code) on these tasks', raw);
      if (target === undefined) return undefined;
      args = { target };
    } else if (!interactive) {
      args = callerArgsOrReport(this.id, evalRunArgsSchema, raw);
      if (!args) return undefined;
      const paths = [args.target, ...(args.resultsFile ? [args.resultsFile] : [])];
      if (!(await confirmCaller(this.id, `run the model (and its code) on these tasks${args.resultsFile ? ' and write the results file' : ''}`, paths))) return undefined;
    }
    const target = args?.target ?? (await pickTarget());
    if (!target) return undefined;
    // A person chooses the mode (code first, so Enter never picks the baseline by mistake);
    // a caller passing arguments gets code unless it asks for `textOnly`.
    const textOnly = interactive ? await pickMode() : (args?.textOnly ?? false);
    if (textOnly === undefined) return undefined;
    if (this.evals.busy) {
      void showInformationMessage('An evaluation is already running: cancel it first (click it in the status bar).');
      return undefined;
    }
    try {
      const outcome = await this.evals.run({ target, textOnly, resultsFile: args?.resultsFile, concurrency: args?.concurrency, samples: args?.samples, model: args?.model, resume: args?.resume });
      if (outcome.results.length > 0 && args?.showResults !== false) await this.openResults([outcome.resultsFile]);
      if (outcome.cancelled) void showInformationMessage(`Evaluation cancelled; ${basename(outcome.resultsFile)} keeps what finished — run it again to resume.`);
      return outcome;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.log(`Evaluation failed: ${message}`);
      void showErrorMessage(`Evaluation failed: ${message}`);
      return undefined;
    }
  }
}

export class CancelEvalCommand implements Command {
  readonly id = 'r1ci.eval.cancel';
  constructor(private readonly evals: EvalController) {}

  execute(): void {
    if (!this.evals.busy) void showInformationMessage('No evaluation is running.');
    this.evals.cancelAll();
  }
}

export class OpenResultsCommand implements Command {
  readonly id = 'r1ci.eval.openResults';
  constructor(private readonly openResults: OpenResults) {}

  /**
   * Opens a results file. Without an argument the user picks it. A caller's path (a string) or
   * Uri (the explorer passes the clicked file) is checked with zod (absolute) and confirmed by
   * the user before it is read (a Uri only outside the workspace folders: callerPath); invalid
   * ones are refused.
   */
  async execute(raw?: unknown): Promise<ResultsViewData | undefined> {
    const file = raw === undefined ? await pickResults('Open results file') : await callerPath(this.id, 'open this results file', raw);
    if (!file) return undefined;
    return (await this.openResults([file])).data;
  }
}

export class CompareResultsCommand implements Command {
  readonly id = 'r1ci.eval.compareResults';
  constructor(private readonly openResults: OpenResults) {}

  /**
   * Compares two results files. Each one not given is picked by the user. A caller's path (a
   * string) or Uri is checked with zod (absolute) and confirmed by the user before it is read (a
   * Uri only outside the workspace folders, and never the results view's own: callerPath).
   */
  async execute(a?: unknown, b?: unknown): Promise<ResultsViewData | undefined> {
    const first = a === undefined ? await pickResults('Results file A (e.g. text only, or model A)') : await callerPath(this.id, 'open this results file', a);
    if (!first) return undefined;
    const second = b === undefined ? await pickResults('Results file B (compared with A)', dirname(first)) : await callerPath(this.id, 'open this results file', b);
    if (!second) return undefined;
    return (await this.openResults([first, second])).data;
  }
}

export class ExportResultsCommand implements Command {
  readonly id = 'r1ci.eval.exportResults';

  /**
   * Exports the open results view as Markdown or CSV. Without arguments (the view's button, the
   * palette) it is Markdown and the user picks the file. A caller's `format` ("markdown" |
   * "csv") and `out` (an absolute path) are checked with zod, and writing to `out` is confirmed
   * by the user first.
   */
  async execute(format?: unknown, out?: unknown): Promise<string | undefined> {
    const panel = ResultsPanel.visible;
    if (!panel) {
      void showInformationMessage('Open a results file first (Evaluation: Open Results…).');
      return undefined;
    }
    let args: readonly [string, (string | undefined)?] = ['markdown'];
    if (format !== undefined || out !== undefined) {
      const given = callerArgsOrReport(this.id, exportResultsArgsSchema, [format ?? 'markdown', out]);
      if (!given) return undefined;
      if (given[1] !== undefined && !(await confirmCaller(this.id, `write the results (${given[0]}) to`, [given[1]]))) return undefined;
      args = given;
    }
    const uri = await panel.export(args[0] === 'csv' ? 'csv' : 'markdown', args[1] !== undefined ? vscode.Uri.file(args[1]) : undefined);
    return uri?.fsPath;
  }
}

export class ExportSftCommand implements Command {
  readonly id = 'r1ci.eval.exportSft';

  /**
   * Writes the correct trajectories that ran code of a results file as chat JSONL. Without
   * arguments the user picks both files. A caller's results file and output (absolute paths) are
   * checked with zod and confirmed by the user first (the export reads one and writes the other).
   */
  async execute(resultsArg?: unknown, outArg?: unknown): Promise<{ file: string; count: number } | undefined> {
    let given: readonly [string, (string | undefined)?] | undefined;
    if (resultsArg !== undefined || outArg !== undefined) {
      given = callerArgsOrReport(this.id, exportSftArgsSchema, [resultsArg, outArg]);
      if (!given) return undefined;
      const [from, to] = given;
      if (
        !(await confirmCaller(
          this.id,
          to === undefined ? 'export the correct trajectories of this results file' : 'export the correct trajectories of the first file into the second',
          to === undefined ? [from] : [from, to],
        ))
      )
        return undefined;
    }
    const file = given?.[0] ?? (await pickResults('Results file to export correct trajectories from'));
    if (!file) return undefined;
    const { text, count } = sftJsonl((await readResults(file)).results, { format: 'chat' });
    const out =
      given?.[1] !== undefined ? vscode.Uri.file(given[1]) : await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(file.replace(/(\.results)?\.jsonl$/, '.sft.jsonl')), filters: { JSONL: ['jsonl'] } });
    if (!out) return undefined;
    await writeFileNoFollow(out.fsPath, text);
    void showInformationMessage(`${count} correct trajectories that ran code written to ${basename(out.fsPath)}.`);
    return { file: out.fsPath, count };
  }
}

export class ShowTrajectoryCommand implements Command {
  readonly id = 'r1ci.showTrajectory';
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
  ) {}

  /**
   * Shows a stored trajectory. Its argument is a stored result (checked with its zod schema; it
   * names no file) or a results file (an absolute path) and a question id: that file is read
   * only once the user confirmed it. Invalid arguments are refused.
   */
  async execute(raw?: unknown): Promise<ViewEvent[] | undefined> {
    const parsed = showTrajectoryArgsSchema.safeParse(raw);
    if (!parsed.success) {
      void showErrorMessage('Show Trajectory needs a stored result (or an absolute results file path and a question id).');
      return undefined;
    }
    let result = 'resultsFile' in parsed.data ? undefined : parsed.data;
    if ('resultsFile' in parsed.data) {
      const { resultsFile, id } = parsed.data;
      if (!(await confirmCaller(this.id, 'show a trajectory from this results file', [resultsFile]))) return undefined;
      result = (await loadRun(resultsFile)).results.find((r) => r.id === id);
      if (!result) {
        void showErrorMessage(`No result for "${id}" in ${basename(resultsFile)}.`);
        return undefined;
      }
    }
    return result ? showStoredResult(this.context, this.log, result).events : undefined;
  }
}

export class AddToTestingCommand implements Command {
  readonly id = 'r1ci.eval.addToTesting';
  constructor(private readonly testing: EvalTestController) {}

  /**
   * Adds a task file or folder to the Testing view. Without an argument the user picks it. A
   * caller's path (a string) or Uri (the explorer passes the clicked folder) is checked with zod
   * (absolute) and confirmed by the user before it is read (a Uri only outside the workspace
   * folders: callerPath).
   */
  async execute(raw?: unknown): Promise<number | undefined> {
    const folder = raw === undefined ? await pickTarget() : await callerPath(this.id, 'add these tasks to the Testing view', raw);
    if (!folder) return undefined;
    const item = await this.testing.addFolder(folder);
    await vscode.commands.executeCommand('workbench.view.testing.focus');
    return item.children.size;
  }
}

/** Runs a task file or folder through the Testing view and returns what each question reported. */
export class RunTestsCommand implements Command {
  readonly id = 'r1ci.eval.runTests';
  constructor(private readonly testing: EvalTestController) {}

  /**
   * Its only argument is a task file or folder (an absolute path; no UI picks one): checked with
   * zod and, since the run executes the model's code on those tasks, confirmed by the user first.
   */
  async execute(raw?: unknown): Promise<Record<string, unknown> | undefined> {
    const target = await callerPath(this.id, 'run the model (and its code) on these tasks in the Testing view', raw);
    if (target === undefined) return undefined;
    await this.testing.runTarget(target);
    return Object.fromEntries(this.testing.lastRun);
  }
}

/** Creates the evaluation services and registers their commands; returns what must be disposed with the extension. */
export function registerEval(commands: CommandManager, context: vscode.ExtensionContext, log: Log): vscode.Disposable[] {
  const evals = new EvalController(context, log);
  const testing = new EvalTestController(context, log, evals);
  const showTrajectory = (run: LoadedRun, id: string, sample?: number): void => {
    // In a multi-sample run the failing sample's own trajectory, not the question's first.
    const result = run.results.find((r) => r.id === id && (sample === undefined || (r.sample ?? 0) === sample));
    if (result) showStoredResult(context, log, result);
  };
  const openResults: OpenResults = async (files) => ResultsPanel.show(context, await Promise.all(files.map(loadRun)), showTrajectory, log);
  commands.registerAll([
    new RunEvalCommand(evals, openResults, log),
    new CancelEvalCommand(evals),
    new OpenResultsCommand(openResults),
    new CompareResultsCommand(openResults),
    new ExportResultsCommand(),
    new ExportSftCommand(),
    new ShowTrajectoryCommand(context, log),
    new AddToTestingCommand(testing),
    new RunTestsCommand(testing),
  ]);
  return [evals, testing];
}

/**
 * `raw`, a path (a string) or a file Uri a caller passed to `command`, checked with
 * callerPathSchema (an invalid one is shown as an error). A string is always confirmed by the
 * user (`action`: what the command will do with it); a Uri only when it lies outside the
 * workspace folders (an explorer click, which cannot be told apart from another extension's
 * call, is always inside) and our own code did not make it (callerUriPath). Undefined when
 * invalid or not allowed.
 */
async function callerPath(command: string, action: string, raw: unknown): Promise<string | undefined> {
  if (raw instanceof vscode.Uri) return callerUriPath(command, action, raw);
  const path = callerArgsOrReport(command, callerPathSchema, raw);
  if (path === undefined) return undefined;
  return (await confirmCaller(command, action, [path])) ? path : undefined;
}

async function pickTarget(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Evaluate a task file or folder',
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: false,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    filters: { 'Task files': ['json', 'jsonl', 'csv'] },
    openLabel: 'Evaluate',
  });
  return picked?.[0]?.fsPath;
}

/**
 * The evaluate flow's mode step: true for the paper's text-only baseline (no code is run),
 * false for the normal run with code; undefined when dismissed.
 */
async function pickMode(): Promise<boolean | undefined> {
  const withCode = { label: '$(play) With code', description: 'the model writes Python; it runs in the sandbox', textOnly: false };
  const textOnly = { label: '$(comment) Text only (baseline)', description: 'no code is run, for comparison with a run with code', textOnly: true };
  const picked = await vscode.window.showQuickPick([withCode, textOnly], { title: 'Evaluate: how may the model answer?', placeHolder: 'With code is the normal run' });
  return picked?.textOnly;
}

async function pickResults(title: string, folder?: string): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({ title, canSelectMany: false, filters: { 'Results (JSONL)': ['jsonl'] }, defaultUri: folder ? vscode.Uri.file(folder) : vscode.workspace.workspaceFolders?.[0]?.uri });
  return picked?.[0]?.fsPath;
}
