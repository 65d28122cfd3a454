// Entry point of the transcript webviews (the solve panel and the side-bar chat share this
// bundle and its renderer): starts the page's app, which validates every host message with its
// own protocol's schema, and says "ready" so the host starts posting.
// Codicons: the workbench's own icon font (bundled into dist/webview.css, font into dist/fonts/).
import '@vscode/codicons/dist/codicon.css';
import type { TranscriptCommand } from '../../src/vscode/conversation/transcriptProtocol';
import { startChatApp } from './chat/chatApp';
import { startPanelApp } from './solve/panelApp';
import { poster } from './shared/vscodeApi';

const post = poster<TranscriptCommand>();

if (document.body.dataset['view'] === 'chat') startChatApp();
else startPanelApp();

// Links in model text never navigate the webview; the host decides whether to open them.
document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target.closest('a') : null;
  if (!target) return;
  event.preventDefault();
  const href = target.getAttribute('href');
  if (href) post({ type: 'open-link', href });
});

post({ type: 'ready' });
