// OpenAI-compatible servers (vLLM, llama.cpp server, LM Studio, SGLang, Ollama's /v1):
// GET /v1/models and streaming POST /v1/chat/completions, spoken with Node's fetch.
import { madeUpCallId } from './callIds';
import { z } from 'zod';
import {
  connectionLost,
  errorDocument,
  isAbortError,
  isConnectionLost,
  isResetBeforeReply,
  malformedLine,
  modelMissing,
  overflowNote,
  rateLimited,
  retryAfterMs,
  saysContextOverflow,
  serverErrorDetail,
  serverWords,
  unreachableError,
  serverFailureAdvice,
  unsupportedFeatureAdvice,
} from './errors';
import { modelLoadingError } from './modelLoading';
import { MAX_BODY_BYTES, MAX_LINE_BYTES, readTextWithin, tooLarge } from './bounds';
import { readSse } from './sse';
import { BackendError, type ChatChunk, type ChatMessage, type ChatRequest, type ModelBackend, type ModelInfo, type ToolCall } from './types';
import { knob } from '../../text/frontEnd';
import { trimTrailing } from '../../text/trimTrailing';
import { jsonTextOf } from '../../text/jsonDepth';

export const DEFAULT_OPENAI_BASE_URL = 'http://127.0.0.1:8000/v1';

export interface OpenAiBackendOptions {
  /** e.g. http://127.0.0.1:8000/v1 (a URL without /v1 gets it appended). */
  readonly baseUrl?: string;
  /** Sent as `Authorization: Bearer <key>` when set. */
  readonly apiKey?: string;
}

/**
 * A tool call's `function.arguments`: JSON text as OpenAI specifies, or the object itself, which
 * TGI's Messages API (huggingface/text-generation-inference#1624) and llama.cpp's
 * `--tool-args-object` (ggml-org/llama.cpp#20198) send; an object becomes its JSON text (at any
 * depth: jsonTextOf; the arguments' reader refuses one nested too deep).
 */
const argumentsSchema = z.union([z.string(), z.record(z.string(), z.unknown()).transform((object) => jsonTextOf(object))]);

/**
 * An optional field that a server may also write as `null` for "absent" (Gemini's OpenAI-compatible
 * endpoint streams tool calls with `"index": null`, Alishahryar1/free-claude-code#633): read as
 * absent, never as a malformed event that abandons the reply.
 */
function absentOrNull<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((value) => value ?? undefined);
}

/** A tool call delta: the first carries id and name, later ones pieces of the arguments' JSON text. */
const toolCallDeltaSchema = z.object({
  index: absentOrNull(z.number().int().nonnegative()),
  id: z.string().nullish(),
  function: z.object({ name: z.string().nullish(), arguments: argumentsSchema.nullish() }).partial().nullish(),
});

/** `tool_calls`: a list of deltas, or one delta not in a list (TGI 2.x, huggingface/text-generation-inference#2794). */
const toolCallsSchema = z.union([z.array(toolCallDeltaSchema), toolCallDeltaSchema.transform((delta) => [delta])]);

/**
 * `content` as a list of typed blocks, as Mistral's API sends it for its reasoning models
 * (docs.mistral.ai, "Reasoning"; in deltas and whole messages): `text` blocks are the reply,
 * `thinking` blocks (their text in a list of text blocks) the reasoning, and `refusal` blocks
 * (`{"type":"refusal","refusal"}`, OpenAI's assistant content part) the model's refusal, which is
 * its reply too; other kinds carry no text.
 */
const contentBlocksSchema = z.array(
  z.looseObject({
    type: z.string(),
    text: absentOrNull(z.string()),
    refusal: absentOrNull(z.string()),
    thinking: absentOrNull(z.union([z.string(), z.array(z.looseObject({ text: absentOrNull(z.string()) }))])),
  }),
);

/** The text of the blocks of one type ('text' or 'thinking'). */
function blockText(blocks: z.infer<typeof contentBlocksSchema>, type: 'text' | 'thinking'): string {
  return blocks
    .filter((b) => b.type === type || (type === 'text' && b.type === 'refusal'))
    .map((b) => (type === 'text' ? (b.type === 'refusal' ? (b.refusal ?? '') : (b.text ?? '')) : typeof b.thinking === 'string' ? b.thinking : (b.thinking ?? []).map((t) => t.text ?? '').join('')))
    .join('');
}

/**
 * The reasoning of a delta or message: its `reasoning_content` or its `reasoning` (never both
 * counted: servers in a renaming period send the same text in each), whichever holds text; a
 * field sent empty as a marker (`"reasoning": ""` on every chunk, as some gateways send it) does
 * not hide the other.
 */
function reasoningOf(part: { readonly reasoning_content?: string | null; readonly reasoning?: string | null } | null | undefined): string {
  const content = part?.reasoning_content ?? '';
  return content !== '' ? content : (part?.reasoning ?? '');
}

/**
 * A reasoning field: its text, or an object holding it as `text` (Envoy AI Gateway streams AWS
 * Bedrock's reasoning as `"reasoning_content": {"text": "…"}`, envoyproxy/ai-gateway#1222), read as that text.
 */
const reasoningFieldSchema = z.union([z.string(), z.looseObject({ text: z.string().nullish() }).transform((o) => o.text ?? '')]).nullish();

/**
 * OpenRouter's `reasoning_details` (openrouter.ai/docs, "Reasoning Tokens"), which it may send
 * without `reasoning`: a list of items, `{"type":"reasoning.text","text"}`,
 * `{"type":"reasoning.summary","summary"}` and `{"type":"reasoning.encrypted","data"}`; read as
 * the text of its text and summary items (encrypted data is never text), '' for anything else.
 */
const reasoningDetailsSchema = z
  .array(z.unknown())
  .nullish()
  .catch(undefined)
  .transform((items) =>
    (items ?? [])
      .map((item) => {
        const read = z.looseObject({ type: z.string(), text: z.string().nullish(), summary: z.string().nullish() }).safeParse(item);
        if (!read.success) return '';
        return read.data.type === 'reasoning.text' ? (read.data.text ?? '') : read.data.type === 'reasoning.summary' ? (read.data.summary ?? '') : '';
      })
      .join(''),
  );

