// The HTML shell of our webviews: a strict Content-Security-Policy with a per-load nonce,
// no inline script, and only the extension's own bundled script and stylesheets (KaTeX's CSS
// and fonts are bundled into dist/ by esbuild, so style-src/font-src need only our origin).
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export function newNonce(): string {
  return randomBytes(18).toString('base64url');
}

export type WebviewKind = 'panel' | 'chat' | 'results';

export interface WebviewPage {
  readonly title: string;
  readonly body: string;
  readonly view: WebviewKind;
  /** The bundled script, relative to the extension root (default: the transcript client). */
  readonly script?: string;
  /** Stylesheets, relative to the extension root (default: KaTeX's bundled CSS and panel.css). */
  readonly styles?: readonly string[];
}

const TRANSCRIPT_SCRIPT = 'dist/webview.js';
const TRANSCRIPT_STYLES = ['dist/webview.css', 'media/panel.css'];

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const nonce = newNonce();
  const asset = (path: string): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path.split('/'))).toString();
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    // Artifacts (plots) are host-private copies taken when the cell ended, served through the webview's resource scheme.
    `img-src ${webview.cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  const styles = (page.styles ?? TRANSCRIPT_STYLES).map((s) => `<link rel="stylesheet" href="${asset(s)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}
<title>${escapeHtml(page.title)}</title>
</head>
<body data-view="${page.view}">
${page.body}
<script nonce="${nonce}" src="${asset(page.script ?? TRANSCRIPT_SCRIPT)}"></script>
</body>
</html>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** The solve panel's static layout; everything inside it is filled by the webview script. */
export const SOLVE_PANEL_BODY = `<header class="toolbar"><div id="session"></div><button id="stop" type="button" title="Stop: cancel the model and any running code" hidden><span class="codicon codicon-debug-stop" aria-hidden="true"></span> Stop</button></header>
<main id="transcript" aria-label="Solution"></main>
<footer id="status" role="status" aria-live="polite"></footer>`;

/**
 * The side-bar chat's static layout: a one-line context bar (model, sandbox tier), the
 * transcript, the composer. New chat, history, model and Stop are the view's title-bar actions
 * (package.json menus "view/title"), as in VS Code's own views.
 */
export const CHAT_VIEW_BODY = `<header class="chat-context">
  <span id="model" class="chat-model" title="Model used for the next question (change it with the title bar's model action)"></span>
  <span id="tier" class="tier" tabindex="0" role="note"></span>
</header>
<main id="transcript" class="chat-transcript" aria-label="Conversation"></main>
<div id="empty" class="chat-empty">Ask a question. The model reasons, writes Python that runs in a sandbox, reads the output and answers. Follow-up questions share the sandbox: variables from earlier answers are still there.</div>
<footer class="composer">
  <label class="visually-hidden" for="question">Question</label>
  <textarea id="question" rows="3" placeholder="Ask a question (Enter sends, Shift+Enter for a new line, Escape stops)"></textarea>
  <div class="composer-actions">
    <span id="status" role="status" aria-live="polite"></span>
    <button id="send" type="button" class="primary" title="Send (Enter)">Send</button>
  </div>
</footer>`;
