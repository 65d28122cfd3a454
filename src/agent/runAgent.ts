// The R1-CI loop: prompt → stream → cut at the closing fence → run the code → feed the result
// back → repeat, until the model answers or the code-call budget is spent.
import type { AgentErrorKind, AgentEvent, StopReason, TurnStats } from './events';
import { BackendError, type ChatChunk, type ChatMessage, type ChatRequest } from './backends/types';
import { ContextWatch } from './contextWatch';
import { watchForStall, type StallLimits } from './stallWatchdog';
import { CodeBlockDetector, type CodeBlock } from './codeBlocks';
import { extractFinalAnswer } from './finalAnswer';
import { appendExecution, formatExecution, formatNotRun, initialMessages, type ProtocolMode } from './protocol';
import type { CodeRunner, ExecResult } from '../sandbox/types';
import type { ModelRunSettings } from './modelRunSettings';
import { knob } from './frontEnd';

export interface AgentOptions extends ModelRunSettings {
  /** Runs the code. Null = text only: code blocks are not cut out or executed. */
  readonly runner: CodeRunner | null;
  /** Cancels the model request and any running code alike. */
  readonly signal: AbortSignal;
  /**
   * Earlier messages of the same conversation (a follow-up question): the new question is
   * appended to them instead of starting over with the head prompt.
   */
  readonly history?: readonly ChatMessage[];
  /** Receives the conversation's messages when the run ends, for the next follow-up. */
  readonly onMessages?: (messages: readonly ChatMessage[]) => void;
  /** Asked before each code block runs (the "ask" approval setting); false = the user declined. */
  readonly approveCode?: (code: string, index: number, signal: AbortSignal) => Promise<boolean>;
  /** Silence allowed before the first token (default 300, never less than stallSeconds). */
  readonly firstTokenSeconds?: number;
  /** Retry a transient failure (stall, dropped connection, HTTP 5xx) once when no token was shown yet (default true). */
  readonly retryOnce?: boolean;
}

/** Default silence allowed between two tokens (the "r1ci.stallSeconds" setting). */
export const DEFAULT_STALL_SECONDS = 60;
/** Default silence allowed before the first token: loading a large model from disk takes minutes. */
export const DEFAULT_FIRST_TOKEN_SECONDS = 300;

/** What one attempt at a model request produced. */
interface Attempt {
  block: CodeBlock | undefined;
  done: Extract<ChatChunk, { type: 'done' }> | undefined;
  /** Characters of the turn already yielded as tokens. */
  emitted: number;
  firstTokenMs: number | undefined;
  error: unknown;
}

/**
 * Solves `question`, yielding events as they happen. The generator always ends with one `done`
 * event (preceded by an `error` event when something failed).
 */
