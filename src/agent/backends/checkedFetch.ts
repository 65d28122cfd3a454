// A fetch for the `ollama` npm client that refuses malformed NDJSON. The client's own parser
// skips a line that is not JSON with a console.warn, so a garbled chunk would silently drop
// model text (and with it, maybe, a closing code fence). We check every line of a streamed
// body before the client sees it and fail the stream with a clear BackendError instead.
import type { BackendError } from './types';

/**
 * A TransformStream that passes the bytes through unchanged while checking that every complete
 * line is JSON. `onMalformed` builds the error for the first line that is not.
 */
export function ndjsonGuard(onMalformed: (line: string) => BackendError): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  const check = (line: string, controller: TransformStreamDefaultController<Uint8Array>): boolean => {
    const trimmed = line.trim();
    if (trimmed.length === 0) return true;
    try {
      JSON.parse(trimmed);
      return true;
    } catch {
      controller.error(onMalformed(trimmed));
      return false;
    }
  };
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      pending += decoder.decode(chunk, { stream: true });
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        if (!check(pending.slice(0, newline), controller)) return;
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
      controller.enqueue(chunk);
    },
    flush(controller) {
      pending += decoder.decode();
      check(pending, controller);
    },
  });
}

/**
 * Wraps `fetch` so that (1) every request also listens to `signal` (cancel aborts the HTTP
 * request itself) and (2) NDJSON response bodies go through `ndjsonGuard`.
 */
export function checkedFetch(signal: AbortSignal | undefined, onMalformed: (line: string) => BackendError): typeof fetch {
  return async (input, init) => {
    const combined = signal && init?.signal ? AbortSignal.any([signal, init.signal]) : (signal ?? init?.signal ?? undefined);
    const response = await fetch(input, { ...init, signal: combined });
    const type = response.headers.get('content-type') ?? '';
    if (!response.body || !/ndjson/i.test(type)) return response;
    return new Response(response.body.pipeThrough(ndjsonGuard(onMalformed)), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}
