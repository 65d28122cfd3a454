// Plays a ReplyPlan onto an HTTP response in either wire format, honouring delays and faults,
// and stopping at once when the client goes away.
import type { ServerResponse } from 'node:http';
import { sendHtml, sendJson } from './http';
import type { ReplyPlan } from './replyPlan';
import type { ScriptedToolCall } from './scenarioSchema';
import type { RecordedRequest, RequestLog } from './requestLog';
import { untilAborted, type TimerRegistry } from './timers';
import { errorBodyIn, type ErrorForm } from './openaiWire';
import { jsonWithRaw } from './rawJson';

export interface FinalStats {
  /** 'stop', 'length', or (OpenAI, a turn with tool calls) 'tool_calls'. */
  readonly doneReason: string;
  readonly promptTokens: number;
  readonly evalCount: number;
  readonly totalNs: number;
  readonly loadNs: number;
  readonly promptEvalNs: number;
  readonly evalNs: number;
}

/** How one protocol spells a streamed reply. */
export interface WireFormat {
  readonly streamContentType: string;
  /** Written right after the headers (OpenAI's role-only first chunk); may be ''. */
  opening(): string;
  chunk(text: string): string;
  /** A reasoning chunk in the API's own field. */
  thinking(text: string): string;
  /** The turn's tool calls: Ollama one line with the whole calls; OpenAI several deltas (arguments in pieces). */
  toolCalls(calls: readonly ScriptedToolCall[]): string[];
  /**
   * The server's own error for tool calls it cannot read (Ollama's harmony parser: see
   * WireOptions.harmonyRawCall), or undefined when it reads them.
   */
  unreadableToolCalls?(calls: readonly ScriptedToolCall[]): string | undefined;
  /** The finish reason the API gives a reply that called tools. */
  readonly toolCallsDoneReason: string;
  malformed(text: string | undefined): string;
  /** An error reported inside an already started stream; `form`: its shape (ErrorForm), whatever the protocol's own. */
  streamError(message: string, form?: ErrorForm): string;
  closing(stats: FinalStats): string;
  /** The whole body of a non-streaming reply. */
  complete(text: string, stats: FinalStats, extras: { readonly thinking: string; readonly toolCalls: readonly ScriptedToolCall[] }): unknown;
  errorBody(status: number, message: string): unknown;
}

export interface ReplyContext {
  readonly res: ServerResponse;
  /** Aborts when the client closes the connection or the server shuts down. */
  readonly signal: AbortSignal;
  readonly timers: TimerRegistry;
  readonly entry: RecordedRequest;
  readonly log: RequestLog;
}

const MS = 1_000_000;

/** Writes with the scenario's wire options: CRLF (or, event streams, CR) line ends, bytes split inside a UTF-8 character. */
async function send(ctx: ReplyContext, plan: ReplyPlan, data: string): Promise<boolean> {
  const lineEnd = plan.wire.cr === true && ctx.entry.api === 'openai' ? '\r' : plan.wire.crlf === true ? '\r\n' : undefined;
  const events = plan.wire.noBlankLines === true && ctx.entry.api === 'openai' ? data.replace(/\n\n/g, '\n') : data;
  const text = lineEnd !== undefined ? events.replace(/\r?\n/g, lineEnd) : events;
  if (plan.wire.splitUtf8 !== true) return write(ctx, text);
  const bytes = Buffer.from(text, 'utf8');
  // Inside a multi-byte character where there is one (a continuation byte), else in the middle.
  let cut = bytes.findIndex((b) => (b & 0xc0) === 0x80);
  if (cut <= 0) cut = Math.floor(bytes.length / 2);
  if (!(await writeBytes(ctx, bytes.subarray(0, cut)))) return false;
  // A pause, so the two halves reach the client as two reads.
  if (!(await ctx.timers.sleep(2, ctx.signal))) return false;
  return writeBytes(ctx, bytes.subarray(cut));
}

/** Writes, waiting for 'drain' under backpressure (a 1 MB reply must not buffer unbounded). */
async function write(ctx: ReplyContext, data: string): Promise<boolean> {
  return writeBytes(ctx, data);
}