export async function* runAgent(question: string, options: AgentOptions): AsyncGenerator<AgentEvent, void, undefined> {
  const { signal } = options;
  const codeEnabled = options.runner !== null;
  let messages: ChatMessage[] =
    options.history && options.history.length > 0 ? [...options.history, { role: 'user', content: question }] : initialMessages(question, codeEnabled);
  let modelText = '';
  let codeCalls = 0;
  let turn = 0;
  /** Model text of the current request not yet in `messages` (kept for the conversation's history). */
  let pendingText = '';
  const stallMs = (options.stallSeconds ?? DEFAULT_STALL_SECONDS) * 1000;
  const limits = {
    betweenChunksMs: stallMs,
    firstChunkMs: Math.max(stallMs, (options.firstTokenSeconds ?? DEFAULT_FIRST_TOKEN_SECONDS) * 1000),
    serverName: `${options.backend.kind === 'ollama' ? 'Ollama' : 'OpenAI-compatible'} server at ${options.backend.baseUrl}`,
  };
  // Only Ollama truncates silently to the num_ctx we send; OpenAI-compatible servers refuse instead.
  const contextWatch = options.backend.kind === 'ollama' && options.contextTokens !== undefined ? new ContextWatch(options.contextTokens) : undefined;
  let truncationReported = false;
  yield { type: 'start', question, model: options.model, maxCodeCalls: options.maxCodeCalls };

  const finish = (reason: StopReason, message?: string): AgentEvent => {
    options.onMessages?.(closeTurn(messages, options.protocol, pendingText));
    return {
      type: 'done',
      reason,
      answer: reason === 'cancelled' ? null : extractFinalAnswer(modelText),
      codeCalls,
      turns: turn + 1,
      message,
    };
  };

  for (;; turn++) {
    if (signal.aborted) return void (yield finish('cancelled'));
    yield { type: 'turn-start', turn };
    const estimate = contextWatch?.estimate(messages);
    const detector = new CodeBlockDetector();
    const started = performance.now();
    const request = { model: options.model, messages, options: { temperature: options.temperature, seed: options.seed, contextTokens: options.contextTokens } };
    let attempt = yield* streamAttempt(options, request, detector, turn, codeEnabled, limits, started);
    let retries = 0;
    // One automatic retry for a transient failure, but only before any token was shown:
    // a retry after tokens would contradict what the user already read.
    if (attempt.error instanceof BackendError && attempt.error.retryable && attempt.emitted === 0 && options.retryOnce !== false && !signal.aborted) {
      retries = 1;
      yield { type: 'warning', kind: 'retry', turn, message: `${attempt.error.message} Retrying once…` };
      attempt = yield* streamAttempt(options, request, new CodeBlockDetector(), turn, codeEnabled, limits, started);
    }
    if (signal.aborted) return void (yield finish('cancelled'));
    if (attempt.error !== undefined) {
      const { message, kind } = describeError(attempt.error);
      yield { type: 'error', message, kind };
      return void (yield finish('error', message));
    }
    let { block, emitted } = attempt;
    const { done } = attempt;
    const turnDetector = attempt.detector;
    if (!block && codeEnabled) {
      block = turnDetector.end();
      if (block && block.end > emitted) {
        yield { type: 'token', turn, text: turnDetector.accumulated.slice(emitted, block.end) };
        emitted = block.end;
      }
    }
    const turnText = turnDetector.accumulated.slice(0, emitted);
    modelText += turnText;
    pendingText = turnText;
    const modelMs = performance.now() - started;
    const stats: TurnStats = {
      modelMs,
      promptTokens: done?.promptTokens,
      outputTokens: done?.outputTokens,
      tokensPerSecond: tokensPerSecond(done, attempt.firstTokenMs, modelMs),
      firstTokenMs: attempt.firstTokenMs,
      doneReason: done?.doneReason,
      retries,
      promptTokensEstimate: estimate,
    };
    if (contextWatch && estimate !== undefined) {
      const verdict = contextWatch.observe(estimate, done?.promptTokens, done?.outputTokens);
      if (verdict.truncated && !truncationReported) {
        truncationReported = true;
        yield { type: 'warning', kind: 'context-truncated', turn, message: contextWatch.message(Math.max(verdict.estimate, done?.promptTokens ?? 0)) };
      }
    }
    if (done?.doneReason === 'length' && !block)
      yield { type: 'warning', kind: 'output-truncated', turn, message: `The server stopped the reply at its token limit, not because the model finished — the answer may be cut off. Raise the server's output limit or ${knob('contextTokens')}.` };
    yield { type: 'turn-end', turn, stats };

    if (!block || !options.runner) return void (yield finish(extractFinalAnswer(modelText) !== null ? 'answer' : 'no-answer'));
    if (codeCalls >= options.maxCodeCalls) {
      return void (yield finish('budget', `The code-call budget (${options.maxCodeCalls}) is used up.`));
    }

    const index = codeCalls++;
    yield { type: 'code', index, turn, language: block.language || 'python', code: block.code, offsetInTurn: block.start };
    let output: string;
    const approved = options.approveCode ? await options.approveCode(block.code, index, signal) : true;
    if (signal.aborted) return void (yield finish('cancelled'));
    if (!approved) {
      output = formatNotRun('the user declined to run this code');
    } else {
      yield { type: 'exec-start', index };
      let result: ExecResult;
      try {
        result = await options.runner.runCell(block.code, { signal });
      } catch (error) {
        if (signal.aborted) return void (yield finish('cancelled'));
        const message = `The sandbox failed to run the code: ${error instanceof Error ? error.message : String(error)}`;
        yield { type: 'error', message, kind: 'sandbox' };
        return void (yield finish('error', message));
      }
      yield { type: 'exec-result', index, result };
      if (signal.aborted) return void (yield finish('cancelled'));
      output = formatExecution(result);
    }
    messages = appendExecution(messages, options.protocol, turnText, output);
    pendingText = '';
    modelText += '\n';
  }
}

