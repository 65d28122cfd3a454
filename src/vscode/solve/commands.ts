// The solve feature's commands: "Solve Question…" (a question typed in an input box, the
// selection prefilled), "Solve Selection" (the selected text is the question), "Stop Solving",
// and "Insert Code at Cursor" (a solution's code into the editor).
import * as vscode from 'vscode';
import { z } from 'zod';
import type { Trajectory } from '../../trajectory/trajectory';
import { insertCodeAtCursor, trackLastTextEditor } from '../conversation/editorInsert';
import { lastSolve } from '../conversation/lastTrajectory';
import type { Command, CommandManager } from '../shared/commandManager';
import type { SolveController } from './solveController';
import { showErrorMessage, showInformationMessage, showWarningMessage } from '../shared/notify';

/** Arguments a caller (a test, a keybinding, another extension) may pass to r1ci.solve. */
const solveArgsSchema = z.object({ question: z.string().min(1), model: z.string().optional(), maxCodeCalls: z.number().int().min(0).optional() }).optional();
const insertCodeArgsSchema = z.object({ code: z.string() });

export class SolveCommand implements Command {
  readonly id = 'r1ci.solve';
  constructor(private readonly controller: SolveController) {}

  async execute(raw?: unknown): Promise<Trajectory | undefined> {
    const args = solveArgsSchema.safeParse(raw);
    const question = args.success && args.data ? undefined : await askQuestion();
    const request = args.success && args.data ? args.data : question ? { question } : undefined;
    if (!request) return undefined;
    const trajectory = await this.controller.solve(request);
    lastSolve.remember(trajectory);
    return trajectory;
  }
}

export class CancelSolveCommand implements Command {
  readonly id = 'r1ci.cancel';
  constructor(private readonly controller: SolveController) {}

  execute(): void {
    if (this.controller.activeCount === 0) void showInformationMessage('Nothing is being solved.');
    this.controller.cancelAll();
  }
}

export class SolveSelectionCommand implements Command {
  readonly id = 'r1ci.solveSelection';
  constructor(private readonly controller: SolveController) {}

  async execute(): Promise<Trajectory | undefined> {
    const editor = vscode.window.activeTextEditor;
    const question = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection).trim() : '';
    if (!question) {
      void showWarningMessage('Select the text of a question in the editor first, or use "Solve Question…" to type one.');
      return undefined;
    }
    const trajectory = await this.controller.solve({ question });
    lastSolve.remember(trajectory);
    return trajectory;
  }
}

export class InsertCodeCommand implements Command {
  readonly id = 'r1ci.insertCode';

  async execute(raw?: unknown): Promise<void> {
    const code = codeToInsert(raw, lastSolve.latest);
    if (!code.ok) {
      void showWarningMessage(code.message);
      return;
    }
    try {
      await insertCodeAtCursor(code.code);
    } catch (error) {
      void showErrorMessage(error instanceof Error ? error.message : String(error));
    }
  }
}

/** Registers the solve commands; returns what else must be disposed with the extension. */
export function registerSolveCommands(commands: CommandManager, controller: SolveController): vscode.Disposable[] {
  commands.registerAll([new SolveCommand(controller), new CancelSolveCommand(controller), new SolveSelectionCommand(controller), new InsertCodeCommand()]);
  return [trackLastTextEditor()];
}

async function askQuestion(): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  const selected = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection).trim() : '';
  const question = await vscode.window.showInputBox({
    title: 'Solve with code',
    prompt: 'The model reasons, writes Python that runs in a sandbox, and answers.',
    placeHolder: 'e.g. How many primes are there below 10,000?',
    value: selected,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim().length === 0 ? 'Type a question (or select one in the editor first).' : undefined),
  });
  return question?.trim() || undefined;
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
