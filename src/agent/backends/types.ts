// What the agent needs from a model server, whatever its wire protocol.

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

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
}

/** One piece of a streamed reply. */
export type ChatChunk =
  | { readonly type: 'text'; readonly text: string }
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
}

export type BackendErrorKind =
  /** Nothing listens at the URL, or the host does not resolve. */
  | 'server-unreachable'
  /** Something answers, but it is not the kind of server configured (wrong host or port). */
  | 'wrong-server'
  | 'model-missing'
  /** The server refused the API key (401/403). */
  | 'auth'
  | 'http'
  /** The server sent bytes this extension does not understand (malformed NDJSON/SSE). */
  | 'protocol'
  /** The connection ended before the reply was complete. */
  | 'connection-lost'
  /** No token arrived for too long. */
  | 'stalled'
  /** The prompt does not fit the model's context window (OpenAI-compatible servers refuse it). */
  | 'context-overflow';

/** A failure talking to the model server, with a message a user can act on. */
export class BackendError extends Error {
  /** Worth one automatic retry: a transient server or network condition, not a configuration mistake. */
  readonly retryable: boolean;

  constructor(
    message: string,
    readonly kind: BackendErrorKind,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'BackendError';
    this.retryable = kind === 'stalled' || kind === 'connection-lost' || (kind === 'http' && status !== undefined && (status >= 500 || status === 429));
  }
}
