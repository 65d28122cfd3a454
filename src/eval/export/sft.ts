// Supervised fine-tuning data from a results file, in the formats trainers read: our chat
// messages, and LLaMA-Factory's alpaca and sharegpt (field names from LLaMA-Factory's
// data/README: alpaca `instruction`/`input`/`output`/`system`/`history`; sharegpt
// `conversations` of `{from, value}` with human/observation at odd and gpt at even positions,
// plus `system`). The paper's SFT keeps correct multi-turn trajectories: a trace is multi-turn
// when it made code calls, whatever its message count (an R1-CI-protocol trajectory is one
// assistant message however many calls it made).
import { PYTHON_TOOL } from '../../agent/pythonTool';
import type { ToolSpec } from '../../agent/backends/types';
import type { ToolCall } from '../../trajectory/chatMessage';
import { jsonTextDepth, MAX_JSON_DEPTH } from '../../text/jsonDepth';
import { latestById, type ChatMessage, type ResultRecord } from '../results';
import { codeWasRefused, thinkBlock, trajectorySegments, type Segment } from './segments';

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
  /** The tools offered, in OpenAI's `tools` shape, when the trajectory made native tool calls (a template needs them to lay out the calls). */
  readonly tools?: Array<{ type: 'function'; function: ToolSpec }>;
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
  /**
   * `observation` turns are the execution results: LLaMA-Factory leaves them out of the loss.
   * `function_call` turns (tools protocol) hold the calls as LLaMA-Factory reads them: a JSON list
   * of `{"name", "arguments"}` with the arguments as an object.
   */
  readonly conversations: Array<{ from: 'human' | 'gpt' | 'function_call' | 'observation'; value: string }>;
  readonly system?: string;
  /** The tools offered (tools protocol), a JSON text of `[{name, description, parameters}]` as LLaMA-Factory's `tools` column. */
  readonly tools?: string;
}

export type SftRecord = ChatSftRecord | AlpacaSftRecord | ShareGptSftRecord;

/**
 * The results an SFT export keeps: right, no error, with a trajectory; multi-turn = made code calls.
 * Never one whose code was refused (the basic tier without consent: each cell's result is
 * NOT_RUN_MESSAGE): its code calls were written, not run, and its "results" are the refusal, so it
 * is neither a trajectory that ran code nor a text-only one.
 */
