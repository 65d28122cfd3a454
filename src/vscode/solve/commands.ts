// "Solve Question…" from the command palette: a question typed in an input box (the selection prefilled).
import * as vscode from 'vscode';
import { z } from 'zod';
import type { Trajectory } from '../../agent/trajectory';
import { lastSolve } from '../conversation/lastTrajectory';
import type { SolveController } from './solveController';

/** Arguments a caller (a test, a keybinding, another extension) may pass to r1ci.solve. */
const solveArgsSchema = z.object({ question: z.string().min(1), model: z.string().optional(), maxCodeCalls: z.number().int().min(0).optional() }).optional();

export function registerSolveCommands(controller: SolveController): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('r1ci.solve', async (raw?: unknown): Promise<Trajectory | undefined> => {
      const args = solveArgsSchema.safeParse(raw);
      const question = args.success && args.data ? undefined : await askQuestion();
      const request = args.success && args.data ? args.data : question ? { question } : undefined;
      if (!request) return undefined;
      const trajectory = await controller.solve(request);
      lastSolve.remember(trajectory);
      return trajectory;
    }),
    vscode.commands.registerCommand('r1ci.cancel', () => {
      if (controller.activeCount === 0) void vscode.window.showInformationMessage('Nothing is being solved.');
      controller.cancelAll();
    }),
  ];
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
