// Ollama (the default backend), through the official `ollama` npm client.
import { madeUpCallId } from './callIds';
import { Ollama } from 'ollama';
import { z } from 'zod';
import { leanFetch, type LeanFetch } from './leanFetch';
import {
  connectionLost,
  errorDocument,
  isAbortError,
  isConnectionLost,
  malformedLine,
  modelMissing,
  rateLimited,
  overflowNote,
  retryAfterMs,
  saysContextOverflow,
  serverErrorDetail,
  serverWords,
  unreachableError,
  serverFailureAdvice,
  unsupportedFeatureAdvice,
} from './errors';
import { modelLoadingError } from './modelLoading';
import { BackendError, type ChatChunk, type ChatMessage, type ChatRequest, type ModelBackend, type ModelInfo, type PullProgress, type RunningModel, type ThinkSetting, type ToolCall, type ToolSpec } from './types';
import { knob } from '../../text/frontEnd';
import { trimTrailing } from '../../text/trimTrailing';
import { jsonTextDepth, jsonTextOf, MAX_JSON_DEPTH } from '../../text/jsonDepth';

export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';

/**
 * The host setting, else OLLAMA_HOST, else the default, read as the ollama CLI (envconfig.Host)
 * and the official JS client (formatHost) read OLLAMA_HOST, so a value that works for
 * `ollama list` reaches the same server: no scheme means http:// and, without a port, Ollama's
 * 11434 (`gpu-box`, `0.0.0.0`, a bind address, is this machine); a port alone (`:11434`) is
 * this machine; a scheme written out without a port means that scheme's own port, 80 or 443
 * (`http://ollama.lan` behind a reverse proxy).
 * @returns the URL without a trailing slash, e.g. `http://127.0.0.1:11434`.
 * @throws TypeError (from URL) when the value is not a URL even so.
 */