export function sftSelection(results: readonly ResultRecord[], includeTextOnly = false): ResultRecord[] {
  return latestById(results).filter(
    (r) => r.correct && r.error === undefined && r.trajectory !== undefined && r.trajectory.some((m) => m.role === 'assistant') && (r.codeCalls > 0 || includeTextOnly) && !codeWasRefused(r),
  );
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

/** Why a trajectory that ends with an execution result is left out of `format`. */
const ENDS_WITH_RESULT = (format: SftFormat): string =>
  `it ends with an execution result (the answer was printed by the code and the model wrote nothing after it), and a ${format} record ends with the model's turn (chat keeps it)`;
/** Why a tools-protocol trajectory is left out of sharegpt (see shareGptWithToolCalls). */
const TOOL_CALLS_LAYOUT = 'a reply of it holds text beside its tool calls, or several calls, or it ends with a tool result: sharegpt has no layout for that (chat keeps it)';

/**
 * One result as one training record in `format`; `{leftOut: why}` when its trajectory cannot be
 * laid out so. Trajectories with native tool calls (the tools protocol) are exported as chat messages
 * (`tool_calls`, `tool` messages and `tools`) and sharegpt (`function_call` and `observation`
 * turns, `tools`); alpaca has no turn for a call, so they are left out of it.
 */
export function sftRecord(result: ResultRecord, format: SftFormat): SftRecord | { readonly leftOut: string } {
  const calledTools = (result.trajectory ?? []).some((m) => (m.toolCalls?.length ?? 0) > 0);
  if (format === 'chat') return { messages: (result.trajectory ?? []).map(sftMessage), ...(calledTools ? { tools: [{ type: 'function' as const, function: PYTHON_TOOL }] } : {}) };
  if (calledTools)
    return format === 'sharegpt'
      ? (shareGptWithToolCalls(result.trajectory ?? []) ?? { leftOut: TOOL_CALLS_LAYOUT })
      : { leftOut: 'it made native tool calls (--protocol tools), and alpaca has no turn for a call (export sharegpt or chat)' };
  const segments = trajectorySegments(result);
  const x = exchanges(segments);
  if (!x) return { leftOut: segments[segments.length - 1]?.kind === 'result' ? ENDS_WITH_RESULT(format) : `its turns do not alternate between prompt or execution result and model text, as ${format} needs` };
  if (format === 'alpaca') {
    const last = x.pairs[x.pairs.length - 1];
    if (!last) return { leftOut: 'it has no exchange' };
    const history = x.pairs.slice(0, -1);
    return { instruction: last[0], input: '', output: last[1], ...(x.system !== undefined ? { system: x.system } : {}), ...(history.length > 0 ? { history } : {}) };
  }
  const rest = segments.filter((s) => s.kind !== 'system');
  return {
    conversations: rest.map((s) => ({ from: s.kind === 'model' ? 'gpt' : s.kind === 'result' ? 'observation' : 'human', value: s.text })),
    ...(x.system !== undefined ? { system: x.system } : {}),
  };
}

/**
 * A tools-protocol trajectory in LLaMA-Factory's sharegpt layout: an assistant message with a
 * call becomes a `function_call` turn and the `tool` message answering it an `observation`; a
 * `gpt` turn starts with its reasoning (`thinkBlock`), a `function_call` turn has no room for it.
 * Undefined when a reply has both text and calls (a `function_call` turn holds only the calls:
 * LLaMA-Factory refuses anything else in it), when one reply made several calls (their results
 * would be consecutive observations, and the format has no documented way to join them), or when
 * the turns do not alternate.
 */
function shareGptWithToolCalls(messages: readonly ChatMessage[]): ShareGptSftRecord | undefined {
  const system = messages[0]?.role === 'system' ? messages[0].content : undefined;
  const turns: ShareGptSftRecord['conversations'] = [];
  for (const m of system !== undefined ? messages.slice(1) : messages) {
    const last = turns[turns.length - 1];
    if (m.role === 'tool') {
      if (last?.from === 'observation') return undefined;
      turns.push({ from: 'observation', value: m.content });
    } else if (m.role === 'assistant' && (m.toolCalls?.length ?? 0) > 0) {
      if (m.content.trim() !== '') return undefined;
      turns.push({ from: 'function_call', value: JSON.stringify((m.toolCalls ?? []).map(callForLlamaFactory)) });
    } else if (m.role === 'assistant') turns.push({ from: 'gpt', value: thinkBlock(m.reasoning) + m.content });
    else if (m.role === 'user') turns.push({ from: 'human', value: m.content });
    else return undefined;
  }
  const alternates = turns.every((t, i) => (i % 2 === 0 ? t.from === 'human' || t.from === 'observation' : t.from === 'gpt' || t.from === 'function_call'));
  if (!alternates || turns.length % 2 !== 0) return undefined;
  return { conversations: turns, ...(system !== undefined ? { system } : {}), tools: JSON.stringify([PYTHON_TOOL]) };
}

/** `{"name", "arguments"}` with the arguments as an object (LLaMA-Factory re-serializes them; a string would be encoded twice). */
function callForLlamaFactory(call: ToolCall): { name: string; arguments: unknown } {
  let args: unknown = call.arguments;
  // Arguments nested too deep for JSON.stringify (a refused call) stay text.
  if (jsonTextDepth(call.arguments) > MAX_JSON_DEPTH) return { name: call.name, arguments: args };
  try {
    args = JSON.parse(call.arguments);
  } catch {
    // Not JSON: kept as the text the model sent.
  }
  return { name: call.name, arguments: args };
}

/**
 * The `dataset_info.json` entry under which LLaMA-Factory reads an `alpaca` or `sharegpt` export
 * whole (its data/README.md; src/llamafactory/data/parser.py `DatasetAttr.join`): `formatting`,
 * and `columns` naming every column the export may write. The columns matter: alpaca's `system`
 * and `history` have no default (a file registered without them is read as its last exchange
 * only, `[last result → final text]`, the question and every code-writing turn dropped), and once
 * `columns` is given every column not named in it is unset, the defaults included.
 */
export function llamaFactoryDatasetEntry(format: Exclude<SftFormat, 'chat'>, fileName: string): { file_name: string; formatting: 'alpaca' | 'sharegpt'; columns: Record<string, string> } {
  return format === 'alpaca'
    ? { file_name: fileName, formatting: 'alpaca', columns: { prompt: 'instruction', query: 'input', response: 'output', system: 'system', history: 'history' } }
    : { file_name: fileName, formatting: 'sharegpt', columns: { messages: 'conversations', system: 'system', tools: 'tools' } };
}

/** A selected (correct) trajectory that the format cannot hold: its id, sample and why. */
export interface SftLeftOut {
  readonly id: string;
  readonly sample: number;
  readonly reason: string;
}

/**
 * The SFT export as JSONL, one record per kept result (and sample), and the selected results
 * the format could not hold (`leftOut`), so that a caller says what was not exported and why.
 */
export function sftJsonl(results: readonly ResultRecord[], options: SftOptions): { text: string; count: number; leftOut: SftLeftOut[] } {
  const lines: string[] = [];
  const leftOut: SftLeftOut[] = [];
  for (const r of sftSelection(results, options.includeTextOnly)) {
    const record = sftRecord(r, options.format);
    if ('leftOut' in record) leftOut.push({ id: r.id, sample: r.sample ?? 0, reason: record.leftOut });
    else lines.push(`${JSON.stringify(record)}\n`);
  }
  return { text: lines.join(''), count: lines.length, leftOut };
}

/**
 * Lines that say which correct trajectories `sftJsonl` left out of `format` and why, one per
 * reason with up to three ids (`id` or `id sample N`); none when nothing was left out.
 */
export function describeLeftOut(leftOut: readonly SftLeftOut[], format: SftFormat): string[] {
  const byReason = new Map<string, SftLeftOut[]>();
  for (const l of leftOut) byReason.set(l.reason, [...(byReason.get(l.reason) ?? []), l]);
  return [...byReason.entries()].map(([reason, ls]) => {
    const named = ls.slice(0, 3).map((l) => (l.sample > 0 ? `${l.id} sample ${l.sample}` : l.id));
    const more = ls.length > named.length ? `, and ${ls.length - named.length} more` : '';
    return `${ls.length} correct ${ls.length === 1 ? 'trajectory' : 'trajectories'} left out of ${format}: ${reason} (${named.join(', ')}${more}).`;
  });
}
