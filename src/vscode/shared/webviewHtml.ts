// The HTML shell of our webviews: a strict Content-Security-Policy with a per-load nonce,
// no inline script, and only the extension's own bundled script and stylesheets (KaTeX's CSS
// and fonts are bundled into dist/ by esbuild, so style-src/font-src need only our origin).
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { escapeHtml } from '../../text/html';

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

/**
 * Scripts on, and resources only from the extension's dist/ and media/ folders plus `extraRoots`
 * (the host-private root for plots: webviews never load from the sandbox's scratch folders).
 */
export function webviewOptions(extensionUri: vscode.Uri, extraRoots: readonly vscode.Uri[] = []): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media'), ...extraRoots] };
}

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
