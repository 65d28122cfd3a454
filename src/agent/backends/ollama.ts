// Ollama (the default backend), through the official `ollama` npm client.
import { Ollama } from 'ollama';
import { z } from 'zod';
import { BackendError, type ChatChunk, type ChatRequest, type ModelBackend, type ModelInfo } from './types';
import { isAbortError, unreachableError } from './errors';

export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';

/** The host setting, else OLLAMA_HOST (as the ollama CLI reads it), else the default. */
export function resolveOllamaHost(setting: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const raw = (setting && setting.trim()) || (env.OLLAMA_HOST && env.OLLAMA_HOST.trim()) || DEFAULT_OLLAMA_HOST;
  let url = /^[a-z]+:\/\//i.test(raw) ? raw : `http://${raw}`;
  // OLLAMA_HOST may be "0.0.0.0" (a bind address) or omit the port.
  const parsed = new URL(url);
  if (parsed.hostname === '0.0.0.0') parsed.hostname = '127.0.0.1';
  if (!parsed.port && !/:\d+$/.test(raw) && parsed.protocol === 'http:') parsed.port = '11434';
  url = parsed.toString();
  return url.replace(/\/+$/, '');
}

const chatChunkSchema = z.object({
  message: z.object({ content: z.string().default('') }).optional(),
  done: z.boolean(),
  done_reason: z.string().optional(),
  prompt_eval_count: z.number().optional(),
  eval_count: z.number().optional(),
  eval_duration: z.number().optional(),
});

const tagsSchema = z.object({
  models: z.array(z.object({ name: z.string(), size: z.number().optional() })),
});

export class OllamaBackend implements ModelBackend {
  readonly kind = 'ollama' as const;

  constructor(readonly baseUrl: string) {}

  /** A client whose every request also listens to `signal`, so cancel aborts the HTTP request itself. */
  private client(signal?: AbortSignal): Ollama {
    const boundFetch: typeof fetch = (input, init) =>
      fetch(input, { ...init, signal: signal && init?.signal ? AbortSignal.any([signal, init.signal]) : (signal ?? init?.signal) });
    return new Ollama({ host: this.baseUrl, fetch: boundFetch });
  }

  async *streamChat(request: ChatRequest, signal: AbortSignal): AsyncIterable<ChatChunk> {
    const client = this.client(signal);
    const options: Record<string, number> = { temperature: request.options.temperature };
    if (request.options.seed !== undefined) options.seed = request.options.seed;
    if (request.options.contextTokens !== undefined) options.num_ctx = request.options.contextTokens;
    let stream: AsyncIterable<unknown> & { abort(): void };
    try {
      stream = await client.chat({ model: request.model, messages: [...request.messages], stream: true, options });
    } catch (error) {
      throw this.translate(error, request.model);
    }
    const onAbort = (): void => stream.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const raw of stream) {
        const parsed = chatChunkSchema.safeParse(raw);
        if (!parsed.success) throw new BackendError(`The Ollama server at ${this.baseUrl} sent a reply this extension does not understand: ${parsed.error.issues[0]?.message ?? 'invalid'}`, 'protocol');
        const chunk = parsed.data;
        const text = chunk.message?.content ?? '';
        if (text.length > 0) yield { type: 'text', text };
        if (chunk.done) {
          yield {
            type: 'done',
            doneReason: chunk.done_reason,
            promptTokens: chunk.prompt_eval_count,
            outputTokens: chunk.eval_count,
            evalMs: chunk.eval_duration !== undefined ? chunk.eval_duration / 1e6 : undefined,
          };
          return;
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      throw this.translate(error, request.model);
    } finally {
      signal.removeEventListener('abort', onAbort);
      stream.abort();
    }
  }

  async listModels(signal?: AbortSignal): Promise<readonly ModelInfo[]> {
    try {
      const reply = tagsSchema.parse(await this.client(signal).list());
      return reply.models.map((m) => ({ name: m.name, sizeBytes: m.size }));
    } catch (error) {
      throw this.translate(error, undefined);
    }
  }

  private translate(error: unknown, model: string | undefined): Error {
    if (error instanceof BackendError) return error;
    if (isAbortError(error)) return error instanceof Error ? error : new Error(String(error));
    const network = unreachableError('Ollama', this.baseUrl, error, 'start it with `ollama serve`, or set "r1ci.ollama.host".');
    if (network) return network;
    const status = (error as { status_code?: unknown }).status_code;
    const message = error instanceof Error ? error.message : String(error);
    if (typeof status === 'number') {
      if (status === 404 && model && /not found/i.test(message))
        return new BackendError(`The model "${model}" is not pulled on the Ollama server at ${this.baseUrl} — run \`ollama pull ${model}\`.`, 'model-missing', 404);
      return new BackendError(`The Ollama server at ${this.baseUrl} answered HTTP ${status}: ${message}`, 'http', status);
    }
    if (/Did not receive done/i.test(message) || /terminated|other side closed/i.test(message))
      return new BackendError(`The Ollama server at ${this.baseUrl} ended the reply before it was complete.`, 'protocol');
    return new BackendError(`Talking to the Ollama server at ${this.baseUrl} failed: ${message}`, 'protocol');
  }
}
