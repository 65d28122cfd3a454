// OpenAI-compatible servers (vLLM, llama.cpp server, LM Studio, SGLang, Ollama's /v1):
// GET /v1/models and streaming POST /v1/chat/completions, spoken with Node's fetch.
import { z } from 'zod';
import { connectionLost, isAbortError, isConnectionLost, malformedLine, modelMissing, unreachableError } from './errors';
import { readSse } from './sse';
import { BackendError, type ChatChunk, type ChatRequest, type ModelBackend, type ModelInfo } from './types';
import { knob } from '../frontEnd';

export const DEFAULT_OPENAI_BASE_URL = 'http://127.0.0.1:8000/v1';

export interface OpenAiBackendOptions {
  /** e.g. http://127.0.0.1:8000/v1 (a URL without /v1 gets it appended). */
  readonly baseUrl?: string;
  /** Sent as `Authorization: Bearer <key>` when set. */
  readonly apiKey?: string;
}

const chunkSchema = z.object({
  choices: z
    .array(
      z.object({
        delta: z.object({ content: z.string().nullish() }).partial().nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .default([]),
  usage: z.object({ prompt_tokens: z.number().optional(), completion_tokens: z.number().optional() }).nullish(),
});

const errorEventSchema = z.object({ error: z.union([z.string(), z.object({ message: z.string().optional() }).loose()]) });

const errorBodySchema = z.object({ error: z.union([z.string(), z.object({ message: z.string().optional(), code: z.unknown().optional() }).loose()]) }).loose();

const modelsSchema = z.object({ data: z.array(z.object({ id: z.string() }).loose()) });

/** Normalises the base URL: no trailing slash, and /v1 appended when the path is empty. */
export function normalizeOpenAiBaseUrl(raw: string | undefined): string {
  const url = new URL((raw && raw.trim()) || DEFAULT_OPENAI_BASE_URL);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1';
  return url.toString().replace(/\/+$/, '');
}

export class OpenAiBackend implements ModelBackend {
  readonly kind = 'openai' as const;
  readonly baseUrl: string;
  private readonly apiKey: string | undefined;
  /** Set once a server rejected vLLM's continuation fields; later requests leave them out. */
  private continuationFieldsRejected = false;

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
    const body: Record<string, unknown> = {
      model: request.model,
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
      stream: true,
      stream_options: { include_usage: true },
      temperature: request.options.temperature,
    };
    if (request.options.seed !== undefined) body.seed = request.options.seed;
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
    let response = await this.post(request, endsWithAssistant && !this.continuationFieldsRejected, signal);
    if (response.status === 400 && endsWithAssistant && !this.continuationFieldsRejected) {
      const text = await response.text();
      // A strict server refusing vLLM's extra fields: try once more without them.
      if (/continue_final_message|add_generation_prompt|unrecognized|extra (inputs|fields)/i.test(text)) {
        this.continuationFieldsRejected = true;
        response = await this.post(request, false, signal);
      } else {
        throw this.httpError(400, text, request.model);
      }
    }
    if (!response.ok) throw this.httpError(response.status, await response.text().catch(() => ''), request.model);
    if (!response.body) throw new BackendError(`The server at ${this.baseUrl} sent an empty reply.`, 'protocol');
    if (!/event-stream/i.test(response.headers.get('content-type') ?? ''))
      throw new BackendError(`The server at ${this.baseUrl} did not stream (Content-Type ${response.headers.get('content-type') ?? 'none'}) — is it an OpenAI-compatible server?`, 'wrong-server');

    let promptTokens: number | undefined;
    let outputTokens: number | undefined;
    let finishReason: string | undefined;
    let firstTokenAt: number | undefined;
    try {
      for await (const item of readSse(response.body)) {
        if (item.type === 'malformed') throw malformedLine('OpenAI-compatible', this.baseUrl, 'event-stream line', item.line);
        if (item.data.trim() === '[DONE]') {
          const evalMs = firstTokenAt !== undefined ? performance.now() - firstTokenAt : undefined;
          yield { type: 'done', doneReason: finishReason, promptTokens, outputTokens, evalMs };
          return;
        }
        let json: unknown;
        try {
          json = JSON.parse(item.data);
        } catch {
          throw malformedLine('OpenAI-compatible', this.baseUrl, 'event', `data: ${item.data}`);
        }
        const failure = errorEventSchema.safeParse(json);
        if (failure.success) {
          const e = failure.data.error;
          throw new BackendError(`The server at ${this.baseUrl} failed mid-reply: ${typeof e === 'string' ? e : (e.message ?? 'unknown error')}`, 'http');
        }
        const parsed = chunkSchema.safeParse(json);
        if (!parsed.success) throw malformedLine('OpenAI-compatible', this.baseUrl, 'event', `data: ${item.data}`);
        const chunk = parsed.data;
        if (chunk.usage) {
          promptTokens = chunk.usage.prompt_tokens ?? promptTokens;
          outputTokens = chunk.usage.completion_tokens ?? outputTokens;
        }
        for (const choice of chunk.choices) {
          const text = choice.delta?.content ?? '';
          if (text.length > 0) {
            firstTokenAt ??= performance.now();
            yield { type: 'text', text };
          }
          if (choice.finish_reason) finishReason = choice.finish_reason;
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      throw this.translate(error, request.model);
    }
    if (signal.aborted) return;
    // The body ended without [DONE]: the connection was cut.
    throw connectionLost('OpenAI-compatible', this.baseUrl);
  }

  private async post(request: ChatRequest, continuation: boolean, signal: AbortSignal): Promise<Response> {
    try {
      return await fetch(`${this.baseUrl}/chat/completions`, { method: 'POST', headers: this.headers(), body: JSON.stringify(this.body(request, continuation)), signal });
    } catch (error) {
      throw this.translate(error, request.model);
    }
  }

  async listModels(signal?: AbortSignal): Promise<readonly ModelInfo[]> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/models`, { headers: this.headers(), signal });
    } catch (error) {
      throw this.translate(error, undefined);
    }
    const text = await response.text();
    if (!response.ok) throw this.httpError(response.status, text, undefined);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new BackendError(`The server at ${this.baseUrl} did not answer /models with JSON — is ${knob('openaiBaseUrl')} the server's /v1 URL?`, 'wrong-server');
    }
    const parsed = modelsSchema.safeParse(json);
    if (!parsed.success) throw new BackendError(`The server at ${this.baseUrl} answered /models in an unexpected shape — is it OpenAI-compatible?`, 'wrong-server');
    return parsed.data.data.map((m) => ({ name: m.id }));
  }

  /** OpenAI-compatible servers have no common version endpoint. */
  serverVersion(): Promise<string | null> {
    return Promise.resolve(null);
  }

  private httpError(status: number, text: string, model: string | undefined): BackendError {
    let message = text.trim().slice(0, 500);
    let code: unknown;
    try {
      const parsed = errorBodySchema.safeParse(JSON.parse(text));
      if (parsed.success) {
        const e = parsed.data.error;
        message = typeof e === 'string' ? e : (e.message ?? message);
        code = typeof e === 'string' ? undefined : e.code;
      }
    } catch {
      // Not JSON: keep the text as it is.
    }
    if (status === 401 || status === 403)
      return new BackendError(`The server at ${this.baseUrl} refused the API key (HTTP ${status}: ${message}) — set the key with ${knob('apiKey')}.`, 'auth', status);
    if (status === 404 && (code === 'model_not_found' || (model !== undefined && /model/i.test(message))))
      return modelMissing('openai', this.baseUrl, model ?? '?', message);
    if (status === 404)
      return new BackendError(`Nothing answers at ${this.baseUrl}/chat/completions (HTTP 404) — ${knob('openaiBaseUrl')} should be the server's OpenAI URL, usually ending in /v1.`, 'wrong-server', 404);
    if (status === 400 && /context length|context window|maximum.*tokens|too long/i.test(message))
      return new BackendError(`The conversation no longer fits the model's context window (${message}) — start the server with a larger context (vLLM --max-model-len, llama.cpp -c) or lower ${knob('maxCodeCalls')}.`, 'context-overflow', 400);
    return new BackendError(`The server at ${this.baseUrl} answered HTTP ${status}: ${message || 'no details'}`, 'http', status);
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
