// How much of a model server's reply the host holds at once, whatever the server sends: a line
// that never ends, an endless JSON body or error page would otherwise fill the host's memory
// (the server is not trusted: a wrong URL, a proxy, a hostile host). Both backends use these.
import { BackendError } from './types';

/** The longest streamed line (NDJSON, event-stream) kept while waiting for its newline; a server sends one token or one whole tool call per line. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** The largest whole body read: replies without streaming, model lists, /api/show, error pages. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** The error for a reply over one of the bounds (`what`: "a streamed line", "a reply"; `limit` in bytes). */
export function tooLarge(server: string, what: string, limit: number): BackendError {
  return new BackendError(`The model server at ${server} sent ${what} larger than ${limit / (1024 * 1024)} MiB — the reply was abandoned (is this really the model server?).`, 'protocol');
}

/**
 * `response.text()` that reads at most MAX_BODY_BYTES: beyond, the body is cancelled (closing the
 * connection) and `tooLarge(server, …)` is thrown. Invalid UTF-8 becomes U+FFFD, as in text().
 */
export async function readTextWithin(response: Response, server: string): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder('utf-8');
  const parts: string[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
    if (bytes > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(server, 'a reply', MAX_BODY_BYTES);
    }
    parts.push(decoder.decode(value, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join('');
}