/** The message fields a delta (streaming) or a message (non-streaming) may carry. */
const messagePartSchema = z
  .object({
    content: z.union([z.string(), contentBlocksSchema]).nullish(),
    // vLLM's reasoning parsers and llama.cpp send `reasoning_content`; vLLM ≥ 0.10 and OpenRouter `reasoning`.
    reasoning_content: reasoningFieldSchema,
    reasoning: reasoningFieldSchema,
    reasoning_details: reasoningDetailsSchema,
    tool_calls: toolCallsSchema.nullish(),
    // The model's refusal, with `content` null (OpenAI's `delta.refusal` and `message.refusal`, which
    // gateways pass on, openclaw/openclaw#102321): the model's own words, and so its reply's text.
    refusal: absentOrNull(z.string()),
    // OpenAI's deprecated function-calling form, which `tool_calls` replaced (one call, no id);
    // servers that still speak it would otherwise have their call dropped without a trace.
    function_call: z.object({ name: z.string().nullish(), arguments: argumentsSchema.nullish() }).partial().nullish(),
  })
  .partial()
  .transform(({ function_call, content, reasoning_details, refusal, ...fields }) => {
    // OpenRouter's reasoning_details stand for `reasoning` when neither reasoning field has text (it sends the same text in both otherwise).
    const part = reasoningOf(fields) === '' && reasoning_details !== undefined && reasoning_details !== '' ? { ...fields, reasoning: reasoning_details } : fields;
    const withCalls = function_call && !part.tool_calls ? { ...part, tool_calls: [{ index: 0, function: function_call }] } : part;
    if (!Array.isArray(content)) return { ...withCalls, content: refusal ? (content ?? '') + refusal : content };
    const thinking = blockText(content, 'thinking');
    return { ...withCalls, content: blockText(content, 'text') + (refusal ?? ''), ...(thinking !== '' ? { reasoning_content: reasoningOf(part) + thinking } : {}) };
  });

/**
 * A whole message's `content` without the `<think>…</think>` block that opens it when that block
 * holds the very reasoning the message also carries in its reasoning field: llama.cpp's
 * `--reasoning-format deepseek-legacy` "keeps `<think>` tags in `message.content` while also
 * populating `message.reasoning_content`" (tools/server README), which would show and store the
 * reasoning twice. A block with other text is left to the inline-tag rule (thinkTags.ts).
 */
function withoutEchoedReasoning(content: string, reasoning: string): string {
  const echo = /^\s*<think>([\s\S]*?)<\/think>\s*/.exec(content);
  return echo !== null && reasoning.trim() !== '' && echo[1]?.trim() === reasoning.trim() ? content.slice(echo[0].length) : content;
}

/**
 * The reply is the first choice's (`index` 0; a server that leaves `index` out sends one choice).
 * A server that got `n` > 1 from a proxy or a client default streams further choices, each its own
 * sample, interleaved with the first's (vLLM, SGLang, llama.cpp): their text and finish_reason are not this reply's.
 */
function isFirstChoice(choice: { readonly index?: number | null }): boolean {
  return choice.index === undefined || choice.index === null || choice.index === 0;
}

const usageSchema = z.object({ prompt_tokens: absentOrNull(z.number()), completion_tokens: absentOrNull(z.number()) }).nullish();

/**
 * A choice's `delta`: the message part, or its text alone as a string (FastChat's first streaming
 * chat API sent `"delta": "Hello"`, lm-sys/FastChat#873), read as that text's content.
 */
const deltaSchema = z.preprocess((delta) => (typeof delta === 'string' ? { content: delta } : delta), messagePartSchema.nullish());

/**
 * A choice's `text`, the completions API's field for the generated text (OpenAI's legacy
 * `text_completion` chunk and choice, platform.openai.com/docs/api-reference/completions/object),
 * which some OpenAI-compatible servers put in a chat reply's choices instead of, or beside,
 * `delta.content` / `message.content`. Anything but a string is ignored.
 */
const choiceTextSchema = z.string().nullish().catch(undefined);

/**
 * The delta of a streamed choice with its `text` read as content when the delta carries no content
 * of its own: a server that sends both (the same text twice) is read once, by its delta.
 */
function withChoiceText(delta: z.infer<typeof messagePartSchema> | null | undefined, text: string | null | undefined): z.infer<typeof messagePartSchema> | null | undefined {
  if (text === undefined || text === null || text === '' || (delta?.content ?? '') !== '') return delta;
  return { ...delta, content: text };
}

const chunkSchema = z.object({
  // Absent, or null (MiniMax's API, RooCodeInc/Roo-Code#9105; Azure OpenAI): a chunk without choices.
  choices: z
    .array(
      z.object({
        index: z.number().int().nullish(),
        delta: deltaSchema,
        text: choiceTextSchema,
        // The whole reply beside empty deltas (ModelScope's API-Inference; see `messageBeside`).
        // Extras of a few servers: one of another shape is ignored, as before they were read.
        message: messagePartSchema.nullish().catch(undefined),
        finish_reason: z.string().nullish(),
        // Moonshot's Kimi API streams the token counts in the last chunk's choice (northes/go-moonshot#17).
        usage: usageSchema.catch(undefined),
      }),
    )
    .nullish()
    .transform((choices) => choices ?? []),
  usage: usageSchema,
  // Groq streams the token counts in the last chunk's `x_groq.usage` instead.
  x_groq: z.object({ usage: usageSchema }).nullish(),
});

/**
 * A server that ignores `stream: true` answers one `chat.completion` document. A choice may carry
 * its message as `delta`, the streaming field, as some servers answered without streaming
 * (rayonlabs/nineteen#140; Zhipu's API for a while, MetaGLM/zhipuai-sdk-java-v4#40): read as the message when there is none.
 */
const completionSchema = z.object({
  // `text_completion`: the completions API's name, which a server that fills `text` (choiceTextSchema) may give a chat reply.
  object: z.enum(['chat.completion', 'text_completion']).optional(),
  choices: z
    .array(
      z
        .object({ index: z.number().int().nullish(), message: messagePartSchema.nullish(), delta: deltaSchema.catch(undefined), text: choiceTextSchema, finish_reason: z.string().nullish() })
        // A choice with only the completions API's `text` (choiceTextSchema) is that text's message.
        .transform(({ delta, text, ...choice }) => ({ ...choice, message: withChoiceText(choice.message ?? delta, text) })),
    )
    .min(1),
  usage: usageSchema,
});

