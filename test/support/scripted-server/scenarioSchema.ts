// The scenario file format, validated with zod so a typo in a test fixture fails loudly at load
// time (strict objects: an unknown key is an error, not a silently ignored option).
import { z } from 'zod';
import { findTemplateProblems } from './template';

const nonNegativeInt = z.number().int().nonnegative();

/** Faults a turn (or every turn of a scenario) injects; see docs/scripted-server.md. */
export const faultsSchema = z.strictObject({
  /** Answer with an HTTP error instead of streaming. `times` limits it to the first N matching requests. */
  http500: z
    .union([
      z.literal(true),
      z.strictObject({
        status: z.number().int().min(400).max(599).optional(),
        message: z.string().optional(),
        times: z.number().int().positive().optional(),
        /**
         * The body's form: the server's own JSON (default); `html`, a proxy's error page (nginx's
         * "502 Bad Gateway" page, the message in its title); `flatJson`, vLLM < 0.10's ErrorResponse
         * (`{"object":"error","message",…}`, no `error` wrapper).
         */
        form: z.enum(['json', 'html', 'flatJson', 'string', 'object']).optional(),
        /** A Retry-After header, in seconds (rate limits: HTTP 429 from OpenRouter, Groq, Together; 503 while a model loads). */
        retryAfterS: nonNegativeInt.optional(),
        /**
         * An `estimated_time` field (seconds, a float) in the JSON body, as Hugging Face's Inference
         * API and TGI send with HTTP 503 while the model loads (`{"error": "Model … is currently loading", "estimated_time": 20.0}`).
         */
        estimatedTimeS: z.number().nonnegative().optional(),
      }),
    ])
    .optional(),
  /** Write a line that is not valid JSON (NDJSON) or not a valid SSE event after N chunks. */
  malformedLine: z.union([nonNegativeInt, z.strictObject({ afterChunks: nonNegativeInt, text: z.string().optional() })]).optional(),
  /** After N chunks, the server's own mid-stream error (Ollama `{"error"}` line / OpenAI error event), then the end. */
  /**
   * `form`: the error field as a string (`{"error": "…"}`) or an object (`{"error": {"message", "type", "code"}}`),
   * or `flat` (vLLM < 0.10's `{"object": "error", "message", …}`), whatever the protocol's own (Ollama: string, OpenAI: object).
   */
  streamError: z.strictObject({ afterChunks: nonNegativeInt, message: z.string().optional(), form: z.enum(['string', 'object', 'flat']).optional() }).optional(),
  /**
   * Answer HTTP 200 with one JSON body that is only the error, whether streaming was asked or not:
   * `{"error": "…"}` (`form` string, default), `{"error": {"message", "type", "code"}}` (object) or vLLM < 0.10's `{"object": "error", "message"}` (flat), as
   * proxies (LiteLLM, OpenRouter) and Ollama-API servers answer some failures.
   */
  okErrorBody: z
    .strictObject({
      message: z.string().optional(),
      form: z.enum(['string', 'object', 'flat']).optional(),
      /** The body's Content-Type: JSON (default), `text/plain` (`text`), or none at all (`none`), as some proxies label an error. */
      contentType: z.enum(['json', 'text', 'none']).optional(),
      /** Sent chunked, without Content-Length (a proxy that streams what it forwards). */
      chunked: z.boolean().optional(),
    })
    .optional(),
  /** Destroy the socket after N chunks (no final line, no [DONE]). */
  dropAfterChunks: nonNegativeInt.optional(),
  /**
   * End the body cleanly after N chunks (a proper end of the chunked body, not a reset) with no
   * final line: no `done: true` (Ollama), no finish_reason and no `data: [DONE]` (OpenAI-compatible;
   * Ollama's /v1 or vLLM whose connection a proxy closed early).
   */
  endAfterChunks: nonNegativeInt.optional(),
  /** Send no bytes after N chunks, for `stallMs` (then continue) or until the client aborts. */
  stallAfterChunks: nonNegativeInt.optional(),
  stallMs: nonNegativeInt.optional(),
  /** Delay before the response headers are sent (a model that is still loading). */
  slowFirstTokenMs: nonNegativeInt.optional(),
  /** Prepend filler so the reply is about this many bytes long (the scripted text still ends it). */
  huge: z.number().int().positive().optional(),
  /** Report this prompt token count instead of the estimate (simulates silent context truncation). */
  promptEvalCount: nonNegativeInt.optional(),
});
export type Faults = z.infer<typeof faultsSchema>;

