// The R1-CI loop: prompt → stream → cut at the closing fence → run the code → feed the result
// back → repeat, until the model answers or the code-call budget is spent. With the `tools`
// protocol the code arrives as native tool calls instead of fences.
import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentErrorKind, AgentEvent, CodeSource, StopReason, TurnStats } from './events';
import { BackendError, type ChatChunk, type ChatMessage, type ChatRequest, type ModelBackend, type ToolCall } from './backends/types';
import { tooLarge } from './backends/bounds';
import { LOADING_TOTAL_WAIT_MS, ModelLoadingError, ServerBusyError, busyWaitMs, loadingTimedOut, loadingWaitMs } from './backends/modelLoading';
import { ContextWatch } from './contextWatch';
import { DEFAULT_FIRST_TOKEN_SECONDS, DEFAULT_STALL_SECONDS, watchForStall, type StallLimits } from './stallWatchdog';
import { CodeBlockDetector, codeOpenAtEnd, findCodeBlocks, type CodeBlock } from './codeBlocks';
import { answerInOutput, extractFinalAnswer, findFinalAnswer, hasLoneThinkClose, replyStretch, splitInlineReasoning, type AnswerSource, type FoundAnswer } from './finalAnswer';
import { appendExecution, appendToolResults, formatExecution, formatNotRun, initialMessages, type ProtocolMode } from './protocol';
import { PYTHON_TOOL, readPythonCall, textCallClosed, toolCallLeftOpen, toolCallsInText, withoutLeakedTokens } from './pythonTool';
import { InlineThinkSplitter } from './thinkTags';
import type { CodeRunner, ExecResult } from '../sandbox/types';
import type { ModelRunSettings } from './modelRunSettings';
import { knob } from '../text/frontEnd';
import { withFullStop } from '../text/fullStop';
import { escapeName } from '../sandbox/terminalText';

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
  /**
   * How long a turn waits in all for a server that answers it is still loading the model (HTTP 503,
   * modelLoading.ts), in seconds; default LOADING_TOTAL_WAIT_MS (300 s), 0 = do not wait.
   */
  readonly maxLoadingWaitSeconds?: number;
}

/** What one attempt at a model request produced. */
interface Attempt {
  block: CodeBlock | undefined;
  done: Extract<ChatChunk, { type: 'done' }> | undefined;
  /** Characters of the turn's text already yielded as tokens. */
  emitted: number;
  /** The turn's reasoning (reasoning channel and inline `<think>`), as yielded. */
  reasoning: string;
  /** Reasoning came in the server's own channel: the server has a reasoning parser. */
  channelReasoning: boolean;
  /** The inline reasoning was taken out of the content live (InlineThinkSplitter.tookReasoning): the text is all reply. */
  tookReasoning: boolean;
  /** Native tool calls, in the order the server sent them. */
  toolCalls: ToolCall[];
  /** The latest token counts the server sent before the reply's end (a `usage` chunk), for a reply cut before its `done`. */
  usage: { promptTokens?: number; outputTokens?: number } | undefined;
  firstTokenMs: number | undefined;
  error: unknown;
  detector: CodeBlockDetector;
}

/** The longest Retry-After the one automatic retry waits for (ms); a longer one ends the run with the server's error. */
const MAX_RETRY_WAIT_MS = 30_000;

/** Told to the model (as the execution result) when the server cut its reply inside a code block. */
export const CUT_CODE_NOTICE = 'your reply reached the token limit inside this code block, so the code is incomplete and was not run — write a shorter script';

/** The same when the server's content filter stopped the reply there. */
const FILTERED_CODE_NOTICE = "the server's content filter stopped your reply inside this code block, so the code is incomplete and was not run";

/**
 * Why the server, not the model, ended a reply: its token limit (`length`; Mistral's API says
 * `model_length` when the reply filled the model's context window), or its moderation
 * (`content_filter`: OpenAI's finish_reason, also sent by Azure OpenAI and OpenRouter). Either
 * way the reply's end is not the model's: an open code block there is incomplete.
 */
function serverCut(doneReason: string | undefined): 'length' | 'content_filter' | undefined {
  if (doneReason === 'length' || doneReason === 'model_length') return 'length';
  return doneReason === 'content_filter' ? doneReason : undefined;
}

