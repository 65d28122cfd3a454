// The R1-CI loop: prompt → stream → cut at the closing fence → run the code → feed the result
// back → repeat, until the model answers or the code-call budget is spent.
import type { AgentErrorKind, AgentEvent, StopReason, TurnStats } from './events';
import { BackendError, type ChatChunk, type ChatMessage, type ModelBackend } from './backends/types';
import { CodeBlockDetector, type CodeBlock } from './codeBlocks';
import { extractFinalAnswer } from './finalAnswer';
import { appendExecution, formatExecution, formatNotRun, initialMessages, type ProtocolMode } from './protocol';
import type { CodeRunner, ExecResult } from '../sandbox/types';

export interface AgentOptions {
  readonly backend: ModelBackend;
  readonly model: string;
  /** Runs the code. Null = text only: code blocks are not cut out or executed. */
  readonly runner: CodeRunner | null;
  readonly protocol: ProtocolMode;
  readonly maxCodeCalls: number;
  readonly temperature: number;
  readonly seed?: number;
  readonly contextTokens?: number;
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
  /** Model text of the current request not yet in `messages` (kept for the conversation's history). */
  let pendingText = '';

  for (;; turn++) {
    if (signal.aborted) return void (yield finish('cancelled'));
    yield { type: 'turn-start', turn };
    const detector = new CodeBlockDetector();
    const request = new AbortController();
    const abortRequest = (): void => request.abort();
    signal.addEventListener('abort', abortRequest, { once: true });
    const started = performance.now();
    let block: CodeBlock | undefined;
    let done: Extract<ChatChunk, { type: 'done' }> | undefined;
    let emitted = 0;
    try {
      for await (const chunk of options.backend.streamChat({ model: options.model, messages, options: { temperature: options.temperature, seed: options.seed, contextTokens: options.contextTokens } }, request.signal)) {
        if (chunk.type === 'done') {
          done = chunk;
          break;
        }
        block = codeEnabled ? detector.push(chunk.text) : (detector.push(chunk.text), undefined);
        const keep = block ? block.end : detector.accumulated.length;
        if (keep > emitted) {
          yield { type: 'token', turn, text: detector.accumulated.slice(emitted, keep) };
          emitted = keep;
        }
        // Generation stops the moment the code block closes, as the model was told.
        if (block) break;
      }
    } catch (error) {
      signal.removeEventListener('abort', abortRequest);
      if (signal.aborted) return void (yield finish('cancelled'));
      const { message, kind } = describeError(error);
      yield { type: 'error', message, kind };
      return void (yield finish('error', message));
    } finally {
      request.abort();
      signal.removeEventListener('abort', abortRequest);
    }
    if (signal.aborted) return void (yield finish('cancelled'));
    if (!block && codeEnabled) {
      block = detector.end();
      if (block && block.end > emitted) {
        yield { type: 'token', turn, text: detector.accumulated.slice(emitted, block.end) };
        emitted = block.end;
      }
    }
    const turnText = detector.accumulated.slice(0, emitted);
    modelText += turnText;
    pendingText = turnText;
    const stats: TurnStats = {
      modelMs: performance.now() - started,
      promptTokens: done?.promptTokens,
      outputTokens: done?.outputTokens,
      tokensPerSecond: done?.outputTokens !== undefined && done.evalMs ? (done.outputTokens / done.evalMs) * 1000 : undefined,
    };
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
