// Ollama's native API: /api/version, /api/tags, /api/ps, /api/show, /api/pull, /api/delete, /api/chat.
import { z } from 'zod';
import { sendJson } from './http';
import { normalizeModelName } from './models';
import { ollamaChatWire } from './ollamaWire';
import { planReply } from './replyPlan';
import type { RouteContext } from './route';
import { completeReply, streamReply } from './streamReply';

export const OLLAMA_VERSION = '0.12.0';

const messageSchema = z.looseObject({ role: z.string(), content: z.string().default('') });

const chatBodySchema = z.looseObject({
  model: z.string().optional(),
  messages: z.array(messageSchema).default([]),
  // Ollama streams unless told otherwise (the npm client always sends the field).
  stream: z.boolean().default(true),
  think: z.union([z.boolean(), z.enum(['low', 'medium', 'high'])]).optional(),
  options: z
    .looseObject({
      num_ctx: z.number().int().positive().optional(),
      num_predict: z.number().int().optional(),
      stop: z.array(z.string()).optional(),
      seed: z.number().int().optional(),
    })
    .optional(),
});

const modelBodySchema = z.looseObject({
  model: z.string().optional(),
  name: z.string().optional(),
  stream: z.boolean().default(true),
});

function zodMessage(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}

export function modelNotFound(model: string): { error: string } {
  return { error: `model "${model}" not found, try pulling it first` };
}

export async function handleOllama(ctx: RouteContext): Promise<boolean> {
  const { method, path, res, state } = ctx;
  if (method === 'GET' && path === '/api/version') {
    sendJson(res, 200, { version: OLLAMA_VERSION });
  } else if (method === 'GET' && path === '/api/tags') {
    sendJson(res, 200, state.models.tags());
  } else if (method === 'GET' && path === '/api/ps') {
    sendJson(res, 200, state.models.ps());
  } else if (method === 'POST' && path === '/api/show') {
    handleShow(ctx);
  } else if (method === 'DELETE' && path === '/api/delete') {
    handleDelete(ctx);
  } else if (method === 'POST' && path === '/api/pull') {
    await handlePull(ctx);
  } else if (method === 'POST' && path === '/api/chat') {
    await handleChat(ctx);
  } else {
    return false;
  }
  return true;
}

function modelOf(ctx: RouteContext): { name: string; stream: boolean } | null {
  const parsed = modelBodySchema.safeParse(ctx.body ?? {});
  const name = parsed.success ? (parsed.data.model ?? parsed.data.name) : undefined;
  if (!parsed.success || name === undefined || name === '') {
    sendJson(ctx.res, 400, { error: 'model is required' });
    return null;
  }
  return { name, stream: parsed.data.stream };
}

function handleShow(ctx: RouteContext): void {
  const model = modelOf(ctx);
  if (model === null) return;
  const shown = ctx.state.models.show(model.name);
  if (shown === null) sendJson(ctx.res, 404, { error: `model '${model.name}' not found` });
  else sendJson(ctx.res, 200, shown);
}

function handleDelete(ctx: RouteContext): void {
  const model = modelOf(ctx);
  if (model === null) return;
  if (ctx.state.models.remove(model.name)) sendJson(ctx.res, 200, {});
  else sendJson(ctx.res, 404, { error: `model '${model.name}' not found` });
}

/** Streams NDJSON progress like `ollama pull`; the model is installed once "success" is sent. */
async function handlePull(ctx: RouteContext): Promise<void> {
  const model = modelOf(ctx);
  if (model === null) return;
  const { res, state, signal } = ctx;
  const name = normalizeModelName(model.name);
  const missing = 'pull model manifest: file does not exist';
  if (!model.stream) {
    if (!state.models.canPull(name)) return sendJson(res, 500, { error: missing });
    if (!(await state.timers.sleep(state.pullStepDelayMs, signal))) return;
    state.models.add({ name });
    return sendJson(res, 200, { status: 'success' });
  }
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
  const send = async (value: unknown): Promise<boolean> => {
    if (signal.aborted || res.destroyed) return false;
    res.write(`${JSON.stringify(value)}\n`);
    return state.timers.sleep(state.pullStepDelayMs, signal);
  };
  if (!(await send({ status: 'pulling manifest' }))) return;
  if (!state.models.canPull(name)) {
    res.end(`${JSON.stringify({ error: missing })}\n`);
    return;
  }
  for (const layer of state.models.layersOf(name)) {
    for (const completed of [0, Math.floor(layer.total / 2), layer.total]) {
      if (!(await send({ status: `pulling ${layer.digest.slice('sha256:'.length, 'sha256:'.length + 12)}`, digest: layer.digest, total: layer.total, completed }))) return;
    }
  }
  if (!(await send({ status: 'verifying sha256 digest' }))) return;
  if (!(await send({ status: 'writing manifest' }))) return;
  state.models.add({ name });
  res.end(`${JSON.stringify({ status: 'success' })}\n`);
  ctx.entry.finishedAt = Date.now();
}

