// Evaluation inside VS Code: commands (run — with code or the text-only baseline —, cancel, open/compare results,
// export, SFT export, show a stored trajectory), the Testing view, and the results view.
import { writeFileNoFollow } from '../../eval/safeWrite';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { z } from 'zod';
import { sftJsonl } from '../../eval/export/sft';
import { readResults, resultRecordSchema } from '../../eval/results';
import type { ViewEvent } from '../conversation/transcriptProtocol';
import type { Log } from '../shared/log';
import { EvalController, type EvalRunOutcome } from './evalController';
import { loadRun, ResultsPanel, type LoadedRun } from './resultsPanel';
import { EvalTestController } from './testController';
import { showStoredResult } from './trajectoryReplay';
import type { ResultsViewData } from './resultsProtocol';
import type { Command, CommandManager } from '../shared/commandManager';
import { showErrorMessage, showInformationMessage } from '../shared/notify';

const runArgsSchema = z
  .object({
    target: z.string().min(1),
    textOnly: z.boolean().optional(),
    resultsFile: z.string().optional(),
    concurrency: z.number().int().min(1).optional(),
    /** Times each question is asked (default: the "r1ci.eval.samples" setting). */
    samples: z.number().int().min(1).optional(),
    model: z.string().optional(),
    resume: z.boolean().optional(),
    /** Open the results view at the end (default true). */
    showResults: z.boolean().optional(),
  })
  .optional();

const showTrajectoryArgs = z.union([z.object({ resultsFile: z.string(), id: z.string() }), resultRecordSchema]);

/** Opens results files in the results view; its failures open their trajectory in a solve panel. */
type OpenResults = (files: readonly string[]) => Promise<ResultsPanel>;

export class RunEvalCommand implements Command {
  readonly id = 'r1ci.eval.run';
  constructor(
    private readonly evals: EvalController,
    private readonly openResults: OpenResults,
    private readonly log: Log,
  ) {}

  async execute(raw?: unknown): Promise<EvalRunOutcome | undefined> {
    // From the explorer's context menu the argument is the clicked file or folder.
    const interactive = raw === undefined || raw instanceof vscode.Uri;
    const parsed = runArgsSchema.safeParse(raw instanceof vscode.Uri ? { target: raw.fsPath } : raw);
    const args = parsed.success ? parsed.data : undefined;
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

  async execute(raw?: unknown): Promise<ResultsViewData | undefined> {
    const file = typeof raw === 'string' ? raw : raw instanceof vscode.Uri ? raw.fsPath : await pickResults('Open results file');
    if (!file) return undefined;
    return (await this.openResults([file])).data;
  }
}

export class CompareResultsCommand implements Command {
  readonly id = 'r1ci.eval.compareResults';
  constructor(private readonly openResults: OpenResults) {}

  async execute(a?: unknown, b?: unknown): Promise<ResultsViewData | undefined> {
    const first = typeof a === 'string' ? a : a instanceof vscode.Uri ? a.fsPath : await pickResults('Results file A (e.g. text only, or model A)');
    if (!first) return undefined;
    const second = typeof b === 'string' ? b : await pickResults('Results file B (compared with A)', dirname(first));
    if (!second) return undefined;
    return (await this.openResults([first, second])).data;
  }
}

export class ExportResultsCommand implements Command {
  readonly id = 'r1ci.eval.exportResults';

  async execute(format?: unknown, out?: unknown): Promise<string | undefined> {
    const panel = ResultsPanel.visible;
    if (!panel) {
      void showInformationMessage('Open a results file first (Evaluation: Open Results…).');
      return undefined;
    }
    const uri = await panel.export(format === 'csv' ? 'csv' : 'markdown', typeof out === 'string' ? vscode.Uri.file(out) : undefined);
    return uri?.fsPath;
  }
}

export class ExportSftCommand implements Command {
  readonly id = 'r1ci.eval.exportSft';

  async execute(resultsArg?: unknown, outArg?: unknown): Promise<{ file: string; count: number } | undefined> {
    const file = typeof resultsArg === 'string' ? resultsArg : await pickResults('Results file to export correct trajectories from');
    if (!file) return undefined;
    const { text, count } = sftJsonl((await readResults(file)).results, { format: 'chat' });
    const out =
      typeof outArg === 'string' ? vscode.Uri.file(outArg) : await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(file.replace(/(\.results)?\.jsonl$/, '.sft.jsonl')), filters: { JSONL: ['jsonl'] } });
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

  async execute(raw?: unknown): Promise<ViewEvent[] | undefined> {
    const parsed = showTrajectoryArgs.safeParse(raw);
    if (!parsed.success) {
      void showErrorMessage('Show Trajectory needs a stored result (or a results file and question id).');
      return undefined;
    }
    let result = 'resultsFile' in parsed.data ? undefined : parsed.data;
    if ('resultsFile' in parsed.data) {
      const { resultsFile, id } = parsed.data;
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

  async execute(raw?: unknown): Promise<number | undefined> {
    const folder = raw instanceof vscode.Uri ? raw.fsPath : typeof raw === 'string' ? raw : (await pickTarget())?.toString();
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

  async execute(target?: unknown): Promise<Record<string, unknown> | undefined> {
    if (typeof target !== 'string') return undefined;
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