async function writeBytes(ctx: ReplyContext, data: string | Uint8Array): Promise<boolean> {
  if (ctx.signal.aborted || ctx.res.destroyed) return false;
  if (ctx.res.write(data)) return true;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      ctx.res.off('drain', done);
      ctx.signal.removeEventListener('abort', done);
      resolve();
    };
    ctx.res.on('drain', done);
    ctx.signal.addEventListener('abort', done, { once: true });
  });
  return !ctx.signal.aborted;
}

function drop(ctx: ReplyContext): void {
  ctx.entry.dropped = true;
  ctx.log.changed();
  ctx.res.destroy();
}

function malformedAfter(plan: ReplyPlan): { afterChunks: number; text: string | undefined } | null {
  const m = plan.faults.malformedLine;
  if (m === undefined) return null;
  return typeof m === 'number' ? { afterChunks: m, text: undefined } : { afterChunks: m.afterChunks, text: m.text };
}

/** Runs the faults scheduled at `sent` chunks. Returns false when the reply must stop. */
async function faultsAt(ctx: ReplyContext, plan: ReplyPlan, wire: WireFormat, sent: number): Promise<boolean> {
  const malformed = malformedAfter(plan);
  if (malformed !== null && malformed.afterChunks === sent && !(await write(ctx, wire.malformed(malformed.text)))) return false;
  if (plan.faults.stallAfterChunks === sent) {
    if (plan.faults.stallMs === undefined) {
      await untilAborted(ctx.signal);
      return false;
    }
    if (!(await ctx.timers.sleep(plan.faults.stallMs, ctx.signal))) return false;
  }
  const streamError = plan.faults.streamError;
  if (streamError !== undefined && streamError.afterChunks === sent) {
    if (await write(ctx, wire.streamError(streamError.message ?? 'scripted server: injected error mid-stream', streamError.form))) {
      ctx.res.end();
      finish(ctx);
    }
    return false;
  }
  if (plan.faults.dropAfterChunks === sent) {
    drop(ctx);
    return false;
  }
  if (plan.faults.endAfterChunks === sent) {
    ctx.res.end();
    finish(ctx);
    return false;
  }
  return true;
}

function stats(plan: ReplyPlan, wire: WireFormat, evalCount: number, startedAt: bigint, firstChunkAt: bigint): FinalStats {
  const now = process.hrtime.bigint();
  // A floor of 1 ms per token keeps tokens/second finite when the scripted reply has no delays.
  const evalNs = Math.max(Number(now - firstChunkAt), evalCount * MS);
  const promptEvalNs = Math.max(Number(firstChunkAt - startedAt), MS);
  return {
    doneReason: plan.toolCalls.length > 0 && plan.doneReason === 'stop' ? wire.toolCallsDoneReason : plan.doneReason,
    promptTokens: plan.promptTokens,
    evalCount,
    loadNs: MS,
    promptEvalNs,
    evalNs,
    totalNs: MS + promptEvalNs + evalNs,
  };
}

function finish(ctx: ReplyContext): void {
  ctx.entry.finishedAt = Date.now();
  ctx.log.changed();
}

