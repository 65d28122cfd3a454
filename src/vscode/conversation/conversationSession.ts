// One conversation inside VS Code, shared by the solve panel and the side-bar chat: the sandbox
// (created with the first question, reused by follow-ups so later code sees earlier variables),
// the model's message history, cancellation, code approval, cell re-runs, and the mapping from
// agent events to view events. The view itself is pluggable (a panel, or the chat view that may
// be re-created), and every view event is recorded so a view can be replayed and persisted.
import * as vscode from 'vscode';
import type { ChatMessage } from '../../agent/backends';
import type { AgentErrorKind, AgentEvent } from '../../agent/events';
import { runAgent } from '../../agent/runAgent';
import { TrajectoryBuilder, type Trajectory } from '../../agent/trajectory';
import { backendFor, modelRunSettingsFor, runOptionsFrom } from '../../config/runOptions';
import type { Settings } from '../../config/settingsSpec';
import { lastSolve } from './lastTrajectory';
import { readSettings } from '../../config/vscodeSettings';
import type { CodeRunner, ExecResult } from '../../sandbox/types';
import type { SessionInfo, ViewEvent, ViewExecResult } from './transcriptProtocol';
import type { Log } from '../shared/log';
import type { ProblemAction, ProblemActionId } from '../models/backendErrorActions';
import { getApiKey, problemKindOf, solveEnded, type ProblemPlace } from '../models/solveErrors';
import type { SandboxService } from '../shared/sandboxService';

/** Where a session's events go. */
export interface ConversationView {
  push(event: ViewEvent): void;
  flush(): void;
  /** Turns artifact copies (plots) into URIs this webview may load. */
  readonly webview: vscode.Webview;
  /** Whether the view is on screen (a failed run then shows its fix buttons there, not in a toast). */
  readonly visible: boolean;
  /** Puts fix buttons under the error card of the run that just failed. */
  showProblemActions(actions: readonly ProblemAction[]): void;
}

export interface AskRequest {
  readonly question: string;
  /** Overrides for one run (tests and the eval runner use these). */
  readonly model?: string;
  readonly maxCodeCalls?: number;
}

export type ProgressPlace = { readonly kind: 'notification' } | { readonly kind: 'view'; readonly viewId: string };

export interface RestoredConversation {
  readonly events: readonly ViewEvent[];
  readonly messages: readonly ChatMessage[];
}

export type CodeMode = 'on' | 'off';

/** The tier of a live conversation (a stored result may also be 'unrecorded'; a live one never is). */
export type LiveTier = Exclude<SessionInfo['tier'], 'unrecorded'>;

export class ConversationSession implements vscode.Disposable {
  private runner: CodeRunner | null = null;
  private runnerTier: { tier: LiveTier; note: string } | undefined;
  private messages: ChatMessage[];
  private readonly recorded: ViewEvent[];
  private readonly trajectories: Trajectory[] = [];
  private readonly cellCode = new Map<number, string>();
  private readonly approvals = new Map<number, (run: boolean) => void>();
  private controller: AbortController | undefined;
  private rerunning = false;
  private nextCell: number;
  private nextTurn: number;
  /** Whether the sandbox of earlier cells is gone (a restored conversation). */
  private readonly restoredWithCells: boolean;
  private readonly changeEmitter = new vscode.EventEmitter<'events' | 'busy' | 'tier'>();
  /** Fired when the record changed (persist it), the session became busy/idle, or the sandbox tier is known. */
  readonly onDidChange = this.changeEmitter.event;
  private disposed = false;

  constructor(
    private readonly log: Log,
    private readonly sandbox: SandboxService,
    private view: ConversationView | undefined,
    private readonly progressPlace: ProgressPlace,
    restored?: RestoredConversation,
  ) {
    this.recorded = [...(restored?.events ?? [])];
    this.messages = [...(restored?.messages ?? [])];
    let cells = 0;
    let turns = 0;
    for (const e of this.recorded) {
      if (e.type === 'code') {
        cells = Math.max(cells, e.index + 1);
        this.cellCode.set(e.index, e.code);
      }
      if (e.type === 'turn-start') turns = Math.max(turns, e.turn + 1);
    }
    this.nextCell = cells;
    this.nextTurn = turns;
    this.restoredWithCells = cells > 0;
  }

