// `r1ci eval` asks the server before the first question: is it there, and does it have the
// model? A run of hundreds of questions should not start only to record the same error for each
// (and leave a results file full of them).
import type { ModelBackend } from '../agent/backends';
import { modelMissing } from '../agent/backends/errors';
import { CliError, EXIT } from './cliSupport';

/** Ollama resolves a name without a tag to `:latest`; OpenAI-compatible servers need the exact id. */
export function serverHasModel(kind: 'ollama' | 'openai', names: readonly string[], model: string): boolean {
  if (names.includes(model)) return true;
  if (kind !== 'ollama') return false;
  return model.includes(':') ? model.endsWith(':latest') && names.includes(model.slice(0, -':latest'.length)) : names.includes(`${model}:latest`);
}

/**
 * Lists the server's models and checks `model` is among them.
 * @throws CliError (exit 1) with the backend's message — which names the CLI's flags and
 *   environment variables — when the server is unreachable, is the wrong kind, or lacks the model.
 */
export async function checkServerAndModel(backend: ModelBackend, model: string, signal: AbortSignal): Promise<void> {
  let names: string[];
  try {
    names = (await backend.listModels(signal)).map((m) => m.name);
  } catch (error) {
    if (signal.aborted) throw new CliError('cancelled before the first question.', EXIT.cancelled);
    throw new CliError(error instanceof Error ? error.message : String(error), EXIT.failure);
  }
  if (!serverHasModel(backend.kind, names, model)) {
    const listed = names.length === 0 ? 'it has none' : `it has ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''}`;
    throw new CliError(modelMissing(backend.kind, backend.baseUrl, model, listed).message, EXIT.failure);
  }
}
