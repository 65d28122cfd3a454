// The webview panel that shows one solve: host side. Messaging (batching, validation, the
// ready handshake) lives in ViewChannel, shared with the side-bar chat.
import * as vscode from 'vscode';
import type { ProblemAction, SessionInfo, ViewEvent, WebviewMessage } from '../conversation/transcriptProtocol';
import { ViewChannel } from '../shared/webviewHost';
import { SOLVE_PANEL_BODY, webviewHtml } from '../shared/webviewHtml';

export class SolvePanel implements vscode.Disposable {
  static readonly viewType = 'r1ci.solvePanel';
  private readonly panel: vscode.WebviewPanel;
  private readonly channel: ViewChannel;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;
  /** Validated messages from the webview. */
  readonly onMessage: vscode.Event<WebviewMessage>;

  constructor(extensionUri: vscode.Uri, title: string, resourceRoots: readonly vscode.Uri[], log: (line: string) => void) {
    this.panel = vscode.window.createWebviewPanel(SolvePanel.viewType, title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media'), ...resourceRoots],
    });
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, { title, body: SOLVE_PANEL_BODY, view: 'panel' });
    this.channel = new ViewChannel(this.panel.webview, log);
    this.onMessage = this.channel.onMessage;
    this.panel.onDidDispose(() => this.dispose());
  }

  get webview(): vscode.Webview {
    return this.panel.webview;
  }

  get visible(): boolean {
    return this.panel.visible;
  }

  showProblemActions(actions: readonly ProblemAction[]): void {
    this.channel.post({ type: 'problem-actions', actions: [...actions] });
  }

  showSession(session: SessionInfo): void {
    this.channel.post({ type: 'session', session });
  }

  push(event: ViewEvent): void {
    this.channel.push(event);
  }

  flush(): void {
    this.channel.flush();
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  private disposed = false;
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeEmitter.fire();
    this.panel.dispose();
    this.channel.dispose();
    this.disposeEmitter.dispose();
  }
}