/**
 * The finish reason the evidence gives a finished reply, in `serverCut`'s terms: the server's own,
 * except that `stop` (or none) from an OpenAI-compatible server whose usage says the prompt and the
 * reply together filled the context window it names (`window`, tokens: vLLM's max_model_len in
 * /v1/models) is `length`: nothing more could be generated, so the model did not choose to stop.
 * Servers do say `stop` at a limit: llama.cpp's server did for every limit while `stopped_word`
 * was always set (ggml-org/llama.cpp#7198), a proposal there reports the max_tokens budget as
 * `stop` (ggml-org/llama.cpp#28711), and simulators and proxies send only `stop`
 * (llm-d/llm-d-inference-sim#29). OpenAI's reference says `length` means "the maximum number of
 * tokens specified in the request was reached"; this extension asks for no max_tokens, so the
 * window is the only limit it can check. Ollama's own API is left as it says: it shifts its
 * context and goes on past num_ctx, so a full window there is no cut.
 */
function evidentDoneReason(done: { readonly doneReason?: string; readonly promptTokens?: number; readonly outputTokens?: number } | undefined, window: number | undefined): string | undefined {
  const reason = done?.doneReason;
  if (done === undefined || window === undefined || (reason !== undefined && reason !== 'stop')) return reason;
  const { promptTokens, outputTokens } = done;
  return promptTokens !== undefined && outputTokens !== undefined && outputTokens > 0 && promptTokens + outputTokens >= window ? 'length' : reason;
}

/** What the user is told about a reply the content filter stopped (`inCode`: inside a code block). */
const filteredWarning = (inCode: boolean): string =>
  inCode
    ? "The server's content filter stopped the reply in the middle of a code block; the incomplete code was not run and the model was told."
    : "The server's content filter stopped the reply, not the model — the answer may be cut off.";

/**
 * What raises a reply's token limit: Ollama sizes its window to the num_ctx we send (the
 * contextTokens knob); an OpenAI-compatible server fixes its context length when it starts, so
 * the knob has no effect there.
 */
const tokenLimitAdvice = (kind: ModelBackend['kind']): string =>
  kind === 'ollama' ? `Raise the server's output limit or ${knob('contextTokens')}.` : "Raise the server's output limit or its own context length (set when it starts: vLLM --max-model-len, llama.cpp -c).";

/** Shown to the user in the same case. */
const cutCodeWarning = (kind: ModelBackend['kind']): string =>
  `The server stopped the reply at its token limit in the middle of a code block; the incomplete code was not run and the model was told. ${tokenLimitAdvice(kind)}`;

/**
 * Solves `question`, yielding events as they happen. The generator always ends with one `done`
 * event (preceded by an `error` event when something failed).
 */
