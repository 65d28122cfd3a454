// The webview panel that shows one solve: host side. Page, message validation and event
// batching live in TranscriptHost (shared with the side-bar chat); the messages are the
// panel's own protocol (./protocol.ts).
import * as vscode from 'vscode';
import { TranscriptHost } from '../conversation/transcriptHost';
import type { ProblemAction, SessionInfo, ViewEvent } from '../conversation/transcriptProtocol';
import { Disposable } from '../shared/dispose';
import { webviewOptions } from '../shared/webviewHtml';
import { SOLVE_PANEL_BODY } from './panelPage';
import { panelCommandSchema, type PanelCommand, type PanelNotification } from './protocol';
import { escapeControls } from '../../sandbox/terminalText';

export class SolvePanel extends Disposable {
  static readonly viewType = 'r1ci.solvePanel';
  private readonly panel: vscode.WebviewPanel;
  private readonly channel: TranscriptHost<PanelCommand, PanelNotification>;
  private readonly disposeEmitter = this._register(new vscode.EventEmitter<void>());
  readonly onDidDispose = this.disposeEmitter.event;
  /** Validated messages from the webview. */
  readonly onMessage: vscode.Event<PanelCommand>;

  constructor(extensionUri: vscode.Uri, title: string, resourceRoots: readonly vscode.Uri[], log: (line: string) => void) {
    super();
    this.panel = this._register(
      vscode.window.createWebviewPanel(
        SolvePanel.viewType,
        // From the question or a results file's id: controls and bidi overrides shown escaped in the tab.
        escapeControls(title),
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
        {
          ...webviewOptions(extensionUri, resourceRoots),
          retainContextWhenHidden: true,
        },
      ),
    );
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
    this.channel = this._register(new TranscriptHost<PanelCommand, PanelNotification>(this.panel.webview, { extensionUri, page: { title, body: SOLVE_PANEL_BODY, view: 'panel' }, commands: panelCommandSchema, log }));
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

  override dispose(): void {
    if (this.isDisposed) return;
    // Listeners (the controller ends the session) hear of the end before the panel goes.
    this.disposeEmitter.fire();
    super.dispose();
  }
}
