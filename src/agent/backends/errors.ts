// Turns low-level network failures into messages a user can act on.
import { z } from 'zod';
import { BackendError } from './types';
import { knob, pullAdvice, type Knob } from '../../text/frontEnd';
import { escapeName } from '../../sandbox/terminalText';

/** Node's fetch wraps the socket error in `cause`; dig out its code (ECONNREFUSED, ENOTFOUND, ...). */
export function networkErrorCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e instanceof Error; depth++) {
    const code = (e as Error & { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as Error & { cause?: unknown }).cause;
  }
  return undefined;
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || /aborted/i.test(error.message));
}

/** Maps a failed connection to a sentence naming the server and what to do next (`urlKnob`: where the URL is set). */
export function unreachableError(serverName: string, baseUrl: string, error: unknown, hint: string, urlKnob: Knob): BackendError | undefined {
  const code = networkErrorCode(error);
  if (code === 'ECONNREFUSED' || (code === 'ECONNRESET' && /fetch failed/.test(String(error)))) return new BackendError(`No ${serverName} server at ${baseUrl} — ${hint}`, 'server-unreachable');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new BackendError(`Cannot resolve the ${serverName} host in ${baseUrl} — check ${knob(urlKnob)}.`, 'server-unreachable');
  if (isConnectionLost(error)) return connectionLost(serverName, baseUrl);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
  if (/bad port/i.test(cause)) return new BackendError(`Cannot connect to ${baseUrl}: that port is blocked for HTTP clients (a "bad port") — use another port.`, 'server-unreachable');
  if (error instanceof TypeError && /fetch failed/i.test(error.message)) return new BackendError(`Cannot reach the ${serverName} server at ${baseUrl} (${code ?? error.message}) — ${hint}`, 'server-unreachable');
  return undefined;
}

/**
 * The server has no model called `model`. Ollama: pull it; an OpenAI-compatible server serves
 * what it was started with, so another name is the fix. `detail` is the server's own words.
 */
export function modelMissing(kind: 'ollama' | 'openai', baseUrl: string, model: string, detail?: string): BackendError {
  const why = detail ? ` (${detail})` : '';
  return kind === 'ollama'
    ? new BackendError(`The model "${model}" is not pulled on the Ollama server at ${baseUrl}${why} — ${pullAdvice(model)}.`, 'model-missing', 404)
    : new BackendError(`The server at ${baseUrl} does not serve the model "${model}"${why} — pick one it lists under /v1/models with ${knob('model')}.`, 'model-missing', 404);
}

/**
 * The request met a reset (or a write on a closed socket) before any reply: the mark of a
 * kept-alive connection the server closed as the request went out (uvicorn, so vLLM, closes idle
 * connections after 5 s). Only for errors thrown by `fetch` itself, before it gave a Response.
 */
export function isResetBeforeReply(error: unknown): boolean {
  const code = networkErrorCode(error);
  return error instanceof TypeError && /fetch failed/i.test(error.message) && (code === 'ECONNRESET' || code === 'EPIPE');
}

/** undici's ways of saying the socket closed under a streaming body ("terminated", "other side closed"). */
export function isConnectionLost(error: unknown): boolean {
  const code = networkErrorCode(error);
  if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE') return true;
  const message = error instanceof Error ? error.message : String(error);
  return /^terminated$|other side closed|socket hang up|Did not receive done/i.test(message);
}

export function connectionLost(serverName: string, baseUrl: string): BackendError {
  return new BackendError(
    `The ${serverName} server at ${baseUrl} closed the connection before the reply was complete (it may have crashed or run out of memory) — retry, and check the server's log if it happens again.`,
    'connection-lost',
  );
}

/** The error for a line of a streamed reply that is not what the protocol allows. */
export function malformedLine(serverName: string, baseUrl: string, what: string, line: string): BackendError {
  const shown = line.length > 120 ? `${line.slice(0, 120)}…` : line;
  return new BackendError(`The ${serverName} server at ${baseUrl} sent a malformed ${what}: ${JSON.stringify(shown)} — the reply was abandoned rather than silently losing text.`, 'protocol');
}