export function resolveOllamaHost(setting: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const raw = (setting && setting.trim()) || (env.OLLAMA_HOST && env.OLLAMA_HOST.trim()) || DEFAULT_OLLAMA_HOST;
  const schemeWritten = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw);
  const parsed = new URL(schemeWritten ? raw : `http://${raw.startsWith(':') ? '127.0.0.1' : ''}${raw}`);
  if (parsed.hostname === '0.0.0.0') parsed.hostname = '127.0.0.1';
  // The URL parser drops a written default port (`gpu-box:80`), so the port is looked for in the text.
  const portWritten = /:\d+$/.test(raw.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split(/[/?#]/, 1)[0] ?? '');
  if (!schemeWritten && !portWritten) parsed.port = '11434';
  return trimTrailing(parsed.toString(), '/');
}

/**
 * A tool call as Ollama sends it: whole, with an `id` since 0.12.10 (`call_` and 8 random
 * characters, ollama/ollama#12956; absent before, or `null` from a proxy).
 */
const toolCallSchema = z.object({ id: absentOrNull(z.string()), function: z.object({ name: z.string(), arguments: z.unknown() }) });

/**
 * An optional field that may also come as `null` for "absent", read as absent, never as a reply
 * "this extension does not understand". Ollama's own lines leave such fields out (Go's
 * `omitempty`), but a proxy or server that writes every field of its model sends them as `null`
 * on every line: `"thinking": null`, `"tool_calls": null`, `"images": null`, `"done_reason": null`,
 * `"eval_count": null` (ollama-python's `Message` and `ChatResponse` models, ollama/_types.py,
 * declare each `Optional[…] = None`, so a proxy that passes replies on with `model_dump()` writes
 * them so).
 */
function absentOrNull<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((value) => value ?? undefined);
}

const chatChunkSchema = z.object({
  message: absentOrNull(
    z.object({
      content: absentOrNull(z.string()).transform((content) => content ?? ''),
      thinking: absentOrNull(z.string()),
      tool_calls: absentOrNull(z.array(toolCallSchema)),
    }),
  ),
  done: z.boolean(),
  done_reason: absentOrNull(z.string()),
  prompt_eval_count: absentOrNull(z.number()),
  eval_count: absentOrNull(z.number()),
  eval_duration: absentOrNull(z.number()),
});

// The other endpoints' optional fields may be `null` too (absentOrNull).
const detailsSchema = absentOrNull(z.object({ family: absentOrNull(z.string()), parameter_size: absentOrNull(z.string()), quantization_level: absentOrNull(z.string()) }));

const tagsSchema = z.object({
  models: z.array(z.object({ name: z.string(), size: absentOrNull(z.number()), modified_at: z.unknown().optional(), details: detailsSchema })),
});

const psSchema = z.object({
  models: z.array(
    z.object({
      name: z.string(),
      size: absentOrNull(z.number()).transform((n) => n ?? 0),
      size_vram: absentOrNull(z.number()).transform((n) => n ?? 0),
      expires_at: z.unknown().optional(),
      context_length: absentOrNull(z.number()),
    }),
  ),
});

const versionSchema = z.object({ version: z.string() });

const progressSchema = z.object({
  status: z.string(),
  digest: z.string().optional(),
  total: z.number().optional(),
  completed: z.number().optional(),
});

const showSchema = z.object({ model_info: absentOrNull(z.record(z.string(), z.unknown())), capabilities: absentOrNull(z.array(z.string())) });

/** Ollama's `think` field for a setting; undefined = leave it out (the model's default). */
export function ollamaThink(setting: ThinkSetting | undefined, capabilities: readonly string[] | null): boolean | 'low' | 'medium' | 'high' | undefined {
  switch (setting ?? 'auto') {
    case 'on':
      return true;
    case 'off':
      return false;
    case 'low':
      return 'low';
    case 'medium':
      return 'medium';
    case 'high':
      return 'high';
    default:
      // Sending think:true to a model without the capability is an HTTP 400 on Ollama ≥ 0.9.
      return capabilities?.includes('thinking') === true ? true : undefined;
  }
}

/**
 * Our messages in Ollama's shape: tool calls carry their arguments as an object and their `id`,
 * and a tool result the `tool_call_id` of the call it answers beside the tool's name. Ollama ≥
 * 0.12.10 links results to calls by id (api.Message.ToolCallID, ollama/ollama#12956): its cohere
 * renderer numbers the calls and refers each result to its call's number through it
 * (model/renderers/cohere.go), gemma4's and glimmer's name a result's tool through it. Without
 * the ids a result went to the model under an empty `tool_call_id`.
 */
function toOllamaMessage(m: ChatMessage): {
  role: string;
  content: string;
  thinking?: string;
  tool_calls?: Array<{ id?: string; function: { name: string; arguments: Record<string, unknown> } }>;
  tool_name?: string;
  tool_call_id?: string;
} {
  const out: ReturnType<typeof toOllamaMessage> = { role: m.role, content: m.content };
  if (m.reasoning !== undefined && m.reasoning.length > 0) out.thinking = m.reasoning;
  if (m.toolCalls && m.toolCalls.length > 0) out.tool_calls = m.toolCalls.map((c) => ({ ...(c.id !== '' ? { id: c.id } : {}), function: { name: c.name, arguments: argumentsObject(c.arguments) } }));
  if (m.toolName !== undefined) out.tool_name = m.toolName;
  if (m.toolCallId !== undefined && m.toolCallId !== '') out.tool_call_id = m.toolCallId;
  return out;
}

function argumentsObject(json: string): Record<string, unknown> {
  // Nested too deep for the client's JSON.stringify: sent back as the raw text, like malformed arguments.
  if (jsonTextDepth(json) > MAX_JSON_DEPTH) return { raw: json };
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Malformed arguments go back as the raw text, so the model sees what it sent.
  }
  return { raw: json };
}

/** An error body or line: `{"error": "…"}`, or `{"error": {"message": "…"}}` as proxies write it. */
const errorTextSchema = z.object({ error: z.union([z.string(), z.object({ message: z.string() }).transform((e) => e.message)]) });

/** The whole error text of a body or line (unlike serverErrorDetail, never shortened), or undefined. */
function errorText(body: string | undefined): string | undefined {
  if (body === undefined) return undefined;
  try {
    const parsed = errorTextSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data.error : undefined;
  } catch {
    return undefined;
  }
}

const UNREADABLE_CALL_PREFIX = "error parsing tool call: raw='";

