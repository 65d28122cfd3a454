// Turns low-level network failures into messages a user can act on.
import { BackendError } from './types';

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

/** Maps a failed connection to a sentence naming the server and what to do next. */
export function unreachableError(serverName: string, baseUrl: string, error: unknown, hint: string): BackendError | undefined {
  const code = networkErrorCode(error);
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' && /fetch failed/.test(String(error)))
    return new BackendError(`No ${serverName} server at ${baseUrl} — ${hint}`, 'server-unreachable');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new BackendError(`Cannot resolve the ${serverName} host in ${baseUrl} — check the host setting.`, 'server-unreachable');
  if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET')
    return new BackendError(`The ${serverName} server at ${baseUrl} closed the connection mid-reply.`, 'protocol');
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
  if (/bad port/i.test(cause))
    return new BackendError(`Cannot connect to ${baseUrl}: that port is blocked for HTTP clients (a "bad port") — use another port.`, 'server-unreachable');
  if (error instanceof TypeError && /fetch failed/i.test(error.message))
    return new BackendError(`Cannot reach the ${serverName} server at ${baseUrl} (${code ?? error.message}) — ${hint}`, 'server-unreachable');
  return undefined;
}
