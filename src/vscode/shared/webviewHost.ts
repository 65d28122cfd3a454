// The host's end of one webview: messages wait until the webview script says it is ready, agent
// events are batched (one postMessage per ~16 ms), and every message from the webview is
// validated before anyone acts on it. Shared by the solve panel and the side-bar chat.
import * as vscode from 'vscode';
import { webviewMessageSchema, type HostMessage, type ViewEvent, type WebviewMessage } from '../conversation/transcriptProtocol';

const FLUSH_MS = 16;

export class ViewChannel implements vscode.Disposable {
  private ready = false;
  private readonly pending: HostMessage[] = [];
  private batch: ViewEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly subscription: vscode.Disposable;
  private readonly messageEmitter = new vscode.EventEmitter<WebviewMessage>();
  /** Validated messages from the webview. */
  readonly onMessage = this.messageEmitter.event;

  constructor(
    readonly webview: vscode.Webview,
    log: (line: string) => void,
  ) {
    this.subscription = webview.onDidReceiveMessage((raw: unknown) => {
      const parsed = webviewMessageSchema.safeParse(raw);
      if (!parsed.success) {
        log(`Ignored a malformed message from the webview: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
        return;
      }
      if (parsed.data.type === 'ready') this.onReady();
      this.messageEmitter.fire(parsed.data);
    });
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

  /** Sends a message after any queued events, so the webview sees everything in order. */
  post(message: HostMessage): void {
    if (message.type !== 'events') this.flush();
    if (!this.ready) {
      this.pending.push(message);
      return;
    }
    void this.webview.postMessage(message);
  }

  private onReady(): void {
    // Messages sent before the webview script listened are delivered now, in order.
    this.ready = true;
    for (const m of this.pending.splice(0)) void this.webview.postMessage(m);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.subscription.dispose();
    this.messageEmitter.dispose();
  }
}
