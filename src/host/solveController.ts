// Runs one solve inside VS Code: settings → backend + sandbox → agent → panel, with progress,
// cancellation, workspace trust and execution approval.
import * as vscode from 'vscode';
import { createBackend } from '../agent/backends';
import type { AgentEvent } from '../agent/events';
import { protocolForModel } from '../agent/protocol';
import { runAgent } from '../agent/runAgent';
import { TrajectoryBuilder, type Trajectory } from '../agent/trajectory';
import { readSettings } from '../config/vscodeSettings';
import type { Settings } from '../config/settingsSpec';
import type { CodeRunner, ExecResult } from '../sandbox/types';
import type { SessionInfo, ViewEvent, ViewExecResult } from '../views/messages';
import { SolvePanel } from '../views/solvePanel';
import type { Log } from './log';
import type { SandboxService } from './sandboxService';
import { scratchRoot } from './scratch';

export interface SolveRequest {
  readonly question: string;
  /** Overrides for one run (tests and the eval runner use these). */
  readonly model?: string;
  readonly maxCodeCalls?: number;
}

export class SolveController implements vscode.Disposable {
  private readonly running = new Set<AbortController>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
    private readonly sandbox: SandboxService,
  ) {}

  /** Stops every running solve. */
  cancelAll(): void {
    for (const c of this.running) c.abort();
  }

  get activeCount(): number {
    return this.running.size;
  }

  async solve(request: SolveRequest): Promise<Trajectory> {
    const settings = readSettings(this.log);
    const model = request.model ?? settings.model;
    const maxCodeCalls = request.maxCodeCalls ?? settings.maxCodeCalls;
    const controller = new AbortController();
    this.running.add(controller);
    const panel = new SolvePanel(this.context.extensionUri, `Solve: ${truncate(request.question, 40)}`, [scratchRoot(this.context)], this.log);
    panel.onDidDispose(() => controller.abort());
    let runner: CodeRunner | null = null;
    const approvals = new Map<number, (run: boolean) => void>();
    panel.onMessage((m) => {
      switch (m.type) {
        case 'cancel':
          controller.abort();
          break;
        case 'approve':
          approvals.get(m.index)?.(m.run);
          approvals.delete(m.index);
          break;
        case 'copy':
          void vscode.env.clipboard.writeText(m.text);
          break;
        case 'insert-code':
          void insertAtCursor(m.code);
          break;
        case 'open-link':
          void openLink(m.href);
          break;
        case 'ready':
          break;
      }
    });

    const builder = new TrajectoryBuilder();
    try {
      const codeMode = await this.codeMode(settings);
      if (codeMode !== 'off') {
        runner = await this.sandbox.acquire(settings, controller.signal);
        this.log(`Sandbox tier: ${runner.tier} (${runner.tierNote}); scratch ${runner.scratchDir}`);
      }
      const session: SessionInfo = {
        question: request.question,
        model,
        maxCodeCalls,
        tier: runner?.tier ?? 'off',
        tierNote: runner?.tierNote ?? (vscode.workspace.isTrusted ? 'Code execution is turned off ("r1ci.sandbox.approval": "never").' : 'Restricted Mode: code is not executed in an untrusted workspace.'),
      };
      panel.showSession(session);
      const tier = runner?.tier;
      const ask = tier !== undefined && (settings['sandbox.approval'] === 'ask' || (settings['sandbox.approval'] === 'default' && tier !== 'isolated'));
      const events = runAgent(request.question, {
        backend: createBackend({ kind: settings.backend, ollamaHost: settings['ollama.host'], openaiBaseUrl: settings['openai.baseUrl'] }),
        model,
        runner,
        protocol: protocolForModel(model, settings.protocol),
        maxCodeCalls,
        temperature: settings.temperature,
        seed: settings.seed ?? undefined,
        contextTokens: settings.contextTokens,
        signal: controller.signal,
        approveCode: ask
          ? (_code, index, signal) =>
              new Promise<boolean>((resolve) => {
                approvals.set(index, resolve);
                signal.addEventListener('abort', () => resolve(false), { once: true });
                panel.push({ type: 'approval-request', index });
              })
          : undefined,
      });
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Solving with ${model}`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          for await (const event of events) {
            builder.add(event);
            const view = this.toViewEvent(event, panel);
            if (view) panel.push(view);
            const note = progressNote(event, maxCodeCalls);
            if (note) progress.report({ message: note });
          }
        },
      );
      panel.flush();
      const t = builder.trajectory;
      this.log(`Solve finished: ${t.reason}; answer ${JSON.stringify(t.answer)}; ${t.codeCalls} code call(s); model ${Math.round(t.modelMs)} ms, code ${Math.round(t.codeMs)} ms`);
      if (t.error) void vscode.window.showErrorMessage(t.error);
      return t;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log(`Solve failed: ${message}`);
      panel.push({ type: 'error', message });
      panel.push({ type: 'done', reason: 'error', answer: null, codeCalls: 0, turns: 0, message });
      void vscode.window.showErrorMessage(message);
      builder.trajectory.error = message;
      builder.trajectory.reason = 'error';
      return builder.trajectory;
    } finally {
      this.running.delete(controller);
      await runner?.dispose();
    }
  }

  /** Whether code may run: never in an untrusted workspace (the user is offered to trust it). */
  private async codeMode(settings: Settings): Promise<'on' | 'off'> {
    if (settings['sandbox.approval'] === 'never') return 'off';
    if (vscode.workspace.isTrusted) return 'on';
    const manage = 'Manage Workspace Trust';
    void vscode.window
      .showWarningMessage('This workspace is in Restricted Mode, so the model\'s code will not be executed: it answers from text alone. Trust the workspace to let it run code in the sandbox.', manage)
      .then((choice) => {
        if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
      });
    return 'off';
  }

  private toViewEvent(event: AgentEvent, panel: SolvePanel): ViewEvent | undefined {
    switch (event.type) {
      case 'start':
        return undefined;
      case 'exec-result':
        return { type: 'exec-result', index: event.index, result: toViewResult(event.result, panel.webview) };
      case 'error':
        return { type: 'error', message: event.message };
      default:
        return event;
    }
  }

  dispose(): void {
    this.cancelAll();
  }
}

function toViewResult(result: ExecResult, webview: vscode.Webview): ViewExecResult {
  return {
    stdout: result.stdout,
    stderr: result.stderr,
    exitCode: result.exitCode,
    durationMs: result.durationMs,
    timedOut: result.timedOut,
    killed: result.killed,
    killMessage: result.killMessage,
    notice: result.notice,
    truncated: result.truncated,
    artifacts: result.artifacts.map((a) => ({
      name: a.name,
      sizeBytes: a.sizeBytes,
      mimeType: a.mimeType,
      src: a.mimeType.startsWith('image/') ? webview.asWebviewUri(vscode.Uri.file(a.path)).toString() : undefined,
    })),
  };
}

function progressNote(event: AgentEvent, maxCodeCalls: number): string | undefined {
  switch (event.type) {
    case 'turn-start':
      return event.turn === 0 ? 'thinking…' : `thinking (turn ${event.turn + 1})…`;
    case 'exec-start':
      return `running code cell ${event.index + 1} of at most ${maxCodeCalls}…`;
    case 'done':
      return event.answer !== null ? `answer: ${truncate(event.answer, 60)}` : 'finished';
    default:
      return undefined;
  }
}

function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

async function insertAtCursor(code: string): Promise<void> {
  const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
  if (!editor) {
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content: code });
    await vscode.window.showTextDocument(doc);
    return;
  }
  await editor.edit((edit) => edit.replace(editor.selection, code));
}

async function openLink(href: string): Promise<void> {
  let uri: vscode.Uri;
  try {
    uri = vscode.Uri.parse(href, true);
  } catch {
    return;
  }
  // Only web links, and only through VS Code (which asks before opening an untrusted domain).
  if (uri.scheme === 'http' || uri.scheme === 'https') await vscode.env.openExternal(uri);
}
