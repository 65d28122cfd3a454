// A lean `fetch` for the `ollama` client (its `fetch` option), over node:http(s) with one
// keep-alive agent per protocol. The global fetch (undici) costs ~1 ms of CPU per streamed
// chat request in its request/response machinery, its abort plumbing and, with the NDJSON
// check, a second web stream; this costs a fraction (issue 12: the eval harness's CPU per
// question). Even a web `Response` around a `ReadableStream` cost ~30 µs of CPU per request on
// Node 20 (the stream's constructor alone ~9 µs), so the client gets a LeanResponse instead: the
// members of a fetch Response it reads (ok, status, statusText, headers, json(), text(), and a
// body read through getReader()), fed straight from the node:http response. It keeps what the
// client and our error messages rely on: AbortSignal support, and the failures worded as the
// global fetch words them ("fetch failed" with the socket error as `cause`, "terminated" when
// the connection is lost mid-body), so errors.ts reads both alike. Every NDJSON line is checked
// before the client sees it (the client itself would skip a bad line with a warning).
import http from 'node:http';
import https from 'node:https';
import { MAX_BODY_BYTES, MAX_LINE_BYTES, tooLarge } from './bounds';
import type { BackendError } from './types';

const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

/**
 * How a request sent on a kept-alive connection that the server had just closed fails, before
 * any reply: the server's reset, or our write meeting the closed socket. Servers close idle
 * connections on their own clock (uvicorn, so vLLM: 5 s), so this is a race, not a failure.
 */
const STALE_CODES: ReadonlySet<unknown> = new Set(['ECONNRESET', 'EPIPE']);

/** Retries of one request after STALE_CODES on reused connections (one stale connection each). */
const MAX_STALE_RETRIES = 16;

/** Statuses whose response has no body (fetch gives them a null `body`). */
const NULL_BODY = new Set([101, 204, 205, 304]);

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}

/**
 * Splits NDJSON into lines and hands each complete one to `check` (which throws on a bad one).
 * Works on the bytes (a line is decoded once it is complete, so a character split between two
 * chunks needs no streaming decoder); linear in the input; throws `onTooLong()` once a line
 * exceeds MAX_LINE_BYTES without its newline. What it returns is what the client may read: only
 * whole lines, so that the client's own splitter (ollama-js joins what it has read and splits it
 * again at every chunk) never sees a long unfinished line grow a chunk at a time, which cost it
 * time quadratic in the line's length (87 s for a 16 MiB line on a loaded machine).
 */
class LineCheck {
  /** The line not yet ended, in pieces. */
  private pending: Buffer[] = [];
  /** Its bytes. */
  private lineBytes = 0;

  constructor(
    private readonly check: (line: string) => void,
    private readonly onTooLong: () => Error,
  ) {}

  /** Takes `chunk`; returns the bytes it completes (whole lines, with their newlines), or undefined while its line goes on. */
  push(chunk: Buffer): Buffer | undefined {
    const last = chunk.lastIndexOf(0x0a);
    if (last < 0) {
      this.lineBytes += chunk.length;
      if (this.lineBytes > MAX_LINE_BYTES) throw this.onTooLong();
      this.pending.push(chunk);
      return undefined;
    }
    const head = chunk.subarray(0, last + 1);
    const complete = this.pending.length === 0 ? head : Buffer.concat([...this.pending, head]);
    let start = 0;
    for (let newline = complete.indexOf(0x0a); newline >= 0; newline = complete.indexOf(0x0a, start)) {
      this.check(complete.toString('utf8', start, newline));
      start = newline + 1;
    }
    const rest = chunk.subarray(last + 1);
    this.pending = rest.length > 0 ? [rest] : [];
    this.lineBytes = rest.length;
    if (this.lineBytes > MAX_LINE_BYTES) throw this.onTooLong();
    return complete;
  }

  /** The body ended: checks its last line (one without a newline) and returns it for the client. */
  end(): Buffer {
    const tail = Buffer.concat(this.pending);
    this.check(tail.toString('utf8'));
    this.pending = [];
    return tail;
  }
}

/** What a body reader's `read()` resolves to. */
type ReadResult = { readonly done: false; readonly value: Uint8Array } | { readonly done: true; readonly value: undefined };

/**
 * A response body, read as the ollama client reads a fetch body: through one reader
 * (`getReader()`), `read()` until done, then `releaseLock()`; `cancel()` closes the connection.
 * Chunks wait in a queue until read. As with a web stream, a failed body rejects every read with
 * its failure and drops what was queued.
 */
class LeanBody {
  private readonly queue: Uint8Array[] = [];
  /** The read waiting for the next chunk. */
  private waiting: { readonly resolve: (result: ReadResult) => void; readonly reject: (error: unknown) => void } | undefined;
  private state: 'open' | 'closed' | 'failed' = 'open';
  private failure: unknown;
  /** A reader holds the body. */
  locked = false;
  /** It was read from or cancelled (Response.bodyUsed). */
  disturbed = false;

