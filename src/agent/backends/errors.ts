// Turns low-level network failures into messages a user can act on.
import { BackendError } from './types';
import { knob, pullAdvice, type Knob } from '../../text/frontEnd';

/** Node's fetch wraps the socket error in `cause`; dig out its code (ECONNREFUSED, ENOTFOUND, ...). */
export function networkErrorCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e instanceof Error; depth++) {
    const code = (e as Error & { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as Error & { cause?: unknown }).cause;
  }
  return undefined;
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || /aborted/i.test(error.message));
}

/** Maps a failed connection to a sentence naming the server and what to do next (`urlKnob`: where the URL is set). */
export function unreachableError(serverName: string, baseUrl: string, error: unknown, hint: string, urlKnob: Knob): BackendError | undefined {
  const code = networkErrorCode(error);
  if (code === 'ECONNREFUSED' || (code === 'ECONNRESET' && /fetch failed/.test(String(error)))) return new BackendError(`No ${serverName} server at ${baseUrl} — ${hint}`, 'server-unreachable');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new BackendError(`Cannot resolve the ${serverName} host in ${baseUrl} — check ${knob(urlKnob)}.`, 'server-unreachable');
  if (isConnectionLost(error)) return connectionLost(serverName, baseUrl);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
  if (/bad port/i.test(cause)) return new BackendError(`Cannot connect to ${baseUrl}: that port is blocked for HTTP clients (a "bad port") — use another port.`, 'server-unreachable');
  if (error instanceof TypeError && /fetch failed/i.test(error.message)) return new BackendError(`Cannot reach the ${serverName} server at ${baseUrl} (${code ?? error.message}) — ${hint}`, 'server-unreachable');
  return undefined;
}

/**
 * The server has no model called `model`. Ollama: pull it; an OpenAI-compatible server serves
 * what it was started with, so another name is the fix. `detail` is the server's own words.
 */
export function modelMissing(kind: 'ollama' | 'openai', baseUrl: string, model: string, detail?: string): BackendError {
  const why = detail ? ` (${detail})` : '';
  return kind === 'ollama'
    ? new BackendError(`The model "${model}" is not pulled on the Ollama server at ${baseUrl}${why} — ${pullAdvice(model)}.`, 'model-missing', 404)
    : new BackendError(`The server at ${baseUrl} does not serve the model "${model}"${why} — pick one it lists under /v1/models with ${knob('model')}.`, 'model-missing', 404);
}

/** undici's ways of saying the socket closed under a streaming body ("terminated", "other side closed"). */
export function isConnectionLost(error: unknown): boolean {
  const code = networkErrorCode(error);
  if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE') return true;
  const message = error instanceof Error ? error.message : String(error);
  return /^terminated$|other side closed|socket hang up|Did not receive done/i.test(message);
}

export function connectionLost(serverName: string, baseUrl: string): BackendError {
  return new BackendError(
    `The ${serverName} server at ${baseUrl} closed the connection before the reply was complete (it may have crashed or run out of memory) — retry, and check the server's log if it happens again.`,
    'connection-lost',
  );
}

/** The error for a line of a streamed reply that is not what the protocol allows. */
export function malformedLine(serverName: string, baseUrl: string, what: string, line: string): BackendError {
  const shown = line.length > 120 ? `${line.slice(0, 120)}…` : line;
  return new BackendError(`The ${serverName} server at ${baseUrl} sent a malformed ${what}: ${JSON.stringify(shown)} — the reply was abandoned rather than silently losing text.`, 'protocol');
}
