// The host's end of one webview, for every webview of the extension (solve panel, side-bar chat,
// results view): it writes the page (CSP with a nonce, webviewHtml.ts), validates every message
// from the page with the view's protocol schema before anyone acts on it (a malformed one is
// logged, webviewMessages.ts), holds messages back until the page's script says it is ready,
// and ends its listeners on dispose.
import * as vscode from 'vscode';
import type { z } from 'zod';
import { Disposable } from './dispose';
import type { Log } from './log';
import { acceptWebviewMessage } from './webviewMessages';
import { webviewHtml, type WebviewPage } from './webviewHtml';

export interface WebviewHostOptions<In> {
  readonly extensionUri: vscode.Uri;
  readonly page: WebviewPage;
  /** The view's webview → host schema; a message of type "ready" opens the gate for posting. */
  readonly commands: z.ZodType<In>;
  /** Where malformed messages are reported, one line each (acceptWebviewMessage): never dropped silently. */
  readonly log: Log;
}

export class WebviewHost<In extends { readonly type: string }, Out> extends Disposable {
  private ready = false;
  private readonly pending: Out[] = [];
  private readonly messageEmitter = this._register(new vscode.EventEmitter<In>());
  /** Validated messages from the page. */
  readonly onMessage = this.messageEmitter.event;

  constructor(
    readonly webview: vscode.Webview,
    options: WebviewHostOptions<In>,
  ) {
    super();
    this._register(
      webview.onDidReceiveMessage((raw: unknown) => {
        const message = acceptWebviewMessage(options.page.view, options.commands, raw, options.log);
        if (message === undefined) return;
        if (message.type === 'ready') this.onReady();
        this.messageEmitter.fire(message);
      }),
    );
    webview.html = webviewHtml(webview, options.extensionUri, options.page);
  }

  /** Sends a message; before the page is ready it waits, and all waiting ones go out in order. */
  post(message: Out): void {
    if (!this.ready) {
      this.pending.push(message);
      return;
    }
    void this.webview.postMessage(message);
  }

  private onReady(): void {
    this.ready = true;
    for (const m of this.pending.splice(0)) void this.webview.postMessage(m);
  }
}