// The error bodies model servers send, each with its message somewhere else.
/** OpenAI, vLLM ≥ 0.10, llama.cpp, SGLang: {"error": {"message", "code", ...}}; Ollama, TGI, LM Studio: {"error": "..."}. */
const wrappedErrorSchema = z.looseObject({ error: z.union([z.string(), z.looseObject({ message: z.string().optional(), code: z.unknown().optional() })]) });
/** FastAPI's own errors (servers built on it: a path it lacks, a request it cannot validate): {"detail": ...}, each item with the field's `loc`. */
const detailErrorSchema = z.looseObject({ detail: z.union([z.string(), z.array(z.looseObject({ msg: z.string(), loc: z.array(z.union([z.string(), z.number()])).optional() }))]) });
/**
 * vLLM < 0.10 (vllm/entrypoints/openai/protocol.py ErrorResponse): {"object": "error", "message", "type", "code"};
 * Mistral's API: the same with `message` a validation error's `{"detail": [...]}`.
 */
const flatErrorSchema = z.looseObject({ message: z.union([z.string(), detailErrorSchema]), code: z.unknown().optional() });

/** A `detail` as one line: each item's message, with the field it is about (`body.seed`). */
function detailText(detail: z.infer<typeof detailErrorSchema>['detail']): string {
  return typeof detail === 'string' ? detail : detail.map((item) => (item.loc && item.loc.length > 0 ? `${item.msg} (${item.loc.join('.')})` : item.msg)).join('; ');
}

const HTML = /^\s*(<!doctype html|<html|<head|<body)/i;

/** HTML entities an error page's title may use. */
const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };

/** `text` with A–Z lowered and nothing else changed (same length): how a non-unicode `/i` regex compares markup names. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (run) => run.toLowerCase());
}

/**
 * The text between the first `<NAME…>` and the first `</NAME>` after it (names matched
 * ASCII-case-insensitively, in `lower`, the page lowered by asciiLower), or undefined when there
 * is no such pair. As `/<NAME[^>]*>([\s\S]*?)<\/NAME>/i` finds it, but in one pass: when the
 * first opening cannot be closed, no later one can either.
 */
function elementText(page: string, lower: string, name: string): string | undefined {
  const open = lower.indexOf(`<${name}`);
  if (open === -1) return undefined;
  const start = lower.indexOf('>', open + name.length + 1);
  if (start === -1) return undefined;
  const end = lower.indexOf(`</${name}>`, start + 1);
  return end === -1 ? undefined : page.slice(start + 1, end);
}

/**
 * `page` with each `<script…</script>` and `<style…</style>` (names ASCII-case-insensitive, the
 * first closing tag of the same name) replaced by one space, as
 * `page.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')` does, in linear time.
 */
function withoutScripts(page: string): string {
  const lower = asciiLower(page);
  const open = /<(script|style)/g;
  let out = '';
  let from = 0;
  // An element whose closing tag is missing after one opening is missing after every later one.
  const unclosed = new Set<string>();
  for (let m = open.exec(lower); m !== null; m = open.exec(lower)) {
    const name = m[1] ?? '';
    if (unclosed.has(name)) {
      if (unclosed.size === 2) break;
      continue;
    }
    const close = lower.indexOf(`</${name}>`, m.index + name.length + 1);
    if (close === -1) {
      unclosed.add(name);
      open.lastIndex = m.index + 1;
      continue;
    }
    out += `${page.slice(from, m.index)} `;
    from = close + name.length + 3;
    open.lastIndex = from;
  }
  return out + page.slice(from);
}

/** `text` with every `<…>` (to the first `>`) replaced by one space, as `text.replace(/<[^>]*>/g, ' ')` does, in linear time. */
function withoutTags(text: string): string {
  let out = '';
  let from = 0;
  for (let open = text.indexOf('<'); open !== -1; open = text.indexOf('<', from)) {
    const close = text.indexOf('>', open + 1);
    if (close === -1) break; // no later "<" has a ">" after it either
    out += `${text.slice(from, open)} `;
    from = close + 1;
  }
  return out + text.slice(from);
}

/**
 * An HTML page's title (or first heading, or its text without scripts and styles), as one line
 * of plain text: tags become spaces, the ENTITIES decoded, runs of white space one space. The
 * whole page is read, in time linear in its length (it is the server's: size and markup unbounded).
 */
export function htmlSummary(page: string): string {
  const lower = asciiLower(page);
  const part = elementText(page, lower, 'title') ?? elementText(page, lower, 'h1') ?? withoutScripts(page);
  return withoutTags(part)
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_m, name: string) => ENTITIES[name] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The longest server message shown (characters); the rest is cut with "…". */
const MAX_SERVER_MESSAGE_CHARS = 500;

