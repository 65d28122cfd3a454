// The model server as the model UI sees it (picker, status bar, pull): one small interface over
// the backends of src/agent/backends, so the UI never cares which wire protocol is behind it.
import { createBackend, type ModelInfo, type PullProgress, type RunningModel } from '../../agent/backends';
import { serverOptionsFrom, type ServerSettings } from '../../config/runOptions';

export type { ModelInfo, PullProgress, RunningModel, ServerSettings };

export interface ModelServerClient {
  readonly kind: 'ollama' | 'openai';
  readonly baseUrl: string;
  /** "Ollama" or "OpenAI-compatible server", for messages. */
  readonly serverName: string;
  listModels(signal?: AbortSignal): Promise<readonly ModelInfo[]>;
  /** Models in memory, or null when the server cannot say (OpenAI-compatible servers). */
  listRunning(signal?: AbortSignal): Promise<readonly RunningModel[] | null>;
  serverVersion(signal?: AbortSignal): Promise<string | null>;
  /** Present only where the server can download models (Ollama). */
  readonly pullModel?: (name: string, onProgress: (progress: PullProgress) => void, signal: AbortSignal) => Promise<void>;
}

/** The client of the configured server; `apiKey` goes only to an OpenAI-compatible one (runOptions.ts). */
export function createModelServerClient(settings: ServerSettings, apiKey?: string): ModelServerClient {
  const server = serverOptionsFrom(settings, apiKey);
  if (server.kind === 'openai') {
    const backend = createBackend({ ...server, kind: 'openai' });
    return {
      kind: 'openai',
      baseUrl: backend.baseUrl,
      serverName: 'OpenAI-compatible server',
      listModels: (signal) => backend.listModels(signal),
      listRunning: () => Promise.resolve(null),
      serverVersion: () => backend.serverVersion(),
    };
  }
  const backend = createBackend({ ...server, kind: 'ollama' });
  return {
    kind: 'ollama',
    baseUrl: backend.baseUrl,
    serverName: 'Ollama',
    listModels: (signal) => backend.listModels(signal),
    listRunning: (signal) => backend.listRunning(signal),
    serverVersion: (signal) => backend.serverVersion(signal),
    pullModel: (name, onProgress, signal) => backend.pullModel(name, onProgress, signal),
  };
}

/** Ollama treats "name" and "name:latest" as one model. */
export function sameModel(a: string, b: string): boolean {
  return withTag(a) === withTag(b);
}

function withTag(name: string): string {
  const last = name.slice(name.lastIndexOf('/') + 1);
  return last.includes(':') ? name : `${name}:latest`;
}