const sentCallSchema = z.looseObject({ id: z.string().optional() });

/**
 * What is wrong with how `messages` answer tool calls, as Ollama ≥ 0.12.10 reads them: each call
 * it sent had an `id` (ollama/ollama#12956), and its renderers link a `tool` message to its call by
 * `tool_call_id` (cohere's regenerates call ids and maps results by it, model/renderers/cohere.go;
 * gemma4's and glimmer's name a result's tool by it). So the assistant message must carry its
 * calls' ids back, and each `tool` message the id of a call of the assistant message it answers.
 * One problem text per fault; none when every result is linked.
 */
function unlinkedToolResults(messages: ReadonlyArray<z.infer<typeof messageSchema>>): string[] {
  const problems: string[] = [];
  let ids: ReadonlySet<string> = new Set();
  for (const [i, m] of messages.entries()) {
    if (m.role === 'assistant') {
      const calls = z.array(sentCallSchema).safeParse(m['tool_calls'] ?? []);
      const list = calls.success ? calls.data : [];
      if (list.some((c) => c.id === undefined || c.id === '')) problems.push(`messages[${i}]: an assistant tool call sent back without the id Ollama gave it`);
      ids = new Set(list.flatMap((c) => (c.id ? [c.id] : [])));
    } else if (m.role === 'tool') {
      const id = m['tool_call_id'];
      if (typeof id !== 'string' || !ids.has(id)) problems.push(`messages[${i}]: a tool result whose tool_call_id (${JSON.stringify(id)}) names no call of the assistant message it answers`);
    }
  }
  return problems;
}

async function handleChat(ctx: RouteContext): Promise<void> {
  const { res, state, entry } = ctx;
  const parsed = chatBodySchema.safeParse(ctx.body ?? {});
  if (!parsed.success) return sendJson(res, 400, { error: zodMessage(parsed.error) });
  const body = parsed.data;
  if (body.model === undefined || body.model === '') return sendJson(res, 400, { error: 'model is required' });
  entry.model = body.model;
  entry.stream = body.stream;
  entry.messages = body.messages.map((m) => ({ role: m.role, content: m.content }));
  if (!state.models.has(body.model)) {
    entry.status = 404;
    return sendJson(res, 404, modelNotFound(body.model));
  }
  state.models.markLoaded(body.model);
  const plan = planReply(
    state.scenarios,
    entry.messages,
    {
      stop: body.options?.stop ?? [],
      // Ollama: a negative num_predict means "no limit".
      maxTokens: body.options?.num_predict !== undefined && body.options.num_predict >= 0 ? body.options.num_predict : undefined,
      contextTokens: body.options?.num_ctx ?? state.defaultContextTokens,
      // Ollama ≥ 0.9: `think` set → the thinking field; false → no thinking; absent → inline <think> tags.
      reasoning: body.think === undefined ? 'inline' : body.think === false ? 'none' : 'field',
      seed: body.options?.seed,
    },
    state.faultCounters,
  );
  ctx.recordPlan(plan);
  if (plan.wire.ollamaNoCallIds !== true) entry.problems.push(...unlinkedToolResults(body.messages));
  const wire = ollamaChatWire(body.model, plan.wire);
  await (body.stream ? streamReply(ctx.reply, plan, wire) : completeReply(ctx.reply, plan, wire));
}
