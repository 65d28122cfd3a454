// The OpenAI chat completions byte format: Server-Sent Events `data: {json}\n\n`, a role-only
// first delta, a final delta with finish_reason, an optional usage chunk, then `data: [DONE]`.
import type { ScriptedToolCall, WireOptions } from './scenarioSchema';
import type { FinalStats, WireFormat } from './streamReply';
import { jsonWithRaw, rawJsonObject } from './rawJson';

/** Arguments as OpenAI sends them: JSON text (a string is sent as it is, malformed or not). */
function argumentText(call: ScriptedToolCall): string {
  return typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
}

/** The `arguments` field as the wire options spell it: JSON text, or (argumentsAsObject) the object itself. */
function argumentsField(call: ScriptedToolCall, options: WireOptions): unknown {
  if (options.argumentsAsObject !== true) return argumentText(call);
  // Text of an object goes out as that object, as it is (it may nest deeper than JSON.stringify recurses).
  return typeof call.arguments !== 'string' ? call.arguments : (rawJsonObject(call.arguments) ?? call.arguments);
}

/** Pieces of a tool call's arguments, as servers stream them (a few characters per delta). */
const ARGUMENT_PIECE = 7;

function event(value: unknown): string {
  return `data: ${jsonWithRaw(value)}\n\n`;
}

/** Mistral's content blocks (see WireOptions.contentParts). */
const textBlock = (text: string): Record<string, unknown> => ({ type: 'text', text });
/** OpenAI's refusal content part (see WireOptions.refusal). */
const refusalBlock = (text: string): Record<string, unknown> => ({ type: 'refusal', refusal: text });
const thinkingBlock = (text: string): Record<string, unknown> => ({ type: 'thinking', thinking: [{ type: 'text', text }] });

export function openAiErrorBody(message: string, type: string, code: string | null): unknown {
  return { error: { message, type, param: null, code } };
}

/**
 * How an error body spells the error: `{"error": "…"}` (Ollama, TGI), `{"error": {"message", "type",
 * "code"}}` (OpenAI, llama.cpp), or `flat`, vLLM < 0.10's ErrorResponse `{"object": "error", "message", …}`.
 */
export type ErrorForm = 'string' | 'object' | 'flat';

/** An error body of `form`, whatever the protocol's own. */
export function errorBodyIn(form: ErrorForm, status: number, message: string): unknown {
  if (form === 'flat') return { object: 'error', message, type: status >= 500 ? 'InternalServerError' : 'BadRequestError', param: null, code: status };
  return form === 'string' ? { error: message } : openAiErrorBody(message, status >= 500 ? 'server_error' : 'invalid_request_error', null);
}

function usage(stats: FinalStats): Record<string, number> {
  return { prompt_tokens: stats.promptTokens, completion_tokens: stats.evalCount, total_tokens: stats.promptTokens + stats.evalCount };
}

/**
 * `continuousPromptTokens`: the request asked for `continuous_usage_stats` and the server honours
 * it (WireOptions.continuousUsage): every chunk carries the counts so far, these prompt tokens and
 * one completion token per chunk sent before it (vLLM's serving_chat, SGLang).
 */
