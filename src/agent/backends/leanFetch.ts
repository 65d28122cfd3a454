// A lean `fetch` for the `ollama` client (its `fetch` option), over node:http(s) with one
// keep-alive agent per protocol. The global fetch (undici) costs ~1 ms of CPU per streamed
// chat request in its request/response machinery, its abort plumbing and, with the NDJSON
// check, a second web stream; this costs a fraction (issue 12: the eval harness's CPU per
// question). It keeps what the client and our error messages rely on: a real `Response`
// whose body is a web stream, AbortSignal support, and the failures worded as the global
// fetch words them ("fetch failed" with the socket error as `cause`, "terminated" when the
// connection is lost mid-body), so errors.ts reads both alike. Every NDJSON line is checked
// before the client sees it (the client itself would skip a bad line with a warning).
import http from 'node:http';
import https from 'node:https';
import { MAX_BODY_BYTES, MAX_LINE_BYTES, tooLarge } from './bounds';
import type { BackendError } from './types';

const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

/** Statuses whose Response must have no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 204, 205, 304]);

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}

/**
 * Splits NDJSON into lines and hands each complete one to `check` (which throws on a bad one).
 * Linear in the input (only new text is searched for a newline); throws `onTooLong()` once a
 * line exceeds MAX_LINE_BYTES without its newline.
 */
class LineCheck {
  private pending: string[] = [];
  /** Bytes of the line not yet ended. */
  private lineBytes = 0;
  private readonly decoder = new TextDecoder('utf-8');

  constructor(
    private readonly check: (line: string) => void,
    private readonly onTooLong: () => Error,
  ) {}

  push(chunk: Uint8Array): void {
    const last = chunk.lastIndexOf(0x0a);
    this.lineBytes = last < 0 ? this.lineBytes + chunk.length : chunk.length - last - 1;
    if (this.lineBytes > MAX_LINE_BYTES) throw this.onTooLong();
    const text = this.decoder.decode(chunk, { stream: true });
    let newline = text.indexOf('\n');
    if (newline < 0) {
      this.pending.push(text);
      return;
    }
    this.check(this.pending.join('') + text.slice(0, newline));
    this.pending = [];
    let start = newline + 1;
    for (newline = text.indexOf('\n', start); newline >= 0; newline = text.indexOf('\n', start)) {
      this.check(text.slice(start, newline));
      start = newline + 1;
    }
    if (start < text.length) this.pending.push(text.slice(start));
  }

  end(): void {
    this.check(this.pending.join('') + this.decoder.decode());
  }
}

/** A fetch for one client, and the way to end what it still has in flight. */
export interface LeanFetch {
  readonly fetch: typeof fetch;
  /**
   * Ends every request whose body has not fully arrived: the HTTP request is destroyed (which
   * stops the server's generation) and its body fails with an AbortError. A reply that already
   * arrived is left alone (its connection went back to the pool). Unlike the client's own
   * `abort()`, this builds no AbortError when there is nothing to end: capturing one cost ~20 µs
   * per request in the evaluation harness (issue 12).
   */
  close(): void;
}

/**
 * A fetch that also listens to `signal` (cancel aborts the HTTP request itself) and fails an
 * NDJSON body with `onMalformed(line)` at its first line that is not JSON. The host's memory
 * stays bounded whatever the server sends: an NDJSON line beyond MAX_LINE_BYTES, or another body
 * beyond MAX_BODY_BYTES (bounds.ts), fails the body with a BackendError ('protocol') and closes the
 * connection. Redirects are not followed (a 3xx is the client's error). URLs other than http(s)
 * go to the global fetch (and `close()` does not reach them).
 */
