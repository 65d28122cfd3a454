// `r1ci eval` asks the server before the first question: is it there, and does it have the
// model? A run of hundreds of questions should not start only to record the same error for each
// (and leave a results file full of them).
import type { ModelBackend } from '../agent/backends';
import { modelMissing } from '../agent/backends/errors';
import { knob } from '../text/frontEnd';
import { CliError, EXIT } from './cliSupport';

/** Ollama resolves a name without a tag to `:latest`; OpenAI-compatible servers need the exact id. */
export function serverHasModel(kind: 'ollama' | 'openai', names: readonly string[], model: string): boolean {
  if (names.includes(model)) return true;
  if (kind !== 'ollama') return false;
  return model.includes(':') ? model.endsWith(':latest') && names.includes(model.slice(0, -':latest'.length)) : names.includes(`${model}:latest`);
}

/**
 * How long the server may take to list its models (ms). A local server answers at once even while
 * it loads a model; a serverless endpoint scaled to zero answers after its cold start (often
 * 30–120 s), and a single-threaded one after another client's generation. Past this, it is stuck,
 * or something else holds that port. The same 5 minutes as the model-loading retries allow a turn.
 */
export const SERVER_CHECK_TIMEOUT_MS = 300_000;

/** After this long (ms) without the list, the user is told the check is still waiting, and how to stop it. */
export const SERVER_CHECK_NOTICE_MS = 10_000;

/** Bounds of `checkServerAndModel`: the limit and the notice (ms), and where the notice goes (one line, no newline). */
export interface ServerCheckOptions {
  readonly timeoutMs?: number;
  readonly noticeAfterMs?: number;
  readonly onSlow?: (line: string) => void;
}

/**
 * Lists the server's models and checks `model` is among them; `options.timeoutMs` bounds the
 * listing, and `options.onSlow` gets one line when it takes longer than `noticeAfterMs`.
 * @throws CliError (exit 1) with the backend's message — which names the CLI's flags and
 *   environment variables — when the server is unreachable, is the wrong kind, does not answer
 *   within the limit, or lacks the model; CliError (exit 130) when `signal` aborts (before or during).
 */
export async function checkServerAndModel(backend: ModelBackend, model: string, signal: AbortSignal, options: ServerCheckOptions = {}): Promise<void> {
  const { timeoutMs = SERVER_CHECK_TIMEOUT_MS, noticeAfterMs = SERVER_CHECK_NOTICE_MS, onSlow } = options;
  if (signal.aborted) throw new CliError('cancelled before the first question.', EXIT.cancelled);
  let names: string[];
  // A server that takes the connection and never answers had the command wait for ever, silent.
  const listing = new AbortController();
  const stop = (): void => listing.abort();
  signal.addEventListener('abort', stop, { once: true });
  const timer = setTimeout(stop, timeoutMs);
  const notice = onSlow
    ? setTimeout(() => onSlow(`waiting for the server at ${backend.baseUrl} to list its models (one starting from cold can take minutes; it is given ${timeoutMs / 1000} s; Ctrl-C to stop)…`), noticeAfterMs)
    : undefined;
  try {
    names = (await backend.listModels(listing.signal)).map((m) => m.name);
  } catch (error) {
    if (signal.aborted) throw new CliError('cancelled before the first question.', EXIT.cancelled);
    if (listing.signal.aborted) {
      const where = knob(backend.kind === 'ollama' ? 'ollamaHost' : 'openaiBaseUrl');
      throw new CliError(`The server at ${backend.baseUrl} did not answer the list of its models within ${timeoutMs / 1000} s: it is stuck, or not the model server — restart it, or check ${where}.`, EXIT.failure);
    }
    throw new CliError(error instanceof Error ? error.message : String(error), EXIT.failure);
  } finally {
    clearTimeout(timer);
    clearTimeout(notice);
    signal.removeEventListener('abort', stop);
  }
  if (!serverHasModel(backend.kind, names, model)) {
    const listed = names.length === 0 ? 'it has none' : `it has ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''}`;
    throw new CliError(modelMissing(backend.kind, backend.baseUrl, model, listed).message, EXIT.failure);
  }
}
