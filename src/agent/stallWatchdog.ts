// Ends a model stream that has gone quiet. A server that keeps the connection open but sends
// nothing (a wedged GPU, a proxy holding the socket) would otherwise leave the user staring at
// a spinner forever. Only time spent waiting on the server counts: while the consumer handles
// a chunk (renders it, asks for approval) the clock is stopped.
import { BackendError } from './backends/types';
import { knob } from '../text/frontEnd';

/**
 * Default silence allowed between two tokens, seconds. The one declaration: the settings table
 * ("r1ci.stallSeconds") and the CLI's --stall-seconds take their default from here.
 */
export const DEFAULT_STALL_SECONDS = 60;
/** Default silence allowed before the first token, seconds: loading a large model from disk takes minutes. */
export const DEFAULT_FIRST_TOKEN_SECONDS = 300;
/**
 * Silence allowed for a reply that comes whole (a request sent unstreamed: llama.cpp servers that
 * cannot stream tool calls; servers that ignore `stream: true`), ms: the whole generation, not just
 * its first token. At least the first token's allowance. The user can stop the run at any time.
 */
export const WHOLE_REPLY_MS = 30 * 60_000;

export interface StallLimits<T = unknown> {
  /** Allowed silence before the first chunk (model loading from disk can take minutes). */
  readonly firstChunkMs: number;
  /** Allowed silence between two chunks. */
  readonly betweenChunksMs: number;
  /** Named in the message, e.g. "Ollama server at http://127.0.0.1:11434". */
  readonly serverName: string;
  /**
   * A chunk that says the reply will come whole (the backends' `whole-reply`): the wait after it
   * is allowed `max(WHOLE_REPLY_MS, firstChunkMs)`, since nothing comes until the model finishes.
   */
  readonly awaitsWholeReply?: (chunk: T) => boolean;
  /**
   * A chunk that is no token of the reply (the backends' `whole-reply` and `reply-started`): the
   * allowance before the first token stays in force after it. Default: `awaitsWholeReply`.
   */
  readonly isNotice?: (chunk: T) => boolean;
}

/**
 * Re-yields `source`; when it is silent too long, aborts `request` (which makes the backend
 * finish its HTTP request) and throws a BackendError of kind 'stalled'. "Silent" is judged after
 * the event loop has read what already reached the host: a host whose loop was held is not a
 * stalled server.
 */
export async function* watchForStall<T>(source: AsyncIterable<T>, request: AbortController, limits: StallLimits<T>): AsyncGenerator<T, void, undefined> {
  const iterator = source[Symbol.asyncIterator]();
  let first = true;
  /** The last chunk said the reply comes whole. */
  let whole = false;
  /** The source ended by itself (nothing to clean up). */
  let finished = false;
  try {
    for (;;) {
      const limit = whole ? Math.max(WHOLE_REPLY_MS, limits.firstChunkMs) : first ? limits.firstChunkMs : limits.betweenChunksMs;
      const next = iterator.next();
      let timer: NodeJS.Timeout | undefined;
      let verdict: NodeJS.Immediate | undefined;
      const silence = new Promise<'stalled'>((resolve) => {
        // The verdict waits for the loop to read its sockets once more: when the host itself was
        // held (a loaded machine, a long synchronous task), the timer comes due before the chunk
        // that reached the socket meanwhile is read, and that chunk was in time.
        timer = setTimeout(() => {
          verdict = setImmediate(() => resolve('stalled'));
        }, limit);
      });
      const outcome = await Promise.race([next, silence]).finally(() => {
        clearTimeout(timer);
        clearImmediate(verdict);
      });
      if (outcome === 'stalled') {
        request.abort();
        // The aborted request settles `next` soon; nobody awaits it any more.
        next.then(
          () => undefined,
          () => undefined,
        );
        const seconds = Math.round(limit / 100) / 10;
        throw new BackendError(
          whole
            ? `The ${limits.serverName} sent no reply within ${seconds} s. It answers unstreamed, so the reply comes only when the model has finished: ask for a shorter answer, or lower the model's output limit on the server.`
            : first
              ? `The ${limits.serverName} did not start answering within ${seconds} s (the model may still be loading, or the server is stuck) — retry, or raise ${knob('stallSeconds')}.`
              : `The ${limits.serverName} stalled: no token for ${seconds} s — retry, or raise ${knob('stallSeconds')} for a slow machine.`,
          'stalled',
        );
      }
      if (outcome.done) {
        finished = true;
        return;
      }
      whole = limits.awaitsWholeReply?.(outcome.value) ?? false;
      // A notice is no answer: a stall after it is still one before the first token.
      if (!(limits.isNotice?.(outcome.value) ?? whole)) first = false;
      yield outcome.value;
    }
  } finally {
    // The consumer stopped early (a closing fence) or we stalled: let the source clean up
    // (release its socket) without waiting for it when it is stuck on an aborted read.
    if (!finished) void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}