  get busy(): boolean {
    return this.controller !== undefined || this.rerunning;
  }

  /** The sandbox tier once a sandbox exists (or code was ruled out). */
  get tier(): { tier: LiveTier; note: string } | undefined {
    return this.runnerTier;
  }

  /** Every view event so far (what a re-created view replays and what history stores). */
  get events(): readonly ViewEvent[] {
    return this.recorded;
  }

  get history(): readonly ChatMessage[] {
    return this.messages;
  }

  /** The trajectory of the run-th question, when it ran in this window. */
  trajectory(run: number): Trajectory | undefined {
    return this.trajectories[run];
  }

  setView(view: ConversationView | undefined): void {
    this.view = view;
  }

  /** Carries out a fix button of the last failed run's error card. */
  runProblemAction(id: ProblemActionId): void {
    void this.problemAction?.(id);
  }

  private problemAction: ((id: ProblemActionId) => Promise<void>) | undefined;

  private problemPlace(): ProblemPlace | undefined {
    const view = this.view;
    if (!view) return undefined;
    return {
      visible: view.visible,
      offer: (actions, run) => {
        this.problemAction = run;
        view.flush();
        view.showProblemActions(actions);
      },
    };
  }

  cancel(): void {
    this.controller?.abort();
  }

  approve(index: number, run: boolean): void {
    this.approvals.get(index)?.(run);
    this.approvals.delete(index);
  }

  /**
   * Asks a question: the first one of a conversation starts the sandbox, follow-ups reuse it and
   * extend the model's message history. Resolves with the run's trajectory (never rejects).
   */
  async ask(request: AskRequest, beforeRun?: (session: SessionInfo) => void): Promise<Trajectory> {
    const builder = new TrajectoryBuilder();
    if (this.busy) {
      builder.trajectory.reason = 'error';
      builder.trajectory.error = 'This conversation is still working on the previous question: stop it first.';
      return builder.trajectory;
    }
    const settings = readSettings(this.log);
    const options = runOptionsFrom(settings, await getApiKey(settings.backend));
    const model = request.model ?? options.model;
    const maxCodeCalls = request.maxCodeCalls ?? options.maxCodeCalls;
    const controller = new AbortController();
    this.controller = controller;
    this.changeEmitter.fire('busy');
    const run = this.trajectories.length;
    this.trajectories.push(builder.trajectory);
    const turnOffset = this.nextTurn;
    const cellOffset = this.nextCell;
    this.emit({ type: 'question', text: request.question, model });
    let errorKind: AgentErrorKind | undefined;
    // A failed question can be asked again in a fresh panel (e.g. after pulling the model).
    const rerun = (): unknown => vscode.commands.executeCommand('r1ci.solve', { question: request.question, model: request.model });
    try {
      const runner = await this.ensureRunner(settings, controller.signal);
      const session: SessionInfo = {
        question: request.question,
        model,
        maxCodeCalls,
        tier: this.runnerTier?.tier ?? 'off',
        tierNote: this.runnerTier?.note ?? '',
      };
      beforeRun?.(session);
      const ask = runner !== null && (options.approval === 'ask' || (options.approval === 'default' && runner.tier !== 'isolated'));
      const events = runAgent(request.question, {
        ...(await modelRunSettingsFor(options, backendFor(options), controller.signal, { model, maxCodeCalls })),
        runner,
        signal: controller.signal,
        history: this.messages,
        onMessages: (messages) => {
          this.messages = [...messages];
        },
        approveCode: ask
          ? (_code, index, signal) =>
              new Promise<boolean>((resolve) => {
                const global = cellOffset + index;
                this.approvals.set(global, resolve);
                signal.addEventListener('abort', () => resolve(false), { once: true });
                this.emit({ type: 'approval-request', index: global });
              })
          : undefined,
      });
      await this.withProgress(`Solving with ${model}`, controller, async (progress) => {
        for await (const event of events) {
          builder.add(event);
          if (event.type === 'error') errorKind = event.kind;
          if (event.type === 'warning' && event.kind === 'context-truncated') warnContextTruncated(event.message);
          const view = this.toViewEvent(event, turnOffset, cellOffset);
          if (view) this.emit(view);
          const note = progressNote(event, maxCodeCalls);
          if (note) progress.report({ message: note });
        }
      });
      const t = builder.trajectory;
      lastSolve.remember(t);
      this.log(`Solve finished: ${t.reason}; answer ${JSON.stringify(t.answer)}; ${t.codeCalls} code call(s); model ${Math.round(t.modelMs)} ms, code ${Math.round(t.codeMs)} ms`);
      void solveEnded(t.error ? { kind: errorKind, message: t.error, model, rerun } : undefined, this.problemPlace());
      return t;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log(`Solve failed: ${message}`);
      this.emit({ type: 'error', message });
      this.emit({ type: 'done', reason: 'error', answer: null, codeCalls: 0, turns: 0, message });
      void solveEnded({ kind: problemKindOf(error), message, model, rerun }, this.problemPlace());
      builder.trajectory.error = message;
      builder.trajectory.reason = 'error';
      return builder.trajectory;
    } finally {
      this.view?.flush();
      this.approvals.clear();
      if (this.controller === controller) this.controller = undefined;
      this.trajectories[run] = builder.trajectory;
      this.changeEmitter.fire('busy');
    }
  }

