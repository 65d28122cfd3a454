// The OpenAI chat completions byte format: Server-Sent Events `data: {json}\n\n`, a role-only
// first delta, a final delta with finish_reason, an optional usage chunk, then `data: [DONE]`.
import type { FinalStats, WireFormat } from './streamReply';

function event(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

export function openAiErrorBody(message: string, type: string, code: string | null): unknown {
  return { error: { message, type, param: null, code } };
}

function usage(stats: FinalStats): Record<string, number> {
  return { prompt_tokens: stats.promptTokens, completion_tokens: stats.evalCount, total_tokens: stats.promptTokens + stats.evalCount };
}

export function openAiChatWire(model: string, id: string, includeUsage: boolean): WireFormat {
  const created = Math.floor(Date.now() / 1000);
  const base = { id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_scripted' };
  // With include_usage every chunk carries "usage": null except the extra last one.
  const usageNull = includeUsage ? { usage: null } : {};
  const chunk = (delta: Record<string, unknown>, finishReason: string | null): string =>
    event({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...usageNull });
  return {
    streamContentType: 'text/event-stream; charset=utf-8',
    opening: () => chunk({ role: 'assistant', content: '' }, null),
    chunk: (text) => chunk({ content: text }, null),
    malformed: (text) => `${text ?? `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"unterminat`}\n\n`,
    streamError: (message) => event(openAiErrorBody(message, 'server_error', null)),
    closing: (stats) =>
      chunk({}, stats.doneReason) +
      (includeUsage ? event({ ...base, choices: [], usage: usage(stats) }) : '') +
      'data: [DONE]\n\n',
    complete: (text, stats) => ({
      id,
      object: 'chat.completion',
      created,
      model,
      system_fingerprint: 'fp_scripted',
      choices: [{ index: 0, message: { role: 'assistant', content: text }, logprobs: null, finish_reason: stats.doneReason }],
      usage: usage(stats),
    }),
    errorBody: (status, message) => openAiErrorBody(message, status >= 500 ? 'server_error' : 'invalid_request_error', null),
  };
}
