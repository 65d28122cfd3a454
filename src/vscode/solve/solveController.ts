// Runs one solve inside VS Code into its own panel: a ConversationSession (settings → backend +
// sandbox → agent, with progress, cancellation, workspace trust and approval) shown by a
// SolvePanel. The panel keeps the session's sandbox until it closes, so a cell can be re-run.
import * as vscode from 'vscode';
import type { Trajectory } from '../../trajectory/trajectory';
import { SolvePanel } from './solvePanel';
import { ConversationSession, truncate, type AskRequest } from '../conversation/conversationSession';
import type { Log } from '../shared/log';
import { Disposable, disposeAll } from '../shared/dispose';
import type { SandboxService } from '../shared/sandboxService';
import { privateRoot } from '../shared/scratch';
import { handleSharedViewMessage } from '../conversation/transcriptActions';

export type SolveRequest = AskRequest;

export class SolveController extends Disposable {
  private readonly sessions = new Set<ConversationSession>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
    private readonly sandbox: SandboxService,
  ) {
    super();
  }

  /** Stops every running solve. */
  cancelAll(): void {
    for (const s of this.sessions) s.cancel();
  }

  get activeCount(): number {
    let n = 0;
    for (const s of this.sessions) if (s.busy) n++;
    return n;
  }

  async solve(request: SolveRequest): Promise<Trajectory> {
    const panel = new SolvePanel(this.context.extensionUri, `Solve: ${truncate(request.question, 40)}`, [privateRoot(this.context)], this.log);
    const session = new ConversationSession(this.log, this.sandbox, panel, { kind: 'notification' });
    this.sessions.add(session);
    panel.onDidDispose(() => {
      this.sessions.delete(session);
      session.dispose();
    });
    panel.onMessage((m) => handleSharedViewMessage(m, session));
    return session.ask(request, (info) => panel.showSession(info));
  }

  override dispose(): void {
    disposeAll(this.sessions);
    this.sessions.clear();
    super.dispose();
  }
}
