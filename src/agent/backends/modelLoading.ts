// A model server that is still loading its model answers HTTP 503 and says so, often with how
// long to wait: the agent waits and asks again (runAgent.ts) instead of failing the turn or
// retrying once at once. The wait bounds are here, in one place.
import { z } from 'zod';
import { serverErrorDetail } from './errors';
import { BackendError } from './types';

/**
 * The shortest wait between two tries, in ms: a server that asks for 0 s (or gives an HTTP date
 * already past, RFC 9110 §10.2.3) is still not asked again in a tight loop.
 */
export const LOADING_MIN_WAIT_MS = 1000;

/**
 * The longest single wait, in ms. Hugging Face's Inference API answers HTTP 503 `{"error": "Model
 * … is currently loading", "estimated_time": 20.0}` while it loads a model (its ModelLoadingResponse;
 * huggingface/api-inference-community#34), an estimate in seconds that can be minutes or more
 * (2531 s reported); the model may be ready sooner, so the server is asked again at least this often.
 */
export const LOADING_MAX_WAIT_MS = 30_000;

/**
 * The wait when the server names none, in ms: llama.cpp's server answers HTTP 503 `{"error":
 * {"code": 503, "message": "Loading model", "type": "unavailable_error"}}`, without a Retry-After
 * header, while "Model is being loaded" (tools/server README, `GET /health`; its other endpoints alike).
 */
export const LOADING_DEFAULT_WAIT_MS = 5000;

/**
 * How long one turn waits in all for a loading model, in ms (5 minutes, as long as the stall
 * watchdog's first-token allowance, stallWatchdog.ts: loading a large model from disk takes
 * minutes). Beyond it the run ends with an error that says the server was still loading.
 */
export const LOADING_TOTAL_WAIT_MS = 300_000;

/**
 * The first wait before asking a busy server again, in ms, when it names none; each further wait
 * doubles, up to BUSY_MAX_WAIT_MS. A server whose queue is full is asked again, not at once (that
 * request would join the very crowd it was refused for) nor only once.
 */
export const BUSY_FIRST_WAIT_MS = 1000;

/** The longest wait between two tries of a busy server, in ms, when it names none. */
export const BUSY_MAX_WAIT_MS = 16_000;

/**
 * Ollama's own refusal when its queue is full: HTTP 503 "server busy, please try again.  maximum
 * pending requests exceeded" once OLLAMA_MAX_QUEUE requests (default 512) wait (ollama/ollama#4144,
 * ErrMaxQueue in server/sched.go; docs/faq.md "How does Ollama handle concurrent requests?": "If
 * too many requests are sent to the server, it will respond with a 503 error indicating the server
 * is overloaded"); other servers' "too many requests" and "overloaded" 503s alike.
 */
const BUSY = /server busy|maximum pending requests|too many (pending |concurrent )?requests|overloaded/i;

/** Hugging Face's loading reply (TGI, the Inference API): `{"error": "Model … is currently loading", "estimated_time": 20.0}`. */
const estimatedTimeSchema = z.looseObject({ estimated_time: z.number().nonnegative() });

/**
 * The server is loading the model (HTTP 503 saying so), or is unavailable for as long as its
 * Retry-After says: worth waiting for. `retryAfterMs` is the
 * wait it asked for (Retry-After header, else `estimated_time`), in ms, or undefined when it named none.
 */
export class ModelLoadingError extends BackendError {
  constructor(message: string, retryAfterMs: number | undefined) {
    super(message, 'http', 503, retryAfterMs);
    this.name = 'ModelLoadingError';
  }
}

/**
 * The server is too busy to take the request (HTTP 503 saying so: BUSY): asked again after the wait
 * its Retry-After names, else after a backoff (busyWaitMs), within the same total cap as a loading model.
 */
export class ServerBusyError extends ModelLoadingError {
  constructor(message: string, retryAfterMs: number | undefined) {
    super(message, retryAfterMs);
    this.name = 'ServerBusyError';
  }
}

/**
 * The error for an HTTP 503 reply that says the server is busy (ServerBusyError) or the model is
 * loading, or undefined for any other reply.
 * It says so by an `estimated_time` field (TGI, Hugging Face), a Retry-After header (the RFC 9110
 * §10.2.3 way for 503: `retryAfter`, in ms), or its message ("Loading model": llama.cpp; "… is
 * currently loading": Hugging Face). `body` is the reply's text.
 */
export function modelLoadingError(baseUrl: string, status: number, body: string, retryAfter: number | undefined): ModelLoadingError | undefined {
  if (status !== 503) return undefined;
  let estimated: number | undefined;
  try {
    const parsed = estimatedTimeSchema.safeParse(JSON.parse(body));
    estimated = parsed.success ? Math.min(parsed.data.estimated_time * 1000, Number.MAX_SAFE_INTEGER) : undefined;
  } catch {
    estimated = undefined;
  }
  const { message } = serverErrorDetail(body);
  if (BUSY.test(message)) return new ServerBusyError(`The server at ${baseUrl} is busy (HTTP 503: ${message})`, retryAfter);
  const loading = estimated !== undefined || /\bloading\b/i.test(message);
  if (!loading && retryAfter === undefined) return undefined;
  // A 503 with only a Retry-After says "unavailable for a while" (RFC 9110 §15.6.4), not why.
  const state = loading ? 'is still loading the model' : 'is temporarily unavailable';
  return new ModelLoadingError(`The server at ${baseUrl} ${state} (HTTP 503: ${message || 'no details'})`, retryAfter ?? estimated);
}

/** How long to wait before asking again, in ms: what the server asked (`asked`, ms), else LOADING_DEFAULT_WAIT_MS, within LOADING_MIN_WAIT_MS..LOADING_MAX_WAIT_MS. */
export function loadingWaitMs(asked: number | undefined): number {
  return Math.min(LOADING_MAX_WAIT_MS, Math.max(LOADING_MIN_WAIT_MS, asked ?? LOADING_DEFAULT_WAIT_MS));
}

/**
 * How long to wait before asking a busy server again, in ms: what it asked (`asked`, ms, its
 * Retry-After) within LOADING_MIN_WAIT_MS..LOADING_MAX_WAIT_MS, else BUSY_FIRST_WAIT_MS doubled
 * for each wait before (`waitsBefore`), at most BUSY_MAX_WAIT_MS.
 */
export function busyWaitMs(asked: number | undefined, waitsBefore: number): number {
  if (asked !== undefined) return loadingWaitMs(asked);
  return Math.min(BUSY_MAX_WAIT_MS, BUSY_FIRST_WAIT_MS * 2 ** Math.min(waitsBefore, 30));
}

/**
 * The error that ends a run whose server was still loading (or still busy) `waitedMs` after its
 * first such answer, in wall time (the cap: `capMs`).
 */
export function loadingTimedOut(error: ModelLoadingError, waitedMs: number, capMs: number): ModelLoadingError {
  const waited = `after ${Math.round(waitedMs / 1000)} s of waiting (at most ${Math.round(capMs / 1000)} s are waited)`;
  if (error instanceof ServerBusyError) return new ServerBusyError(`${error.message} — still busy ${waited}; try again later, or raise OLLAMA_MAX_QUEUE on an Ollama server.`, error.retryAfterMs);
  return new ModelLoadingError(`${error.message} — still loading ${waited}; ask again once the server's log says the model is loaded.`, error.retryAfterMs);
}