const templatedText = z.string().superRefine((text, ctx) => {
  for (const problem of findTemplateProblems(text)) ctx.addIssue({ code: 'custom', message: problem });
});

/** A native tool call the turn makes; `arguments` is an object (sent as JSON) or raw text (possibly malformed JSON). */
export const toolCallSchema = z.strictObject({
  name: z.string().min(1),
  arguments: z.union([z.record(z.string(), z.unknown()), z.string()]),
});
export type ScriptedToolCall = z.infer<typeof toolCallSchema>;

/** How the bytes go on the wire (both APIs): what real servers and proxies do differently. */
export const wireSchema = z.strictObject({
  /**
   * OpenAI-compatible: the delta field for reasoning (vLLM < 0.10, llama.cpp: reasoning_content; vLLM ≥ 0.10, OpenRouter: reasoning). Default reasoning_content.
   * `reasoning_details`: only OpenRouter's `reasoning_details` list, no `reasoning` (openrouter.ai/docs, "Reasoning Tokens":
   * `{"type":"reasoning.text","text"}` items, each followed by a `{"type":"reasoning.encrypted","data"}` item that is
   * no text); `reasoning_details_summary`: the same with `{"type":"reasoning.summary","summary"}` items (OpenAI's models).
   */
  reasoningField: z.enum(['reasoning_content', 'reasoning', 'reasoning_details', 'reasoning_details_summary']).optional(),
  /**
   * OpenAI-compatible: the reasoning field holds an object, `{"text": "…"}`, not a string, as
   * Envoy AI Gateway streams the reasoning of AWS Bedrock models (envoyproxy/ai-gateway#1222).
   */
  reasoningAsObject: z.boolean().optional(),
  /**
   * OpenAI-compatible: the `<think>` tag goes out as content right before the reasoning field's
   * chunks, and no `</think>` follows (lmdeploy's deepseek-r1 parser, InternLM/lmdeploy#3664).
   */
  thinkTagAsContent: z.boolean().optional(),
  /** A non-streamed reply (`nonStream`) is JSON indented over many lines, as web frameworks pretty-print it (Flask in debug mode, Express with `json spaces`). */
  prettyJson: z.boolean().optional(),
  /**
   * OpenAI-compatible: the event stream goes out under this Content-Type instead of
   * `text/event-stream`, as servers mislabel it: `text/plain` (ramalama's RAG proxy,
   * containers/ramalama#2837), `application/x-ndjson` (LitServe's OpenAISpec,
   * Lightning-AI/LitServe#359), `application/json` (Foundry Local, microsoft/foundry-dev-tools#195).
   */
  streamContentType: z.string().min(1).optional(),
  /**
   * OpenAI-compatible: the streamed reply's deltas stay empty and its last chunk carries the whole
   * reply as `message` (content and reasoning) beside an empty `delta`, with the finish_reason, as
   * ModelScope's API-Inference sends it (CherryHQ/cherry-studio#8065).
   */
  messageInChunk: z.boolean().optional(),
  /** End lines with CRLF (NDJSON lines, SSE lines). */
  crlf: z.boolean().optional(),
  /** OpenAI-compatible: end SSE lines with a lone CR, which the SSE format allows (WHATWG HTML §9.2.6); NDJSON has no such form. */
  cr: z.boolean().optional(),
  /**
   * OpenAI-compatible: events end with a single line end, no blank line between them, as some
   * providers stream (GLM-4.7, Kimi-K2.5 behind their APIs, rexxars/eventsource-parser#31); the
   * SSE format would join such lines into one event.
   */
  noBlankLines: z.boolean().optional(),
  /** Write each chunk's bytes in two network writes, split inside a multi-byte UTF-8 character where there is one. */
  splitUtf8: z.boolean().optional(),
  /** OpenAI-compatible: ignore `stream_options.include_usage` and never send `usage` (servers that do not implement it). */
  omitUsage: z.boolean().optional(),
  /**
   * OpenAI-compatible: the server honours `stream_options.continuous_usage_stats` (with
   * `include_usage`), as vLLM (vllm-project/vllm#6652) and SGLang (sgl-project/sglang#12241) do:
   * every chunk carries `usage` with the counts so far (the prompt's tokens, one completion token
   * per chunk sent) instead of `null`. Without it the field is ignored, as other servers do.
   */
  continuousUsage: z.boolean().optional(),
  /**
   * Ollama: a prompt longer than `num_ctx` is cut to `num_ctx / 2 + 2` tokens, and
   * `prompt_eval_count` says that many (Ollama ≥ 0.32, ollama/ollama#17427, #17889;
   * itayinbarr/little-coder#128), instead of the count capped at the window.
   */
  halvesOverlongPrompt: z.boolean().optional(),
  /** OpenAI-compatible: end the stream after the finish_reason chunk without `data: [DONE]` (older llama.cpp servers, some proxies). */
  omitDone: z.boolean().optional(),
  /**
   * OpenAI-compatible: after the finish_reason chunk (and the usage chunk, when asked), neither
   * `data: [DONE]` nor the end of the body: the connection stays open until the client leaves, as
   * vllm-mlx does now and then (waybarrios/vllm-mlx#101) and a DeepSeek-web bridge did
   * (diegosouzapw/OmniRoute#6777).
   */
  holdOpen: z.boolean().optional(),
  /**
   * OpenAI-compatible: how tool calls are streamed. `pieces` (default, vLLM): name first, then the
   * arguments in 7-character deltas; `whole`: each call in one delta (llama.cpp, LM Studio);
   * `repeatName`: pieces, but every delta repeats `id` and `function.name` (some proxies);
   * `noIndex`: pieces without `index` (a call's first delta carries its `id`); `bareObject`: pieces,
   * but each delta's `tool_calls` is one object instead of a list (TGI 2.x,
   * huggingface/text-generation-inference#2794); `interleaved`: pieces of several calls in turn
   * (the first delta of each call, then the second of each, ...), told apart by `index` only;
   * `sameIndex`: each call whole in its own delta, every one with `index` 0 and an id of its own
   * (Ollama's /v1 since 0.20, ollama/ollama#15457; LiteLLM's ollama_chat); `sharedId`: every call
   * whole in one delta, a list without `index` whose calls all carry the same id, as Xinference
   * streams them (`call_<completion id>` for each, `_tool_calls_completion_chunk` in
   * xinference/model/llm/utils.py; xorbitsai/inference#4237), the non-streamed reply's calls alike;
   * `resendWhole`: pieces, then the whole arguments once more in a last delta, as vLLM's xlam tool
   * parser flushes them at the end of the stream (vllm-project/vllm#51697); `nullIndex`: each call
   * whole in its own delta with an id of its own and `"index": null`, as Gemini's OpenAI-compatible
   * endpoint streams them (Alishahryar1/free-claude-code#633).
   */
  toolCallDeltas: z.enum(['pieces', 'whole', 'repeatName', 'noIndex', 'bareObject', 'interleaved', 'sameIndex', 'sharedId', 'resendWhole', 'nullIndex']).optional(),
  /**
   * OpenAI-compatible: tool call `function.arguments` as a JSON object instead of JSON text (TGI's
   * Messages API, huggingface/text-generation-inference#1624; llama.cpp's
   * `--tool-args-object`, ggml-org/llama.cpp#20198; implies `whole` deltas when streaming, as an object cannot come in pieces).
   */
  argumentsAsObject: z.boolean().optional(),
  /**
   * OpenAI-compatible: the legacy function-calling form (OpenAI's deprecated `function_call`, which
   * `tool_calls` replaced; older FastChat/LocalAI-style servers): `delta.function_call` (name first,
   * then the arguments in pieces; one call per reply), finish_reason `function_call`.
   */
  legacyFunctionCall: z.boolean().optional(),
  /**
   * OpenAI-compatible: a mid-stream error (`streamError`) goes out as an `error: {"code","message","type"}`
   * line, as llama.cpp's server writes it (server_sent_event(sink, "error", …) in tools/server), then
   * `data: [DONE]`; without it, as a `data: {"error": …}` event (vLLM, OpenRouter).
   */
  errorField: z.boolean().optional(),
  /**
   * OpenAI-compatible: a mid-stream error (`streamError`) goes out as its message in plain text,
   * `data: <message>`, then `data: [DONE]`, as mistral.rs writes model and validation errors
   * (`Event::default().data(msg)` in mistralrs-server-core's chat stream).
   */
  errorAsText: z.boolean().optional(),
  /**
   * OpenAI-compatible: a mid-stream error (`streamError`) goes out as an SSE event named `error`
   * whose data has no `error` wrapper, `event: error` + `data: {"type":"error","code","message"}`,
   * then `data: [DONE]`: OpenAI's own streaming error event (Responses API, "error" event) as
   * gateways forward it (8monkey-ai/hebo-gateway#71; llama.cpp's `error:` field was meant as this,
   * ggml-org/llama.cpp#16109). Ollama: the error line's `error` is an object,
   * `{"error":{"message","type","code"}}`, as OpenAI-style proxies in front of Ollama write it
   * (LiteLLM, BerriAI/litellm#4592), not Ollama's own string.
   */
  errorObject: z.boolean().optional(),
  /**
   * OpenAI-compatible: a mid-stream error (`streamError`) goes out as the bare error body,
   * `{"error": {"message","type","code"}}` on its own line with no `data:` prefix (indented over
   * many lines, without a last line end, with `prettyJson`), and the body ends there: servers and proxies that write their
   * error document raw into a stream already answered with HTTP 200.
   */
  errorRaw: z.boolean().optional(),
  /**
   * Ollama: the turn's tool call is written as gpt-oss writes a call to its built-in `python` tool,
   * the code itself instead of JSON arguments (Ollama keeps a tool named `python` as that built-in,
   * FunctionNameMap.ConvertAndAdd in harmony/harmonyparser.go; odysseus-dev/odysseus#5877), and
   * Ollama's harmony parser fails on it: `error parsing tool call: raw='<code>', err=invalid
   * character …` as the reply's last line after what was streamed, or as HTTP 500 when nothing was
   * (streamResponse in server/routes.go). The raw text is the `code` argument, or a string
   * argument as it is.
   */
  harmonyRawCall: z.boolean().optional(),
  /**
   * OpenAI-compatible: llama.cpp's `--reasoning-format deepseek-legacy` ("keeps `<think>` tags in
   * `message.content` while also populating `message.reasoning_content`", tools/server README;
   * common/chat.h): a non-streamed reply carries the reasoning twice, in `reasoning_content` and as
   * a `<think>…</think>` block opening `content`; a streamed one only inline in the content
   * (`reasoning_in_content` = stream && legacy).
   */
  thinkTagsKept: z.boolean().optional(),
  /**
   * OpenAI-compatible: the usage chunk's `choices` is `null` instead of `[]`, as MiniMax's API
   * (RooCodeInc/Roo-Code#9105) and Azure OpenAI (thivy/azure-openai-js-stream#4) send such chunks.
   */
  nullChoices: z.boolean().optional(),
  /**
   * OpenAI-compatible: the turn's text is the model's refusal, sent in `delta.refusal` with
   * `content` null (a non-streamed reply: `message.refusal`, `content` null), as OpenAI's API sends
   * a refusal (platform.openai.com/docs/api-reference/chat/streaming, `choices.delta.refusal`) and
   * gateways pass it on (openclaw/openclaw#102321); `refusalBlocks`: in `content` as a list with one
   * `{"type":"refusal","refusal"}` part, OpenAI's assistant content part for it.
   */
  refusal: z.enum(['field', 'refusalBlocks']).optional(),
  /**
   * OpenAI-compatible: a non-streamed reply (`nonStream`) carries its choice's message as `delta`,
   * the streaming field, instead of `message`, as some servers answered (rayonlabs/nineteen#140;
   * Zhipu's API for a while, MetaGLM/zhipuai-sdk-java-v4#40).
   */
  deltaInComplete: z.boolean().optional(),
  /**
   * Ollama: tool calls go out without the `id` (and `function.index`) that Ollama ≥ 0.12.10 gives
   * each (ollama/ollama#12956), as older Ollama versions and Ollama-API servers that predate it
   * write them; the tool results sent back are then not checked for `tool_call_id`.
   */
  ollamaNoCallIds: z.boolean().optional(),
  /**
   * Ollama: every optional field a line would leave out goes as `null` instead: `message.thinking`,
   * `message.tool_calls` and `message.images` on every line, `done_reason`, `prompt_eval_count`,
   * `eval_count` and `eval_duration` on every line before the last, as a proxy writes them that
   * passes replies on from ollama-python's models (ollama/_types.py: each field `Optional[…] = None`).
   */
  nullFields: z.boolean().optional(),
  /**
   * OpenAI-compatible: the reply's text goes in each choice's `text`, the completions API's field
   * (OpenAI's legacy `text_completion` shape, platform.openai.com/docs/api-reference/completions/object),
   * as some OpenAI-compatible servers fill a chat reply: `only`, with an empty `delta` (a non-streamed
   * reply: `text` instead of `message`) and the completions API's `object` names (`text_completion`);
   * `both`, beside the same text in `delta.content` (and `message.content`).
   */
  choiceText: z.enum(['only', 'both']).optional(),
  /** OpenAI-compatible: each content chunk's `delta` is the text itself, a string, as FastChat's first streaming chat API sent it (lm-sys/FastChat#873). */
  deltaAsString: z.boolean().optional(),
  /** OpenAI-compatible: a `data: null` event before each content chunk, as AgentRouter's API streams (Kilo-Org/kilocode#3083). */
  nullEvents: z.boolean().optional(),
  /**
   * OpenAI-compatible: an `event: ping` event whose data is a timestamp before each content chunk,
   * as sse-starlette's EventSourceResponse sends every 15 s by default before it switched to a
   * comment (`ServerSentEvent(datetime.utcnow(), event="ping")`; servers built on it, e.g. llama-cpp-python, Xinference).
   */
  pingEvents: z.boolean().optional(),
  /**
   * OpenAI-compatible: `content` as a list of typed blocks, as Mistral's API sends it for its
   * reasoning models (docs.mistral.ai, "Reasoning"): `{"type":"text","text"}` for the reply and
   * `{"type":"thinking","thinking":[{"type":"text","text"}]}` for the reasoning, in the same field.
   */
  contentParts: z.boolean().optional(),
  /**
   * OpenAI-compatible: the reply of a second choice (`index` 1), as a server sends when `n` > 1
   * reaches it (a proxy or client default; vLLM, SGLang and llama.cpp honour `n`): streamed chunk
   * by chunk ahead of the first choice's, its `finish_reason` before the first's, each chunk a
   * choice of its own (vLLM's form); a non-streamed reply lists it after the first choice.
   */
  otherChoice: z.string().optional(),
  /**
   * OpenAI-compatible: the token counts go in the finish_reason chunk's choice, `choices[0].usage`,
   * as Moonshot's Kimi API streams them (northes/go-moonshot#17, higress-group/higress#1568), never in `usage`.
   */
  usageInChoice: z.boolean().optional(),
  /** OpenAI-compatible: the token counts go in the finish_reason chunk's `x_groq.usage`, as Groq streams them, never in `usage`. */
  groqUsage: z.boolean().optional(),
  /**
   * OpenAI-compatible: request fields the server refuses, as Mistral's API does (its schema
   * forbids extra inputs): a request carrying one gets HTTP 422 with Mistral's body, an
   * `extra_forbidden` detail naming the field (e.g. `stream_options`, `continue_final_message`, `seed`).
   * A dotted path names a field inside another (`stream_options.continuous_usage_stats`, which
   * vLLM's Rust frontend refused before vllm-project/vllm#43965).
   */
  forbidFields: z.array(z.string().min(1)).optional(),
  /**
   * OpenAI-compatible: DeepSeek's thinking mode (deepseek-v4, api-docs.deepseek.com/guides/thinking_mode):
   * an assistant message with `tool_calls` sent back without its `reasoning_content` field gets
   * HTTP 400 with DeepSeek's body ("Missing reasoning_content field in the assistant message at message index N").
   */
  requireReasoningBack: z.boolean().optional(),
  /**
   * OpenAI-compatible: tool-call ids as Mistral's API and vLLM's mistral tokenizer mode hold them:
   * the calls it sends have ids of 9 characters of [a-zA-Z0-9], and a request carrying any other
   * id (an assistant message's `tool_calls[].id`, a tool message's `tool_call_id`) gets HTTP 400
   * "Tool call id was … but must be a-z, A-Z, 0-9, with a length of 9." (mistral_common's
   * validator; vllm-project/vllm#12332, nearai/ironclaw#1241). Mistral models' chat templates
   * refuse such ids alike wherever a server renders them (llama.cpp, LM Studio, mlx-lm).
   */
  mistralCallIds: z.boolean().optional(),
  /**
   * OpenAI-compatible: a streamed request that offers `tools` gets HTTP 500 `{"error": {"code": 500,
   * "message": "Cannot use tools with stream", "type": "server_error"}}`, as llama.cpp's server
   * answered before it streamed tool calls (ggml-org/llama.cpp#12379, May 2025; servers bundling an
   * older one, e.g. containers/ramalama#1431); the same request with `stream: false` is answered.
   */
  noToolsWithStream: z.boolean().optional(),
});
export type WireOptions = z.infer<typeof wireSchema>;