  /** `onCancel`: the reader gave up on the body (the transport closes the connection). */
  constructor(private readonly onCancel: () => void) {}

  /** A chunk arrived. */
  push(chunk: Uint8Array): void {
    if (this.state !== 'open') return;
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting.resolve({ done: false, value: chunk });
    else this.queue.push(chunk);
  }

  /** The body is complete: queued chunks can still be read, then `done`. */
  close(): void {
    if (this.state !== 'open') return;
    this.state = 'closed';
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve({ done: true, value: undefined });
  }

  fail(error: unknown): void {
    if (this.state !== 'open') return;
    this.state = 'failed';
    this.failure = error;
    this.queue.length = 0;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(error);
  }

  read(): Promise<ReadResult> {
    this.disturbed = true;
    const value = this.queue.shift();
    if (value) return Promise.resolve({ done: false, value });
    if (this.state === 'closed') return Promise.resolve({ done: true, value: undefined });
    if (this.state === 'failed') return Promise.reject(this.failure);
    if (this.waiting) return Promise.reject(new TypeError('A read of this body is already waiting.'));
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  cancel(): Promise<void> {
    this.disturbed = true;
    if (this.state === 'open') {
      this.close();
      this.queue.length = 0;
      this.onCancel();
    }
    return Promise.resolve();
  }

  /** The body's one reader, until it releases the lock. Throws a TypeError when already locked. */
  getReader(): { read(): Promise<ReadResult>; releaseLock(): void; cancel(): Promise<void> } {
    if (this.locked) throw new TypeError('The body is locked to another reader.');
    this.locked = true;
    return { read: () => this.read(), releaseLock: () => void (this.locked = false), cancel: () => this.cancel() };
  }
}

/** One-shot decodes (whole bodies); a leading byte-order mark is dropped, as Response.text() does. */
const utf8 = new TextDecoder('utf-8');

/**
 * A fetch Response as far as the ollama client reads one (ok, status, statusText, headers,
 * json(), text(), and `body.getReader()`). Its headers are built only when asked for (the client
 * reads them only on an error status).
 */
class LeanResponse {
  readonly ok: boolean;
  readonly redirected = false;
  readonly type = 'basic';
  private built: Headers | undefined;

  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    private readonly rawHeaders: readonly string[],
    readonly body: LeanBody | null,
  ) {
    this.ok = status >= 200 && status <= 299;
  }

  get headers(): Headers {
    if (!this.built) {
      this.built = new Headers();
      for (let i = 0; i + 1 < this.rawHeaders.length; i += 2) this.built.append(this.rawHeaders[i] ?? '', this.rawHeaders[i + 1] ?? '');
    }
    return this.built;
  }

  get bodyUsed(): boolean {
    return this.body?.disturbed ?? false;
  }

  /** The whole body as text (invalid UTF-8 becomes U+FFFD); rejects with the body's failure (e.g. over MAX_BODY_BYTES). */
  async text(): Promise<string> {
    if (!this.body) return '';
    if (this.body.disturbed || this.body.locked) throw new TypeError('Body is unusable: it has already been read.');
    const reader = this.body.getReader();
    const parts: Uint8Array[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value);
    reader.releaseLock();
    return utf8.decode(Buffer.concat(parts));
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }
}

/**
 * A whole JSON body on one line. The ollama client reads a streamed chat reply line by line
 * whatever its Content-Type, so a server that ignores `stream: true` and answers one JSON
 * document indented over many lines (a pretty-printing web framework in front of the model)
 * would be read as broken lines and no final one. Bodies that are not JSON, or already on one
 * line, are left as they are.
 */
function onOneLine(body: Buffer): Buffer {
  const newline = body.indexOf(0x0a);
  if (newline < 0 || body.toString('utf8', newline).trim() === '') return body;
  try {
    return Buffer.from(JSON.stringify(JSON.parse(utf8.decode(body))));
  } catch {
    return body;
  }
}