  /** Runs a cell's code again in this conversation's sandbox; the cell shows the new output. */
  async rerun(index: number): Promise<ExecResult | undefined> {
    const code = this.cellCode.get(index);
    if (code === undefined) return undefined;
    if (this.busy) {
      void vscode.window.showInformationMessage('The conversation is still running: re-run the cell when it has finished (or stop it).');
      return undefined;
    }
    const controller = new AbortController();
    this.rerunning = true;
    this.controller = controller;
    this.changeEmitter.fire('busy');
    try {
      const runner = await this.ensureRunner(readSettings(this.log), controller.signal);
      if (!runner) {
        void vscode.window.showWarningMessage('Code is not executed here (Restricted Mode, or "r1ci.sandbox.approval" is "never").');
        return undefined;
      }
      this.emit({ type: 'exec-start', index });
      const result = await this.withProgress(`Re-running cell ${index + 1}`, controller, () => runner.runCell(code, { signal: controller.signal }));
      this.emit({ type: 'exec-result', index, result: this.toViewResult(result) });
      return result;
    } catch (error) {
      const message = `The sandbox failed to run the code: ${error instanceof Error ? error.message : String(error)}`;
      this.emit({ type: 'error', message });
      return undefined;
    } finally {
      this.view?.flush();
      this.rerunning = false;
      if (this.controller === controller) this.controller = undefined;
      this.changeEmitter.fire('busy');
    }
  }

  private emit(event: ViewEvent): void {
    // Tokens of one turn are merged in the record so it stays as small as the text itself.
    const last = this.recorded[this.recorded.length - 1];
    if (event.type === 'token' && last?.type === 'token' && last.turn === event.turn) this.recorded[this.recorded.length - 1] = { ...last, text: last.text + event.text };
    else if (event.type === 'reasoning' && last?.type === 'reasoning' && last.turn === event.turn) this.recorded[this.recorded.length - 1] = { ...last, text: last.text + event.text };
    else this.recorded.push(event);
    if (event.type === 'turn-start') this.nextTurn = Math.max(this.nextTurn, event.turn + 1);
    if (event.type === 'code') {
      this.nextCell = Math.max(this.nextCell, event.index + 1);
      this.cellCode.set(event.index, event.code);
    }
    this.view?.push(event);
    if (event.type !== 'token' && event.type !== 'reasoning') this.changeEmitter.fire('events');
  }

