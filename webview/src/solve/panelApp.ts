// The solve panel: one question in a header, its transcript, a Stop button while it runs and a
// status line (visually hidden once the run is over: the answer card says how it ended).
import type { SessionInfo } from '../../../src/vscode/conversation/transcriptProtocol';
import { panelNotificationSchema, type PanelCommand } from '../../../src/vscode/solve/protocol';
import { byId, el, shown } from '../shared/dom';
import { Transcript } from '../transcript/transcript';
import { listen, poster } from '../shared/vscodeApi';

const post = poster<PanelCommand>();

export function startPanelApp(): void {
  const header = byId('session');
  const stop = byId<HTMLButtonElement>('stop');
  const status = byId('status');
  const setStatus = (text: string, busy: boolean): void => {
    status.textContent = shown(text);
    status.dataset['busy'] = String(busy);
  };
  const transcript = new Transcript(byId('transcript'), {
    showQuestions: false,
    onStatus: setStatus,
    onDone: () => {
      // Stop disappears with the run; keep the keyboard focus on the page, not on a hidden button.
      const hadFocus = document.activeElement === stop;
      stop.hidden = true;
      if (hadFocus) document.querySelector<HTMLElement>('.answer-card button')?.focus();
    },
  });
  stop.addEventListener('click', () => {
    stop.disabled = true;
    post({ type: 'cancel' });
  });
  listen(panelNotificationSchema, (message) => {
    switch (message.type) {
      case 'session':
        stop.disabled = false;
        stop.hidden = false;
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
      case 'problem-actions':
        transcript.offerProblemActions(message.actions);
        break;
    }
  });
}

function showSession(header: HTMLElement, session: SessionInfo): void {
  header.replaceChildren();
  header.append(el('div', 'question', session.question));
  const meta = el('div', 'meta');
  const tier = el('span', `tier tier-${session.tier}`, session.tier === 'off' ? 'code not executed' : session.tier === 'unrecorded' ? 'sandbox: not recorded' : `sandbox: ${session.tier}`);
  tier.title = shown(session.tierNote);
  tier.tabIndex = 0;
  tier.setAttribute('aria-label', shown(`${tier.textContent ?? ''}. ${session.tierNote}`));
  meta.append(el('span', 'model', session.model), tier);
  header.append(meta);
  if (session.tier !== 'isolated' && session.tier !== 'unrecorded' && session.tierNote) header.append(el('div', 'tier-note', session.tierNote));
}