/**
 * A server's own words as one line a user can read: every control character, escape sequence and
 * bidi override shown escaped (`\x1b`, `\n`: terminalText.ts), so a server cannot clear the
 * terminal or forge lines; at most MAX_SERVER_MESSAGE_CHARS characters (UTF-16 units), then "…".
 * The cut falls between whole characters and whole escapes: never inside `\u202e` or a surrogate pair.
 */
export function serverWords(text: string): string {
  const trimmed = text.trim();
  let line = '';
  // Character by character (code points), each escaped as it is added, until the next would not fit.
  for (const ch of trimmed) {
    const shown = escapeName(ch);
    if (line.length + shown.length > MAX_SERVER_MESSAGE_CHARS) return `${line}…`;
    line += shown;
  }
  return line;
}

/**
 * `value` as JSON text, or a word for it when it cannot be: JSON.stringify recurses, so an object
 * nested some thousands deep (a few kilobytes of a server's reply, which JSON.parse reads) throws
 * a RangeError that would replace the server's error.
 */
function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '(an error object too deeply nested to show)';
  }
}

/** How deep an error's message may hold another error document as JSON text (see `nestedError`). */
const MAX_NESTED_ERRORS = 4;

/**
 * The error a string `error` holds when that string is itself the JSON text of an error document:
 * Ollama passes on the error of the llama-server it runs a model with as such text, `{"error":
 * "{\"error\":{\"code\":400,\"message\":\"request (351 tokens) exceeds the available context size
 * (256 tokens), try increasing it\",\"type\":\"exceed_context_size_error\",…}}"}` (ollama/ollama#16800,
 * #17889). Its message and code (raw, not yet serverWords), read `depth` levels down at most; undefined otherwise.
 */
function nestedError(text: string, depth: number): { readonly message: string; readonly code?: unknown } | undefined {
  if (depth >= MAX_NESTED_ERRORS || !text.trimStart().startsWith('{')) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  return rawErrorOf(json, depth + 1);
}

/** The raw message and code of an error document (see errorDocument), undefined for any other value. */
function rawErrorOf(json: unknown, depth: number): { readonly message: string; readonly code?: unknown } | undefined {
  const wrapped = wrappedErrorSchema.safeParse(json);
  if (wrapped.success) {
    const e = wrapped.data.error;
    if (typeof e === 'string') return nestedError(e, depth) ?? { message: e };
    // An error object without a message (OpenRouter's `{"code", "metadata"}`): the object itself.
    return { message: e.message ?? jsonText(e), code: e.code };
  }
  const flat = flatErrorSchema.safeParse(json);
  if (flat.success && (json as { object?: unknown }).object === 'error') {
    const m = flat.data.message;
    return { message: typeof m === 'string' ? m : detailText(m.detail), code: flat.data.code };
  }
  return undefined;
}

/**
 * The server's error in a JSON value that is an error document and nothing else: the wrapped
 * shape (`{"error": "…"}`, `{"error": {"message", "code"}}`) or vLLM < 0.10's flat one
 * (`{"object": "error", "message"}`); an `error` string that is itself such a document as JSON
 * text is read for the error it holds (nestedError). `message` as serverWords gives it; undefined for any other
 * value (a reply, whatever its shape). Servers and proxies send such a document with HTTP 200 as
 * well: a whole body (LiteLLM, OpenRouter, Ollama-API servers), an NDJSON line, an SSE event.
 */
export function errorDocument(json: unknown): { readonly message: string; readonly code?: unknown } | undefined {
  const raw = rawErrorOf(json, 0);
  return raw === undefined ? undefined : { message: serverWords(raw.message) || 'no details', code: raw.code };
}

/**
 * What a failed reply's body says, as one line a user can read: the message of any of the JSON
 * error shapes servers use (the schemas above; an error nested as JSON text, nestedError), the title of an HTML page (a reverse proxy's
 * "502 Bad Gateway", a login page), or the text itself; as serverWords gives it (controls escaped,
 * at most 500 characters). `code` is the OpenAI-style error code when the body has one (e.g.
 * "context_length_exceeded").
 */
