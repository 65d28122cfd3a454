// A stored trajectory as who-wrote-what segments: the prompt, the model's own text, and the
// execution results the harness injected. Both protocols reduce to the same segments (R1-CI
// keeps results inside the one assistant message; chat sends them as user messages), so every
// export format is built from these, with the results found through `executionSpans`. In the
// tools protocol the results are the `tool` messages and a call is written as the code it ran.
// A reply's reasoning (reasoning channel or inline think) comes first in its model text, inside
// `<think>…</think>`, as reasoning models write it and LLaMA-Factory's reasoning templates read it.
import { readPythonCall } from '../../agent/pythonTool';
import type { ToolCall } from '../../trajectory/chatMessage';
import { NOT_RUN_MESSAGE } from '../../trajectory/execResult';
import type { ResultRecord } from '../results';

/**
 * Whether `result`'s code was refused rather than run (the basic tier without consent: a cell's
 * result is NOT_RUN_MESSAGE): its code calls were written, never run, and its "results" are the
 * refusal. SFT leaves such answers out; rollouts mark them (`code_refused`).
 */
export function codeWasRefused(result: ResultRecord): boolean {
  return result.steps?.some((s) => s.output?.killMessage === NOT_RUN_MESSAGE) ?? false;
}

export type SegmentKind = 'system' | 'prompt' | 'model' | 'result';

export interface Segment {
  readonly kind: SegmentKind;
  readonly text: string;
}

/**
 * Splits `result.trajectory` at its execution spans. Adjacent segments of one kind are merged;
 * empty ones dropped. A user message that is not a results block is a prompt.
 */
export function trajectorySegments(result: ResultRecord): Segment[] {
  const messages = result.trajectory ?? [];
  const spansByMessage = new Map<number, Array<{ start: number; end: number }>>();
  for (const s of result.executionSpans ?? []) spansByMessage.set(s.message, [...(spansByMessage.get(s.message) ?? []), s]);
  const out: Segment[] = [];
  const push = (kind: SegmentKind, text: string): void => {
    if (text === '') return;
    const last = out[out.length - 1];
    if (last && last.kind === kind) out[out.length - 1] = { kind, text: last.text + text };
    else out.push({ kind, text });
  };
  messages.forEach((m, i) => {
    const own: SegmentKind = m.role === 'system' ? 'system' : m.role === 'assistant' ? 'model' : m.role === 'tool' ? 'result' : 'prompt';
    if (m.role === 'assistant') push('model', thinkBlock(m.reasoning));
    let at = 0;
    for (const s of (spansByMessage.get(i) ?? []).sort((a, b) => a.start - b.start)) {
      push(own, m.content.slice(at, s.start));
      push('result', m.content.slice(s.start, s.end));
      at = s.end;
    }
    push(own, m.content.slice(at));
    (m.toolCalls ?? []).forEach((call, c) => push('model', `${c === 0 && m.content !== '' && !m.content.endsWith('\n') ? '\n' : ''}${toolCallText(call)}`));
  });
  return out;
}

/**
 * A native tool call (tools protocol) as text: the python fence the agent writes for a tool call
 * in the text protocols (src/agent/runAgent.ts), so a rollout's response holds the code the model
 * ran; a call that is not a readable python call as its `{"name", "arguments"}` JSON.
 */
function toolCallText(call: ToolCall): string {
  const read = readPythonCall(call);
  return 'code' in read ? `\`\`\`python\n${read.code}\n\`\`\`\n` : `${JSON.stringify({ name: call.name, arguments: call.arguments })}\n`;
}

/**
 * A reply's reasoning as the text a reasoning model writes before its answer:
 * `<think>\n{reasoning}\n</think>\n\n` (the reasoning's own surrounding blank lines and any
 * `<think>` tags a server left in it dropped); '' when there is none. LLaMA-Factory's reasoning
 * templates (qwen3, deepseekr1) take this block as the thought of an assistant turn.
 */
export function thinkBlock(reasoning: string | undefined): string {
  const text = (reasoning ?? '')
    .replace(/^\s*<think>/, '')
    .replace(/<\/think>\s*$/, '')
    .replace(/^\s*\n/, '')
    .trimEnd();
  return text === '' ? '' : `<think>\n${text}\n</think>\n\n`;
}
