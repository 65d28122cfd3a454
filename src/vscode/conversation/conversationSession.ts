// One conversation inside VS Code, shared by the solve panel and the side-bar chat: a thin host
// of the core Conversation (src/conversation), which keeps the model's history, the sandbox
// across follow-ups, approvals, re-runs and the record. This class supplies what is VS Code's:
// settings and the stored API key, workspace trust, the sandbox service, progress, toasts and
// fix buttons. Each conversation event is mapped once to the event its view renders.
import * as vscode from 'vscode';
import type { AgentErrorKind } from '../../agent/events';
import type { ModelRunSettings } from '../../agent/modelRunSettings';
import { backendFor, modelRunSettingsFor, runOptionsFrom, type RunOverrides } from '../../config/runOptions';
import type { Settings } from '../../config/settingsSpec';
import { readSettings } from '../shared/settings';
import { Conversation, type ConversationHost, type ConversationRecord, type RerunOutcome } from '../../conversation/conversation';
import type { ConversationEvent, ConversationSandbox } from '../../conversation/events';
import type { CodeRunner, ExecResult } from '../../sandbox/types';
import type { Trajectory } from '../../trajectory/trajectory';
import type { ProblemAction, ProblemActionId } from '../models/backendErrorActions';
import { getApiKey, solveEnded, type ProblemPlace } from '../models/solveErrors';
import type { Log } from '../shared/log';
import type { SandboxService } from '../shared/sandboxService';
import { lastSolve } from './lastTrajectory';
import type { SessionInfo, ViewEvent } from './transcriptProtocol';
import { toViewEvent, type ImageSrc } from './viewEvents';
import { showInformationMessage, showWarningMessage, withProgress } from '../shared/notify';

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

export interface AskRequest extends RunOverrides {
  readonly question: string;
}

export type ProgressPlace = { readonly kind: 'notification' } | { readonly kind: 'view'; readonly viewId: string };

export type CodeMode = 'on' | 'off';

/** The question being asked: what its events report to (progress, the panel's header) and what its end reports. */
interface Asking {
  /** Read once as the question starts (an invalid setting is reported once, not per use). */
  readonly settings: Settings;
  readonly overrides: RunOverrides;
  readonly beforeRun: ((session: SessionInfo) => void) | undefined;
  progress?: vscode.Progress<{ message?: string }>;
  maxCodeCalls: number;
  errorKind?: AgentErrorKind;
  /** The conversation's numbers of this question's first turn and cell (progress counts per question). */
  firstTurn?: number;
  firstCell?: number;
}

export class ConversationSession implements vscode.Disposable, ConversationHost {
  private readonly conversation: Conversation;
  private asking: Asking | undefined;
  private problemAction: ((id: ProblemActionId) => Promise<void>) | undefined;
  private readonly changeEmitter = new vscode.EventEmitter<'events' | 'busy' | 'tier'>();
  /** Fired when the record changed (persist it), the session became busy/idle, or the sandbox tier is known. */
  readonly onDidChange = this.changeEmitter.event;

  constructor(
    private readonly log: Log,
    private readonly sandbox: SandboxService,
    private view: ConversationView | undefined,
    private readonly progressPlace: ProgressPlace,
    restored?: ConversationRecord,
  ) {
    this.conversation = new Conversation(this, restored);
    this.conversation.onEvent((e) => this.onEvent(e));
  }

  get busy(): boolean {
    return this.conversation.busy;
  }

  /** The sandbox tier once a sandbox exists (or code was ruled out). */
  get tier(): ConversationSandbox | undefined {
    return this.conversation.sandbox;
  }

  /** The conversation's record (what a re-created view replays and what history stores). */
  get record(): ConversationRecord {
    return this.conversation.record;
  }

  /** The trajectory of the run-th question (a restored one folded from the record). */
  trajectory(run: number): Trajectory | undefined {
    return this.conversation.trajectory(run);
  }

  setView(view: ConversationView | undefined): void {
    this.view = view;
  }

  /** Carries out a fix button of the last failed run's error card. */
  runProblemAction(id: ProblemActionId): void {
    void this.problemAction?.(id);
  }

  cancel(): void {
    this.conversation.cancel();
  }

  approve(index: number, run: boolean): void {
    this.conversation.approve(index, run);
  }

