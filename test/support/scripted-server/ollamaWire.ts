// Ollama's /api/chat byte format: one JSON object per line (application/x-ndjson); the last
// line has done:true, done_reason and the token counts and durations in nanoseconds.
import type { FinalStats, WireFormat } from './streamReply';

function line(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
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

export function ollamaChatWire(model: string): WireFormat {
  const now = (): string => new Date().toISOString();
  return {
    streamContentType: 'application/x-ndjson',
    opening: () => '',
    chunk: (text) => line({ model, created_at: now(), message: { role: 'assistant', content: text }, done: false }),
    malformed: (text) => `${text ?? `{"model":${JSON.stringify(model)},"created_at":"${now()}","message":{"role":"assistant","content":"unterminat`}\n`,
    streamError: (message) => line({ error: message }),
    closing: (stats) => line({ model, created_at: now(), message: { role: 'assistant', content: '' }, ...finalFields(stats) }),
    complete: (text, stats) => ({ model, created_at: now(), message: { role: 'assistant', content: text }, ...finalFields(stats) }),
    errorBody: (_status, message) => ({ error: message }),
  };
}
