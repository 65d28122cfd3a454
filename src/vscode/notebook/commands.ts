// Editor and notebook entry points: "Solve Selection" (the selected text is the question),
// "Insert Code" (a solution's code at the cursor), "Insert into Notebook" (a solution as
// notebook cells) and the sandboxed notebook kernel that runs those cells.
import * as vscode from 'vscode';
import { z } from 'zod';
import type { Trajectory } from '../../agent/trajectory';
import { insertCodeAtCursor, trackLastTextEditor } from '../conversation/editorInsert';
import { lastSolve } from '../conversation/lastTrajectory';
import type { Log } from '../shared/log';
import type { SolveController } from '../solve/solveController';
import { insertSolution, NotebookSupportMissing } from './notebookInsert';
import { SandboxKernel } from './sandboxKernel';
import { parseTrajectory } from '../../notebook/trajectorySchema';

const insertCodeArgsSchema = z.object({ code: z.string() });

export function registerEditorCommands(context: vscode.ExtensionContext, solver: SolveController, log: Log): vscode.Disposable[] {
  const kernel = new SandboxKernel(context, log);
  return [
    kernel,
    trackLastTextEditor(),
    vscode.commands.registerCommand('r1ci.solveSelection', async (): Promise<Trajectory | undefined> => {
      const editor = vscode.window.activeTextEditor;
      const question = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection).trim() : '';
      if (!question) {
        void vscode.window.showWarningMessage('Select the text of a question in the editor first, or use "Solve Question…" to type one.');
        return undefined;
      }
      const trajectory = await solver.solve({ question });
      lastSolve.remember(trajectory);
      return trajectory;
    }),
    vscode.commands.registerCommand('r1ci.insertCode', async (raw?: unknown): Promise<void> => {
      const code = codeToInsert(raw, lastSolve.latest);
      if (!code.ok) {
        void vscode.window.showWarningMessage(code.message);
        return;
      }
      try {
        await insertCodeAtCursor(code.code);
      } catch (error) {
        void vscode.window.showErrorMessage(error instanceof Error ? error.message : String(error));
      }
    }),
    vscode.commands.registerCommand('r1ci.openInNotebook', async (raw?: unknown): Promise<vscode.Uri | undefined> => {
      let trajectory = lastSolve.latest;
      if (raw !== undefined) {
        const parsed = parseTrajectory(raw);
        if (!parsed.ok) {
          void vscode.window.showErrorMessage(`Insert into Notebook: ${parsed.message}`);
          return undefined;
        }
        trajectory = parsed.trajectory;
      }
      if (!trajectory) {
        void vscode.window.showWarningMessage('Nothing to insert yet: solve a question first (R1 Code Interpreter: Solve Question…).');
        return undefined;
      }
      try {
        const notebook = await insertSolution(trajectory, kernel);
        log(`Inserted the solution of ${JSON.stringify(trajectory.question.slice(0, 60))} into ${notebook.uri.toString(true)}`);
        return notebook.uri;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`Insert into notebook failed: ${message}`);
        if (error instanceof NotebookSupportMissing) {
          const reload = 'Reload Window';
          void vscode.window.showErrorMessage(`Insert into Notebook: ${message}`, reload).then((choice) => {
            if (choice === reload) void vscode.commands.executeCommand('workbench.action.reloadWindow');
          });
        } else void vscode.window.showErrorMessage(`Insert into Notebook failed: ${message}`);
        return undefined;
      }
    }),
  ];
}

/** The code passed in, else the last code cell of the most recent solve. */
function codeToInsert(raw: unknown, last: Trajectory | undefined): { ok: true; code: string } | { ok: false; message: string } {
  if (raw !== undefined) {
    const args = insertCodeArgsSchema.safeParse(raw);
    return args.success ? { ok: true, code: args.data.code } : { ok: false, message: 'Insert Code expects { code: string }.' };
  }
  const cells = (last?.turns ?? []).flatMap((t) => (t.cell ? [t.cell] : []));
  const lastCell = cells[cells.length - 1];
  if (!lastCell) return { ok: false, message: 'No code to insert: the most recent solve wrote no code (or nothing was solved yet).' };
  return { ok: true, code: lastCell.code };
}