/** What a turn's reply carries besides its text: shared by scenario turns and real-model case turns. */
const replyFields = {
  /**
   * Reasoning streamed before the content: Ollama `message.thinking` (when the request sets `think`;
   * without it inline as `<think>…</think>` in the content, as Ollama does; `think: false` drops it),
   * OpenAI-compatible `delta.reasoning_content` (or `reasoning`, see `wire`).
   */
  thinking: templatedText.optional(),
  /** The reasoning goes out as this many chunks (default: split like the text) ... */
  thinkingChunks: z.number().int().positive().optional(),
  /** ... with this delay between them (the content waits). */
  thinkingDelayMs: nonNegativeInt.optional(),
  /** Native tool calls after the content: Ollama `message.tool_calls` (whole), OpenAI `delta.tool_calls` (arguments streamed as JSON text). */
  toolCalls: z.array(toolCallSchema).min(1).optional(),
  /**
   * The reply's done_reason / finish_reason (default stop; 'tool_calls' on OpenAI when the turn
   * calls tools). OpenAI-compatible APIs only (Ollama has no such reasons): `content_filter`, the
   * server's moderation stopped the reply (OpenAI, Azure, OpenRouter); `abort`, the engine ended
   * it (vLLM when shut down or paused, vllm-project/vllm#57082; SGLang), still with `[DONE]`;
   * `model_length`, Mistral's API: the reply filled the model's context window;
   * `insufficient_system_resource`, DeepSeek's API: its inference system ran short and interrupted the reply;
   * `tool_calls` on a turn without `toolCalls`: the server says the model called a tool but sends
   * no call (a tool-call parser that lost it: vLLM's gemma4 parser under load, vllm-project/vllm#50889;
   * `tool_choice: "required"` without a parser, vllm-project/vllm#53255).
   */
  doneReason: z.enum(['stop', 'length', 'content_filter', 'abort', 'model_length', 'insufficient_system_resource', 'tool_calls']).optional(),
  /** Report this many prompt tokens (OpenAI usage.prompt_tokens, Ollama prompt_eval_count). */
  usagePromptTokens: nonNegativeInt.optional(),
  /** Ignore `stream: true` and answer one JSON document (chat.completion / Ollama's final object). */
  nonStream: z.boolean().optional(),
};