/** Common opening: the slow-first-token wait and the injected HTTP error. False = nothing more to send. */
async function prelude(ctx: ReplyContext, plan: ReplyPlan, wire: WireFormat): Promise<boolean> {
  if (plan.faults.slowFirstTokenMs !== undefined && !(await ctx.timers.sleep(plan.faults.slowFirstTokenMs, ctx.signal))) return false;
  if (plan.httpError !== null) {
    const { status, message, form, retryAfterS, estimatedTimeS } = plan.httpError;
    ctx.entry.status = status;
    const headers: Record<string, string> = retryAfterS !== undefined ? { 'Retry-After': String(retryAfterS) } : {};
    // Hugging Face's loading reply: the error and how long the load should take, in seconds.
    const estimated = estimatedTimeS !== undefined ? { estimated_time: estimatedTimeS } : {};
    if (form === 'html')
      sendHtml(ctx.res, status, `<html>\r\n<head><title>${message}</title></head>\r\n<body>\r\n<center><h1>${message}</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n`, headers);
    // vLLM < 0.10: vllm/entrypoints/openai/protocol.py ErrorResponse had the fields at the top level.
    else if (form === 'flatJson') sendJson(ctx.res, status, errorBodyIn('flat', status, message), headers);
    else if (form === 'string' || form === 'object') sendJson(ctx.res, status, { ...(errorBodyIn(form, status, message) as object), ...estimated }, headers);
    else sendJson(ctx.res, status, { ...(wire.errorBody(status, message) as object), ...estimated }, headers);
    finish(ctx);
    return false;
  }
  const okError = plan.faults.okErrorBody;
  if (okError !== undefined) {
    // HTTP 200, and a body that is only the error (a proxy's way: LiteLLM, OpenRouter).
    ctx.entry.status = 200;
    const body = JSON.stringify(errorBodyIn(okError.form ?? 'string', 500, okError.message ?? 'scripted server: injected error in a 200 reply'));
    const type = { json: { 'Content-Type': 'application/json; charset=utf-8' }, text: { 'Content-Type': 'text/plain; charset=utf-8' }, none: {} }[okError.contentType ?? 'json'];
    ctx.res.writeHead(200, { ...type, ...(okError.chunked === true ? {} : { 'Content-Length': Buffer.byteLength(body) }) });
    ctx.res.end(body);
    finish(ctx);
    return false;
  }
  return true;
}

/** The reasoning, before the content: in the API's field, inline as <think>…</think>, or not at all. */
async function sendThinking(ctx: ReplyContext, plan: ReplyPlan, wire: WireFormat): Promise<boolean> {
  if (plan.thinkingChunks.length === 0 || plan.reasoning === 'none') return true;
  // llama.cpp's deepseek-legacy format streams the reasoning inline (WireOptions.thinkTagsKept).
  const inline = plan.reasoning === 'inline' || (plan.wire.thinkTagsKept === true && ctx.entry.api === 'openai');
  const strayTag = !inline && plan.wire.thinkTagAsContent === true && ctx.entry.api === 'openai';
  if ((inline || strayTag) && !(await send(ctx, plan, wire.chunk('<think>')))) return false;
  for (const [i, piece] of plan.thinkingChunks.entries()) {
    if (i > 0 && !(await ctx.timers.sleep(plan.thinkingDelayMs, ctx.signal))) return false;
    if (!(await send(ctx, plan, inline ? wire.chunk(piece) : wire.thinking(piece)))) return false;
  }
  return !inline || send(ctx, plan, wire.chunk('</think>\n\n'));
}

/** The error a server answers for a turn's tool calls it cannot read, if it cannot. */
function unreadableCalls(plan: ReplyPlan, wire: WireFormat): string | undefined {
  return plan.toolCalls.length > 0 ? wire.unreadableToolCalls?.(plan.toolCalls) : undefined;
}

/** An error met before anything was written goes out with an HTTP status (Ollama's streamResponse). */
function failBeforeWriting(ctx: ReplyContext, wire: WireFormat, message: string): void {
  ctx.entry.status = 500;
  sendJson(ctx.res, 500, wire.errorBody(500, message));
  finish(ctx);
}