export async function* runAgent(question: string, options: AgentOptions): AsyncGenerator<AgentEvent, void, undefined> {
  const { signal } = options;
  const runner = options.runner;
  const toolsMode = runner !== null && options.protocol === 'tools';
  // Fences run in the r1ci and chat protocols; with native tools the code comes as tool calls.
  const fencesRun = runner !== null && !toolsMode;
  let messages: ChatMessage[] = options.history && options.history.length > 0 ? [...options.history, { role: 'user', content: question }] : initialMessages(question, runner !== null, options.protocol);
  /** The model's text per request, searched for the answer stretch by stretch (reasoning excluded). */
  const stretches: string[] = [];
  /** stdout of the last execution: its `<<<…>>>` counts when the model's text has no answer. */
  let lastOutput = '';
  /**
   * The answer in the latest reply's reasoning when that reply's text was empty: the server put
   * the whole reply in the reasoning channel (see `finalAnswer`). Its `<<<…>>>`, else its
   * `\boxed{…}` (format `boxed`: math-trained reasoning models end so).
   */
  let reasoningAnswer: FoundAnswer | null = null;
  /**
   * A reply (of this run, or of the conversation so far) ended its reasoning with a lone
   * `</think>`: the chat template opens the tag at the end of every prompt, so later replies
   * start in the reasoning (never in the r1ci protocol, where the model continues its own
   * message after that tag). A lone `</think>` beside reasoning from the server's own channel
   * is not that: the server's reasoning parser let the tag through (vLLM's qwen3 parser with stop
   * strings, vllm-project/vllm#38789; a parser that lost track mid-think, #29408), and that
   * server separates the reasoning of later replies itself.
   */
  let templateOpensThink = options.protocol !== 'r1ci' && (options.history ?? []).some((m) => m.role === 'assistant' && !m.reasoning && hasLoneThinkClose(m.content));
  let codeCalls = 0;
  let turn = 0;
  /** Model text of the current request not yet in `messages` (kept for the conversation's history). */
  let pendingText = '';
  /** That request's reasoning: kept with its text, as `appendExecution` keeps a code turn's. */
  let pendingReasoning = '';
  const stallMs = (options.stallSeconds ?? DEFAULT_STALL_SECONDS) * 1000;
  const firstChunkMs = Math.max(stallMs, (options.firstTokenSeconds ?? DEFAULT_FIRST_TOKEN_SECONDS) * 1000);
  const limits = {
    // Many servers send a tool call only once the model has written all of it, and nothing
    // meanwhile: Ollama (ollama/ollama#13581), and so its /v1; TabbyAPI (theroyallab/tabbyAPI#460);
    // mesh-llm before Mesh-LLM/mesh-llm#1371 ("nothing for 29s, then a 701-token tool call at
    // once"). With tools, on either backend, the silence allowed between chunks is the first token's.
    betweenChunksMs: toolsMode ? firstChunkMs : stallMs,
    firstChunkMs,
    awaitsWholeReply: (chunk: ChatChunk) => chunk.type === 'whole-reply',
    serverName: `${options.backend.kind === 'ollama' ? 'Ollama' : 'OpenAI-compatible'} server at ${options.backend.baseUrl}`,
  };
  // Ollama truncates silently to the num_ctx we send; OpenAI-compatible servers either refuse
  // (context-overflow error) or truncate and report fewer prompt tokens than we sent.
  // The window an OpenAI-compatible server names (tokens), when it does.
  const reportedWindow = options.backend.kind === 'ollama' ? undefined : ((await options.backend.modelContextLength(options.model, signal).catch(() => null)) ?? undefined);
  const contextWatch = options.backend.kind === 'ollama' ? (options.contextTokens !== undefined ? new ContextWatch(options.contextTokens) : undefined) : new ContextWatch(reportedWindow, 'reported');
  // A follow-up question: the conversation before it was the previous run's, possibly cached by the server.
  if (options.history && options.history.length > 0) contextWatch?.alreadySent(options.history);
  let truncationReported = false;
  yield { type: 'start', question, model: options.model, maxCodeCalls: options.maxCodeCalls };

  const finalAnswer = (): { answer: string | null; answerSource?: AnswerSource } => {
    // <<<…>>> in the model's text, then one printed by the code, then a \boxed{} fallback.
    const own = findFinalAnswer(stretches);
    if (own?.format === 'marked') return { answer: own.answer, answerSource: 'model' };
    const printed = answerInOutput(lastOutput);
    if (printed !== null) return { answer: printed, answerSource: 'code-output' };
    if (reasoningAnswer?.format === 'marked') return { answer: reasoningAnswer.answer, answerSource: 'reasoning' };
    // \boxed{} last: the latest reply's reasoning (its text was empty), else the model's text.
    if (reasoningAnswer !== null) return { answer: reasoningAnswer.answer, answerSource: 'reasoning-boxed' };
    return own !== null ? { answer: own.answer, answerSource: 'model-boxed' } : { answer: null };
  };
  const finish = (reason: StopReason, message?: string): AgentEvent => {
    options.onMessages?.(closeTurn(messages, options.protocol, pendingText, pendingReasoning));
    const found = reason === 'cancelled' ? { answer: null } : finalAnswer();
    return { type: 'done', reason, ...found, codeCalls, turns: turn + 1, message };
  };
  /** Runs one cell (asking approval first). Returns the output for the model, or null when the run must end (cancelled; sandbox failure, already reported). */
  const runCell = async function* (cellRunner: CodeRunner, code: string, index: number): AsyncGenerator<AgentEvent, string | null, undefined> {
    const approved = options.approveCode ? await options.approveCode(code, index, signal) : true;
    if (signal.aborted) return null;
    if (!approved) return formatNotRun('the user declined to run this code');
    yield { type: 'exec-start', index };
    let result: ExecResult;
    try {
      result = await cellRunner.runCell(code, { signal });
    } catch (error) {
      if (signal.aborted) return null;
      const message = `The sandbox failed to run the code: ${error instanceof Error ? error.message : String(error)}`;
      yield { type: 'error', message, kind: 'sandbox' };
      yield finish('error', message);
      return null;
    }
    yield { type: 'exec-result', index, result };
    if (signal.aborted) return null;
    lastOutput = result.stdout;
    return formatExecution(result);
  };

  for (; ; turn++) {
    if (signal.aborted) return void (yield finish('cancelled'));
    yield { type: 'turn-start', turn };
    const estimate = contextWatch?.estimate(messages);
    const started = performance.now();
    const request: ChatRequest = {
      model: options.model,
      messages,
      options: { temperature: options.temperature, seed: options.seed, contextTokens: options.contextTokens },
      ...(toolsMode ? { tools: [PYTHON_TOOL] } : {}),
      ...(options.think !== undefined ? { think: options.think } : {}),
    };
    let attempt = yield* streamAttempt(options, request, turn, fencesRun, limits, started, templateOpensThink);
    let retries = 0;
    // A server still loading the model, or too busy to take the request (HTTP 503 saying so):
    // asked again after the wait it names, or a backoff for a busy one (within the bounds of
    // modelLoading.ts), until it answers or the turn's waiting cap is reached. The cap counts wall
    // time from the first such answer (the requests take time too, not only the waits). Each wait
    // is a `retry` warning, and a cancel ends it at once (the timer goes with it).
    const loadingCapMs = options.maxLoadingWaitSeconds !== undefined ? Math.max(0, options.maxLoadingWaitSeconds * 1000) : LOADING_TOTAL_WAIT_MS;
    const loadingSince = performance.now();
    let loadingWaits = 0;
    while (attempt.error instanceof ModelLoadingError && attempt.emitted === 0 && attempt.reasoning === '' && !signal.aborted) {
      const waitedMs = loadingWaits === 0 ? 0 : performance.now() - loadingSince;
      const wait = attempt.error instanceof ServerBusyError ? busyWaitMs(attempt.error.retryAfterMs, loadingWaits) : loadingWaitMs(attempt.error.retryAfterMs);
      if (waitedMs + wait > loadingCapMs) {
        attempt.error = loadingTimedOut(attempt.error, waitedMs, loadingCapMs);
        break;
      }
      retries++;
      loadingWaits++;
      const so = waitedMs > 0 ? `, ${Math.round(waitedMs / 1000)} s waited so far` : '';
      yield { type: 'warning', kind: 'retry', turn, message: `${withFullStop(attempt.error.message)} Asking again in ${Math.ceil(wait / 1000)} s (at most ${Math.round(loadingCapMs / 1000)} s in all${so})…` };
      await sleep(wait, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) break;
      attempt = yield* streamAttempt(options, request, turn, fencesRun, limits, started, templateOpensThink);
    }
    // One automatic retry for a transient failure, but only before any token was shown:
    // a retry after tokens would contradict what the user already read.
    // A server that says how long to wait (Retry-After) is waited for, unless that is longer than
    // a retry is worth: then the error, which says how long, is the outcome.
    const retryAfter = attempt.error instanceof BackendError ? (attempt.error.retryAfterMs ?? 0) : 0;
    if (
      attempt.error instanceof BackendError &&
      !(attempt.error instanceof ModelLoadingError) &&
      attempt.error.retryable &&
      retryAfter <= MAX_RETRY_WAIT_MS &&
      attempt.emitted === 0 &&
      attempt.reasoning === '' &&
      options.retryOnce !== false &&
      !signal.aborted
    ) {
      retries++;
      yield { type: 'warning', kind: 'retry', turn, message: `${withFullStop(attempt.error.message)} Retrying once${retryAfter > 0 ? ` in ${Math.ceil(retryAfter / 1000)} s` : ''}…` };
      if (retryAfter > 0) await sleep(retryAfter, undefined, { signal }).catch(() => undefined);
      if (!signal.aborted) attempt = yield* streamAttempt(options, request, turn, fencesRun, limits, started, templateOpensThink);
    }
    if (signal.aborted) return void (yield finish('cancelled'));
    if (attempt.error !== undefined) {
      const { message, kind } = describeError(attempt.error);
      yield { type: 'error', message, kind };
      return void (yield finish('error', message));
    }
    let { block, emitted } = attempt;
    const { done, detector, reasoning } = attempt;
    if (!block && fencesRun) {
      block = detector.end();
      if (block && block.end > emitted) {
        yield { type: 'token', turn, text: detector.accumulated.slice(emitted, block.end) };
        emitted = block.end;
      }
    }
    // A reply that ended inside its closing fence: the model gets its block back closed once (below), without the partial fence.
    let turnText = detector.accumulated.slice(0, block?.fenceCut === true ? block.end : emitted);
    // The text as the answer search and the reasoning rules read it: when the live split already
    // took the reply's reasoning out, all of it is reply (a later </think> in it is text, as shown).
    const readText = attempt.tookReasoning ? replyStretch(turnText) : turnText;
    if (options.protocol !== 'r1ci' && !attempt.channelReasoning && hasLoneThinkClose(readText)) templateOpensThink = true;
    // Tools protocol: calls the server passed on as text (no tool-call parser) count as calls.
    const textCalls = toolsMode && attempt.toolCalls.length === 0 ? toolCallsInText(turnText) : attempt.toolCalls;
    // The rule for code in reasoning, for calls: a reply with no call, no code and no answer of
    // its own whose reasoning holds calls written as text makes those calls (Kimi K2 writes its
    // calls' special tokens in reasoning_content, vybestack/llxprt-code#750; Qwen3 calls inside
    // its think, where the server's tool-call parser does not look).
    // An answer of its own is the agent's reading (findFinalAnswer): a `\boxed{}` in the text answers too.
    const answersItself = findFinalAnswer(readText) !== null;
    const toolCalls = toolsMode && textCalls.length === 0 && !answersItself && findCodeBlocks(turnText).length === 0 ? toolCallsInText(reasoning) : textCalls;
    // Tools protocol, a reply without tool calls and without an answer: a python fence in it
    // still runs (models with native tools often write fences anyway; never silently dropped).
    if (toolsMode && toolCalls.length === 0 && extractFinalAnswer(readText) === null) block = findCodeBlocks(turnText)[0];
    stretches.push(readText);
    pendingText = turnText;
    pendingReasoning = reasoning;
    // A reply whose text is empty and whose reasoning answers: the server (or the model) put the
    // whole reply in the reasoning channel. Its answer counts rather than "no answer" (a later
    // reply's own text or a printed answer still wins).
    // Text before a lone </think> (the chat template opened the tag) is reasoning too.
    const inline = splitInlineReasoning(readText);
    // The reasoning is searched without its own tags (a server may leave <think>…</think> in its reasoning field).
    const allReasoning = `${reasoning.replace(/<\/?think>/g, '')}\n${inline.reasoning}`;
    const inReasoning = inline.reply.trim() === '' && toolCalls.length === 0 ? findFinalAnswer(allReasoning) : null;
    reasoningAnswer = inReasoning;
    const modelMs = performance.now() - started;
    // The reply's counts: its last chunk's, else (a reply cut at a closing fence, before its end)
    // the latest the server sent along the way (continuous usage: vLLM, SGLang).
    const counts = done ?? (attempt.usage !== undefined ? { type: 'done' as const, ...attempt.usage } : undefined);
    const stats: TurnStats = {
      modelMs,
      promptTokens: counts?.promptTokens,
      outputTokens: counts?.outputTokens,
      tokensPerSecond: tokensPerSecond(counts, attempt.firstTokenMs, modelMs),
      firstTokenMs: attempt.firstTokenMs,
      doneReason: done?.doneReason,
      retries,
      promptTokensEstimate: estimate,
    };
    if (contextWatch && estimate !== undefined) {
      const verdict = contextWatch.observe(estimate, counts?.promptTokens, counts?.outputTokens, turnText.length + reasoning.length + attempt.toolCalls.reduce((n, c) => n + c.arguments.length, 0));
      if (verdict.truncated && !truncationReported) {
        truncationReported = true;
        yield { type: 'warning', kind: 'context-truncated', turn, message: contextWatch.message(Math.max(verdict.estimate, counts?.promptTokens ?? 0)) };
      }
    }
    const cut = serverCut(evidentDoneReason(done, reportedWindow));
    const cutByServer = cut !== undefined;
    // What the user and the model are told about code the cut left incomplete.
    const cutCodeMessage = cut === 'content_filter' ? filteredWarning(true) : cutCodeWarning(options.backend.kind);
    const cutCodeNotice = formatNotRun(cut === 'content_filter' ? FILTERED_CODE_NOTICE : CUT_CODE_NOTICE);
    // The python block the rule for code in reasoning would run (see below), when the reply has none of its own.
    const reasoningBlock = !block && runner !== null && toolCalls.length === 0 && !answersItself ? findCodeBlocks(reasoning).pop() : undefined;
    // Cut inside code: an open python fence in the text (even one with no code yet, or whose
    // opening line was cut), or, when the cut fell in the reasoning (no text yet), its open block.
    const openAtCut = cutByServer && !block ? codeOpenAtEnd(turnText) : undefined;
    // (A cut inside the closing fence line left the code complete.)
    const cutInCode = (b: CodeBlock | undefined): boolean => b?.unclosed === true && b.fenceCut !== true;
    // Tools protocol: a `<tool_call>` the cut left open (its JSON incomplete) is no call, but it is code cut too.
    const callOpenAtCut = toolsMode && cutByServer && !block && toolCallLeftOpen(turnText);
    const cutInsideCode = cutByServer && toolCalls.length === 0 && (cutInCode(block) || openAtCut !== undefined || callOpenAtCut || (!block && turnText.trim() === '' && cutInCode(reasoningBlock)));
    if (cutInsideCode) yield { type: 'warning', kind: 'output-truncated', turn, message: cutCodeMessage };
    else if (cutByServer && !block && toolCalls.length === 0)
      yield {
        type: 'warning',
        kind: 'output-truncated',
        turn,
        message:
          cut === 'content_filter' ? filteredWarning(false) : `The server stopped the reply at its token limit, not because the model finished — the answer may be cut off. ${tokenLimitAdvice(options.backend.kind)}`,
      };
    // A reply the server ended normally with nothing in it, and no answer so far: without a word
    // the run would end as if the model had nothing to say. Servers do this when the prompt no
    // longer fits the loaded context: LM Studio's llama.cpp engine (HTTP 200, zero deltas,
    // lmstudio-ai/lmstudio-bug-tracker#2339), llama-box (gpustack/gpustack#852).
    // A reply whose server said the model called a tool (finish_reason `tool_calls`, or the legacy
    // `function_call`) but that carries no call and no text: the server's tool-call parser lost
    // the call (vLLM's gemma4 parser under load, vllm-project/vllm#50889; `tool_choice: "required"`
    // without a parser, #53255). Said as such, whatever answer came before: the model's move was lost.
    const callLost = done !== undefined && (done.doneReason === 'tool_calls' || done.doneReason === 'function_call') && turnText.trim() === '' && toolCalls.length === 0;
    if (callLost)
      yield {
        type: 'warning',
        kind: 'empty-reply',
        turn,
        message: `The ${limits.serverName} ended its reply saying the model called a tool (finish_reason "${done.doneReason ?? ''}") but sent no call and no text: its tool-call parser lost the call. Ask again; if it happens often, check the server's tool-call parser (vLLM --tool-call-parser) for this model.`,
      };
    else if (done !== undefined && !cutByServer && turnText.trim() === '' && reasoning.trim() === '' && toolCalls.length === 0 && finalAnswer().answer === null)
      yield {
        type: 'warning',
        kind: 'empty-reply',
        turn,
        message: `The ${limits.serverName} ended its reply with nothing in it (no text, no reasoning, no tool call). Some servers answer so when the prompt no longer fits the model's context (LM Studio, llama-box): check the server's log and the context length it loaded the model with.`,
      };
    yield { type: 'turn-end', turn, stats };
    if (runner === null) return void (yield finish(finalAnswer().answer !== null ? 'answer' : 'no-answer'));

    // Native tool calls: run in order, each result goes back as a `tool` message.
    if (toolsMode && toolCalls.length > 0) {
      const results: Array<{ call: ToolCall; output: string }> = [];
      // Calls read from text (the reply's, else its reasoning's) that the server's cut left open: the last one is cut.
      const textCut = cutByServer && attempt.toolCalls.length === 0 && !textCallClosed(textCalls.length > 0 ? turnText : reasoning);
      for (const call of toolCalls) {
        if (codeCalls >= options.maxCodeCalls) return void (yield finish('budget', budgetSpent(options.maxCodeCalls)));
        const index = codeCalls++;
        const last = call === toolCalls[toolCalls.length - 1];
        const read = last && textCut ? { error: 'cut' } : readPythonCall(call);
        if ('error' in read) {
          // The server's cut (token limit, content filter) ended the last call's arguments: say so, not "invalid JSON".
          const callCut = cutByServer && last;
          if (callCut) yield { type: 'warning', kind: 'output-truncated', turn, message: cutCodeMessage };
          // Never spent in silence: the user sees what the model was told, on one line (it quotes
          // the call's name and arguments, whose line ends would otherwise write lines of their own).
          else yield { type: 'warning', kind: 'tool-call-error', turn, message: `The model's tool call could not be run; it was told: ${escapeName(read.error)}` };
          results.push({ call, output: callCut ? cutCodeNotice : `[error: ${read.error}]` });
          continue;
        }
        yield { type: 'code', index, turn, language: 'python', code: read.code, offsetInTurn: turnText.length, source: 'tool-call' };
        const output = yield* runCell(runner, read.code, index);
        if (output === null) return signal.aborted ? void (yield finish('cancelled')) : undefined;
        results.push({ call, output });
      }
      messages = appendToolResults(messages, turnText, reasoning, results);
      pendingText = '';
      pendingReasoning = '';
      continue;
    }

    let code: { code: string; source: CodeSource; offset: number } | undefined;
    if (block && !cutInsideCode) code = { code: block.code, source: 'text', offset: block.start };
    // The rule for code in reasoning: when the reply has no runnable code and no answer of its
    // own, the last python block of its reasoning runs (the model wrote it there expecting it
    // to run; reasoning models often do). Otherwise the reasoning's code is only shown.
    if (reasoningBlock && !cutInsideCode) {
      code = { code: reasoningBlock.code, source: 'reasoning', offset: turnText.length };
      yield { type: 'warning', kind: 'code-in-reasoning', turn, message: 'The model wrote its code inside its reasoning and gave no answer; that code is run as if it had written it in its reply.' };
    }
    // A native python call although this run's protocol has no tools (the server passed the
    // model's call on anyway): never dropped in silence. Its code runs as a fence in the reply
    // would, and the result goes back as this protocol sends results.
    const nativeCall = !toolsMode && !code && !cutInsideCode && runner !== null && extractFinalAnswer(readText) === null ? attempt.toolCalls.map(readPythonCall).find((c) => 'code' in c) : undefined;
    if (nativeCall && 'code' in nativeCall) {
      code = { code: nativeCall.code, source: 'tool-call', offset: turnText.length };
      yield {
        type: 'warning',
        kind: 'tool-call-without-tools',
        turn,
        message: `The model called the python tool natively, but this run uses the ${options.protocol} protocol, where code comes in fences; the call's code is run as if it had written it in its reply; set ${knob('protocol')} to tools to pass such calls on as they are.`,
      };
    }
    if (!code && !cutInsideCode) return void (yield finish(finalAnswer().answer !== null ? 'answer' : 'no-answer'));
    if (codeCalls >= options.maxCodeCalls) return void (yield finish('budget', budgetSpent(options.maxCodeCalls)));

    const index = codeCalls++;
    let output: string;
    if (code) {
      yield {
        type: 'code',
        index,
        turn,
        language: code.source === 'text' && block ? block.language : 'python',
        code: code.code,
        offsetInTurn: code.offset,
        ...(code.source !== 'text' ? { source: code.source } : {}),
      };
      const ran = yield* runCell(runner, code.code, index);
      if (ran === null) return signal.aborted ? void (yield finish('cancelled')) : undefined;
      output = ran;
    } else {
      output = cutCodeNotice;
    }
    // What the model sees of its own turn: the code it ran is in the text (a block from the
    // reasoning is added), and a fence the stream left open is closed, with its own fence in its
    // own container (a `~~~` one with `~~~`, one in a list item indented as it was).
    const closing = block?.unclosed ? block.closingFence : openAtCut;
    if (code?.source === 'reasoning' || code?.source === 'tool-call') turnText = `${turnText}${turnText === '' || turnText.endsWith('\n') ? '' : '\n'}\`\`\`python\n${code.code}\n\`\`\`\n`;
    else if (closing !== undefined) turnText = `${turnText}${turnText.endsWith('\n') ? '' : '\n'}${closing}\n`;
    messages = appendExecution(messages, options.protocol, turnText, output, reasoning);
    pendingText = '';
    pendingReasoning = '';
  }
}

