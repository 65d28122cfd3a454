// Supervised fine-tuning data from a results file, in the formats trainers read: our chat
// messages, and LLaMA-Factory's alpaca and sharegpt (field names from LLaMA-Factory's
// data/README: alpaca `instruction`/`input`/`output`/`system`/`history`; sharegpt
// `conversations` of `{from, value}` with human/observation at odd and gpt at even positions,
// plus `system`). The paper's SFT keeps correct multi-turn trajectories: a trace is multi-turn
// when it made code calls, whatever its message count (an R1-CI-protocol trajectory is one
// assistant message however many calls it made).
import { latestById, type ChatMessage, type ResultRecord } from '../results';
import { trajectorySegments, type Segment } from './segments';

export const SFT_FORMATS = ['chat', 'alpaca', 'sharegpt'] as const;
export type SftFormat = (typeof SFT_FORMATS)[number];

export interface SftOptions {
  readonly format: SftFormat;
  /** Also keep correct answers given without any code call (default false: the paper's recipe). */
  readonly includeTextOnly?: boolean;
}

/** A message in the common (OpenAI) chat format: reasoning as `reasoning_content`, native tool calls as `tool_calls`. */
export type ChatSftMessage = Record<string, unknown>;

export interface ChatSftRecord {
  readonly messages: ChatSftMessage[];
}

function sftMessage(m: ChatMessage): ChatSftMessage {
  return {
    role: m.role,
    content: m.content,
    ...(m.reasoning ? { reasoning_content: m.reasoning } : {}),
    ...(m.toolCalls && m.toolCalls.length > 0 ? { tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) } : {}),
    ...(m.toolCallId !== undefined ? { tool_call_id: m.toolCallId } : {}),
  };
}

export interface AlpacaSftRecord {
  readonly instruction: string;
  readonly input: string;
  readonly output: string;
  readonly system?: string;
  /** Earlier [instruction, response] pairs (LLaMA-Factory also trains on these responses). */
  readonly history?: Array<[string, string]>;
}

export interface ShareGptSftRecord {
  /** `observation` turns are the execution results: LLaMA-Factory leaves them out of the loss. */
  readonly conversations: Array<{ from: 'human' | 'gpt' | 'observation'; value: string }>;
  readonly system?: string;
}

export type SftRecord = ChatSftRecord | AlpacaSftRecord | ShareGptSftRecord;

/** The results an SFT export keeps: right, no error, with a trajectory; multi-turn = made code calls. */
export function sftSelection(results: readonly ResultRecord[], includeTextOnly = false): ResultRecord[] {
  return latestById(results).filter((r) => r.correct && r.error === undefined && r.trajectory !== undefined && r.trajectory.some((m) => m.role === 'assistant') && (r.codeCalls > 0 || includeTextOnly));
}

/** Pairs (prompt or results → model text) from the segments; undefined when they do not alternate. */
function exchanges(segments: readonly Segment[]): { system?: string; pairs: Array<[string, string]> } | undefined {
  const system = segments.find((s) => s.kind === 'system')?.text;
  const rest = segments.filter((s) => s.kind !== 'system');
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < rest.length; i += 2) {
    const ask = rest[i];
    const answer = rest[i + 1];
    if (!ask || !answer || ask.kind === 'model' || answer.kind !== 'model') return undefined;
    pairs.push([ask.text, answer.text]);
  }
  return pairs.length > 0 ? { ...(system !== undefined ? { system } : {}), pairs } : undefined;
}

/**
 * One result as one training record in `format`; undefined when its trajectory cannot be laid
 * out so. Trajectories with native tool calls (the tools protocol) are exported in the chat
 * format only, where `tool_calls` and `tool` messages carry them.
 */
export function sftRecord(result: ResultRecord, format: SftFormat): SftRecord | undefined {
  if (format === 'chat') return { messages: (result.trajectory ?? []).map(sftMessage) };
  if ((result.trajectory ?? []).some((m) => (m.toolCalls?.length ?? 0) > 0)) return undefined;
  const segments = trajectorySegments(result);
  const x = exchanges(segments);
  if (!x) return undefined;
  if (format === 'alpaca') {
    const last = x.pairs[x.pairs.length - 1];
    if (!last) return undefined;
    const history = x.pairs.slice(0, -1);
    return { instruction: last[0], input: '', output: last[1], ...(x.system !== undefined ? { system: x.system } : {}), ...(history.length > 0 ? { history } : {}) };
  }
  const rest = segments.filter((s) => s.kind !== 'system');
  return {
    conversations: rest.map((s) => ({ from: s.kind === 'model' ? 'gpt' : s.kind === 'result' ? 'observation' : 'human', value: s.text })),
    ...(x.system !== undefined ? { system: x.system } : {}),
  };
}

/** The SFT export as JSONL, one record per kept result (and sample). */
export function sftJsonl(results: readonly ResultRecord[], options: SftOptions): { text: string; count: number } {
  const lines: string[] = [];
  for (const r of sftSelection(results, options.includeTextOnly)) {
    const record = sftRecord(r, options.format);
    if (record) lines.push(`${JSON.stringify(record)}\n`);
  }
  return { text: lines.join(''), count: lines.length };
}