export function openAiChatWire(model: string, id: string, includeUsage: boolean, options: WireOptions = {}, continuousPromptTokens?: number): WireFormat {
  const field = options.reasoningField ?? 'reasoning_content';
  const details = field === 'reasoning_details' || field === 'reasoning_details_summary';
  const reasoningField = details ? 'reasoning_details' : field;
  /** OpenRouter's items: the text (or summary), then an encrypted item whose data is no text (see WireOptions.reasoningField). */
  const detailItems = (text: string): unknown[] => [
    field === 'reasoning_details_summary'
      ? { type: 'reasoning.summary', summary: text, format: 'openai-responses-v1', index: 0 }
      : { type: 'reasoning.text', text, signature: null, format: 'anthropic-claude-v1', index: 0 },
    { type: 'reasoning.encrypted', data: `ENCRYPTED${Buffer.from(text).toString('base64')}`, format: 'openai-responses-v1', index: 1 },
  ];
  const reasoningValue = (text: string): unknown => (details ? detailItems(text) : options.reasoningAsObject === true ? { text } : text);
  const created = Math.floor(Date.now() / 1000);
  // The completions API's object names with its `text` field (see WireOptions.choiceText: `only`).
  const completions = options.choiceText === 'only';
  const base = { id, object: completions ? 'text_completion' : 'chat.completion.chunk', created, model, system_fingerprint: 'fp_scripted' };
  // With include_usage every chunk carries "usage": null except the extra last one.
  const withUsage = includeUsage && options.omitUsage !== true && options.groqUsage !== true && options.usageInChoice !== true;
  /** Chunks of generated text, reasoning or tool call sent so far: the completion tokens a continuous count reports. */
  let generated = 0;
  const usageNull = (): Record<string, unknown> =>
    withUsage && continuousPromptTokens !== undefined
      ? { usage: { prompt_tokens: continuousPromptTokens, completion_tokens: generated, total_tokens: continuousPromptTokens + generated } }
      : withUsage
        ? { usage: null }
        : {};
  const chunk = (delta: Record<string, unknown>, finishReason: string | null): string => event({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...usageNull() });
  const parts = options.contentParts === true;
  /** The second choice's text not yet sent (see WireOptions.otherChoice). */
  let other = options.otherChoice ?? '';
  const otherEvent = (delta: Record<string, unknown>, finishReason: string | null): string => event({ ...base, choices: [{ index: 1, delta, logprobs: null, finish_reason: finishReason }], ...usageNull() });
  /** The second choice's next piece (as long as the first choice's), ahead of the first choice's chunk. */
  const otherPiece = (length: number): string => {
    if (other === '') return '';
    const piece = other.slice(0, Math.max(1, length));
    other = other.slice(piece.length);
    return otherEvent({ content: piece }, null);
  };
  /** The rest of the second choice and its finish_reason, before the first choice's (once). */
  const otherEnd = (): string => {
    if (options.otherChoice === undefined) return '';
    const rest = other === '' ? '' : otherEvent({ content: other }, null);
    other = '';
    return rest + otherEvent({}, 'stop');
  };
  /** The reply so far, when it goes out whole in the last chunk's `message` (see WireOptions.messageInChunk). */
  const whole = { text: '', thinking: '' };
  const inMessage = options.messageInChunk === true;
  /** A non-streamed reply with each choice's `message` renamed `delta` (see WireOptions.deltaInComplete). */
  const withDelta = (reply: { choices: Array<Record<string, unknown>> } & Record<string, unknown>): unknown =>
    options.deltaInComplete === true
      ? { ...reply, choices: reply.choices.map(({ message, ...choice }) => ({ ...choice, delta: message })) }
      : options.choiceText === 'only'
        ? { ...reply, choices: reply.choices.map(({ message, ...choice }) => ({ ...choice, text: (message as { content?: unknown } | undefined)?.content ?? '' })) }
        : options.choiceText === 'both'
          ? { ...reply, choices: reply.choices.map((choice) => ({ ...choice, text: (choice.message as { content?: unknown } | undefined)?.content ?? '' })) }
          : reply;
  /**
   * A content chunk whose text is somewhere else than `delta.content` (see WireOptions.choiceText,
   * deltaAsString): in the choice's `text` (with an empty delta, or beside the same text in
   * `delta.content`), or as the `delta` itself.
   */
  const textChunk = (text: string): string => {
    if (options.deltaAsString === true) return event({ ...base, choices: [{ index: 0, delta: text, finish_reason: null }], ...usageNull() });
    const delta = options.choiceText === 'both' ? { content: text } : {};
    return event({ ...base, choices: [{ index: 0, delta, text, logprobs: null, finish_reason: null }], ...usageNull() });
  };
  /**
   * The id of the reply's call at `index`: `call_<6 of the completion id>_<index>`, or, with
   * `mistralCallIds`, 9 characters of [a-zA-Z0-9] as Mistral's API and vLLM's Mistral parser give them.
   */
  const callId = (index: number): string => (options.mistralCallIds === true ? `c${id.replace(/[^a-zA-Z0-9]/g, '').slice(-6)}${String(index).padStart(2, '0')}`.slice(-9) : `call_${id.slice(-6)}_${index}`);
  /** A delta carrying tool call pieces: a list of them, or (bareObject) the one piece itself. */
  const callDelta = (piece: Record<string, unknown>): string => chunk({ tool_calls: options.toolCallDeltas === 'bareObject' ? piece : [piece] }, null);
  return {
    streamContentType: options.streamContentType ?? 'text/event-stream; charset=utf-8',
    opening: () => chunk({ role: 'assistant', content: '' }, null),
    chunk: (text) => {
      generated++;
      if (inMessage) {
        whole.text += text;
        return chunk({ content: '', [reasoningField]: '' }, null);
      }
      return (
        (options.nullEvents === true ? 'data: null\n\n' : '') +
        (options.pingEvents === true ? `event: ping\ndata: ${new Date().toISOString().replace('T', ' ').replace('Z', '')}\n\n` : '') +
        otherPiece(text.length) +
        (options.choiceText !== undefined || options.deltaAsString === true
          ? textChunk(text)
          : chunk(options.refusal === 'field' ? { content: null, refusal: text } : options.refusal === 'refusalBlocks' ? { content: [refusalBlock(text)] } : { content: parts ? [textBlock(text)] : text }, null))
      );
    },
    thinking: (text) => {
      generated++;
      if (!inMessage) return chunk(parts ? { content: [thinkingBlock(text)] } : { [reasoningField]: reasoningValue(text) }, null);
      whole.thinking += text;
      return chunk({ content: '', [reasoningField]: '' }, null);
    },
    // First delta: id, type, name and empty arguments; then the arguments' JSON text in pieces
    // (or the whole call in one delta, or every piece repeating id and name: see `toolCallDeltas`).
    toolCalls: (calls) => {
      if (options.toolCallDeltas === 'sharedId' && options.legacyFunctionCall !== true)
        return [chunk({ tool_calls: calls.map((call) => ({ id: `call_${id}`, type: 'function', function: { name: call.name, arguments: argumentsField(call, options) } })) }, null)];
      const perCall = calls.map((call, index) => {
        if (options.legacyFunctionCall === true) {
          // One function call per reply in this form: the first call only.
          if (index > 0) return [];
          const args = argumentText(call);
          const pieces = [chunk({ function_call: { name: call.name, arguments: '' } }, null)];
          for (let from = 0; from < args.length; from += ARGUMENT_PIECE) pieces.push(chunk({ function_call: { arguments: args.slice(from, from + ARGUMENT_PIECE) } }, null));
          return pieces;
        }
        const args = argumentText(call);
        const noIndex = options.toolCallDeltas === 'noIndex';
        const at = noIndex ? {} : { index: options.toolCallDeltas === 'sameIndex' ? 0 : options.toolCallDeltas === 'nullIndex' ? null : index };
        const head = { ...at, id: callId(index), type: 'function' };
        if (options.toolCallDeltas === 'whole' || options.toolCallDeltas === 'sameIndex' || options.toolCallDeltas === 'nullIndex' || options.argumentsAsObject === true)
          return [callDelta({ ...head, function: { name: call.name, arguments: argumentsField(call, options) } })];
        const repeat = options.toolCallDeltas === 'repeatName';
        const pieces: string[] = [callDelta({ ...head, function: { name: call.name, arguments: '' } })];
        for (let from = 0; from < args.length; from += ARGUMENT_PIECE) {
          const piece = args.slice(from, from + ARGUMENT_PIECE);
          pieces.push(callDelta(repeat ? { ...head, function: { name: call.name, arguments: piece } } : { ...at, function: { arguments: piece } }));
        }
        // vLLM's xlam parser's end-of-stream flush sends the whole arguments once more (vllm-project/vllm#51697).
        if (options.toolCallDeltas === 'resendWhole') pieces.push(callDelta({ ...at, function: { arguments: args } }));
        return pieces;
      });
      if (options.toolCallDeltas !== 'interleaved') return perCall.flat();
      // Round robin: the first delta of each call, then the second of each, ... (by `index`).
      const rounds = Math.max(...perCall.map((p) => p.length));
      return Array.from({ length: rounds }, (_, round) => perCall.flatMap((p) => (round < p.length ? [p[round] ?? ''] : []))).flat();
    },
    toolCallsDoneReason: options.legacyFunctionCall === true ? 'function_call' : 'tool_calls',
    malformed: (text) => `${text ?? `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"unterminat`}\n\n`,
    streamError: (message, form) =>
      form === 'string' || form === 'flat'
        ? event(errorBodyIn(form, 500, message))
        : options.errorField === true
          ? `error: ${JSON.stringify({ code: 500, message, type: 'server_error' })}\n\ndata: [DONE]\n\n`
          : options.errorAsText === true
            ? `data: ${message}\n\ndata: [DONE]\n\n`
            : options.errorRaw === true
              ? options.prettyJson === true
                ? JSON.stringify(openAiErrorBody(message, 'server_error', null), null, 2)
                : `${JSON.stringify(openAiErrorBody(message, 'server_error', null))}\n`
              : options.errorObject === true
                ? `event: error\n${event({ type: 'error', code: 'server_error', message, param: null, sequence_number: 1 })}data: [DONE]\n\n`
                : event(openAiErrorBody(message, 'server_error', null)),
    closing: (stats) =>
      otherEnd() +
      (options.groqUsage === true
        ? event({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: stats.doneReason }], x_groq: { id: `req_${id}`, usage: usage(stats) } })
        : options.usageInChoice === true
          ? event({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: stats.doneReason, usage: usage(stats) }] })
          : inMessage
            ? event({
                ...base,
                choices: [
                  { index: 0, delta: { content: '', [reasoningField]: '' }, message: { role: 'assistant', content: whole.text, [reasoningField]: whole.thinking }, logprobs: null, finish_reason: stats.doneReason },
                ],
                ...usageNull(),
              })
            : chunk({}, stats.doneReason)) +
      (withUsage ? event({ ...base, choices: options.nullChoices === true ? null : [], usage: usage(stats) }) : '') +
      (options.omitDone === true || options.holdOpen === true ? '' : 'data: [DONE]\n\n'),
    complete: (text, stats, extras) =>
      withDelta({
        id,
        object: completions ? 'text_completion' : 'chat.completion',
        created,
        model,
        system_fingerprint: 'fp_scripted',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              ...(options.refusal === 'field' ? { refusal: text } : {}),
              content:
                options.refusal === 'field'
                  ? null
                  : options.refusal === 'refusalBlocks'
                    ? [refusalBlock(text)]
                    : parts
                      ? [...(extras.thinking !== '' ? [thinkingBlock(extras.thinking)] : []), textBlock(text)]
                      : options.thinkTagsKept === true && extras.thinking !== ''
                        ? `<think>${extras.thinking}</think>\n\n${text}`
                        : extras.toolCalls.length > 0 && text === ''
                          ? null
                          : text,
              ...(extras.thinking !== '' && !parts ? { [reasoningField]: reasoningValue(extras.thinking) } : {}),
              ...(extras.toolCalls.length > 0 && options.legacyFunctionCall === true
                ? { function_call: { name: extras.toolCalls[0]?.name, arguments: argumentText(extras.toolCalls[0] ?? { name: '', arguments: '' }) } }
                : {}),
              ...(extras.toolCalls.length > 0 && options.legacyFunctionCall !== true
                ? {
                    tool_calls: extras.toolCalls.map((call, index) => ({
                      id: options.toolCallDeltas === 'sharedId' ? `call_${id}` : callId(index),
                      type: 'function',
                      function: { name: call.name, arguments: argumentsField(call, options) },
                    })),
                  }
                : {}),
            },
            logprobs: null,
            finish_reason: stats.doneReason,
          },
          ...(options.otherChoice !== undefined ? [{ index: 1, message: { role: 'assistant', content: options.otherChoice }, logprobs: null, finish_reason: 'stop' }] : []),
        ],
        ...(options.omitUsage === true ? {} : { usage: usage(stats) }),
      }),
    errorBody: (status, message) => openAiErrorBody(message, status >= 500 ? 'server_error' : 'invalid_request_error', null),
  };
}