/** What to do about a context overflow, for each server's own flag. */
const overflowAdvice = (): string => `start the server with a larger context (vLLM --max-model-len, llama.cpp -c / --ctx-size, LM Studio "Context Length", Ollama OLLAMA_CONTEXT_LENGTH) or lower ${knob('maxCodeCalls')}`;

/**
 * A streamed choice's `message`, when it holds anything (text, reasoning or calls): some servers
 * leave every delta empty and send the whole reply as `message` beside the last one
 * (ModelScope's API-Inference, CherryHQ/cherry-studio#8065). Read only while no delta has carried
 * anything, and once: a server that sends both is read by its deltas (a `message` may repeat the text so far).
 */
function messageBeside(message: z.infer<typeof messagePartSchema> | null | undefined): z.infer<typeof messagePartSchema> | undefined {
  if (!message) return undefined;
  const content = message.content ?? '';
  return content !== '' || reasoningOf(message) !== '' || (message.tool_calls?.length ?? 0) > 0 ? message : undefined;
}

/** Lines a raw JSON document in an event stream may span (an indented error body is a dozen). */
const MAX_RAW_LINES = 64;

/**
 * A JSON document a server wrote raw into its event stream, without `data:`: its error body
 * (`{"error": …}`, on one line or indented over several) mid-stream, the HTTP 200 already sent.
 * `lines` are the stream's lines from the one that opened it (with `{`). Returns the error it
 * parses as; 'more' while the lines do not parse yet and more may complete it (at most
 * MAX_RAW_LINES); undefined when it is no error document (the first line is then malformed).
 */
function rawErrorDocument(lines: readonly string[]): { readonly message: string } | 'more' | undefined {
  const json = parseJson(lines.join('\n'));
  if (json !== undefined) return errorDocument(json);
  return lines.length < MAX_RAW_LINES ? 'more' : undefined;
}

/** llama.cpp's GET /props: the window of its slots (`-c`, split among `-np` slots) as `default_generation_settings.n_ctx`. */
const llamaCppPropsSchema = z.object({ default_generation_settings: z.object({ n_ctx: z.number().int().positive() }) });

const modelsSchema = z.object({ data: z.array(z.object({ id: z.string(), max_model_len: absentOrNull(z.number().int().positive()) }).loose()) });

/**
 * OpenAI's message shape (assistant tool_calls with JSON-text arguments, tool results by id).
 * `reasoningBack`: an assistant message with tool calls carries its reasoning as
 * `reasoning_content` (empty when it had none), which DeepSeek's thinking mode requires.
 */
function toOpenAiMessage(m: ChatMessage, reasoningBack: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { role: m.role, content: m.content };
  if (m.toolCalls && m.toolCalls.length > 0) out.tool_calls = m.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  if (reasoningBack && m.role === 'assistant' && m.toolCalls && m.toolCalls.length > 0) out.reasoning_content = m.reasoning ?? '';
  if (m.toolCallId !== undefined) out.tool_call_id = m.toolCallId;
  return out;
}

/** Assembles streamed tool call deltas by their index (arguments arrive as JSON text in pieces). */
class ToolCallAssembler {
  private readonly calls: Array<{ id: string; name: string; arguments: string }> = [];
  /**
   * Where the server's `index` points now, when that differs from the call's own place: a server
   * that gives every call `index` 0 (Ollama's /v1 since 0.20, ollama/ollama#15457; LiteLLM's
   * ollama_chat) starts each further call at an index already taken, with an id and name of its own.
   */
  private readonly moved = new Map<number, number>();

  /**
   * Adds one delta's (or one whole message's) `tool_calls`. The entries of one list are different
   * calls whatever their ids: Xinference gives every call of a reply the same id (`call_<completion
   * id>`, streamed whole in one delta and in its non-streamed message alike; xorbitsai/inference#4237),
   * so an id an earlier entry of the same list took starts a call of its own, never continues that one.
   */
  add(deltas: readonly z.infer<typeof toolCallDeltaSchema>[]): void {
    const taken = new Set<string>();
    for (const [position, d] of deltas.entries()) {
      const repeated = d.id ? taken.has(d.id) : false;
      if (d.id) taken.add(d.id);
      const index = repeated ? this.startAfterOthers(d.index) : d.index !== undefined ? this.indexOf(d.index, d) : this.indexWithout(d, position, deltas.length);
      const call = (this.calls[index] ??= { id: '', name: '', arguments: '' });
      if (d.id) call.id = d.id;
      // The name comes once (vLLM) or is repeated in every delta (some proxies): never doubled.
      if (d.function?.name && d.function.name !== call.name) call.name += d.function.name;
      if (d.function?.arguments) call.arguments += d.function.arguments;
    }
  }

  /** A new call, after the others; the server's `index` for it (if any) points there from now on. */
  private startAfterOthers(index: number | undefined): number {
    const at = this.calls.length;
    if (index !== undefined && index !== at) this.moved.set(index, at);
    return at;
  }

  /**
   * Where a delta with the server's `index` belongs: a call already known by the delta's id keeps
   * its place; a call's start (an id and a name) at an index held by a call with another id is a
   * new call, after the others; anything else goes where the index points.
   */
  private indexOf(index: number, d: z.infer<typeof toolCallDeltaSchema>): number {
    if (d.id) {
      const known = this.calls.findIndex((c) => c !== undefined && c.id === d.id);
      if (known >= 0) return known;
      const held = this.calls[this.moved.get(index) ?? index];
      if (held !== undefined && held.id !== '' && d.function?.name) {
        this.moved.set(index, this.calls.length);
        return this.calls.length;
      }
    }
    return this.moved.get(index) ?? index;
  }