export async function streamReply(ctx: ReplyContext, plan: ReplyPlan, wire: WireFormat): Promise<void> {
  const startedAt = process.hrtime.bigint();
  if (plan.nonStream) return completeReply(ctx, plan, wire);
  if (!(await prelude(ctx, plan, wire))) return;
  const unreadable = unreadableCalls(plan, wire);
  if (unreadable !== undefined && plan.chunks.length === 0 && (plan.thinkingChunks.length === 0 || plan.reasoning === 'none')) {
    if (!(await ctx.timers.sleep(plan.firstTokenDelayMs, ctx.signal))) return;
    return failBeforeWriting(ctx, wire, unreadable);
  }
  ctx.entry.status = 200;
  ctx.res.writeHead(200, { 'Content-Type': wire.streamContentType, 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  ctx.res.flushHeaders();
  if (!(await ctx.timers.sleep(plan.firstTokenDelayMs, ctx.signal))) return;
  const opening = wire.opening();
  if (opening !== '' && !(await send(ctx, plan, opening))) return;
  const firstChunkAt = process.hrtime.bigint();
  if (!(await sendThinking(ctx, plan, wire))) return;
  let sent = 0;
  for (const chunk of plan.chunks) {
    if (!(await faultsAt(ctx, plan, wire, sent))) return;
    if (sent > 0 && !(await ctx.timers.sleep(plan.perChunkDelayMs, ctx.signal))) return;
    if (!(await send(ctx, plan, wire.chunk(chunk)))) return;
    sent++;
    ctx.entry.chunksSent = sent;
    ctx.entry.textSent += chunk;
    ctx.log.changed();
  }
  if (!(await faultsAt(ctx, plan, wire, sent))) return;
  if (unreadable !== undefined) {
    if (sent > 0 && !(await ctx.timers.sleep(plan.perChunkDelayMs, ctx.signal))) return;
    if (await send(ctx, plan, wire.streamError(unreadable))) {
      ctx.res.end();
      finish(ctx);
    }
    return;
  }
  // Tool-call deltas are generated tokens too: paced like the text.
  let pieces = 0;
  for (const piece of plan.toolCalls.length > 0 ? wire.toolCalls(plan.toolCalls) : []) {
    if (sent + pieces > 0 && !(await ctx.timers.sleep(plan.perChunkDelayMs, ctx.signal))) return;
    if (!(await send(ctx, plan, piece))) return;
    pieces++;
  }
  if (!(await send(ctx, plan, wire.closing(stats(plan, wire, sent, startedAt, firstChunkAt))))) return;
  // A server that holds the connection open after the reply (WireOptions.holdOpen): until the client leaves.
  if (plan.wire.holdOpen === true && ctx.entry.api === 'openai') return untilAborted(ctx.signal);
  ctx.res.end();
  finish(ctx);
}

/** `stream: false`: the same timing and faults, then one JSON body. */
export async function completeReply(ctx: ReplyContext, plan: ReplyPlan, wire: WireFormat): Promise<void> {
  const startedAt = process.hrtime.bigint();
  if (!(await prelude(ctx, plan, wire))) return;
  if (!(await ctx.timers.sleep(plan.firstTokenDelayMs, ctx.signal))) return;
  const firstChunkAt = process.hrtime.bigint();
  const generationMs = plan.perChunkDelayMs * Math.max(0, plan.chunks.length - 1);
  if (!(await ctx.timers.sleep(generationMs, ctx.signal))) return;
  const { faults } = plan;
  if (faults.stallAfterChunks !== undefined) {
    if (faults.stallMs === undefined) return untilAborted(ctx.signal);
    if (!(await ctx.timers.sleep(faults.stallMs, ctx.signal))) return;
  }
  if (faults.dropAfterChunks !== undefined) return drop(ctx);
  const unreadable = unreadableCalls(plan, wire);
  if (unreadable !== undefined) return failBeforeWriting(ctx, wire, unreadable);
  if (faults.streamError !== undefined) {
    ctx.entry.status = 500;
    const message = faults.streamError.message ?? 'scripted server: injected error mid-stream';
    sendJson(ctx.res, 500, faults.streamError.form !== undefined ? errorBodyIn(faults.streamError.form, 500, message) : wire.errorBody(500, message));
    return finish(ctx);
  }
  const text = plan.chunks.join('');
  const thinking = plan.reasoning === 'none' ? '' : plan.thinkingChunks.join('');
  const inline = plan.reasoning === 'inline' && thinking !== '' ? `<think>${thinking}</think>\n\n` : '';
  let body = jsonWithRaw(
    wire.complete(inline + text, stats(plan, wire, plan.chunks.length, startedAt, firstChunkAt), { thinking: plan.reasoning === 'field' ? thinking : '', toolCalls: plan.toolCalls }),
    plan.wire.prettyJson === true ? 2 : undefined,
  );
  // A malformed non-streaming reply is a JSON body cut in half.
  if (malformedAfter(plan) !== null) body = body.slice(0, Math.floor(body.length / 2));
  ctx.entry.status = 200;
  ctx.entry.chunksSent = plan.chunks.length;
  ctx.entry.textSent = text;
  if (plan.wire.crlf === true) body += '\r\n';
  ctx.res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  ctx.res.end(body);
  finish(ctx);
}
