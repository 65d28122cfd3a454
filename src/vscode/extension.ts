// Wiring only: builds the services, registers each feature's commands with one CommandManager,
// and pushes everything into context.subscriptions. VS Code activates us once start-up has
// finished (package.json's "onStartupFinished"), or earlier for a notebook or a workspace with
// task files. Activation waits for no network call or interpreter, and its duration is logged.
import * as vscode from 'vscode';
import { initCallerConfirmation } from './shared/confirmCaller';
import { initWorkspaceGuard } from './shared/settings';
import { registerChat } from './chat/commands';
import { registerEval } from './eval/commands';
import { registerModelCommands } from './models/commands';
import { registerNotebook } from './notebook/commands';
import { registerSandboxTool } from './sandboxTool/sandboxTool';
import { CommandManager } from './shared/commandManager';
import { createLog } from './shared/log';
import { SandboxService } from './shared/sandboxService';
import { registerSolveCommands } from './solve/commands';
import { SolveController } from './solve/solveController';

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const channel = vscode.window.createOutputChannel('R1 Code Interpreter', { log: true });
  const log = createLog(channel);
  initWorkspaceGuard(context);
  initCallerConfirmation(context.extensionMode);
  const commands = new CommandManager();
  const sandbox = new SandboxService(context);
  const solver = new SolveController(context, log, sandbox);
  context.subscriptions.push(channel, commands, sandbox, solver, ...registerSolveCommands(commands, solver));
  context.subscriptions.push(...registerNotebook(commands, context, log));
  context.subscriptions.push(...registerModelCommands(commands, context, log));
  context.subscriptions.push(...registerChat(commands, context, log, sandbox));
  context.subscriptions.push(...registerEval(commands, context, log));
  context.subscriptions.push(...registerSandboxTool(commands, context, sandbox, log));
  log(`Activated in ${(performance.now() - started).toFixed(1)} ms (VS Code ${vscode.version}, ${vscode.env.remoteName ? `remote: ${vscode.env.remoteName}` : 'local'}).`);
}

export function deactivate(): void {
  // Disposables in context.subscriptions stop running solves and their sandboxes.
}