/** Tells `onErrorLine` about `body` (one line of JSON) when it is an object with an `error` field. */
function reportError(body: Buffer, onErrorLine: (line: string) => void): void {
  const text = utf8.decode(body).trim();
  if (!text.startsWith('{') || !text.includes('"error"')) return;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && 'error' in value) onErrorLine(text);
  } catch {
    // Not JSON: the client reports it.
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
 * NDJSON body with `onMalformed(line)` at its first line that is not JSON. `onErrorLine(line)` is
 * told each NDJSON line, and a whole JSON body with a 2xx status, that is an object with an `error`
 * field (the server's own failure), before
 * the client reads it: the client keeps only `String(error)` of it, "[object Object]" for an object. The host's memory
 * stays bounded whatever the server sends: an NDJSON line beyond MAX_LINE_BYTES, or another body
 * beyond MAX_BODY_BYTES (bounds.ts), fails the body with a BackendError ('protocol') and closes the
 * connection. Redirects are not followed (a 3xx is the client's error). URLs other than http(s)
 * go to the global fetch (and `close()` does not reach them).
 */
export function leanFetch(signal: AbortSignal | undefined, onMalformed: (line: string) => BackendError, onErrorLine?: (line: string) => void): LeanFetch {
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
    const body = typeof init?.body === 'string' ? Buffer.from(init.body) : undefined;
    if (init?.body != null && body === undefined) return Promise.reject(new TypeError('leanFetch sends string bodies only'));
    const outgoing: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => (outgoing[key] = value));
    if (body) outgoing['content-length'] = String(body.length);
    let staleLeft = MAX_STALE_RETRIES;
    const send = (): Promise<Response> =>
      new Promise<Response>((resolve, reject) => {
        const aborted = signals.find((s) => s.aborted);
        if (aborted) return reject(abortError(aborted));
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
          if (settled) return;
          // A kept-alive connection the server closed as we sent on it: nothing was answered, so
          // the request goes again, on another connection (Node's documented remedy, see
          // ClientRequest.reusedSocket). Each retry uses up one stale connection of the pool.
          if (request.reusedSocket && STALE_CODES.has((error as Error & { code?: unknown }).code) && staleLeft-- > 0) {
            settled = true;
            resolve(send());
            return;
          }
          // Before the response: as the global fetch says it (errors.ts reads the code from `cause`).
          fail(new TypeError('fetch failed', { cause: error }));
        });
        request.on('response', (response) => {
          settled = true;
          const status = response.statusCode ?? 0;
          const contentType = response.headers['content-type'] ?? '';
          const ndjson = /ndjson/i.test(contentType);
          // A whole JSON document (not NDJSON): held until complete, then handed on in one line (onOneLine).
          const whole: Buffer[] | undefined = !ndjson && status >= 200 && status <= 299 && /application\/json/i.test(contentType) ? [] : undefined;
          let done = false;
          const lines = ndjson
            ? new LineCheck(
                (line) => {
                  const trimmed = line.trim();
                  if (trimmed.length === 0) return;
                  let value: unknown;
                  try {
                    value = JSON.parse(trimmed);
                  } catch {
                    throw onMalformed(trimmed);
                  }
                  if (onErrorLine && typeof value === 'object' && value !== null && 'error' in value) onErrorLine(trimmed);
                },
                () => tooLarge(url.origin, 'a streamed line', MAX_LINE_BYTES),
              )
            : // Any other Content-Type (text/plain, none: proxies label replies so) with a 2xx status is read
              // line by line all the same, which the client does whatever the type: an `{"error": …}`
              // line is told as in NDJSON (the client would say "[object Object]" of an error object).
              whole === undefined && onErrorLine && status >= 200 && status <= 299
              ? new LineCheck(
                  (line) => reportError(Buffer.from(line), onErrorLine),
                  () => tooLarge(url.origin, 'a streamed line', MAX_LINE_BYTES),
                )
              : undefined;
          let bodyBytes = 0;
          const lean = NULL_BODY.has(status)
            ? null
            : new LeanBody(() => {
                done = true;
                cleanup();
                response.destroy();
              });
          fail = (error) => {
            if (done) return;
            done = true;
            cleanup();
            lean?.fail(error);
          };
          response.on('data', (chunk: Buffer) => {
            if (done) return;
            let handOn: Buffer | undefined = chunk;
            try {
              bodyBytes += chunk.length;
              if (lines) handOn = lines.push(chunk);
              else if (bodyBytes > MAX_BODY_BYTES) throw tooLarge(url.origin, 'a reply', MAX_BODY_BYTES);
            } catch (error) {
              fail(error instanceof Error ? error : new Error(String(error)));
              response.destroy();
              return;
            }
            if (whole) whole.push(chunk);
            else if (handOn) lean?.push(handOn);
          });
          response.on('end', () => {
            if (done) return;
            let tail: Buffer | undefined;
            try {
              tail = lines?.end();
            } catch (error) {
              fail(error instanceof Error ? error : new Error(String(error)));
              return;
            }
            done = true;
            cleanup();
            if (whole && whole.length > 0) {
              const body = onOneLine(Buffer.concat(whole));
              // A whole body that is the server's error (HTTP 200 `{"error": …}`, as proxies answer): told like an NDJSON error line.
              if (onErrorLine) reportError(body, onErrorLine);
              lean?.push(body);
            }
            if (tail && tail.length > 0) lean?.push(tail);
            lean?.close();
          });
          // The connection closed before the body was complete: undici's word for it.
          response.on('error', (error) => fail(new TypeError('terminated', { cause: error })));
          response.on('close', () => {
            if (!response.complete) fail(new TypeError('terminated'));
          });
          if (lean === null) {
            cleanup();
            response.resume();
          }
          // The client reads only the members LeanResponse has (see there); its backend tests speak real HTTP.
          resolve(new LeanResponse(url.href, status, response.statusMessage ?? '', response.rawHeaders, lean) as unknown as Response);
        });
        request.end(body);
      });
    return send();
  };
  return { fetch: lean, close };
}
