// "Python (sandboxed)": a notebook kernel for .ipynb files that runs cells in our sandbox, so
// notebooks work without the Jupyter extension (which cannot be installed everywhere). One
// persistent interpreter per notebook, like a Jupyter kernel: variables survive across cells.
import * as vscode from 'vscode';
import { readSettings } from '../shared/settings';
import { createCodeRunner } from '../../sandbox';
import type { CodeRunner } from '../../sandbox/types';
import type { Log } from '../shared/log';
import { newScratchFolder, privateRoot } from '../shared/scratch';
import { execOutputs, execSucceeded } from './execOutputs';
import { runOptionsFrom } from '../../config/runOptions';
import { Disposable } from '../shared/dispose';
import { showWarningMessage } from '../shared/notify';

export const SANDBOX_KERNEL_ID = 'r1ci-sandboxed-python';
export const JUPYTER_NOTEBOOK_TYPE = 'jupyter-notebook';

export const RESTRICTED_MODE_MESSAGE = 'Restricted Mode: R1 Code Interpreter does not run code in an untrusted workspace. Trust the workspace (Manage Workspace Trust) to run cells in the sandbox.';

/** The interpreter of one open notebook, and the cells waiting for it. */
interface KernelSession {
  runner?: Promise<CodeRunner>;
  executionOrder: number;
  /** Cells run one at a time, in the order they were asked for. */
  queue: Promise<void>;
  disposed: boolean;
}

export class SandboxKernel extends Disposable {
  readonly controller: vscode.NotebookController;
  private readonly sessions = new Map<string, KernelSession>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
  ) {
    super();
    this.controller = this._register(vscode.notebooks.createNotebookController(SANDBOX_KERNEL_ID, JUPYTER_NOTEBOOK_TYPE, 'Python (sandboxed)', (cells, notebook) => this.execute(cells, notebook)));
    this.controller.supportedLanguages = ['python'];
    this.controller.supportsExecutionOrder = true;
    this.controller.description = 'R1 Code Interpreter';
    this.controller.detail = 'Runs cells in the R1 Code Interpreter sandbox; no Jupyter needed.';
    this._register(vscode.workspace.onDidCloseNotebookDocument((notebook) => void this.endSession(notebook.uri)));
  }

  /** Makes this kernel the suggested one for a notebook (e.g. one we just filled with a solution). */
  prefer(notebook: vscode.NotebookDocument): void {
    this.controller.updateNotebookAffinity(notebook, vscode.NotebookControllerAffinity.Preferred);
  }

  /** Whether an interpreter is running for the notebook (tests check that closing ends it). */
  hasSession(uri: vscode.Uri): boolean {
    return this.sessions.has(uri.toString());
  }

  private execute(cells: vscode.NotebookCell[], notebook: vscode.NotebookDocument): Promise<void> {
    // Executions are created now so every requested cell shows as pending at once.
    const executions = cells.map((cell) => this.controller.createNotebookCellExecution(cell));
    if (!vscode.workspace.isTrusted) return this.refuseUntrusted(executions);
    const session = this.sessionFor(notebook);
    const run = session.queue.then(async () => {
      for (const execution of executions) await this.runOne(session, notebook, execution);
    });
    session.queue = run.catch(() => undefined);
    return run;
  }

  private async runOne(session: KernelSession, notebook: vscode.NotebookDocument, execution: vscode.NotebookCellExecution): Promise<void> {
    execution.start(Date.now());
    await execution.clearOutput();
    if (execution.token.isCancellationRequested || session.disposed) {
      execution.end(undefined);
      return;
    }
    const abort = new AbortController();
    const onCancel = execution.token.onCancellationRequested(() => abort.abort());
    try {
      const runner = await this.runnerFor(session, notebook, abort.signal);
      // The order is given when the code really starts, as Jupyter numbers executed cells.
      session.executionOrder += 1;
      execution.executionOrder = session.executionOrder;
      const result = await runner.runCell(execution.cell.document.getText(), { signal: abort.signal });
      await execution.replaceOutput(await execOutputs(result, privateRoot(this.context).fsPath));
      execution.end(execSucceeded(result), Date.now());
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log(`Notebook kernel: ${message}`);
      const failure = new Error(abort.signal.aborted ? 'Interrupted before the Python interpreter started.' : `The sandbox could not run this cell: ${message}`);
      failure.name = abort.signal.aborted ? 'Interrupted' : 'SandboxError';
      failure.stack = `${failure.name}: ${failure.message}`;
      await execution.replaceOutput([new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(failure)])]);
      execution.end(false, Date.now());
    } finally {
      onCancel.dispose();
    }
  }

  private async refuseUntrusted(executions: vscode.NotebookCellExecution[]): Promise<void> {
    const refusal = new Error(RESTRICTED_MODE_MESSAGE);
    refusal.name = 'Restricted Mode';
    refusal.stack = `${refusal.name}: ${refusal.message}`;
    for (const execution of executions) {
      execution.start(Date.now());
      await execution.replaceOutput([new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(refusal)])]);
      execution.end(false, Date.now());
    }
    const manage = 'Manage Workspace Trust';
    void showWarningMessage(RESTRICTED_MODE_MESSAGE, manage).then((choice) => {
      if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  }

  private sessionFor(notebook: vscode.NotebookDocument): KernelSession {
    const key = notebook.uri.toString();
    let session = this.sessions.get(key);
    if (!session) {
      session = { executionOrder: 0, queue: Promise.resolve(), disposed: false };
      this.sessions.set(key, session);
    }
    return session;
  }

  private runnerFor(session: KernelSession, notebook: vscode.NotebookDocument, signal: AbortSignal): Promise<CodeRunner> {
    if (!session.runner) {
      const starting = this.startRunner(notebook, signal);
      session.runner = starting;
      // A failed start (no Python, cancelled) is retried on the next cell.
      starting.catch(() => {
        if (session.runner === starting) session.runner = undefined;
      });
    }
    return session.runner;
  }

  private async startRunner(notebook: vscode.NotebookDocument, signal: AbortSignal): Promise<CodeRunner> {
    const { sandbox } = runOptionsFrom(readSettings(this.log, notebook.uri));
    const scratch = await newScratchFolder(this.context);
    const runner = await createCodeRunner({
      scratchDir: scratch.fsPath,
      privateRoot: privateRoot(this.context).fsPath,
      ...sandbox,
      // A notebook is a Jupyter-style session: later cells use earlier cells' variables,
      // whatever "r1ci.sandbox.state" says about the model's conversations.
      mode: 'persistent',
      signal,
    });
    this.log(`Notebook kernel for ${notebook.uri.toString(true)}: sandbox tier ${runner.tier} (${runner.tierNote}); scratch ${runner.scratchDir}`);
    return runner;
  }

  private async endSession(uri: vscode.Uri): Promise<void> {
    const key = uri.toString();
    const session = this.sessions.get(key);
    if (!session) return;
    this.sessions.delete(key);
    session.disposed = true;
    const runner = await session.runner?.catch(() => undefined);
    await runner?.dispose();
  }

  override dispose(): void {
    for (const key of [...this.sessions.keys()]) void this.endSession(vscode.Uri.parse(key));
    super.dispose();
  }
}