export const turnSchema = z
  .strictObject({
    /** The reply, split into chunks of `chunkSize` characters. */
    text: templatedText.optional(),
    /** Or the reply's exact chunks (placeholders must not span two chunks). */
    chunks: z.array(templatedText).min(1).optional(),
    chunkSize: z.number().int().positive().optional(),
    /** Headers are sent at once; the first chunk comes after this delay. */
    firstTokenDelayMs: nonNegativeInt.optional(),
    perChunkDelayMs: nonNegativeInt.optional(),
    /** When the latest execution result does not contain this, the reply is an obvious failure text. */
    expectResultContains: z.string().optional(),
    faults: faultsSchema.optional(),
    ...replyFields,
  })
  .refine((t) => (t.text === undefined) !== (t.chunks === undefined), {
    message: 'a turn needs exactly one of "text" or "chunks"',
  });
export type Turn = z.infer<typeof turnSchema>;

const regexSource = z.string().superRefine((source, ctx) => {
  try {
    new RegExp(source);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${String(error)}` });
  }
});

/** Matched against the first user message, which the agent may prefix with its instruction prompt. */
export const matchSchema = z.union([
  z.string().min(1),
  z.strictObject({ contains: z.string().min(1) }),
  z.strictObject({
    regex: regexSource,
    flags: z
      .string()
      .regex(/^[imsu]*$/)
      .optional(),
  }),
]);
export type ScenarioMatch = z.infer<typeof matchSchema>;

export const scenarioSchema = z.strictObject({
  id: z.string().min(1),
  description: z.string().optional(),
  match: matchSchema,
  /**
   * Only requests with one of these sampling seeds (Ollama `options.seed`, OpenAI `seed`) match:
   * a real model answers differently per seed, so multi-sample runs (sample i uses seed + i) can
   * be scripted with a different answer per sample. Absent: any seed, or none.
   */
  seeds: z.array(z.number().int()).min(1).optional(),
  /** When more results were sent than there are turns, replay the last turn (a model that never stops). */
  repeatLastTurn: z.boolean().optional(),
  /** Defaults for every turn; a turn's own values win. */
  chunkSize: z.number().int().positive().optional(),
  firstTokenDelayMs: nonNegativeInt.optional(),
  perChunkDelayMs: nonNegativeInt.optional(),
  faults: faultsSchema.optional(),
  wire: wireSchema.optional(),
  turns: z.array(turnSchema).min(1),
});
export type Scenario = z.infer<typeof scenarioSchema>;

/**
 * A case file of ../shared/cases/real-models: `{"model", "turns"}` where a turn is a string (the
 * content) or an object with the turn fields above (`text` required). It becomes a scenario that
 * answers any question (see scenarioFromCase).
 */
const caseTurnSchema = z.union([
  templatedText,
  z.strictObject({
    text: templatedText,
    ...replyFields,
  }),
]);
export const caseFileSchema = z.strictObject({
  model: z.string().min(1),
  turns: z.array(caseTurnSchema).min(1),
});
export type CaseFile = z.infer<typeof caseFileSchema>;

/** The scenario a case file stands for: `id`, matching every question, its turns as written. */
export function scenarioFromCase(id: string, file: CaseFile, extra: Partial<Pick<Scenario, 'wire' | 'chunkSize'>> = {}): Scenario {
  return scenarioSchema.parse({ id, match: { regex: '^' }, ...extra, turns: file.turns.map((t) => (typeof t === 'string' ? { text: t } : t)) });
}

/** The usual file shape; the loader also accepts a bare array or a single scenario. */
export const scenarioFileSchema = z.strictObject({
  $comment: z.string().optional(),
  scenarios: z.array(scenarioSchema),
});