  private async ensureRunner(settings: Settings, signal: AbortSignal): Promise<CodeRunner | null> {
    if (this.runner) return this.runner;
    if ((await codeMode(settings)) === 'off') {
      this.runnerTier = {
        tier: 'off',
        note: vscode.workspace.isTrusted ? 'Code execution is turned off ("r1ci.sandbox.approval": "never").' : 'Restricted Mode: code is not executed in an untrusted workspace.',
      };
      this.changeEmitter.fire('tier');
      return null;
    }
    const runner = await this.sandbox.acquire(settings, signal);
    if (this.disposed) {
      await runner.dispose();
      throw new Error('The conversation was closed.');
    }
    this.runner = runner;
    this.runnerTier = { tier: runner.tier, note: runner.tierNote };
    this.log(`Sandbox tier: ${runner.tier} (${runner.tierNote}); scratch ${runner.scratchDir}`);
    this.changeEmitter.fire('tier');
    if (this.restoredWithCells) this.emit({ type: 'notice', message: 'A fresh sandbox was started for this restored conversation: variables from the cells above are gone.' });
    return runner;
  }

  private async withProgress<T>(title: string, controller: AbortController, work: (progress: vscode.Progress<{ message?: string }>) => Promise<T>): Promise<T> {
    if (this.progressPlace.kind === 'view') return vscode.window.withProgress({ location: { viewId: this.progressPlace.viewId } }, work);
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
      token.onCancellationRequested(() => controller.abort());
      return work(progress);
    });
  }

  private toViewEvent(event: AgentEvent, turnOffset: number, cellOffset: number): ViewEvent | undefined {
    // The agent numbers turns and cells per question; a conversation numbers them throughout.
    switch (event.type) {
      case 'start':
        return undefined;
      case 'turn-start':
      case 'turn-end':
        return { ...event, turn: event.turn + turnOffset };
      case 'token':
        return { type: 'token', turn: event.turn + turnOffset, text: event.text };
      case 'reasoning':
        return { type: 'reasoning', turn: event.turn + turnOffset, text: event.text };
      case 'code':
        return { ...event, turn: event.turn + turnOffset, index: event.index + cellOffset };
      case 'exec-start':
        return { type: 'exec-start', index: event.index + cellOffset };
      case 'exec-result':
        return { type: 'exec-result', index: event.index + cellOffset, result: this.toViewResult(event.result) };
      case 'error':
        return { type: 'error', message: event.message };
      case 'warning':
        return { type: 'warning', message: event.message };
      case 'done':
        return { ...event };
    }
  }

  private toViewResult(result: ExecResult): ViewExecResult {
    const webview = this.view?.webview;
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
        // Only host-private copies are served (the webview's resource root is the private root).
        src: webview && a.path && a.mimeType.startsWith('image/') ? webview.asWebviewUri(vscode.Uri.file(a.path)).toString() : undefined,
      })),
    };
  }

  /** Stops the run and ends the sandbox (no process is left behind); `removeScratch` also deletes its files. */
  async close(options: { removeScratch?: boolean } = {}): Promise<void> {
    this.disposed = true;
    this.controller?.abort();
    const runner = this.runner;
    this.runner = null;
    await runner?.dispose();
    if (runner && options.removeScratch) await this.sandbox.removeScratch(runner.scratchDir);
  }

  dispose(): void {
    void this.close();
    this.changeEmitter.dispose();
  }
}

/** Whether code may run: never in an untrusted workspace (the user is offered to trust it). */
export async function codeMode(settings: Settings): Promise<CodeMode> {
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

export function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** The #1 complaint about local models: a silently cut conversation. Say it, and where to fix it. */
function warnContextTruncated(message: string): void {
  const open = 'Open Setting';
  void vscode.window.showWarningMessage(message, open).then((choice) => {
    if (choice === open) void vscode.commands.executeCommand('workbench.action.openSettings', 'r1ci.contextTokens');
  });
}
