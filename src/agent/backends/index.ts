// Picks the backend for the configured server kind.
import { OllamaBackend, resolveOllamaHost } from './ollama';
import type { ModelBackend } from './types';

export interface BackendConfig {
  readonly kind: 'ollama' | 'openai';
  /** Ollama host setting (empty: OLLAMA_HOST, else the default). */
  readonly ollamaHost?: string;
  readonly openaiBaseUrl?: string;
  readonly apiKey?: string;
}

export function createBackend(config: BackendConfig): ModelBackend {
  if (config.kind === 'openai') {
    throw new Error('The OpenAI-compatible backend is not available in this build yet; set "r1ci.backend" to "ollama".');
  }
  return new OllamaBackend(resolveOllamaHost(config.ollamaHost));
}

export { BackendError } from './types';
export type { ModelBackend, ChatMessage, ChatChunk, ModelInfo } from './types';
