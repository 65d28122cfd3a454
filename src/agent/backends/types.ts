// What the agent needs from a model server, whatever its wire protocol.

import { z } from 'zod';
// Messages and tool calls are part of the conversation record, declared once in trajectory/.
import type { ChatMessage, ToolCall } from '../../trajectory/chatMessage';
export type { ChatMessage, ToolCall };

/** A function offered to the model as a native tool (OpenAI/Ollama `tools` entry of type "function"). */
export interface ToolSpec {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments object. */
  readonly parameters: {
    readonly type: 'object';
    readonly properties: Readonly<Record<string, { readonly type: string; readonly description?: string }>>;
    readonly required: readonly string[];
  };
}

/**
 * How much the model should reason, the "r1ci.think" setting. Ollama: the `think` request field
 * (true/false, or gpt-oss's levels); 'auto' sends `think: true` only when `/api/show` lists the
 * "thinking" capability. OpenAI-compatible servers: the levels go out as `reasoning_effort`;
 * 'on'/'off'/'auto' send nothing (the server's reasoning parser decides).
 */
export type ThinkSetting = 'auto' | 'on' | 'off' | 'low' | 'medium' | 'high';

export interface GenerationOptions {
  readonly temperature: number;
  readonly seed?: number;
  /** Context window to request (Ollama `num_ctx`; OpenAI-compatible servers fix it at load time). */
  readonly contextTokens?: number;
}

export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly options: GenerationOptions;
  /** Native tools offered to the model (the `tools` protocol); absent = none. */
  readonly tools?: readonly ToolSpec[];
  /** Reasoning control; absent = 'auto'. */
  readonly think?: ThinkSetting;
}

/** One piece of a streamed reply. */
export type ChatChunk =
  | { readonly type: 'text'; readonly text: string }
  /** Reasoning from the server's separate channel (Ollama `message.thinking`, OpenAI-compatible `reasoning_content`/`reasoning`). */
  | { readonly type: 'reasoning'; readonly text: string }
  /** A complete native tool call (Ollama sends it whole; OpenAI-compatible argument deltas are assembled first). */
  | { readonly type: 'tool-call'; readonly call: ToolCall }
  /**
   * A piece of a tool call arrived (OpenAI-compatible servers stream the arguments; the call
   * itself follows, complete, as `tool-call`): `chars` characters of name and arguments. The model
   * is generating: life for the stall watchdog, and counted against the reply's size limit.
   */
  | { readonly type: 'tool-call-delta'; readonly chars: number }
  /**
   * The token counts so far, before the reply's end (OpenAI-compatible servers asked for
   * `continuous_usage_stats`: vLLM, SGLang): what a reply the agent stops reading at a closing
   * fence has, as its `done` never comes. Not a token of the reply (it sets no first-token time).
   */
  | { readonly type: 'usage'; readonly promptTokens?: number; readonly outputTokens?: number }
  /**
   * The reply will come whole, once the model has finished (a request sent unstreamed, or a server
   * seen to answer `stream: true` with one JSON document): the silence until then is the whole
   * generation's, not a stalled server's (stallWatchdog's `wholeReplyMs`). Sent before the request.
   */
  | { readonly type: 'whole-reply' }
  /**
   * After a `whole-reply`: the reply streams after all (the server answered with an event stream: a
   * proxy answering some requests whole, others streamed), so its tokens are allowed the first
   * token's silence again, not the whole generation's. Not a token of the reply.
   */
  | { readonly type: 'reply-started' }
  | {
      readonly type: 'done';
      /** 'stop', 'length' (token limit or full context), ... as the server says. */
      readonly doneReason?: string;
      readonly promptTokens?: number;
      readonly outputTokens?: number;
      /** Time the server spent generating, when it reports it. */
      readonly evalMs?: number;
    };

export interface ModelInfo {
  readonly name: string;
  /** Download size on disk (Ollama); absent on OpenAI-compatible servers. */
  readonly sizeBytes?: number;
  /** e.g. "7.6B" (Ollama details.parameter_size). */
  readonly parameterSize?: string;
  /** e.g. "Q4_K_M". */
  readonly quantization?: string;
  readonly family?: string;
  readonly modifiedAt?: string;
}

