// The OpenAI-compatible API (as served by vLLM, llama.cpp server, LM Studio, Ollama's /v1):
// GET /v1/models and POST /v1/chat/completions, with an optional bearer API key.
import { z } from 'zod';
import { sendJson } from './http';
import { openAiChatWire, openAiErrorBody } from './openaiWire';
import { planReply } from './replyPlan';
import type { RouteContext } from './route';
import { completeReply, streamReply } from './streamReply';

/** Content may be a string or a list of parts; only text parts matter here. */
const contentSchema = z
  .union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() })), z.null()])
  .optional()
  .transform((content) => (Array.isArray(content) ? content.map((p) => p.text ?? '').join('') : (content ?? '')));

const chatBodySchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.looseObject({ role: z.string(), content: contentSchema })).min(1),
  // OpenAI does not stream unless asked.
  stream: z.boolean().nullable().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  stop: z
    .union([z.string(), z.array(z.string())])
    .nullable()
    .optional(),
  max_tokens: z.number().int().positive().nullable().optional(),
  max_completion_tokens: z.number().int().positive().nullable().optional(),
  seed: z.number().int().nullable().optional(),
});

/** The value at a dotted path of the request body (`stream_options.continuous_usage_stats`), undefined when absent. */
function fieldAt(body: Record<string, unknown>, path: string): unknown {
  let value: unknown = body;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function authorized(ctx: RouteContext): boolean {
  const key = ctx.state.apiKey;
  if (key === undefined) return true;
  if (ctx.headers['authorization'] === `Bearer ${key}`) return true;
  ctx.entry.status = 401;
  sendJson(ctx.res, 401, openAiErrorBody('Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_request_error', 'invalid_api_key'));
  return false;
}

/**
 * The tool-call ids in `messages` (assistant `tool_calls[].id`, tool `tool_call_id`) that are not
 * 9 characters of [a-zA-Z0-9], the only ids Mistral's validator takes (see WireOptions.mistralCallIds).
 */
function callIdsNotMistral(messages: ReadonlyArray<Record<string, unknown>>): string[] {
  const ids = messages.flatMap((m) => [
    ...(Array.isArray(m['tool_calls']) ? (m['tool_calls'] as unknown[]).map((c) => (typeof c === 'object' && c !== null ? (c as Record<string, unknown>)['id'] : undefined)) : []),
    ...(m['role'] === 'tool' ? [m['tool_call_id']] : []),
  ]);
  return ids.filter((id) => typeof id !== 'string' || !/^[a-zA-Z0-9]{9}$/.test(id)).map((id) => String(id));
}

export async function handleOpenAi(ctx: RouteContext): Promise<boolean> {
  const { method, path } = ctx;
  const isModels = method === 'GET' && path === '/v1/models';
  const isChat = method === 'POST' && path === '/v1/chat/completions';
  if (method === 'GET' && path === '/props') {
    // llama.cpp's server properties, at the root (not under /v1).
    const props = ctx.state.models.llamaCppProps();
    if (props === undefined) sendJson(ctx.res, 404, { error: { code: 404, message: 'File Not Found', type: 'not_found_error' } });
    else sendJson(ctx.res, 200, props);
    return true;
  }
  if (!isModels && !isChat) return false;
  if (!authorized(ctx)) return true;
  if (isModels) sendJson(ctx.res, 200, ctx.state.models.openAiList());
  else await handleChat(ctx);
  return true;
}

async function handleChat(ctx: RouteContext): Promise<void> {
  const { res, state, entry } = ctx;
  const parsed = chatBodySchema.safeParse(ctx.body ?? {});
  if (!parsed.success) {
    entry.status = 400;
    const message = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    return sendJson(res, 400, openAiErrorBody(message, 'invalid_request_error', null));
  }
  const body = parsed.data;
  const stream = body.stream === true;
  entry.model = body.model;
  entry.stream = stream;
  entry.messages = body.messages.map((m) => ({ role: m.role, content: m.content }));
  if (!state.models.has(body.model)) {
    entry.status = 404;
    return sendJson(res, 404, openAiErrorBody(`The model \`${body.model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found'));
  }
  const stop = body.stop === null || body.stop === undefined ? [] : typeof body.stop === 'string' ? [body.stop] : body.stop;
  const plan = planReply(
    state.scenarios,
    entry.messages,
    // A server with a reasoning parser always separates the reasoning.
    { stop, maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined, contextTokens: undefined, reasoning: 'field', seed: body.seed ?? undefined },
    state.faultCounters,
  );
  ctx.recordPlan(plan);
  const forbidden = plan.wire.forbidFields?.find((field) => fieldAt(body, field) !== undefined);
  if (forbidden !== undefined) {
    entry.status = 422;
    // Mistral's body for a field its schema does not know (its message is an object, not text).
    const input = fieldAt(body, forbidden);
    return sendJson(res, 422, {
      object: 'error',
      message: { detail: [{ type: 'extra_forbidden', loc: ['body', ...forbidden.split('.')], msg: 'Extra inputs are not permitted', input }] },
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
  }
  const missing = plan.wire.requireReasoningBack === true ? body.messages.findIndex((m) => m.role === 'assistant' && Array.isArray(m['tool_calls']) && typeof m['reasoning_content'] !== 'string') : -1;
  if (missing >= 0) {
    entry.status = 400;
    // DeepSeek's thinking mode: a tool-call turn's reasoning must come back with it.
    return sendJson(
      res,
      400,
      openAiErrorBody(
        `Missing reasoning_content field in the assistant message at message index ${missing}. For more information, please refer to https://api-docs.deepseek.com/guides/thinking_mode#tool-calls`,
        'invalid_request_error',
        'invalid_request_error',
      ),
    );
  }
  const tools = (ctx.body as Record<string, unknown>)['tools'];
  if (plan.wire.noToolsWithStream === true && stream && Array.isArray(tools) && tools.length > 0) {
    entry.status = 500;
    // llama.cpp's server before streamed tool calls (ggml-org/llama.cpp#12379): a runtime_error, HTTP 500.
    return sendJson(res, 500, { error: { code: 500, message: 'Cannot use tools with stream', type: 'server_error' } });
  }
  const badId = plan.wire.mistralCallIds === true ? callIdsNotMistral(body.messages)[0] : undefined;
  if (badId !== undefined) {
    entry.status = 400;
    // Mistral's API (and mistral_common's validator in vLLM's mistral tokenizer mode) on an id it cannot take.
    return sendJson(res, 400, {
      object: 'error',
      message: `Tool call id was ${badId} but must be a-z, A-Z, 0-9, with a length of 9.`,
      type: 'invalid_function_call',
      param: null,
      code: '3280',
      raw_status_code: 400,
    });
  }
  const continuous = plan.wire.continuousUsage === true && body.stream_options?.['continuous_usage_stats'] === true ? plan.promptTokens : undefined;
  const wire = openAiChatWire(body.model, `chatcmpl-scripted-${entry.id}`, body.stream_options?.include_usage === true, plan.wire, continuous);
  await (stream ? streamReply(ctx.reply, plan, wire) : completeReply(ctx.reply, plan, wire));
}