/**
 * One model request: streams tokens and reasoning (as events) until the stream ends, a code
 * block closes, or it fails. Never throws: a failure is returned in `error` so the caller can
 * decide to retry.
 */
/**
 * The most characters (text, reasoning and tool-call arguments together) one reply may stream:
 * far beyond any context window a server offers (1M tokens ≈ 4M characters), so only a broken
 * or hostile server that streams without end reaches it; the run then ends with an error instead
 * of the host's memory filling up. Tool-call arguments streamed in pieces count as they arrive
 * (a server could stream one call without end) and once more when the call is complete.
 */
const MAX_REPLY_CHARS = 16 * 1024 * 1024;

async function* streamAttempt(
  options: AgentOptions,
  request: ChatRequest,
  turn: number,
  fencesRun: boolean,
  limits: StallLimits<ChatChunk>,
  started: number,
  thinkOpened: boolean,
): AsyncGenerator<AgentEvent, Attempt, undefined> {
  const { signal } = options;
  const controller = new AbortController();
  const abortRequest = (): void => controller.abort();
  signal.addEventListener('abort', abortRequest, { once: true });
  const detector = new CodeBlockDetector();
  const think = new InlineThinkSplitter(thinkOpened);
  const attempt: Attempt = {
    block: undefined,
    done: undefined,
    emitted: 0,
    reasoning: '',
    channelReasoning: false,
    tookReasoning: false,
    toolCalls: [],
    usage: undefined,
    firstTokenMs: undefined,
    error: undefined,
    detector,
  };
  /** Feeds content to the detector; true when a code block closed (generation stops there). */
  const text = function* (piece: string): Generator<AgentEvent, boolean, undefined> {
    const block = detector.push(piece);
    if (fencesRun) attempt.block = block;
    // Everything before this piece was already emitted; slicing the whole turn's text per
    // chunk would make a long reply quadratic, so the piece itself goes out when it is all kept.
    if (attempt.block) {
      if (attempt.block.end > attempt.emitted) yield { type: 'token', turn, text: detector.accumulated.slice(attempt.emitted, attempt.block.end) };
      attempt.emitted = Math.max(attempt.emitted, attempt.block.end);
      return true;
    }
    if (piece.length > 0) {
      attempt.emitted += piece.length;
      yield { type: 'token', turn, text: piece };
    }
    return false;
  };
  const reasoning = (piece: string): AgentEvent => {
    attempt.reasoning += piece;
    return { type: 'reasoning', turn, text: piece };
  };
  /** Characters of text, reasoning and tool-call arguments received in this reply (see MAX_REPLY_CHARS). */
  let received = 0;
  /** We stopped reading before the reply ended (a closing fence, too long a reply). */
  let cut = false;
  /** The reply ended by itself (done, or the end of its stream): its request needs no abort. */
  let ended = false;
  try {
    stream: for await (const chunk of watchForStall(options.backend.streamChat(request, controller.signal), controller, limits)) {
      if (chunk.type === 'done') {
        attempt.done = chunk;
        break;
      }
      // Counts so far: kept for a reply cut before its end; no token of the reply.
      if (chunk.type === 'usage') {
        attempt.usage = { promptTokens: chunk.promptTokens, outputTokens: chunk.outputTokens };
        continue;
      }
      // Said to the watchdog (limits.awaitsWholeReply); no part of the reply.
      if (chunk.type === 'whole-reply') continue;
      received += chunk.type === 'tool-call' ? chunk.call.arguments.length : chunk.type === 'tool-call-delta' ? chunk.chars : chunk.text.length;
      if (received > MAX_REPLY_CHARS) {
        attempt.error = tooLarge(options.backend.baseUrl, 'a reply', MAX_REPLY_CHARS);
        cut = true;
        break;
      }
      // Reasoning is life too: a long think is not a stalled server.
      attempt.firstTokenMs ??= performance.now() - started;
      if (chunk.type === 'tool-call') attempt.toolCalls.push(withoutLeakedTokens(chunk.call));
      else if (chunk.type === 'tool-call-delta') continue;
      else if (chunk.type === 'reasoning') {
        attempt.channelReasoning = true;
        think.channelReasoning();
        yield reasoning(chunk.text);
      } else
        for (const piece of think.push(chunk.text)) {
          if (piece.kind === 'reasoning') yield reasoning(piece.text);
          // Generation stops the moment the code block closes, as the model was told.
          else if (yield* text(piece.text)) {
            cut = true;
            break stream;
          }
        }
    }
    ended = !cut;
    if (!attempt.block)
      for (const piece of think.end()) {
        if (piece.kind === 'reasoning') yield reasoning(piece.text);
        else yield* text(piece.text);
      }
  } catch (error) {
    if (!signal.aborted) attempt.error = error;
  } finally {
    attempt.tookReasoning = think.tookReasoning;
    // Stopped early, failed or closed from outside: make sure the request ends (the backend's
    // own cleanup normally has ended it already).
    if (!ended) controller.abort(STOPPED_READING);
    signal.removeEventListener('abort', abortRequest);
  }
  return attempt;
}

