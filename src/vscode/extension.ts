// Wiring only: builds the services and registers the commands. Activation is lazy (VS Code
// activates us on our commands and views), and its duration is logged.
import * as vscode from 'vscode';
import { registerEditorCommands } from './notebook/commands';
import { registerModelCommands } from './models/commands';
import { registerSolveCommands } from './solve/commands';
import { registerEval } from './eval/commands';
import { createLog } from './shared/log';
import { registerCopyMcpConfig } from './sandboxTool/copyMcpConfig';
import { registerSandboxTool } from './sandboxTool/sandboxTool';
import { SandboxService } from './shared/sandboxService';
import { SolveController } from './solve/solveController';
import { registerChat } from './chat/commands';
import { initWorkspaceGuard } from '../config/vscodeSettings';

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const channel = vscode.window.createOutputChannel('R1 Code Interpreter', { log: true });
  const log = createLog(channel);
  initWorkspaceGuard(context);
  const sandbox = new SandboxService(context);
  const solver = new SolveController(context, log, sandbox);
  context.subscriptions.push(channel, sandbox, solver, ...registerSolveCommands(solver));
  context.subscriptions.push(...registerEditorCommands(context, solver, log));
  context.subscriptions.push(...registerModelCommands(context, log));
  context.subscriptions.push(...registerChat(context, log, sandbox));
  context.subscriptions.push(...registerEval(context, log));
  context.subscriptions.push(...registerSandboxTool(sandbox, log), registerCopyMcpConfig(context));
  log(`Activated in ${(performance.now() - started).toFixed(1)} ms (VS Code ${vscode.version}, ${vscode.env.remoteName ? `remote: ${vscode.env.remoteName}` : 'local'}).`);
}

export function deactivate(): void {
  // Disposables in context.subscriptions stop running solves and their sandboxes.
}
