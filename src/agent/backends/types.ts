// What the agent needs from a model server, whatever its wire protocol.

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

export interface GenerationOptions {
  readonly temperature: number;
  readonly seed?: number;
  /** Context window to request (Ollama `num_ctx`). */
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
      readonly doneReason?: string;
      readonly promptTokens?: number;
      readonly outputTokens?: number;
      /** Time the server spent generating, when it reports it. */
      readonly evalMs?: number;
    };

export interface ModelInfo {
  readonly name: string;
  readonly sizeBytes?: number;
}

/** A model server. `signal` aborts the HTTP request itself (the agent aborts it when a code block closes). */
export interface ModelBackend {
  readonly kind: 'ollama' | 'openai';
  readonly baseUrl: string;
  streamChat(request: ChatRequest, signal: AbortSignal): AsyncIterable<ChatChunk>;
  listModels(signal?: AbortSignal): Promise<readonly ModelInfo[]>;
}

/** A failure talking to the model server, with a message a user can act on. */
export class BackendError extends Error {
  constructor(
    message: string,
    readonly kind: 'server-unreachable' | 'model-missing' | 'http' | 'protocol' | 'stalled',
    readonly status?: number,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}
