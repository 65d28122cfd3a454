// Entry point of the solve panel's webview: validates every host message and hands it to the transcript.
import { hostMessageSchema } from '../../src/views/messages';
import { Transcript } from './transcript';
import { vscode } from './vscodeApi';

function byId<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`missing #${id}`);
  return e as T;
}

const stop = byId<HTMLButtonElement>('stop');
const transcript = new Transcript(byId('transcript'), byId('session'), byId('answer'), byId('status'), stop);

stop.addEventListener('click', () => {
  stop.disabled = true;
  vscode.postMessage({ type: 'cancel' });
});

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
  const message = parsed.data;
  if (message.type === 'session') {
    stop.disabled = false;
    transcript.showSession(message.session);
  } else {
    transcript.apply(message.events);
  }
});

vscode.postMessage({ type: 'ready' });