  /**
   * Where a delta without `index` belongs (servers that leave it out): a new id starts a call, a
   * known id continues its call, no id continues the latest call (or, several deltas in one
   * chunk, goes by position).
   */
  private indexWithout(d: z.infer<typeof toolCallDeltaSchema>, position: number, count: number): number {
    if (d.id) {
      const known = this.calls.findIndex((c) => c !== undefined && c.id === d.id);
      return known >= 0 ? known : this.calls.length;
    }
    return count > 1 || this.calls.length === 0 ? position : this.calls.length - 1;
  }

  /**
   * The complete calls, in index order: ids made up where the server sent none, and a repeated id
   * (see `add`) replaced, so that each call's result goes back under an id of its own (madeUpCallId).
   */
  take(): ToolCall[] {
    const seen = new Set<string>();
    const calls = this.calls
      .filter((c) => c !== undefined)
      .map((c) => {
        let id = c.id || madeUpCallId();
        if (seen.has(id)) id = madeUpCallId();
        seen.add(id);
        return { id, name: c.name, arguments: c.arguments };
      });
    this.calls.length = 0;
    this.moved.clear();
    return calls;
  }
}

/**
 * How long a reply may go on after its finish_reason, in ms: a compliant server sends its usage
 * chunk and `data: [DONE]` at once. Some send neither [DONE] nor the end of the body after it and
 * hold the connection open (vllm-mlx now and then, waybarrios/vllm-mlx#101; a DeepSeek-web bridge,
 * diegosouzapw/OmniRoute#6777; an upstream that keeps sending heartbeats, maximhq/bifrost#6784):
 * the reply is complete, and waiting for the stall watchdog would turn it into a failure. Below the
 * smallest stall limit the settings allow (5 s), so the reply ends before the watchdog fires.
 */
const AFTER_FINISH_MS = 2000;

/** The generator's next item, or undefined when none comes within `ms` (its read is left pending). */
async function nextWithin<T>(items: AsyncGenerator<T, void, undefined>, ms: number): Promise<IteratorResult<T, void> | undefined> {
  const pending = items.next();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    const outcome = await Promise.race([pending, late]);
    // The read goes on until the request is released; its end or failure is nobody's concern.
    if (outcome === undefined) pending.catch(() => undefined);
    return outcome;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Fields of a request that a server may refuse and that can be left out: `stream_options` (usage
 * counts), `continuous_usage` (its `continuous_usage_stats`, see OpenAiBackend.body),
 * `continuation` (vLLM's `continue_final_message` and `add_generation_prompt`).
 */
type OptionalField = 'stream_options' | 'continuous_usage' | 'continuation';

/**
 * Which optional field a 400/422 body refuses, if any (not one already left out): named in it
 * (Mistral's `extra_forbidden` detail, `loc: ["body", "stream_options", …]`; a server's "unknown
 * field continue_final_message"), or, for a request with the continuation fields, any complaint
 * about unknown fields.
 */
function refusedField(body: string, continuation: boolean, refused: ReadonlySet<OptionalField>): OptionalField | undefined {
  // The extension vLLM and SGLang read is given up first, the usage counts only if they too are refused.
  if (!refused.has('continuous_usage') && !refused.has('stream_options') && /continuous_usage_stats/.test(body)) return 'continuous_usage';
  if (!refused.has('stream_options') && /stream_options|include_usage/.test(body)) return 'stream_options';
  if (continuation && /continue_final_message|add_generation_prompt|unrecognized|extra[ _](inputs|fields|forbidden)/i.test(body)) return 'continuation';
  return undefined;
}

/** Attempts after a reset before any reply (isResetBeforeReply) before it is reported. */
const STALE_CONNECTION_RETRIES = 2;

/**
 * The global fetch, sent again (at most STALE_CONNECTION_RETRIES times, without a word to the
 * user) when it meets a reset before any reply. undici, which the global fetch uses, does not
 * resend a POST on a kept-alive connection the server closed as it went out, and does not say
 * whether the connection was a reused one; a server that resets every request is reported after
 * the last attempt as before. Throws what `fetch` throws.
 */
async function fetchPastStaleConnections(url: string, init: RequestInit): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (error) {
      if (attempt >= STALE_CONNECTION_RETRIES || !isResetBeforeReply(error) || init.signal?.aborted) throw error;
    }
  }
}

/**
 * A body that may be a JSON object (an error document under a Content-Type that does not say so):
 * read whole (within MAX_BODY_BYTES, readTextWithin) when its first character other than white
 * space is `{`, else undefined at once, the body cancelled. So a body without Content-Length that
 * is something else (text that goes on until the stall limit) costs no wait.
 */
async function readJsonObjectText(response: Response, server: string): Promise<string | undefined> {
  if (!response.body) return undefined;
  const reader = response.body.getReader();
  const decoder = new TextDecoder('utf-8');
  const parts: string[] = [];
  let bytes = 0;
  let seen = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      if (bytes > MAX_BODY_BYTES) throw tooLarge(server, 'a reply', MAX_BODY_BYTES);
      const text = decoder.decode(value, { stream: true });
      parts.push(text);
      if (!seen && text.trim() !== '') {
        seen = true;
        if (!parts.join('').trimStart().startsWith('{')) return undefined;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  parts.push(decoder.decode());
  return parts.join('');
}

/** How an event stream's text begins: a field (`data:`, `event:`, `id:`, `retry:`, llama.cpp's `error:`) or a comment. */
const EVENT_STREAM_START = /^(?:(?:data|event|id|retry|error):|:)/;

/**
 * Whether a reply whose Content-Type does not say `text/event-stream` is one all the same, told by
 * its first characters (blanks and a BOM skipped): servers mislabel their streams as `text/plain`
 * (ramalama's RAG proxy, containers/ramalama#2837), `application/x-ndjson` (LitServe's OpenAISpec,
 * Lightning-AI/LitServe#359) or `application/json` (Foundry Local, microsoft/foundry-dev-tools#195).
 * Reads only until those characters arrive; `response` is the same reply, those bytes put back.
 */
async function sniffEventStream(response: Response): Promise<{ readonly eventStream: boolean; readonly response: Response }> {
  if (!response.body) return { eventStream: false, response };
  const reader = response.body.getReader();
  const decoder = new TextDecoder('utf-8');
  const read: Uint8Array[] = [];
  let head = '';
  let ended = false;
  // Enough to tell: the longest field name with its colon, a line end, or the end of the body.
  while (!ended && head.trimStart().length < 'retry:'.length && !/[\r\n]/.test(head.trimStart())) {
    const next = await reader.read();
    if (next.done) ended = true;
    else {
      read.push(next.value);
      head += decoder.decode(next.value, { stream: true });
    }
  }
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const bytes of read) controller.enqueue(bytes);
      if (ended) controller.close();
    },
    async pull(controller) {
      const next = await reader.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return { eventStream: EVENT_STREAM_START.test(head.trimStart()), response: new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers }) };
}