  /**
   * Asks a question: the first one of a conversation starts the sandbox, follow-ups reuse it and
   * extend the model's message history. `beforeRun` gets the run's header once the agent starts.
   * Resolves with the run's trajectory (never rejects).
   */
  async ask(request: AskRequest, beforeRun?: (session: SessionInfo) => void): Promise<Trajectory> {
    if (this.busy) return this.conversation.ask(request.question); // the core's "still working" trajectory; nothing is shown
    const settings = readSettings(this.log);
    const model = request.model ?? settings.model;
    const overrides: RunOverrides = { model: request.model, maxCodeCalls: request.maxCodeCalls };
    const asking: Asking = { settings, overrides, beforeRun, maxCodeCalls: request.maxCodeCalls ?? settings.maxCodeCalls };
    this.asking = asking;
    const pending = this.conversation.ask(request.question, overrides);
    this.changeEmitter.fire('busy');
    let t: Trajectory;
    try {
      t = await this.withProgress(`Solving with ${model}`, (progress) => {
        asking.progress = progress;
        return pending;
      });
    } finally {
      this.view?.flush();
      if (this.asking === asking) this.asking = undefined;
      this.changeEmitter.fire('busy');
    }
    lastSolve.remember(t);
    this.log(`Solve finished: ${t.reason}; answer ${JSON.stringify(t.answer)}; ${t.codeCalls} code call(s); model ${Math.round(t.modelMs)} ms, code ${Math.round(t.codeMs)} ms${t.error ? `; error: ${t.error}` : ''}`);
    // A failed question can be asked again in a fresh panel (e.g. after pulling the model).
    const rerun = (): unknown => vscode.commands.executeCommand('r1ci.solve', { question: request.question, model: request.model });
    void solveEnded(t.error ? { kind: asking.errorKind, message: t.error, model, rerun } : undefined, this.problemPlace());
    return t;
  }

  /** Runs a cell's code again in this conversation's sandbox; the cell shows the new output. */
  async rerun(index: number): Promise<ExecResult | undefined> {
    const wasBusy = this.busy;
    const pending = this.conversation.rerun(index);
    const started = !wasBusy && this.busy;
    if (started) this.changeEmitter.fire('busy');
    let outcome: RerunOutcome;
    try {
      outcome = started ? await this.withProgress(`Re-running cell ${index + 1}`, () => pending) : await pending;
    } finally {
      if (started) {
        this.view?.flush();
        this.changeEmitter.fire('busy');
      }
    }
    switch (outcome.kind) {
      case 'ran':
        return outcome.result;
      case 'busy':
        void showInformationMessage('The conversation is still running: re-run the cell when it has finished (or stop it).');
        return undefined;
      case 'code-off':
        void showWarningMessage('Code is not executed here (Restricted Mode, or "r1ci.sandbox.approval" is "never").');
        return undefined;
      default:
        return undefined; // an unknown cell; a failure is shown in the transcript as an error
    }
  }

  /** ConversationHost: the settings (and the stored API key) as the core asks the model, read for each question. */
  async modelSettings(signal: AbortSignal): Promise<ModelRunSettings> {
    const settings = this.settings();
    const options = runOptionsFrom(settings, await getApiKey(settings.backend));
    return modelRunSettingsFor(options, backendFor(options), signal, this.asking?.overrides);
  }

  /** ConversationHost: no runner when code must not run (Restricted Mode, approval "never"); else a sandbox from the service. */
  async createRunner(signal: AbortSignal): Promise<{ readonly runner: CodeRunner } | { readonly runner: null; readonly note: string }> {
    const settings = this.settings();
    if ((await codeMode(settings)) === 'off') {
      return {
        runner: null,
        note: vscode.workspace.isTrusted ? 'Code execution is turned off ("r1ci.sandbox.approval": "never").' : 'Restricted Mode: code is not executed in an untrusted workspace.',
      };
    }
    const runner = await this.sandbox.acquire(settings, signal);
    this.log(`Sandbox tier: ${runner.tier} (${runner.tierNote}); scratch ${runner.scratchDir}`);
    return { runner };
  }

  /** ConversationHost: approval "ask" asks for every cell; "default" asks when the sandbox is not isolated. */
  mustApprove(runner: CodeRunner): boolean {
    const approval = this.settings()['sandbox.approval'];
    return approval === 'ask' || (approval === 'default' && runner.tier !== 'isolated');
  }

