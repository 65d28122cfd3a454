// The side-bar chat's page; webview/src/chat/chatApp.ts finds its elements by these ids.

/**
 * The side-bar chat's static layout: a one-line context bar (model, sandbox tier), the
 * transcript, the composer. New chat, history, model and Stop are the view's title-bar actions
 * (package.json menus "view/title"), as in VS Code's own views.
 *
 * The composer (question box and Send) starts disabled: the page's script enables it once its
 * Enter handler is attached. The script is fetched through the workbench's service worker, which
 * can take seconds after a window opens; a question typed before then would get a new line for
 * its Enter and never be sent.
 */
export const CHAT_VIEW_BODY = `<header class="chat-context">
  <span id="model" class="chat-model" title="Model used for the next question (change it with the title bar's model action)"></span>
  <span id="tier" class="tier" tabindex="0" role="note"></span>
</header>
<main id="transcript" class="chat-transcript" aria-label="Conversation"></main>
<div id="empty" class="chat-empty">Ask a question. The model reasons, writes Python that runs in a sandbox, reads the output and answers. Follow-up questions share the sandbox: variables from earlier answers are still there.</div>
<footer class="composer">
  <label class="visually-hidden" for="question">Question</label>
  <textarea id="question" rows="3" disabled placeholder="Ask a question (Enter sends, Shift+Enter for a new line, Escape stops)"></textarea>
  <div class="composer-actions">
    <span id="status" role="status" aria-live="polite"></span>
    <button id="send" type="button" class="primary" title="Send (Enter)" disabled>Send</button>
  </div>
</footer>`;
