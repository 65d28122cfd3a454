// The solve panel: one question in a header, its transcript, a Stop button and a status line.
import type { HostMessage, SessionInfo } from '../../src/views/messages';
import { byId, el } from './dom';
import { Transcript } from './transcript';
import { vscode } from './vscodeApi';

export function startPanelApp(): (message: HostMessage) => void {
  const header = byId('session');
  const stop = byId<HTMLButtonElement>('stop');
  const status = byId('status');
  const setStatus = (text: string, busy: boolean): void => {
    status.textContent = text;
    status.dataset['busy'] = String(busy);
  };
  const transcript = new Transcript(byId('transcript'), {
    showQuestions: false,
    onStatus: setStatus,
    onDone: () => {
      stop.disabled = true;
    },
  });
  stop.addEventListener('click', () => {
    stop.disabled = true;
    vscode.postMessage({ type: 'cancel' });
  });
  return (message) => {
    switch (message.type) {
      case 'session':
        stop.disabled = false;
        showSession(header, message.session);
        transcript.reset();
        setStatus('Thinking…', true);
        break;
      case 'events':
        transcript.apply(message.events);
        break;
      case 'reset':
        transcript.reset();
        break;
      case 'chat-state':
        break;
    }
  };
}

function showSession(header: HTMLElement, session: SessionInfo): void {
  header.replaceChildren();
  header.append(el('div', 'question', session.question));
  const meta = el('div', 'meta');
  const tier = el('span', `tier tier-${session.tier}`, session.tier === 'off' ? 'code not executed' : `sandbox: ${session.tier}`);
  tier.title = session.tierNote;
  meta.append(el('span', 'model', session.model), tier);
  header.append(meta);
  if (session.tier !== 'isolated' && session.tierNote) header.append(el('div', 'tier-note', session.tierNote));
}
