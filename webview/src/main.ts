// Entry point of our webviews (the solve panel and the side-bar chat share this bundle and its
// renderer): validates every host message and hands it to the page's app.
// Codicons: the workbench's own icon font (bundled into dist/webview.css, font into dist/fonts/).
import '@vscode/codicons/dist/codicon.css';
import { hostMessageSchema, type HostMessage } from '../../src/vscode/conversation/transcriptProtocol';
import { startChatApp } from './chat/chatApp';
import { startPanelApp } from './solve/panelApp';
import { vscode } from './shared/vscodeApi';

const handle: (message: HostMessage) => void = document.body.dataset['view'] === 'chat' ? startChatApp() : startPanelApp();

// Links in model text never navigate the webview; the host decides whether to open them.
document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target.closest('a') : null;
  if (!target) return;
  event.preventDefault();
  const href = target.getAttribute('href');
  if (href) vscode.postMessage({ type: 'open-link', href });
});

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const parsed = hostMessageSchema.safeParse(event.data);
  if (!parsed.success) {
    console.error('r1ci webview: ignored a malformed message', parsed.error.issues[0]);
    return;
  }
  handle(parsed.data);
});

vscode.postMessage({ type: 'ready' });
