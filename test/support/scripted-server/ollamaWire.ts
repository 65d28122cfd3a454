// Ollama's /api/chat byte format: one JSON object per line (application/x-ndjson); the last
// line has done:true, done_reason and the token counts and durations in nanoseconds.
import { randomInt } from 'node:crypto';
import type { ScriptedToolCall, WireOptions } from './scenarioSchema';
import type { FinalStats, WireFormat } from './streamReply';
import { errorBodyIn } from './openaiWire';
import { jsonWithRaw, rawJsonObject } from './rawJson';

/**
 * The id Ollama ≥ 0.12.10 gives each tool call it parsed (ollama/ollama#12956): `call_` and 8
 * random characters of [a-z0-9] (toolCallId in server/routes.go), unique across a conversation.
 */
function ollamaCallId(): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let id = 'call_';
  for (let i = 0; i < 8; i++) id += letters[randomInt(letters.length)];
  return id;
}

/**
 * A scripted call as Ollama spells it (a string argument that is not JSON stays a string: a
 * malformed call): `{"id", "function": {"index", "name", "arguments"}}` as Ollama ≥ 0.12.10 writes
 * it, or only `{"function": {"name", "arguments"}}` with `noIds` (older Ollama).
 */
function ollamaCall(call: ScriptedToolCall, index: number, noIds: boolean): Record<string, unknown> {
  const spelled = (args: unknown): Record<string, unknown> => (noIds ? { function: { name: call.name, arguments: args } } : { id: ollamaCallId(), function: { index, name: call.name, arguments: args } });
  if (typeof call.arguments !== 'string') return spelled(call.arguments);
  // An object's text goes out as it is (it may nest deeper than JSON.stringify recurses).
  const raw = rawJsonObject(call.arguments);
  if (raw !== undefined) return spelled(raw);
  try {
    return spelled(JSON.parse(call.arguments) as unknown);
  } catch {
    return spelled(call.arguments);
  }
}

function line(value: unknown): string {
  return `${jsonWithRaw(value)}\n`;
}

function finalFields(stats: FinalStats): Record<string, unknown> {
  return {
    done_reason: stats.doneReason,
    done: true,
    total_duration: stats.totalNs,
    load_duration: stats.loadNs,
    prompt_eval_count: stats.promptTokens,
    prompt_eval_duration: stats.promptEvalNs,
    eval_count: stats.evalCount,
    eval_duration: stats.evalNs,
  };
}

/** `errorObject`: the error line's `error` is an object, as OpenAI-style proxies in front of Ollama write it (see WireOptions.errorObject). */
export function ollamaChatWire(model: string, options: WireOptions = {}): WireFormat {
  const now = (): string => new Date().toISOString();
  /** Every optional field a line leaves out, as `null` (see WireOptions.nullFields). */
  const nulls = options.nullFields === true;
  const message = (fields: Record<string, unknown>): Record<string, unknown> => (nulls ? { role: 'assistant', content: '', thinking: null, tool_calls: null, images: null, ...fields } : { role: 'assistant', ...fields });
  const noIds = options.ollamaNoCallIds === true;
  const calls = (list: readonly ScriptedToolCall[]): Array<Record<string, unknown>> => list.map((call, index) => ollamaCall(call, index, noIds));
  const notDone = nulls ? { done: false, done_reason: null, prompt_eval_count: null, eval_count: null, eval_duration: null } : { done: false };
  return {
    streamContentType: 'application/x-ndjson',
    opening: () => '',
    chunk: (text) => line({ model, created_at: now(), message: message({ content: text }), ...notDone }),
    thinking: (text) => line({ model, created_at: now(), message: message({ content: '', thinking: text }), ...notDone }),
    // Ollama sends the calls whole, arguments as an object, in one line with empty content.
    toolCalls: (toolCalls) => [line({ model, created_at: now(), message: message({ content: '', tool_calls: calls(toolCalls) }), ...notDone })],
    unreadableToolCalls: (calls) => {
      if (options.harmonyRawCall !== true) return undefined;
      const first = calls[0];
      const code = first === undefined ? '' : typeof first.arguments === 'string' ? first.arguments : first.arguments['code'];
      const raw = typeof code === 'string' ? code : JSON.stringify(first?.arguments ?? {});
      // Go's encoding/json on text that is not JSON (harmony.HarmonyMessageHandler.Add).
      const start = raw.trimStart()[0];
      const err = start === undefined || start === '{' || start === '[' ? 'unexpected end of JSON input' : `invalid character '${start}' looking for beginning of value`;
      return `error parsing tool call: raw='${raw}', err=${err}`;
    },
    toolCallsDoneReason: 'stop',
    malformed: (text) => `${text ?? `{"model":${JSON.stringify(model)},"created_at":"${now()}","message":{"role":"assistant","content":"unterminat`}\n`,
    streamError: (message, form) =>
      form === 'flat'
        ? line(errorBodyIn('flat', 500, message))
        : line({ error: (form ?? (options.errorObject === true ? 'object' : 'string')) === 'object' ? { message, type: 'server_error', param: null, code: 500 } : message }),
    closing: (stats) => line({ model, created_at: now(), message: message({ content: '' }), ...finalFields(stats) }),
    complete: (text, stats, extras) => ({
      model,
      created_at: now(),
      message: {
        role: 'assistant',
        content: text,
        ...(extras.thinking !== '' ? { thinking: extras.thinking } : {}),
        ...(extras.toolCalls.length > 0 ? { tool_calls: calls(extras.toolCalls) } : {}),
      },
      ...finalFields(stats),
    }),
    errorBody: (_status, message) => ({ error: message }),
  };
}
