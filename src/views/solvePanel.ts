// The webview panel that shows one solve: host side. Agent events are batched (one postMessage
// per ~16 ms) and every message from the webview is validated before it is acted on.
import * as vscode from 'vscode';
import { webviewMessageSchema, type HostMessage, type SessionInfo, type ViewEvent, type WebviewMessage } from './messages';
import { SOLVE_PANEL_BODY, webviewHtml } from './webviewHtml';

const FLUSH_MS = 16;

export class SolvePanel implements vscode.Disposable {
  static readonly viewType = 'r1ci.solvePanel';
  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private readonly pending: HostMessage[] = [];
  private batch: ViewEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly messageEmitter = new vscode.EventEmitter<WebviewMessage>();
  /** Validated messages from the webview. */
  readonly onMessage = this.messageEmitter.event;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;

  constructor(extensionUri: vscode.Uri, title: string, resourceRoots: readonly vscode.Uri[], log: (line: string) => void) {
    this.panel = vscode.window.createWebviewPanel(SolvePanel.viewType, title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media'), ...resourceRoots],
    });
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, { title, body: SOLVE_PANEL_BODY });
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((raw: unknown) => {
        const parsed = webviewMessageSchema.safeParse(raw);
        if (!parsed.success) {
          log(`Ignored a malformed message from the webview: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
          return;
        }
        if (parsed.data.type === 'ready') this.onReady();
        this.messageEmitter.fire(parsed.data);
      }),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  get webview(): vscode.Webview {
    return this.panel.webview;
  }

  showSession(session: SessionInfo): void {
    this.post({ type: 'session', session });
  }

  /** Queues an event; the batch goes out on the next flush. */
  push(event: ViewEvent): void {
    this.batch.push(event);
    if (event.type === 'done' || event.type === 'approval-request') return this.flush();
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batch.length === 0) return;
    const events = this.batch;
    this.batch = [];
    this.post({ type: 'events', events });
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  private post(message: HostMessage): void {
    if (!this.ready) {
      this.pending.push(message);
      return;
    }
    void this.panel.webview.postMessage(message);
  }

  private onReady(): void {
    // Messages sent before the webview script listened are delivered now, in order.
    this.ready = true;
    for (const m of this.pending.splice(0)) void this.panel.webview.postMessage(m);
  }

  private disposed = false;
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.disposeEmitter.fire();
    this.panel.dispose();
    for (const d of this.disposables) d.dispose();
    this.messageEmitter.dispose();
    this.disposeEmitter.dispose();
  }
}