export function serverErrorDetail(body: string): { readonly message: string; readonly code?: unknown } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  let message = HTML.test(body) ? htmlSummary(body) : body.trim();
  let code: unknown;
  const document = rawErrorOf(json, 0);
  // The flat shape without `"object": "error"` is read here too (a reply's body that failed says so by its status).
  const flat = flatErrorSchema.safeParse(json);
  const detail = detailErrorSchema.safeParse(json);
  if (document !== undefined) {
    message = document.message;
    code = document.code;
  } else if (flat.success) {
    const m = flat.data.message;
    message = typeof m === 'string' ? m : detailText(m.detail);
    code = flat.data.code;
  } else if (detail.success) {
    message = detailText(detail.data.detail);
  }
  return { message: serverWords(message), code };
}

/**
 * Messages from a server meaning "the conversation no longer fits the model's context window":
 * vLLM "This model's maximum context length is N tokens. However, you requested M tokens",
 * llama.cpp "the request exceeds the available context size" (type exceed_context_size_error,
 * ggml-org/llama.cpp#15780), "Context size has been exceeded." (ggml-org/llama.cpp#19774; LM
 * Studio's MLX engine, lmstudio-ai/lmstudio-bug-tracker#2339) and, mid-reply when the generation
 * filled the window with context shift off, "context shift is disabled" (before
 * ggml-org/llama.cpp#13577, again after #16983's regression; ik_llama.cpp before
 * ikawrakow/ik_llama.cpp#2051; llama-box, gpustack/gpustack#1241), OpenAI's code
 * context_length_exceeded, SGLang "is longer than the model's context length" and, when its KV
 * cache pool holds fewer tokens than that, "Input length (N tokens) exceeds the maximum allowed
 * length (M tokens). Use a shorter input or enable --allow-auto-truncate." (validate_input_length
 * in python/sglang/srt/managers/utils.py, written into the stream already answered with HTTP 200
 * as `data: {"error": {…, "code": 400}}`), LM Studio "Trying
 * to keep the first N tokens when context the overflows", TGI (router/src/validation.rs, HTTP 422)
 * "`inputs` tokens + `max_new_tokens` must be <= N" and "`inputs` must have less than N tokens",
 * mistral.rs (mid-stream, in plain text) "Prompt sequence length is greater than N, perhaps
 * consider using `truncate_sequence`?". Ollama passes llama.cpp's words on (nestedError).
 */
const CONTEXT_OVERFLOW =
  /context[ _]length|context window|context size|maximum context|exceed(s|ed)?[ _]context|context the overflows|context shift is disabled|prompt is too long|too many tokens|input too long|`inputs` tokens \+ `max_new_tokens` must be|`inputs` must have less than|prompt sequence length is greater than|input length \(\d+ tokens\) exceeds the maximum allowed length/i;

/**
 * Ollama's words when cutting the conversation to its window dropped the last user message: its
 * chat renderer then finds no question and answers HTTP 500 "no user query found in messages"
 * (ollama/ollama#17778, #18107; ollama/ollama#17894 keeps that message in the cut). A full
 * context, whatever the status, though the words do not say so.
 */
const QUESTION_CUT_AWAY = /no user query found in messages/i;

/** What a user reads after an overflow in `message`'s words: '' unless the words need explaining (QUESTION_CUT_AWAY). */
export function overflowNote(message: string): string {
  return QUESTION_CUT_AWAY.test(message) ? '; Ollama says so when cutting the conversation to its context window dropped the question' : '';
}

/** Words that make a mention of the context (CONTEXT_OVERFLOW) a complaint that it is full, not a remark about its size. */
const OVER = /exceed|longer than|too long|too large|greater than|overflow|too many|shift is disabled|must be <=|must have less/i;

/**
 * Whether a server's error (`message`, its `code`) says the conversation no longer fits the
 * model's context window (CONTEXT_OVERFLOW), whatever the HTTP status it came with (`status`;
 * undefined for an error in a reply with HTTP 200, mid-stream or whole). A request refused as
 * invalid (400, 413, 422) or an error in a reply needs only the mention; any other status needs
 * the words of one that is full too (OVER), so that a failure that merely names a context size
 * (a KV cache that could not be allocated for it) stays a server failure. Servers report an
 * overflow with other statuses: llama.cpp with HTTP 500 (`exceed_context_size_error` after
 * ggml-org/llama.cpp#15780; "Context size has been exceeded.", ggml-org/llama.cpp#19774),
 * OpenRouter with 502 for an upstream's refusal ("Upstream error from Chutes: The input (49146
 * tokens) is longer than the model's context length (40960 tokens).", CherryHQ/cherry-studio#5538).
 * HTTP 429 is a rate limit, whatever its words ("too many tokens" per minute), never an overflow.
 */
