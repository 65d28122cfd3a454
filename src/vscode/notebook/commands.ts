// The notebook feature: "Insert into Notebook" (a solution as notebook cells) and the sandboxed
// notebook kernel that runs those cells.
import * as vscode from 'vscode';
import type { Trajectory } from '../../trajectory/trajectory';
import { parseTrajectory } from '../../notebook/trajectorySchema';
import { lastSolve } from '../conversation/lastTrajectory';
import type { Command, CommandManager } from '../shared/commandManager';
import type { Log } from '../shared/log';
import { insertSolution, NotebookSupportMissing } from './notebookInsert';
import { SandboxKernel } from './sandboxKernel';
import { privateRoot } from '../shared/scratch';
import { showErrorMessage, showWarningMessage } from '../shared/notify';

export class OpenInNotebookCommand implements Command {
  readonly id = 'r1ci.openInNotebook';
  constructor(
    private readonly kernel: SandboxKernel,
    private readonly log: Log,
    /** The host-private root: the only place a trajectory's images are read from. */
    private readonly privateRoot: string,
  ) {}

  /**
   * Inserts a solution into a notebook: the last solve's, or a caller's trajectory object
   * (checked with its zod schema, parseTrajectory). It names no path a caller chooses (images are
   * read only from the host-private root), so it is not confirmed: the user sees the new notebook.
   */
  async execute(raw?: unknown): Promise<vscode.Uri | undefined> {
    let trajectory: Trajectory | undefined = lastSolve.latest;
    if (raw !== undefined) {
      const parsed = parseTrajectory(raw);
      if (!parsed.ok) {
        void showErrorMessage(`Insert into Notebook: ${parsed.message}`);
        return undefined;
      }
      trajectory = parsed.trajectory;
    }
    if (!trajectory) {
      void showWarningMessage('Nothing to insert yet: solve a question first (R1 Code Interpreter: Solve Question…).');
      return undefined;
    }
    try {
      const notebook = await insertSolution(trajectory, this.kernel, this.privateRoot);
      this.log(`Inserted the solution of ${JSON.stringify(trajectory.question.slice(0, 60))} into ${notebook.uri.toString(true)}`);
      return notebook.uri;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log(`Insert into notebook failed: ${message}`);
      if (error instanceof NotebookSupportMissing) {
        const reload = 'Reload Window';
        void showErrorMessage(`Insert into Notebook: ${message}`, reload).then((choice) => {
          if (choice === reload) void vscode.commands.executeCommand('workbench.action.reloadWindow');
        });
      } else void showErrorMessage(`Insert into Notebook failed: ${message}`);
      return undefined;
    }
  }
}

/** Creates the kernel and registers the notebook command; returns the kernel (disposed with the extension). */
export function registerNotebook(commands: CommandManager, context: vscode.ExtensionContext, log: Log): vscode.Disposable[] {
  const kernel = new SandboxKernel(context, log);
  commands.register(new OpenInNotebookCommand(kernel, log, privateRoot(context).fsPath));
  return [kernel];
}
