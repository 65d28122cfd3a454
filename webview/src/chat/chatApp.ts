// The side-bar chat: a context line (model, sandbox tier), the transcript of the current
// conversation (the same renderer as the panel), and a composer where Enter sends, Shift+Enter
// starts a new line and Escape stops a running answer. New chat, history, model and Stop are the
// view's title-bar actions (package.json), so the page has no toolbar of its own.
import { z } from 'zod';
import { chatNotificationSchema, MAX_QUESTION_CHARS, type ChatCommand, type ChatState } from '../../../src/vscode/chat/protocol';
import { byId, shown } from '../shared/dom';
import { Transcript } from '../transcript/transcript';
import { listen, poster, vscode } from '../shared/vscodeApi';

const post = poster<ChatCommand>();

const draftStateSchema = z.object({ draft: z.string() });

const TIER_TEXT: Record<ChatState['tier'], string> = {
  isolated: 'sandbox: isolated',
  basic: 'sandbox: basic',
  off: 'code not executed',
  'not-started': 'sandbox: not started',
};

export function startChatApp(): void {
  const model = byId('model');
  const tier = byId('tier');
  const empty = byId('empty');
  const question = byId<HTMLTextAreaElement>('question');
  const send = byId<HTMLButtonElement>('send');
  const status = byId('status');
  let state: ChatState | undefined;

  const setStatus = (text: string, busy: boolean): void => {
    status.textContent = shown(text);
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
    // The host refuses a longer question (chatCommandSchema): kept here, not posted and lost.
    if (text.length > MAX_QUESTION_CHARS) {
      setStatus(`Too long to send: ${text.length.toLocaleString('en-US')} characters, at most ${MAX_QUESTION_CHARS.toLocaleString('en-US')}. Shorten it, or save the text to a file and ask about the file.`, false);
      return;
    }
    if (status.dataset['busy'] !== 'true') setStatus('', false); // a "too long" of before
    post({ type: 'ask', question: text });
    question.value = '';
    vscode.setState({ draft: '' });
  };

  question.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    } else if (event.key === 'Escape' && state?.busy) {
      event.preventDefault();
      post({ type: 'cancel' });
    }
  });
  send.addEventListener('click', submit);
  // The page's HTML starts the composer disabled (chatPage.ts): it takes input only from here on,
  // when Enter sends.
  question.disabled = false;
  send.disabled = state?.busy ?? false;

  const render = (next: ChatState): void => {
    state = next;
    send.disabled = next.busy;
    send.title = next.busy ? "Answering: Escape or the title bar's Stop ends it" : 'Send (Enter)';
    model.textContent = shown(next.model);
    tier.textContent = TIER_TEXT[next.tier];
    tier.className = `tier tier-${next.tier}`;
    tier.title = shown(next.tierNote);
    tier.setAttribute('aria-label', shown(`${TIER_TEXT[next.tier]}. ${next.tierNote}`));
    empty.hidden = !transcript.isEmpty;
    if (!next.busy && status.dataset['busy'] === 'true') setStatus('', false);
  };

  listen(chatNotificationSchema, (message) => {
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
      case 'problem-actions':
        transcript.offerProblemActions(message.actions);
        break;
    }
  });
}