/**
 * The call in Ollama's error for a tool call it could not read, when the request offered one
 * tool (the error names none). gpt-oss calls a tool named `python` as its built-in python tool,
 * whose argument is the code itself, not JSON: Ollama keeps that name for the built-in
 * (FunctionNameMap.ConvertAndAdd in harmony/harmonyparser.go) and then fails to read the call with
 * `error parsing tool call: raw='<text>', err=<Go's JSON error>` (HarmonyMessageHandler.Add;
 * odysseus-dev/odysseus#5877), as the reply's last line or, when nothing was streamed yet, as
 * HTTP 500. The model's code is in that text: it becomes the tool's one required argument. Text
 * that starts like JSON is passed on as the arguments it tried to be (the model is told what is
 * wrong with them). Undefined when `message` is no such error.
 */
export function unreadableToolCall(message: string | undefined, tools: readonly ToolSpec[] | undefined): ToolCall | undefined {
  if (message === undefined || !message.startsWith(UNREADABLE_CALL_PREFIX) || tools?.length !== 1) return undefined;
  const end = message.lastIndexOf("', err=");
  const tool = tools[0];
  if (end < UNREADABLE_CALL_PREFIX.length || tool === undefined) return undefined;
  const raw = message.slice(UNREADABLE_CALL_PREFIX.length, end);
  const [parameter] = tool.parameters.required;
  const args = /^\s*[[{]/.test(raw) || parameter === undefined || tool.parameters.required.length !== 1 ? raw : JSON.stringify({ [parameter]: raw });
  return { id: 'call_0', name: tool.name, arguments: args };
}

/** `text` parsed as JSON, or undefined when it is not JSON. */
function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The `ollama` client turns Date-like fields into Date objects; accept both. */
function isoString(value: unknown): string | undefined {
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' ? value : undefined;
}

/**
 * A reply with an error status, as its body said it (`message`: the raw body text). Thrown by our
 * transport so the ollama client never reads the body itself: for a body that is not JSON (a
 * proxy's HTML page, Ollama's plain-text 404) it writes "Getting text from response" with
 * console.log, which corrupts `r1ci solve --json` and the MCP server's stdout; it also reads only
 * `{"error": "…"}`, and drops the Retry-After header of a 429.
 */
class ErrorStatus extends Error {
  /** @param retryAfterMs the wait the Retry-After header asks for, in ms (RFC 9110 §10.2.3). */
  constructor(
    readonly status: number,
    body: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(body);
  }
}

export class OllamaBackend implements ModelBackend {
  readonly kind = 'ollama' as const;

  constructor(readonly baseUrl: string) {}

  /**
   * A transport whose every request also listens to `signal` and whose NDJSON is checked line by
   * line. An error status is read here, before the client sees it (`ErrorStatus`). `onErrorLine`
   * gets each `{"error": …}` line of a reply (the client's own error keeps only `String(error)`).
   */
  private transport(signal?: AbortSignal, onErrorLine?: (line: string) => void): LeanFetch {
    const lean = leanFetch(signal, (line) => malformedLine('Ollama', this.baseUrl, 'NDJSON line', line), onErrorLine);
    return {
      close: lean.close,
      fetch: async (input, init) => {
        const response = await lean.fetch(input, init);
        if (response.ok) return response;
        throw new ErrorStatus(response.status, await response.text(), retryAfterMs(response.headers.get('retry-after')));
      },
    };
  }

  /** A client on `transport` (by default one listening to `signal`). */
  private client(signal?: AbortSignal, transport: LeanFetch = this.transport(signal)): Ollama {
    return new Ollama({ host: this.baseUrl, fetch: transport.fetch });
  }

  async *streamChat(request: ChatRequest, signal: AbortSignal): AsyncIterable<ChatChunk> {
    /**
     * The reply's `{"error": …}` line, read in its own terms: its `error` may be an object
     * (`{"message", "type", "code"}`, as OpenAI-style proxies in front of Ollama write it, e.g.
     * LiteLLM, BerriAI/litellm#4592), which the client would report as "[object Object]".
     */
    let errorLine: string | undefined;
    const transport = this.transport(signal, (line) => (errorLine ??= line));
    const client = this.client(signal, transport);
    const options: Record<string, number> = { temperature: request.options.temperature };
    if (request.options.seed !== undefined) options.seed = request.options.seed;
    if (request.options.contextTokens !== undefined) options.num_ctx = request.options.contextTokens;
    let stream: AsyncIterable<unknown>;
    try {
      // Only 'auto' needs the capabilities; a failing /api/show leaves `think` out (the chat itself reports a missing model).
      const capabilities =
        (request.think ?? 'auto') === 'auto'
          ? await this.modelCapabilities(request.model, signal).catch((error: unknown) => {
              if (isAbortError(error)) throw error;
              return null;
            })
          : null;
      const think = ollamaThink(request.think, capabilities);
      const tools = request.tools?.map((t) => ({
        type: 'function',
        function: { name: t.name, description: t.description, parameters: { type: t.parameters.type, properties: { ...t.parameters.properties }, required: [...t.parameters.required] } },
      }));
      stream = await client.chat({
        model: request.model,
        messages: request.messages.map(toOllamaMessage),
        stream: true,
        options,
        ...(think !== undefined ? { think } : {}),
        ...(tools && tools.length > 0 ? { tools } : {}),
      });
    } catch (error) {
      const call = error instanceof ErrorStatus ? unreadableToolCall(errorText(error.message), request.tools) : undefined;
      if (call === undefined) throw this.translate(error, request.model);
      yield { type: 'tool-call', call: { ...call, id: madeUpCallId() } };
      yield { type: 'done' };
      return;
    }
    // `signal` needs no listener here: the transport listens to it until the body has arrived.
    let finished = false;
    /** Something of the reply was passed on: an error now comes mid-reply. */
    let yielded = false;
    try {
      for await (const raw of stream) {
        const parsed = chatChunkSchema.safeParse(raw);
        if (!parsed.success) throw new BackendError(`The Ollama server at ${this.baseUrl} sent a reply this extension does not understand: ${parsed.error.issues[0]?.message ?? 'invalid'}`, 'protocol');
        const chunk = parsed.data;
        const thinking = chunk.message?.thinking ?? '';
        const text = chunk.message?.content ?? '';
        if (thinking.length > 0 || text.length > 0 || (chunk.message?.tool_calls?.length ?? 0) > 0) yielded = true;
        if (thinking.length > 0) yield { type: 'reasoning', text: thinking };
        if (text.length > 0) yield { type: 'text', text };
        // Ollama sends each tool call whole, with an id of its own since 0.12.10 (else one is made up, see madeUpCallId).
        for (const call of chunk.message?.tool_calls ?? []) {
          const args = call.function.arguments;
          const id = call.id !== undefined && call.id !== '' ? call.id : madeUpCallId();
          yield { type: 'tool-call', call: { id, name: call.function.name, arguments: typeof args === 'string' ? args : jsonTextOf(args ?? {}) } };
        }
        if (chunk.done) {
          finished = true;
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
      const call = unreadableToolCall(errorText(errorLine), request.tools);
      if (call === undefined) throw this.translate(error, request.model, errorLine, yielded);
      yield { type: 'tool-call', call: { ...call, id: madeUpCallId() } };
      yield { type: 'done' };
    } finally {
      // The consumer stopped early (the agent at a closing fence): end the request, which stops
      // the generation; a reply that has fully arrived is left alone (LeanFetch.close).
      if (!finished) transport.close();
    }
  }

  /** Installed models (/api/tags), with their sizes. */
  async listModels(signal?: AbortSignal): Promise<readonly ModelInfo[]> {
    try {
      const reply = this.read(tagsSchema, await this.client(signal).list(), '/api/tags');
      return reply.models.map((m) => ({
        name: m.name,
        sizeBytes: m.size,
        parameterSize: m.details?.parameter_size,
        quantization: m.details?.quantization_level,
        family: m.details?.family,
        modifiedAt: isoString(m.modified_at),
      }));
    } catch (error) {
      throw this.translate(error, undefined);
    }
  }

  /** Models loaded in memory (/api/ps): is ours loaded, and is it on the GPU? */
  async listRunning(signal?: AbortSignal): Promise<readonly RunningModel[]> {
    try {
      const reply = this.read(psSchema, await this.client(signal).ps(), '/api/ps');
      return reply.models.map((m) => {
        const gpuPercent = m.size > 0 ? Math.round((100 * Math.min(m.size_vram, m.size)) / m.size) : 0;
        return {
          name: m.name,
          sizeBytes: m.size,
          vramBytes: m.size_vram,
          gpuPercent,
          processor: gpuPercent >= 100 ? 'gpu' : gpuPercent <= 0 ? 'cpu' : 'split',
          expiresAt: isoString(m.expires_at),
          contextLength: m.context_length,
        };
      });
    } catch (error) {
      throw this.translate(error, undefined);
    }
  }

  async serverVersion(signal?: AbortSignal): Promise<string> {
    try {
      return this.read(versionSchema, await this.client(signal).version(), '/api/version').version;
    } catch (error) {
      throw this.translate(error, undefined);
    }
  }

  /** The model's trained context length (/api/show model_info "<arch>.context_length"), or null. */
  async modelContextLength(model: string, signal?: AbortSignal): Promise<number | null> {
    const info = (await this.show(model, signal)).model_info ?? {};
    for (const [key, value] of Object.entries(info)) if (key.endsWith('.context_length') && typeof value === 'number') return value;
    return null;
  }

  /** The model's capabilities from /api/show ("completion", "tools", "thinking", ...); asked once per model. */
  async modelCapabilities(model: string, signal?: AbortSignal): Promise<readonly string[] | null> {
    return (await this.show(model, signal)).capabilities ?? null;
  }

  private readonly shown = new Map<string, z.infer<typeof showSchema>>();

  private async show(model: string, signal?: AbortSignal): Promise<z.infer<typeof showSchema>> {
    const cached = this.shown.get(model);
    if (cached) return cached;
    try {
      const reply = this.read(showSchema, await this.client(signal).show({ model }), '/api/show');
      this.shown.set(model, reply);
      return reply;
    } catch (error) {
      throw this.translate(error, model);
    }
  }

  /**
   * Downloads a model (/api/pull), reporting each progress line. Resolves once Ollama says
   * "success"; rejects with a BackendError when the name is unknown to the registry or the
   * stream breaks, or with an AbortError when `signal` aborts.
   */
  async pullModel(model: string, onProgress: (progress: PullProgress) => void, signal?: AbortSignal): Promise<void> {
    let stream: AsyncIterable<unknown> & { abort(): void };
    /** The reply's `{"error": …}` line or whole body: the client would keep "[object Object]" of an error object. */
    let errorLine: string | undefined;
    const transport = this.transport(signal, (line) => (errorLine ??= line));
    try {
      stream = await this.client(signal, transport).pull({ model, stream: true });
    } catch (error) {
      throw this.translate(error, model);
    }
    const onAbort = (): void => stream.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const raw of stream) {
        const p = this.read(progressSchema, raw, '/api/pull');
        onProgress({
          status: p.status,
          digest: p.digest,
          totalBytes: p.total,
          completedBytes: p.completed,
          fraction: p.total !== undefined && p.total > 0 && p.completed !== undefined ? Math.min(1, p.completed / p.total) : undefined,
        });
        if (p.status === 'success') return;
      }
    } catch (error) {
      if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException('The pull was cancelled.', 'AbortError');
      const said = errorLine !== undefined ? errorDocument(parseOrUndefined(errorLine))?.message : undefined;
      const message = said ?? serverWords(error instanceof Error ? error.message : String(error));
      if (/file does not exist|manifest/i.test(message) && !(error instanceof BackendError))
        throw new BackendError(`Ollama could not pull "${model}": ${message} — check the name at https://ollama.com/library.`, 'model-missing');
      throw this.translate(error, model, errorLine);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      stream.abort();
    }
  }

  /**
   * A whole JSON reply (`path`: the endpoint) read with `schema`. A reply that is the server's
   * error (`{"error": …}` with HTTP 200, as a proxy may answer) is a BackendError ('http') with its
   * words; one of another shape is 'wrong-server', naming the first mismatch (never zod's whole report).
   */
  private read<T>(schema: z.ZodType<T>, value: unknown, path: string): T {
    const failure = errorDocument(value);
    if (failure) throw new BackendError(`The Ollama server at ${this.baseUrl} answered ${path} with an error: ${failure.message}`, 'http');
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new BackendError(`The server at ${this.baseUrl} did not answer ${path} like an Ollama server (${issue?.message ?? 'unexpected shape'}${where}) — check ${knob('ollamaHost')}.`, 'wrong-server');
  }

  /**
   * The server refused the prompt, or stopped the reply, because the conversation no longer fits
   * the context window (saysContextOverflow): Ollama running a model with llama-server answers an
   * over-long prompt with HTTP 400 (ollama/ollama#16800, #17889) instead of truncating it. The
   * window is the num_ctx this extension sends, so the contextTokens knob raises it.
   */
  private overflow(message: string, status: number | undefined): BackendError {
    return new BackendError(
      `Context overflow: the conversation no longer fits the model's context window (the Ollama server at ${this.baseUrl} said: ${message}${overflowNote(message)}) — raise ${knob('contextTokens')} (as far as the model and memory allow) or lower ${knob('maxCodeCalls')}.`,
      'context-overflow',
      status,
    );
  }

  /**
   * `errorLine`: the reply's `{"error": …}` line or whole body, whose message the client's error
   * may have lost; `midReply`: part of the reply had been passed on before it.
   */
  private translate(error: unknown, model: string | undefined, errorLine?: string, midReply = false): Error {
    if (error instanceof BackendError) return error;
    if (isAbortError(error)) return error instanceof Error ? error : new Error(String(error));
    const network = unreachableError('Ollama', this.baseUrl, error, `start it with \`ollama serve\`, or set ${knob('ollamaHost')}.`, 'ollamaHost');
    if (network) return network;
    // The server's own error in a reply with HTTP 200 (a line of the stream, or the whole body): its words, whatever the client made of them.
    const document = errorLine !== undefined && !(error instanceof ErrorStatus) ? errorDocument(parseOrUndefined(errorLine)) : undefined;
    if (document) {
      if (saysContextOverflow(document.message, document.code)) return this.overflow(document.message, undefined);
      return new BackendError(`The Ollama server at ${this.baseUrl} failed${midReply ? ' mid-reply' : ''}: ${document.message}${unsupportedFeatureAdvice(document.message)}`, 'http');
    }
    const status = error instanceof ErrorStatus ? error.status : (error as { status_code?: unknown }).status_code;
    const raw = error instanceof Error ? error.message : String(error);
    // The body in whatever shape the server (or a proxy in front of it) wrote it.
    const detail = typeof status === 'number' ? serverErrorDetail(raw) : undefined;
    const message = detail !== undefined ? detail.message || 'no details' : raw;
    const retryAfter = error instanceof ErrorStatus ? error.retryAfterMs : undefined;
    if (typeof status === 'number') {
      if (status === 429) return rateLimited(this.baseUrl, message, retryAfter);
      if (saysContextOverflow(message, detail?.code, status)) return this.overflow(message, status);
      const loading = error instanceof ErrorStatus ? modelLoadingError(this.baseUrl, status, raw, retryAfter) : undefined;
      if (loading) return loading;
      if (status === 404 && model && /model\b.*\bnot found/i.test(message)) return modelMissing('ollama', this.baseUrl, model);
      // Ollama's own 404s name the model; anything else means something else listens there.
      if (status === 404 || status === 405)
        return new BackendError(
          `The server at ${this.baseUrl} is not an Ollama server (HTTP ${status} on the Ollama API) — check ${knob('ollamaHost')} (Ollama listens on port 11434 by default).`,
          'wrong-server',
          status,
        );
      // A refused feature names what to change: retrying the same request only repeats it.
      const advice = unsupportedFeatureAdvice(message);
      return new BackendError(`The Ollama server at ${this.baseUrl} answered HTTP ${status}: ${message}${advice || serverFailureAdvice(status)}`, 'http', status, retryAfter, advice === '' ? undefined : false);
    }
    if (isConnectionLost(error)) return connectionLost('Ollama', this.baseUrl);
    if (error instanceof SyntaxError || /Unexpected token|not valid JSON/i.test(message))
      return new BackendError(`The server at ${this.baseUrl} did not answer like an Ollama server (${message}) — check ${knob('ollamaHost')}.`, 'wrong-server');
    return new BackendError(`The Ollama server at ${this.baseUrl} failed${midReply ? ' mid-reply' : ''}: ${serverWords(message)}`, 'http');
  }
}