/** `text` parsed as JSON, or undefined when it is not JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Normalises the base URL: no trailing slash, and /v1 appended when the path is empty. */
export function normalizeOpenAiBaseUrl(raw: string | undefined): string {
  const url = new URL((raw && raw.trim()) || DEFAULT_OPENAI_BASE_URL);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1';
  return trimTrailing(url.toString(), '/');
}

export class OpenAiBackend implements ModelBackend {
  readonly kind = 'openai' as const;
  readonly baseUrl: string;
  private readonly apiKey: string | undefined;
  /**
   * Optional fields a server refused (HTTP 400/422 naming them; a strict schema: Mistral's API
   * forbids extra inputs, others reject vLLM's continuation fields): later requests leave them out.
   */
  private readonly refused = new Set<OptionalField>();
  /**
   * The server asked for the reasoning of tool-call turns back (HTTP 400 naming `reasoning_content`:
   * DeepSeek's thinking mode, "The reasoning_content in the thinking mode must be passed back to
   * the API" / "Missing reasoning_content field in the assistant message at message index N"):
   * later requests carry it. Other servers never see the field.
   */
  private reasoningBack = false;
  /**
   * The server cannot stream a reply to a request with tools: llama.cpp's server before it streamed
   * tool calls (ggml-org/llama.cpp#12379, May 2025; servers that bundle an older one) answers it
   * HTTP 500 "Cannot use tools with stream". Requests with tools then go unstreamed (`stream:
   * false`, their reply one document, read as a server that ignores `stream: true` is read).
   */
  private toolsUnstreamed = false;
  /** The server answered a streamed request with one JSON document: its replies come whole (see the `whole-reply` chunk). */
  private repliesWhole = false;

  constructor(options: OpenAiBackendOptions = {}) {
    this.baseUrl = normalizeOpenAiBaseUrl(options.baseUrl);
    this.apiKey = options.apiKey && options.apiKey.length > 0 ? options.apiKey : undefined;
  }

