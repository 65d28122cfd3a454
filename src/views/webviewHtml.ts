// The HTML shell of our webviews: a strict Content-Security-Policy with a per-load nonce,
// no inline script, and only the extension's own bundled script and stylesheet.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export function newNonce(): string {
  return randomBytes(18).toString('base64url');
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, options: { title: string; body: string }): string {
  const nonce = newNonce();
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'panel.css'));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    // Artifacts (plots) are files in the scratch folder, served through the webview's resource scheme.
    `img-src ${webview.cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>${escapeHtml(options.title)}</title>
</head>
<body>
${options.body}
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** The solve panel's static layout; everything inside it is filled by the webview script. */
export const SOLVE_PANEL_BODY = `<header class="toolbar"><div id="session"></div><button id="stop" type="button" title="Stop: cancel the model and any running code">Stop</button></header>
<main id="transcript" aria-live="polite"></main>
<section id="answer" class="answer-card" hidden aria-live="assertive"></section>
<footer id="status" role="status"></footer>`;