export function saysContextOverflow(message: string, code: unknown, status?: number): boolean {
  // A rate limit ("too many tokens per minute") is never an overflow.
  if (status === 429) return false;
  if (code === 'context_length_exceeded' || QUESTION_CUT_AWAY.test(message)) return true;
  if (!CONTEXT_OVERFLOW.test(message)) return false;
  return status === undefined || status === 400 || status === 413 || status === 422 || OVER.test(message);
}

/**
 * What to change when the server refused a feature the model lacks: Ollama answers HTTP 400
 * `"<model>" does not support thinking` to `think` (also to `reasoning_effort` on its /v1) and
 * `… does not support tools` to `tools`, for a model without that capability; vLLM started
 * without a tool-call parser answers `tools` with `"auto" tool choice requires
 * --enable-auto-tool-choice and --tool-call-parser to be set`; llama.cpp's server started without
 * `--jinja` (older builds, or `--no-jinja`) answers it with HTTP 500 `tools param requires --jinja
 * flag` (a runtime_error of oaicompat_chat_params_parse, tools/server/utils.hpp), which is no
 * failure inside the server. '' otherwise.
 */
export function unsupportedFeatureAdvice(message: string): string {
  if (/does not support thinking/i.test(message)) return ` — set ${knob('think')} to auto or off for this model`;
  if (/does not support tools|--enable-auto-tool-choice/i.test(message)) return ` — set ${knob('protocol')} to chat or auto for this model`;
  if (/tools param requires --jinja/i.test(message)) return ` — start llama-server with --jinja (its chat template then takes tools), or set ${knob('protocol')} to chat or auto`;
  return '';
}

/**
 * What to do about an HTTP 5xx reply that no more specific reading explained (a model still
 * loading, an unsupported feature): '' for other statuses. The status meanings are RFC 9110's
 * (§15.6): 502 and 504 come from a gateway (a proxy in front of the model server), 503 from a
 * server that is overloaded or down for a while, 500 from a failure inside the server.
 */
export function serverFailureAdvice(status: number): string {
  if (status === 502 || status === 504)
    return ` — a proxy or gateway in front of the model got ${status === 504 ? 'no answer in time' : 'no valid answer'} from it: if you run the model server, check that it is up behind the proxy; otherwise try again later`;
  if (status === 503) return ' — the server is overloaded or not ready: try again in a moment';
  if (status >= 500 && status <= 599) return ' — the server failed on its own side: if you run it, its log says why (an out-of-memory GPU is a common cause)';
  return '';
}

/** A wait longer than this (ms) is said as "more than a day", not as a count of seconds. */
const DAY_MS = 86_400_000;

/**
 * HTTP 429: the server (a hosted API, Ollama's cloud models, a proxy in front of a local server)
 * is limiting requests. `retryAfter`: the wait its Retry-After header asks for, in ms; the one
 * automatic retry waits that long when it is short (runAgent.ts).
 */
export function rateLimited(baseUrl: string, message: string, retryAfter: number | undefined): BackendError {
  const seconds = retryAfter === undefined ? undefined : retryAfter > DAY_MS ? 'more than a day' : `${Math.ceil(retryAfter / 1000)} s`;
  const wait = seconds !== undefined ? ` — it asks to wait ${seconds} before trying again` : ' — wait a little, or check the plan and quota of the API key';
  return new BackendError(`The server at ${baseUrl} is limiting the rate of requests (HTTP 429: ${message || 'too many requests'})${wait}.`, 'http', 429, retryAfter);
}

/**
 * A Retry-After header's wait in ms: delay-seconds or an HTTP-date (RFC 9110 §10.2.3); undefined
 * when absent or unreadable. A date in the past is no wait (0); at most Number.MAX_SAFE_INTEGER.
 */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  const value = header?.trim() ?? '';
  if (value === '') return undefined;
  // A number too large for a double (hundreds of digits) is still a very long wait, not Infinity.
  if (/^\d+(\.\d+)?$/.test(value)) return Math.min(Math.round(Number(value) * 1000), Number.MAX_SAFE_INTEGER);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