  private headers(): Record<string, string> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'text/event-stream, application/json' };
    if (this.apiKey) headers.Authorization = `Bearer ${this.apiKey}`;
    return headers;
  }

  private body(request: ChatRequest, continuation: boolean): Record<string, unknown> {
    const hasTools = request.tools !== undefined && request.tools.length > 0;
    const stream = !(hasTools && this.toolsUnstreamed);
    const body: Record<string, unknown> = {
      model: request.model,
      messages: request.messages.map((m) => toOpenAiMessage(m, this.reasoningBack)),
      stream,
      // The token counts (a server that refuses the field may send them anyway, as Mistral's does).
      // `continuous_usage_stats` (vLLM since vllm-project/vllm#6652, SGLang since
      // sgl-project/sglang#12241; others ignore it) puts the counts so far in every chunk: a
      // reply the agent stops reading at a closing fence never gets to the last one.
      // Only on a stream: vLLM refuses them on a request that is none.
      ...(this.refused.has('stream_options') || !stream ? {} : { stream_options: { include_usage: true, ...(this.refused.has('continuous_usage') ? {} : { continuous_usage_stats: true }) } }),
      temperature: request.options.temperature,
    };
    if (request.options.seed !== undefined) body.seed = request.options.seed;
    if (request.tools && request.tools.length > 0) body.tools = request.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }));
    // gpt-oss levels (vLLM, llama.cpp); on/off/auto are left to the server's reasoning parser.
    if (request.think === 'low' || request.think === 'medium' || request.think === 'high') body.reasoning_effort = request.think;
    // R1-CI mode: the model continues its own assistant message (results injected verbatim).
    // vLLM and SGLang need to be told, or they would open a new assistant turn.
    if (continuation) {
      body.continue_final_message = true;
      body.add_generation_prompt = false;
    }
    return body;
  }

  async *streamChat(request: ChatRequest, signal: AbortSignal): AsyncIterable<ChatChunk> {
    const endsWithAssistant = request.messages[request.messages.length - 1]?.role === 'assistant';
    const continuation = (): boolean => endsWithAssistant && !this.refused.has('continuation');
    /** Ends the request when the reply is complete but the server holds the connection open (see AFTER_FINISH_MS). */
    const release = new AbortController();
    const requestSignal = AbortSignal.any([signal, release.signal]);
    const hasTools = request.tools !== undefined && request.tools.length > 0;
    /** A `whole-reply` was said: `reply-started` ends its allowance once the answer begins. */
    let announcedWhole = this.repliesWhole || (hasTools && this.toolsUnstreamed);
    if (announcedWhole) yield { type: 'whole-reply' };
    let response = await this.post(request, continuation(), requestSignal);
    // A server that cannot stream a reply to a request with tools: the request again, unstreamed.
    if (response.status === 500 && !this.toolsUnstreamed && hasTools) {
      const text = await readTextWithin(response, this.baseUrl);
      if (!/cannot use tools with stream/i.test(text)) throw this.httpError(500, text, request.model, retryAfterMs(response.headers.get('retry-after')));
      this.toolsUnstreamed = true;
      announcedWhole = true;
      yield { type: 'whole-reply' };
      response = await this.post(request, continuation(), requestSignal);
    }
    // A strict server refusing an optional field we add: once more without it (at most once per
    // field); one asking for the reasoning of tool-call turns: once more with it.
    while (response.status === 400 || response.status === 422) {
      const text = await readTextWithin(response, this.baseUrl);
      const field = refusedField(text, continuation(), this.refused);
      if (field !== undefined) this.refused.add(field);
      else if (!this.reasoningBack && /reasoning_content/.test(text) && /passed back|missing/i.test(text)) this.reasoningBack = true;
      else throw this.httpError(response.status, text, request.model);
      response = await this.post(request, continuation(), requestSignal);
    }
    if (!response.ok)
      throw this.httpError(
        response.status,
        await readTextWithin(response, this.baseUrl).catch((e: unknown) => (e instanceof BackendError ? e.message : '')),
        request.model,
        retryAfterMs(response.headers.get('retry-after')),
      );
    if (!response.body) throw new BackendError(`The server at ${this.baseUrl} sent an empty reply.`, 'protocol');
    let contentType = response.headers.get('content-type') ?? '';
    if (!/event-stream/i.test(contentType)) {
      // A body that begins as an event stream is one, whatever its label (sniffEventStream).
      const sniffed = await sniffEventStream(response);
      response = sniffed.response;
      if (sniffed.eventStream) contentType = 'text/event-stream';
    }
    if (!response.body) throw new BackendError(`The server at ${this.baseUrl} sent an empty reply.`, 'protocol');
    if (/application\/json/i.test(contentType) && !/event-stream/i.test(contentType)) {
      // A streamed request answered whole: later replies will be too (the next requests say so up
      // front). Only a reply counts: completeReply throws for an error document (HTTP 200 from a
      // proxy) or a shape that is no chat.completion before it yields anything.
      for (const chunk of this.completeReply(await readTextWithin(response, this.baseUrl))) {
        if (!(hasTools && this.toolsUnstreamed)) this.repliesWhole = true;
        yield chunk;
      }
      return;
    }
    if (!/event-stream/i.test(contentType)) {
      // The server's error document under another Content-Type (text/plain, none), with its length
      // or chunked, is still its error (errorDocument, as for every other type).
      const failure = errorDocument(parseJson((await readJsonObjectText(response, this.baseUrl).catch(() => undefined)) ?? ''));
      if (failure) throw this.replyFailure(failure.message, failure.code);
      throw new BackendError(`The server at ${this.baseUrl} did not stream (Content-Type ${contentType || 'none'}) — is it an OpenAI-compatible server?`, 'wrong-server');
    }

    // Announced whole, the reply streams after all: its tokens get the first token's allowance
    // (a body sent whole keeps the whole generation's: a server may send its headers first).
    if (announcedWhole) yield { type: 'reply-started' };
    let promptTokens: number | undefined;
    let outputTokens: number | undefined;
    let finishReason: string | undefined;
    let firstTokenAt: number | undefined;
    const toolCalls = new ToolCallAssembler();
    const done = (): ChatChunk => ({ type: 'done', doneReason: finishReason, promptTokens, outputTokens, evalMs: firstTokenAt !== undefined ? performance.now() - firstTokenAt : undefined });
    const items = readSse(response.body);
    /** Lines of a raw JSON document not yet complete (see rawErrorDocument). */
    const rawLines: string[] = [];
    /** A delta carried text, reasoning or a call, or a chunk's `message` was read: later messages are not read. */
    let deltaCarried = false;
    try {
      for (;;) {
        const next = finishReason === undefined ? await items.next() : await nextWithin(items, AFTER_FINISH_MS);
        if (next === undefined) {
          // Finished, but the server holds the connection open without [DONE]: the reply is complete.
          release.abort();
          yield done();
          return;
        }
        if (next.done === true) break;
        const item = next.value;
        if (item.type === 'oversized') throw tooLarge(this.baseUrl, 'a streamed event', MAX_LINE_BYTES);
        if (item.type === 'malformed') {
          // A line that opens a JSON document may be the server's error body written raw (rawErrorDocument).
          if (rawLines.length > 0 || item.line.trimStart().startsWith('{')) {
            rawLines.push(item.line);
            const raw = rawErrorDocument(rawLines);
            if (raw === 'more') continue;
            if (raw) throw this.streamFailure(raw.message);
          }
          throw malformedLine('OpenAI-compatible', this.baseUrl, 'event-stream line', rawLines[0] ?? item.line);
        }
        if (rawLines[0] !== undefined) throw malformedLine('OpenAI-compatible', this.baseUrl, 'event-stream line', rawLines[0]);
        if (item.type === 'error') throw this.streamFailure(serverErrorDetail(item.data).message);
        if (item.data.trim() === '[DONE]') {
          for (const call of toolCalls.take()) yield { type: 'tool-call', call };
          yield done();
          return;
        }
        let json: unknown;
        try {
          json = JSON.parse(item.data);
        } catch {
          // Words, not broken JSON: the server's error in plain text, as mistral.rs writes its
          // model and validation errors mid-stream (`data: <message>`, then [DONE]).
          if (!/^\s*[[{"]/.test(item.data)) throw this.streamFailure(serverWords(item.data));
          throw malformedLine('OpenAI-compatible', this.baseUrl, 'event', `data: ${item.data}`);
        }
        // `data: null` carries nothing (AgentRouter's API sends it between chunks, Kilo-Org/kilocode#3083).
        if (json === null) continue;
        // `data: {"error": …}` (vLLM, OpenRouter, LiteLLM), or vLLM < 0.10's `{"object": "error", "message"}`.
        const failure = errorDocument(json);
        if (failure) throw this.streamFailure(failure.message);
        const parsed = chunkSchema.safeParse(json);
        if (!parsed.success) throw malformedLine('OpenAI-compatible', this.baseUrl, 'event', `data: ${item.data}`);
        const chunk = parsed.data;
        const usage = chunk.usage ?? chunk.x_groq?.usage ?? chunk.choices.find(isFirstChoice)?.usage;
        if (usage) {
          promptTokens = usage.prompt_tokens ?? promptTokens;
          outputTokens = usage.completion_tokens ?? outputTokens;
          // The counts so far, for a consumer that stops before the end (continuous_usage_stats),
          // ahead of the text they came with (the consumer may stop at it). Only with something
          // of the reply: counts alone are no sign of life (a server that streamed them without
          // end would keep the stall watchdog fed forever).
          const carries = chunk.choices.some((c) => isFirstChoice(c) && (this.pieces(withChoiceText(c.delta, c.text)).length > 0 || (c.delta?.tool_calls?.length ?? 0) > 0 || messageBeside(c.message) !== undefined));
          if (carries && (promptTokens !== undefined || outputTokens !== undefined)) yield { type: 'usage', promptTokens, outputTokens };
        }
        for (const choice of chunk.choices) {
          if (!isFirstChoice(choice)) continue;
          for (const piece of this.pieces(withChoiceText(choice.delta, choice.text))) {
            firstTokenAt ??= performance.now();
            deltaCarried = true;
            yield piece;
          }
          // Deltas that carried nothing so far and a `message` beside them: the whole reply (messageBeside).
          const message = deltaCarried || choice.delta?.tool_calls ? undefined : messageBeside(choice.message);
          if (message !== undefined) {
            deltaCarried = true;
            firstTokenAt ??= performance.now();
            yield* this.pieces(message);
            if (message.tool_calls) toolCalls.add(message.tool_calls);
          }
          if (choice.delta?.tool_calls) {
            deltaCarried = true;
            firstTokenAt ??= performance.now();
            toolCalls.add(choice.delta.tool_calls);
            const chars = choice.delta.tool_calls.reduce((n, d) => n + (d.function?.name?.length ?? 0) + (d.function?.arguments?.length ?? 0), 0);
            yield { type: 'tool-call-delta', chars };
          }
          // The calls are complete once the choice finishes (finish_reason "tool_calls").
          if (choice.finish_reason) {
            const failed = this.finishFailure(choice.finish_reason);
            if (failed) throw failed;
            finishReason = choice.finish_reason;
            for (const call of toolCalls.take()) yield { type: 'tool-call', call };
          }
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      throw this.translate(error, request.model);
    } finally {
      // Releases the socket when the consumer stops early (the agent stops at a closing fence);
      // not after a release, whose read is still pending (the abort has ended it).
      if (!release.signal.aborted) await items.return().catch(() => undefined);
    }
    if (signal.aborted) return;
    if (rawLines[0] !== undefined) throw malformedLine('OpenAI-compatible', this.baseUrl, 'event-stream line', rawLines[0]);
    // The body ended without [DONE]. After a finish_reason the reply was complete: older llama.cpp
    // servers and some proxies end the stream there. Before one, the connection was cut.
    if (finishReason !== undefined) {
      yield done();
      return;
    }
    throw connectionLost('OpenAI-compatible', this.baseUrl);
  }

  /** Reasoning (either field name; never both counted twice) and content of one delta or message. */
  private pieces(part: z.infer<typeof messagePartSchema> | null | undefined): ChatChunk[] {
    const out: ChatChunk[] = [];
    const reasoning = reasoningOf(part);
    if (reasoning.length > 0) out.push({ type: 'reasoning', text: reasoning });
    const text = part?.content ?? '';
    if (text.length > 0) out.push({ type: 'text', text });
    return out;
  }

  /** A server that ignored `stream: true` (one `chat.completion` document): the same chunks, all at once. */
  private *completeReply(text: string): Generator<ChatChunk, void, undefined> {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new BackendError(`The server at ${this.baseUrl} sent JSON that does not parse: ${serverWords(text.slice(0, 200))}`, 'protocol');
    }
    // The server's error as the whole reply, with HTTP 200 (LiteLLM, OpenRouter): its words.
    const failure = errorDocument(json);
    if (failure) throw this.replyFailure(failure.message, failure.code);
    const parsed = completionSchema.safeParse(json);
    if (!parsed.success) throw new BackendError(`The server at ${this.baseUrl} answered in a shape this extension does not understand (not a chat.completion): ${serverWords(text.slice(0, 200))}`, 'protocol');
    const choice = parsed.data.choices.find(isFirstChoice) ?? parsed.data.choices[0];
    const failed = this.finishFailure(choice?.finish_reason ?? undefined);
    if (failed) throw failed;
    const message = choice?.message;
    const reasoning = reasoningOf(message);
    yield* this.pieces(message && typeof message.content === 'string' ? { ...message, content: withoutEchoedReasoning(message.content, reasoning) } : message);
    const calls = new ToolCallAssembler();
    calls.add(choice?.message?.tool_calls ?? []);
    for (const call of calls.take()) yield { type: 'tool-call', call };
    yield { type: 'done', doneReason: choice?.finish_reason ?? undefined, promptTokens: parsed.data.usage?.prompt_tokens, outputTokens: parsed.data.usage?.completion_tokens };
  }

  private async post(request: ChatRequest, continuation: boolean, signal: AbortSignal): Promise<Response> {
    try {
      return await fetchPastStaleConnections(`${this.baseUrl}/chat/completions`, { method: 'POST', headers: this.headers(), body: JSON.stringify(this.body(request, continuation)), signal });
    } catch (error) {
      throw this.translate(error, request.model);
    }
  }

  async listModels(signal?: AbortSignal): Promise<readonly ModelInfo[]> {
    let response: Response;
    try {
      response = await fetchPastStaleConnections(`${this.baseUrl}/models`, { headers: this.headers(), signal });
    } catch (error) {
      throw this.translate(error, undefined);
    }
    const text = await readTextWithin(response, this.baseUrl);
    if (!response.ok) throw this.httpError(response.status, text, undefined);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new BackendError(`The server at ${this.baseUrl} did not answer /models with JSON — is ${knob('openaiBaseUrl')} the server's /v1 URL?`, 'wrong-server');
    }
    const failure = errorDocument(json);
    if (failure) throw new BackendError(`The server at ${this.baseUrl} answered /models with an error: ${failure.message}`, 'http');
    const parsed = modelsSchema.safeParse(json);
    if (!parsed.success) throw new BackendError(`The server at ${this.baseUrl} answered /models in an unexpected shape — is it OpenAI-compatible?`, 'wrong-server');
    return parsed.data.data.map((m) => ({ name: m.id }));
  }

  /** Context windows already read from /v1/models, by model (null = the server does not say). */
  private readonly contextLengths = new Map<string, number | null>();

  /**
   * The model's context window in tokens: vLLM lists `max_model_len` per model in /v1/models;
   * llama.cpp's server gives its window as `default_generation_settings.n_ctx` in GET /props at
   * its root (beside /v1; tools/server README); other servers say nothing (null). Asked once per model.
   */
  async modelContextLength(model: string, signal?: AbortSignal): Promise<number | null> {
    const known = this.contextLengths.get(model);
    if (known !== undefined) return known;
    const length =
      (await this.askedJson(`${this.baseUrl}/models`, modelsSchema, signal))?.data.find((m) => m.id === model)?.max_model_len ??
      (await this.askedJson(`${this.baseUrl.replace(/\/v1$/, '')}/props`, llamaCppPropsSchema, signal))?.default_generation_settings.n_ctx ??
      null;
    this.contextLengths.set(model, length);
    return length;
  }

  /** GET `url` read by `schema`; undefined for any failure but a cancel (an HTTP error, other JSON, no JSON). */
  private async askedJson<T>(url: string, schema: z.ZodType<T>, signal: AbortSignal | undefined): Promise<T | undefined> {
    try {
      const response = await fetchPastStaleConnections(url, { headers: this.headers(), signal });
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        return undefined;
      }
      const parsed = schema.safeParse(parseJson(await readTextWithin(response, this.baseUrl)));
      return parsed.success ? parsed.data : undefined;
    } catch (error) {
      if (isAbortError(error)) throw error;
      return undefined;
    }
  }

  /** OpenAI-compatible servers do not list capabilities. */
  modelCapabilities(): Promise<readonly string[] | null> {
    return Promise.resolve(null);
  }

  /** OpenAI-compatible servers have no common version endpoint. */
  serverVersion(): Promise<string | null> {
    return Promise.resolve(null);
  }

  /** The error for an HTTP error reply; `retryAfter`: the wait its Retry-After header asks for, in ms. */
  private httpError(status: number, text: string, model: string | undefined, retryAfter?: number): BackendError {
    const { message, code } = serverErrorDetail(text);
    // Without a key the server refused none: it wants one.
    if (status === 401 || status === 403) {
      const what = this.apiKey ? 'refused the API key' : 'needs an API key';
      return new BackendError(`The server at ${this.baseUrl} ${what} (HTTP ${status}: ${message}) — set ${this.apiKey ? 'the key' : 'it'} with ${knob('apiKey')}.`, 'auth', status);
    }
    if (status === 404 && (code === 'model_not_found' || (model !== undefined && /model/i.test(message)))) return modelMissing('openai', this.baseUrl, model ?? '?', message);
    if (status === 404) return new BackendError(`Nothing answers at ${this.baseUrl}/chat/completions (HTTP 404) — ${knob('openaiBaseUrl')} should be the server's OpenAI URL, usually ending in /v1.`, 'wrong-server', 404);
    // 422: TGI's status for a request it cannot validate, an over-long prompt among them.
    if (saysContextOverflow(message, code, status) || ((status === 400 || status === 413 || status === 422) && /maximum.*tokens|too long/i.test(message))) return this.overflow(message, status);
    // Hosted APIs (OpenRouter, Groq, Together, DeepSeek) rate-limit with 429, most with a Retry-After.
    if (status === 429) return rateLimited(this.baseUrl, message, retryAfter);
    const loading = modelLoadingError(this.baseUrl, status, text, retryAfter);
    if (loading) return loading;
    // A refused feature names what to change: retrying the same request only repeats it.
    const advice = unsupportedFeatureAdvice(message);
    return new BackendError(`The server at ${this.baseUrl} answered HTTP ${status}: ${message || 'no details'}${advice || serverFailureAdvice(status)}`, 'http', status, retryAfter, advice === '' ? undefined : false);
  }

  /**
   * A finish_reason saying the server, not the model, ended the reply in failure: `abort` (vLLM's
   * engine aborted the request: shut down, paused, scaled down, vllm-project/vllm#57082; SGLang),
   * `insufficient_system_resource` (DeepSeek's API: its inference system ran short and interrupted
   * the reply), `error` (a failure without an error object). Such a reply is incomplete, like one
   * whose connection dropped, though the stream ends normally.
   */
  private finishFailure(reason: string | undefined): BackendError | undefined {
    if (reason === 'insufficient_system_resource')
      return new BackendError(
        `The server at ${this.baseUrl} interrupted the reply before the model finished (finish_reason "insufficient_system_resource": it ran short of resources) — retry in a while.`,
        'connection-lost',
      );
    if (reason === 'abort')
      return new BackendError(
        `The server at ${this.baseUrl} aborted the reply before the model finished (finish_reason "abort": it was stopped, restarted or paused) — retry, and check the server's log if it happens again.`,
        'connection-lost',
      );
    if (reason === 'error') return this.streamFailure('finish_reason "error"');
    return undefined;
  }

  /** The server's own error as the whole reply, with HTTP 200 (`message`: its words, as serverWords gives them; `code`: its error code). */
  private replyFailure(message: string, code: unknown): BackendError {
    if (saysContextOverflow(message, code)) return this.overflow(message, undefined);
    return new BackendError(`The server at ${this.baseUrl} failed: ${message}${unsupportedFeatureAdvice(message)}`, 'http');
  }

  /** The server's own error in the middle of a streamed reply (`message`: its words). */
  private streamFailure(message: string): BackendError {
    if (saysContextOverflow(message, undefined)) return this.overflow(message, undefined);
    return new BackendError(`The server at ${this.baseUrl} failed mid-reply: ${message || 'unknown error'}`, 'http');
  }

  /** The server refused the prompt as longer than the model's context window. */
  private overflow(message: string, status: number | undefined): BackendError {
    return new BackendError(`Context overflow: the conversation no longer fits the model's context window (the server said: ${message}${overflowNote(message)}) — ${overflowAdvice()}.`, 'context-overflow', status);
  }

  private translate(error: unknown, _model: string | undefined): Error {
    if (error instanceof BackendError) return error;
    if (isAbortError(error)) return error instanceof Error ? error : new Error(String(error));
    const network = unreachableError('OpenAI-compatible', this.baseUrl, error, `start the server, or set ${knob('openaiBaseUrl')}.`, 'openaiBaseUrl');
    if (network) return network;
    if (isConnectionLost(error)) return connectionLost('OpenAI-compatible', this.baseUrl);
    return new BackendError(`Talking to the server at ${this.baseUrl} failed: ${error instanceof Error ? error.message : String(error)}`, 'protocol');
  }
}