/** A model Ollama holds in memory (/api/ps). */
export interface RunningModel {
  readonly name: string;
  /** Memory the loaded model takes. */
  readonly sizeBytes: number;
  /** The part of it in GPU memory. */
  readonly vramBytes: number;
  /** 'gpu': all in VRAM; 'cpu': none; 'split': partly offloaded (slow). */
  readonly processor: 'gpu' | 'cpu' | 'split';
  /** Share of the model in VRAM, 0..100 (as `ollama ps` shows it). */
  readonly gpuPercent: number;
  /** When Ollama unloads it unless used again. */
  readonly expiresAt?: string;
  /** Context window it was loaded with (newer Ollama versions report it). */
  readonly contextLength?: number;
}

/** One progress step of `ollama pull`. */
export interface PullProgress {
  /** "pulling manifest", "pulling 3a5b…", "verifying sha256 digest", "writing manifest", "success". */
  readonly status: string;
  readonly digest?: string;
  readonly totalBytes?: number;
  readonly completedBytes?: number;
  /** completed / total of the current layer, 0..1, when known. */
  readonly fraction?: number;
}

/** A model server. `signal` aborts the HTTP request itself (the agent aborts it when a code block closes). */
export interface ModelBackend {
  readonly kind: 'ollama' | 'openai';
  readonly baseUrl: string;
  streamChat(request: ChatRequest, signal: AbortSignal): AsyncIterable<ChatChunk>;
  listModels(signal?: AbortSignal): Promise<readonly ModelInfo[]>;
  /** The server's version string, or null when the server does not say (most OpenAI-compatible ones). */
  serverVersion(signal?: AbortSignal): Promise<string | null>;
  /**
   * The model's context window in tokens, or null when the server does not say (Ollama: `/api/show`
   * model_info "<arch>.context_length"; vLLM: `max_model_len` in `/v1/models`).
   */
  modelContextLength(model: string, signal?: AbortSignal): Promise<number | null>;
  /**
   * The model's capabilities ("completion", "tools", "thinking", ...) from Ollama's `/api/show`;
   * null when the server does not say (OpenAI-compatible servers).
   */
  modelCapabilities(model: string, signal?: AbortSignal): Promise<readonly string[] | null>;
}

/**
 * What went wrong talking to the model server: `server-unreachable` (nothing listens at the URL,
 * or the host does not resolve), `wrong-server` (something answers, but not the kind of server
 * configured), `model-missing`, `auth` (the server refused the API key or wants one, 401/403), `http`,
 * `protocol` (bytes this extension does not understand: malformed NDJSON/SSE), `connection-lost`
 * (the connection ended before the reply was complete), `stalled` (no token for too long),
 * `context-overflow` (the prompt does not fit the model's context window; OpenAI-compatible
 * servers refuse it, Ollama too when it runs the model with llama-server). A zod enum because stored conversations carry it in their error events.
 */
export const backendErrorKindSchema = z.enum(['server-unreachable', 'wrong-server', 'model-missing', 'auth', 'http', 'protocol', 'connection-lost', 'stalled', 'context-overflow']);
/** See `backendErrorKindSchema`. */
export type BackendErrorKind = z.infer<typeof backendErrorKindSchema>;

/** A failure talking to the model server, with a message a user can act on. */
export class BackendError extends Error {
  /** Worth one automatic retry: a transient server or network condition, not a configuration mistake. */
  readonly retryable: boolean;

  /**
   * @param retryAfterMs how long the server asked the client to wait before trying again (its
   *   Retry-After header, RFC 9110 §10.2.3; rate limits answer HTTP 429 with one), in ms.
   * @param retryable overrides the rule by kind and status (stalls, lost connections, HTTP 5xx
   *   and 429 are retried): false for a 5xx that names a configuration to change (llama.cpp's
   *   "tools param requires --jinja flag"), which a retry only repeats.
   */
  constructor(
    message: string,
    readonly kind: BackendErrorKind,
    readonly status?: number,
    readonly retryAfterMs?: number,
    retryable?: boolean,
  ) {
    super(message);
    this.name = 'BackendError';
    this.retryable = retryable ?? (kind === 'stalled' || kind === 'connection-lost' || (kind === 'http' && status !== undefined && (status >= 500 || status === 429)));
  }
}