  /** ConversationHost: a question or re-run ended; whoever stores the record listens to 'events'. */
  persist(): void {
    this.changeEmitter.fire('events');
  }

  /** The settings of the question being asked, else (a re-run) as they are now. */
  private settings(): Settings {
    return this.asking?.settings ?? readSettings(this.log);
  }

  private onEvent(event: ConversationEvent): void {
    const asking = this.asking;
    if (asking) this.follow(asking, event);
    if (event.type === 'sandbox') this.changeEmitter.fire('tier');
    if (event.type === 'warning' && event.kind === 'context-truncated') warnContextTruncated(event.message);
    const webview = this.view?.webview;
    const view = toViewEvent(event, webview && webviewImageSrc(webview));
    if (!view) return;
    this.view?.push(view);
    // Saved (debounced) as it goes, so a window closed mid-answer keeps what was shown.
    if (view.type !== 'token' && view.type !== 'reasoning') this.changeEmitter.fire('events');
  }

  /** What the running question's events tell its header, its progress and its end. */
  private follow(asking: Asking, event: ConversationEvent): void {
    switch (event.type) {
      case 'start': {
        asking.maxCodeCalls = event.maxCodeCalls;
        const sandbox = this.conversation.sandbox;
        asking.beforeRun?.({ question: event.question, model: event.model, maxCodeCalls: event.maxCodeCalls, tier: sandbox?.tier ?? 'off', tierNote: sandbox?.note ?? '' });
        return;
      }
      case 'error':
        asking.errorKind = event.kind;
        return;
      case 'turn-start': {
        const turn = event.turn - (asking.firstTurn ??= event.turn);
        asking.progress?.report({ message: turn === 0 ? 'thinking…' : `thinking (turn ${turn + 1})…` });
        return;
      }
      case 'code':
        asking.firstCell ??= event.index;
        return;
      case 'exec-start':
        asking.progress?.report({ message: `running code cell ${event.index - (asking.firstCell ?? event.index) + 1} of at most ${asking.maxCodeCalls}…` });
        return;
      case 'done':
        asking.progress?.report({ message: event.answer !== null ? `answer: ${truncate(event.answer, 60)}` : 'finished' });
        return;
      default:
        return;
    }
  }

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

  private async withProgress<T>(title: string, work: (progress: vscode.Progress<{ message?: string }>) => Promise<T>): Promise<T> {
    if (this.progressPlace.kind === 'view') return withProgress({ location: { viewId: this.progressPlace.viewId } }, work);
    return withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
      token.onCancellationRequested(() => this.conversation.cancel());
      return work(progress);
    });
  }

  /** Stops the run and ends the sandbox (no process is left behind); `removeScratch` also deletes its files. */
  async close(options: { removeScratch?: boolean } = {}): Promise<void> {
    const runner = await this.conversation.dispose();
    if (runner && options.removeScratch) await this.sandbox.removeScratch(runner.scratchDir);
  }

  dispose(): void {
    void this.close();
    this.changeEmitter.dispose();
  }
}

/** Image copies as `webview` may load them (only under its resource roots: the private root). */
export function webviewImageSrc(webview: vscode.Webview): ImageSrc {
  return (path) => webview.asWebviewUri(vscode.Uri.file(path)).toString();
}

/** Whether code may run: never in an untrusted workspace (the user is offered to trust it). */
export async function codeMode(settings: Settings): Promise<CodeMode> {
  if (settings['sandbox.approval'] === 'never') return 'off';
  if (vscode.workspace.isTrusted) return 'on';
  const manage = 'Manage Workspace Trust';
  void showWarningMessage("This workspace is in Restricted Mode, so the model's code will not be executed: it answers from text alone. Trust the workspace to let it run code in the sandbox.", manage).then((choice) => {
    if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return 'off';
}

export function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** The #1 complaint about local models: a silently cut conversation. Say it, and where to fix it. */
function warnContextTruncated(message: string): void {
  const open = 'Open Setting';
  void showWarningMessage(message, open).then((choice) => {
    if (choice === open) void vscode.commands.executeCommand('workbench.action.openSettings', 'r1ci.contextTokens');
  });
}