/**
 * The reason a request the agent stopped reading is aborted with. One shared instance: a new
 * AbortError per request (what `abort()` without a reason builds) captured its stack through
 * the whole chain of async generators, ~20 µs per request in the evaluation harness (issue 12).
 */
const STOPPED_READING = new DOMException('The agent stopped reading this reply.', 'AbortError');

function tokensPerSecond(done: Extract<ChatChunk, { type: 'done' }> | undefined, firstTokenMs: number | undefined, modelMs: number): number | undefined {
  if (done?.outputTokens === undefined || done.outputTokens === 0) return undefined;
  const ms = done.evalMs ?? (firstTokenMs !== undefined ? modelMs - firstTokenMs : undefined);
  return ms !== undefined && ms > 0 ? (done.outputTokens / ms) * 1000 : undefined;
}

/**
 * The conversation as it stands when a run ends: the model's last words become (or extend) its
 * assistant message, with that reply's reasoning (trajectories, eval results and SFT exports keep
 * it, as they keep a code turn's). A reply whose whole text went to the reasoning channel is still
 * a message. In the r1ci protocol the model's one message is continued as text (as
 * `appendExecution` does), so a continuation adds no reasoning.
 */
function closeTurn(messages: readonly ChatMessage[], mode: ProtocolMode, pendingText: string, pendingReasoning: string): ChatMessage[] {
  const last = messages[messages.length - 1];
  if (mode === 'r1ci' && last?.role === 'assistant') return pendingText.length === 0 ? [...messages] : [...messages.slice(0, -1), { role: 'assistant', content: last.content + pendingText }];
  if (pendingText.length === 0 && pendingReasoning.length === 0) return [...messages];
  return [...messages, { role: 'assistant', content: pendingText, ...(pendingReasoning.length > 0 ? { reasoning: pendingReasoning } : {}) }];
}

function describeError(error: unknown): { message: string; kind: AgentErrorKind } {
  if (error instanceof BackendError) return { message: error.message, kind: error.kind };
  return { message: error instanceof Error ? error.message : String(error), kind: 'internal' };
}

/** The budget stop's sentence, naming where the budget is raised (setting or CLI flag). */
function budgetSpent(maxCodeCalls: number): string {
  return `The code-call budget (${maxCodeCalls}) is used up (raise it with ${knob('maxCodeCalls')}).`;
}