export function leanFetch(signal: AbortSignal | undefined, onMalformed: (line: string) => BackendError): LeanFetch {
  /** How to end each request in flight, until its body has arrived or failed. */
  const inFlight = new Set<(error: Error) => void>();
  const close = (): void => {
    if (inFlight.size === 0) return;
    const error = new DOMException('This operation was aborted', 'AbortError');
    for (const end of [...inFlight]) end(error);
  };
  const lean: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const agent = url.protocol === 'http:' ? agents['http:'] : url.protocol === 'https:' ? agents['https:'] : undefined;
    const signals = [signal, init?.signal ?? undefined].filter((s): s is AbortSignal => s !== undefined);
    if (!agent || input instanceof Request) return fetch(input, { ...init, signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0] });
    return new Promise<Response>((resolve, reject) => {
      const aborted = signals.find((s) => s.aborted);
      if (aborted) return reject(abortError(aborted));
      const headers = new Headers(init?.headers);
      const body = typeof init?.body === 'string' ? Buffer.from(init.body) : undefined;
      if (init?.body != null && body === undefined) return reject(new TypeError('leanFetch sends string bodies only'));
      const outgoing: Record<string, string> = {};
      headers.forEach((value, key) => (outgoing[key] = value));
      if (body) outgoing['content-length'] = String(body.length);
      const request = (url.protocol === 'https:' ? https : http).request(url, { method: init?.method ?? 'GET', headers: outgoing, agent });
      let settled = false;
      let fail: (error: Error) => void = (error) => {
        settled = true;
        reject(error);
      };
      const end = (error: Error): void => {
        fail(error);
        request.destroy();
      };
      const onAbort = (): void => {
        const s = signals.find((x) => x.aborted);
        end(s ? abortError(s) : new DOMException('This operation was aborted', 'AbortError'));
      };
      for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
      inFlight.add(end);
      const cleanup = (): void => {
        inFlight.delete(end);
        for (const s of signals) s.removeEventListener('abort', onAbort);
      };
      request.on('error', (error) => {
        cleanup();
        // Before the response: as the global fetch says it (errors.ts reads the code from `cause`).
        if (!settled) fail(new TypeError('fetch failed', { cause: error }));
      });
      request.on('response', (response) => {
        settled = true;
        const status = response.statusCode ?? 0;
        const responseHeaders = new Headers();
        const raw = response.rawHeaders;
        for (let i = 0; i + 1 < raw.length; i += 2) responseHeaders.append(raw[i] ?? '', raw[i + 1] ?? '');
        const ndjson = /ndjson/i.test(responseHeaders.get('content-type') ?? '');
        let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
        let done = false;
        fail = (error) => {
          if (done) return;
          done = true;
          cleanup();
          controller?.error(error);
        };
        const lines = ndjson
          ? new LineCheck(
              (line) => {
                const trimmed = line.trim();
                if (trimmed.length === 0) return;
                try {
                  JSON.parse(trimmed);
                } catch {
                  throw onMalformed(trimmed);
                }
              },
              () => tooLarge(url.origin, 'a streamed line', MAX_LINE_BYTES),
            )
          : undefined;
        let bodyBytes = 0;
        const stream = NULL_BODY.has(status)
          ? null
          : new ReadableStream<Uint8Array>({
              start(c) {
                controller = c;
              },
              cancel() {
                done = true;
                cleanup();
                response.destroy();
              },
            });
        response.on('data', (chunk: Buffer) => {
          if (done) return;
          const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
          try {
            bodyBytes += bytes.length;
            if (lines) lines.push(bytes);
            else if (bodyBytes > MAX_BODY_BYTES) throw tooLarge(url.origin, 'a reply', MAX_BODY_BYTES);
          } catch (error) {
            fail(error instanceof Error ? error : new Error(String(error)));
            response.destroy();
            return;
          }
          controller?.enqueue(bytes);
        });
        response.on('end', () => {
          if (done) return;
          try {
            lines?.end();
          } catch (error) {
            fail(error instanceof Error ? error : new Error(String(error)));
            return;
          }
          done = true;
          cleanup();
          controller?.close();
        });
        // The connection closed before the body was complete: undici's word for it.
        response.on('error', (error) => fail(new TypeError('terminated', { cause: error })));
        response.on('close', () => {
          if (!response.complete) fail(new TypeError('terminated'));
        });
        if (stream === null) {
          cleanup();
          response.resume();
        }
        resolve(new Response(stream, { status, statusText: response.statusMessage ?? '', headers: responseHeaders }));
      });
      request.end(body);
    });
  };
  return { fetch: lean, close };
}
