// Picks the backend for the configured server kind. The public, vscode-free API of model
// servers: the VS Code UI (status bar, model picker, pull) and the CLI both call only this.
import { OllamaBackend, resolveOllamaHost } from './ollama';
import { OpenAiBackend } from './openai';

export interface OllamaBackendConfig {
  readonly kind: 'ollama';
  /** Ollama host setting (empty: OLLAMA_HOST, else the default). */
  readonly ollamaHost?: string;
}

export interface OpenAiBackendConfig {
  readonly kind: 'openai';
  readonly openaiBaseUrl?: string;
  /** Sent as a bearer token; kept in SecretStorage by the extension, never in settings. */
  readonly apiKey?: string;
}

/** Both kinds in one shape, as settings deliver them (fields of the other kind are ignored). */
export interface BackendConfig {
  readonly kind: 'ollama' | 'openai';
  readonly ollamaHost?: string;
  readonly openaiBaseUrl?: string;
  readonly apiKey?: string;
}

export function createBackend(config: OllamaBackendConfig): OllamaBackend;
export function createBackend(config: OpenAiBackendConfig): OpenAiBackend;
export function createBackend(config: BackendConfig): OllamaBackend | OpenAiBackend;
export function createBackend(config: BackendConfig): OllamaBackend | OpenAiBackend {
  if (config.kind === 'openai') return new OpenAiBackend({ baseUrl: config.openaiBaseUrl, apiKey: config.apiKey });
  return new OllamaBackend(resolveOllamaHost(config.ollamaHost));
}

export { OllamaBackend, resolveOllamaHost, DEFAULT_OLLAMA_HOST } from './ollama';
export { OpenAiBackend, normalizeOpenAiBaseUrl, DEFAULT_OPENAI_BASE_URL } from './openai';
export { BackendError } from './types';
export type { BackendErrorKind, ModelBackend, ChatMessage, ChatChunk, ModelInfo, RunningModel, PullProgress } from './types';
