// The side-bar chat: a toolbar (model picker, sandbox tier, history, new chat), the transcript
// of the current conversation (the same renderer as the panel), and a composer where Enter
// sends, Shift+Enter starts a new line and Escape stops a running answer.
import { z } from 'zod';
import type { ChatState, HostMessage } from '../../src/views/messages';
import { button, byId, el } from './dom';
import { Transcript } from './transcript';
import { vscode } from './vscodeApi';

const draftStateSchema = z.object({ draft: z.string() });

const TIER_TEXT: Record<ChatState['tier'], string> = {
  isolated: 'sandbox: isolated',
  basic: 'sandbox: basic',
  off: 'code not executed',
  'not-started': 'sandbox: not started',
};

export function startChatApp(): (message: HostMessage) => void {
  const model = byId<HTMLSelectElement>('model');
  const tier = byId('tier');
  const historyToggle = byId<HTMLButtonElement>('history-toggle');
  const history = byId('history');
  const newChat = byId<HTMLButtonElement>('new-chat');
  const empty = byId('empty');
  const question = byId<HTMLTextAreaElement>('question');
  const send = byId<HTMLButtonElement>('send');
  const stop = byId<HTMLButtonElement>('stop');
  const status = byId('status');
  let state: ChatState | undefined;

  const setStatus = (text: string, busy: boolean): void => {
    status.textContent = text;
    status.dataset['busy'] = String(busy);
  };
  const transcript = new Transcript(byId('transcript'), { showQuestions: true, onStatus: setStatus });

  const saved = draftStateSchema.safeParse(vscode.getState());
  if (saved.success) question.value = saved.data.draft;
  question.addEventListener('input', () => vscode.setState({ draft: question.value }));

  const submit = (): void => {
    const text = question.value.trim();
    if (!text) return;
    if (state?.busy) {
      setStatus('Still answering: stop it first (Escape) or wait.', true);
      return;
    }
    vscode.postMessage({ type: 'ask', question: text });
    question.value = '';
    vscode.setState({ draft: '' });
  };
  const stopRun = (): void => {
    stop.disabled = true;
    vscode.postMessage({ type: 'cancel' });
  };

  question.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    } else if (event.key === 'Escape' && state?.busy) {
      event.preventDefault();
      stopRun();
    }
  });
  send.addEventListener('click', submit);
  stop.addEventListener('click', stopRun);
  newChat.addEventListener('click', () => vscode.postMessage({ type: 'new-chat' }));
  byId('refresh-models').addEventListener('click', () => vscode.postMessage({ type: 'refresh-models' }));
  model.addEventListener('change', () => {
    if (model.value) vscode.postMessage({ type: 'select-model', model: model.value });
  });
  const showHistory = (open: boolean): void => {
    history.hidden = !open;
    historyToggle.setAttribute('aria-expanded', String(open));
    if (open) history.querySelector<HTMLButtonElement>('button')?.focus();
  };
  historyToggle.addEventListener('click', () => showHistory(history.hidden));
  history.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      showHistory(false);
      historyToggle.focus();
    }
  });

  const render = (next: ChatState): void => {
    // Send and Stop swap places; keep the keyboard focus in the composer when the focused one hides.
    const focusWasOnButton = document.activeElement === stop || document.activeElement === send;
    state = next;
    send.hidden = next.busy;
    stop.hidden = !next.busy;
    stop.disabled = false;
    newChat.disabled = next.busy;
    renderModels(model, next);
    tier.textContent = TIER_TEXT[next.tier];
    tier.className = `tier tier-${next.tier}`;
    tier.title = next.tierNote;
    tier.setAttribute('aria-label', `${TIER_TEXT[next.tier]}. ${next.tierNote}`);
    renderHistory(history, next, () => showHistory(false));
    historyToggle.textContent = `History (${next.conversations.length})`;
    empty.hidden = !transcript.isEmpty;
    if (!next.busy && status.dataset['busy'] === 'true') setStatus('', false);
    if (focusWasOnButton && (document.activeElement === document.body || document.activeElement === null)) question.focus();
  };

  return (message) => {
    switch (message.type) {
      case 'reset':
        transcript.reset();
        setStatus('', false);
        empty.hidden = false;
        break;
      case 'events':
        transcript.apply(message.events);
        empty.hidden = !transcript.isEmpty;
        break;
      case 'chat-state':
        render(message.state);
        break;
      case 'session':
        break;
    }
  };
}

function renderModels(select: HTMLSelectElement, state: ChatState): void {
  const names = state.models.includes(state.model) ? state.models : [state.model, ...state.models];
  const current = [...select.options].map((o) => o.value);
  if (current.join('\n') !== names.join('\n')) {
    select.replaceChildren(...names.map((name) => {
      const option = el('option', undefined, name);
      option.value = name;
      return option;
    }));
  }
  select.value = state.model;
  select.title = state.modelsError ? `Model used for the next question. The model list is unavailable: ${state.modelsError}` : 'Model used for the next question';
  select.classList.toggle('stale', state.modelsError !== undefined);
}

function renderHistory(nav: HTMLElement, state: ChatState, close: () => void): void {
  nav.replaceChildren();
  if (state.conversations.length === 0) {
    nav.append(el('div', 'history-empty', 'No past conversations yet.'));
    return;
  }
  const list = el('ul', 'history-list');
  for (const c of state.conversations) {
    const item = el('li', 'history-item');
    const open = button('', `Open "${c.title}"`, () => {
      vscode.postMessage({ type: 'open-conversation', id: c.id });
      close();
    }, 'history-open');
    open.append(el('span', 'history-title', c.title), el('span', 'history-date', new Date(c.updatedAt).toLocaleString()));
    if (c.id === state.activeId) open.setAttribute('aria-current', 'true');
    const remove = button('Delete', `Delete "${c.title}"`, () => vscode.postMessage({ type: 'delete-conversation', id: c.id }), 'history-delete');
    remove.setAttribute('aria-label', `Delete conversation: ${c.title}`);
    remove.disabled = state.busy && c.id === state.activeId;
    item.append(open, remove);
    list.append(item);
  }
  nav.append(list);
}