/**
 * One model request: streams tokens (as events) until the stream ends, a code block closes, or
 * it fails. Never throws: a failure is returned in `error` so the caller can decide to retry.
 */
async function* streamAttempt(
  options: AgentOptions,
  request: ChatRequest,
  detector: CodeBlockDetector,
  turn: number,
  codeEnabled: boolean,
  limits: StallLimits,
  started: number,
): AsyncGenerator<AgentEvent, Attempt & { detector: CodeBlockDetector }, undefined> {
  const { signal } = options;
  const controller = new AbortController();
  const abortRequest = (): void => controller.abort();
  signal.addEventListener('abort', abortRequest, { once: true });
  const attempt: Attempt & { detector: CodeBlockDetector } = { block: undefined, done: undefined, emitted: 0, firstTokenMs: undefined, error: undefined, detector };
  try {
    for await (const chunk of watchForStall(options.backend.streamChat(request, controller.signal), controller, limits)) {
      if (chunk.type === 'done') {
        attempt.done = chunk;
        break;
      }
      attempt.firstTokenMs ??= performance.now() - started;
      const block = detector.push(chunk.text);
      if (codeEnabled) attempt.block = block;
      // Everything before this chunk was already emitted; slicing the whole turn's text per
      // chunk would make a long reply quadratic, so the chunk itself goes out when it is all kept.
      if (attempt.block) {
        if (attempt.block.end > attempt.emitted) yield { type: 'token', turn, text: detector.accumulated.slice(attempt.emitted, attempt.block.end) };
        attempt.emitted = Math.max(attempt.emitted, attempt.block.end);
      } else if (chunk.text.length > 0) {
        attempt.emitted += chunk.text.length;
        yield { type: 'token', turn, text: chunk.text };
      }
      // Generation stops the moment the code block closes, as the model was told.
      if (attempt.block) break;
    }
  } catch (error) {
    if (!signal.aborted) attempt.error = error;
  } finally {
    controller.abort();
    signal.removeEventListener('abort', abortRequest);
  }
  return attempt;
}

function tokensPerSecond(done: Extract<ChatChunk, { type: 'done' }> | undefined, firstTokenMs: number | undefined, modelMs: number): number | undefined {
  if (done?.outputTokens === undefined || done.outputTokens === 0) return undefined;
  const ms = done.evalMs ?? (firstTokenMs !== undefined ? modelMs - firstTokenMs : undefined);
  return ms !== undefined && ms > 0 ? (done.outputTokens / ms) * 1000 : undefined;
}

/** The conversation as it stands when a run ends: the model's last words become (or extend) its assistant message. */
function closeTurn(messages: readonly ChatMessage[], mode: ProtocolMode, pendingText: string): ChatMessage[] {
  if (pendingText.length === 0) return [...messages];
  const last = messages[messages.length - 1];
  if (mode === 'r1ci' && last?.role === 'assistant') return [...messages.slice(0, -1), { role: 'assistant', content: last.content + pendingText }];
  return [...messages, { role: 'assistant', content: pendingText }];
}

function describeError(error: unknown): { message: string; kind: AgentErrorKind } {
  if (error instanceof BackendError) return { message: error.message, kind: error.kind };
  return { message: error instanceof Error ? error.message : String(error), kind: 'internal' };
}
