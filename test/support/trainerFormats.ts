// A checker for the training exports, written from what their readers document, not from our
// exporter: LLaMA-Factory's data/README.md (alpaca columns instruction/input/output/system/history;
// sharegpt `conversations` of {from, value}, "human and observation should appear in odd
// positions, while gpt and function should appear in even positions", `system`, `tools`) and its
// sharegpt converter's checks (a record with a misplaced role or an odd number of turns is
// dropped; a `function_call` value must be JSON {"name", "arguments"} or a list of them, and
// `tools` a JSON list); OpenAI's chat format for the chat messages (a `tool` message answers a
// `tool_calls` id of the assistant message before it); and docs/task-files.md for the rollouts
// (mask spans cover exactly the injected execution results, rewards 1/0 with the v2 terms).
// Each check returns the violations of one exported line, so a run names every bad line.
import { formatExecution, RESULTS_HEADER } from '../../src/agent/protocol';
import type { ResultRecord } from '../../src/eval/results';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const extraKeys = (o: Json, allowed: readonly string[]): string[] => Object.keys(o).filter((k) => !allowed.includes(k));

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** True when `text` holds a results block the harness injects (a line `Code Execution Results:`): the agent stops the model at its closing fence, so its own text never does. */
const resultInside = (text: string): boolean => new RegExp(`(^|\\n)${RESULTS_HEADER}\\n`).test(text);

/** Violations of one `--format alpaca` line (LLaMA-Factory alpaca, supervised fine-tuning). */
export function alpacaViolations(line: unknown): string[] {
  if (!isObject(line)) return ['not a JSON object'];
  const v: string[] = [];
  for (const k of extraKeys(line, ['instruction', 'input', 'output', 'system', 'history'])) v.push(`unknown column "${k}"`);
  if (!isString(line.instruction) || line.instruction === '') v.push('instruction: a non-empty string is required');
  if (line.input !== undefined && !isString(line.input)) v.push('input: must be a string');
  if (!isString(line.output) || line.output === '') v.push('output: a non-empty string is required (the response trained on)');
  else if (resultInside(line.output)) v.push('output: holds an execution result (it would be trained on)');
  if (Array.isArray(line.history))
    line.history.forEach((h, i) => (Array.isArray(h) && isString(h[1]) && resultInside(h[1]) ? v.push(`history[${i}]: the response holds an execution result (it would be trained on)`) : undefined));
  if (line.system !== undefined && !isString(line.system)) v.push('system: must be a string');
  if (line.history !== undefined) {
    if (!Array.isArray(line.history)) v.push('history: must be a list of [instruction, response] pairs');
    else line.history.forEach((h, i) => (!Array.isArray(h) || h.length !== 2 || !h.every(isString) || h[1] === '' ? v.push(`history[${i}]: must be [string, non-empty string]`) : undefined));
  }
  return v;
}

/** Violations of one `--format sharegpt` line (LLaMA-Factory sharegpt, supervised fine-tuning). */
export function sharegptViolations(line: unknown): string[] {
  if (!isObject(line)) return ['not a JSON object'];
  const v: string[] = [];
  for (const k of extraKeys(line, ['conversations', 'system', 'tools'])) v.push(`unknown column "${k}"`);
  if (line.system !== undefined && !isString(line.system)) v.push('system: must be a string');
  let tools: unknown;
  if (line.tools !== undefined) {
    tools = isString(line.tools) ? parseJson(line.tools) : undefined;
    if (!Array.isArray(tools) || !tools.every((t) => isObject(t) && isString(isObject(t.function) ? t.function.name : t.name))) v.push('tools: must be a JSON text of a list of {name, description, parameters}');
  }
  if (!Array.isArray(line.conversations) || line.conversations.length === 0) return [...v, 'conversations: a non-empty list is required'];
  let turns: unknown[] = line.conversations;
  // A leading system turn is taken as the system prompt.
  if (isObject(turns[0]) && turns[0].from === 'system') turns = turns.slice(1);
  turns.forEach((t, i) => {
    if (!isObject(t)) return void v.push(`conversations[${i}]: not an object`);
    for (const k of extraKeys(t, ['from', 'value'])) v.push(`conversations[${i}]: unknown key "${k}"`);
    if (!isString(t.value) || t.value === '') v.push(`conversations[${i}]: value must be a non-empty string`);
    const odd = i % 2 === 0; // 1-based odd positions
    const allowed = odd ? ['human', 'observation'] : ['gpt', 'function_call'];
    if (!allowed.includes(String(t.from))) v.push(`conversations[${i}]: "${String(t.from)}" at position ${i + 1}; ${odd ? 'odd positions take human or observation' : 'even positions take gpt or function_call'}`);
    if ((t.from === 'gpt' || t.from === 'human') && isString(t.value) && resultInside(t.value)) v.push(`conversations[${i}]: an execution result inside a ${String(t.from)} turn (it belongs in an observation)`);
    const before = turns[i - 1];
    if (t.from === 'observation' && !(isObject(before) && (before.from === 'function_call' || before.from === 'gpt'))) v.push(`conversations[${i}]: an observation must answer the model's turn before it`);
    if (t.from === 'function_call') {
      const calls = isString(t.value) ? parseJson(t.value) : undefined;
      const list = Array.isArray(calls) ? calls : [calls];
      if (!list.every((c) => isObject(c) && isString(c.name) && isObject(c.arguments))) v.push(`conversations[${i}]: function_call value must be JSON {"name", "arguments": {...}} or a list of them`);
      if (tools === undefined) v.push(`conversations[${i}]: a function_call needs the tools column`);
    }
  });
  if (turns.length % 2 !== 0) v.push(`conversations: ${turns.length} turns; supervised data needs an even count ending with the model's turn`);
  else {
    const last = turns[turns.length - 1];
    if (!isObject(last) || (last.from !== 'gpt' && last.from !== 'function_call')) v.push('conversations: the last turn must be the model');
  }
  return v;
}

/** Violations of one `--format chat` line (OpenAI chat messages, `reasoning_content` and `tool_calls` included). */
export function chatViolations(line: unknown): string[] {
  if (!isObject(line)) return ['not a JSON object'];
  const v: string[] = [];
  for (const k of extraKeys(line, ['messages', 'tools'])) v.push(`unknown key "${k}"`);
  if (!Array.isArray(line.messages) || line.messages.length < 2) return [...v, 'messages: at least a prompt and a reply are required'];
  const messages: unknown[] = line.messages;
  const open = new Set<string>();
  let calls = 0;
  messages.forEach((m, i) => {
    if (!isObject(m)) return void v.push(`messages[${i}]: not an object`);
    for (const k of extraKeys(m, ['role', 'content', 'reasoning_content', 'tool_calls', 'tool_call_id'])) v.push(`messages[${i}]: unknown key "${k}"`);
    if (!isString(m.content)) v.push(`messages[${i}]: content must be a string`);
    if (m.role === 'system' && i !== 0) v.push(`messages[${i}]: a system message only comes first`);
    if (!['system', 'user', 'assistant', 'tool'].includes(String(m.role))) v.push(`messages[${i}]: unknown role "${String(m.role)}"`);
    if (m.role !== 'assistant' && (m.tool_calls !== undefined || m.reasoning_content !== undefined)) v.push(`messages[${i}]: tool_calls and reasoning_content belong to assistant messages`);
    if (m.role === 'assistant') {
      open.clear();
      if (m.tool_calls !== undefined) {
        if (!Array.isArray(m.tool_calls) || m.tool_calls.length === 0) v.push(`messages[${i}]: tool_calls must be a non-empty list`);
        else
          for (const c of m.tool_calls as unknown[]) {
            calls++;
            const ok = isObject(c) && isString(c.id) && c.type === 'function' && isObject(c.function) && isString(c.function.name) && isString(c.function.arguments);
            if (!ok) v.push(`messages[${i}]: a tool call must be {id, type: "function", function: {name, arguments: string}}`);
            else open.add(String(c.id));
          }
      }
    }
    if (m.role === 'tool' && !(isString(m.tool_call_id) && open.has(m.tool_call_id))) v.push(`messages[${i}]: a tool message must answer a tool_calls id of the assistant message before it`);
  });
  const first = messages.find((m) => isObject(m) && m.role !== 'system');
  if (!isObject(first) || first.role !== 'user') v.push('messages: the conversation must open with a user message');
  const last = messages[messages.length - 1];
  if (!isObject(last) || last.role !== 'assistant') v.push('messages: the last message must be the assistant (the trained answer)');
  if (calls > 0 && !Array.isArray(line.tools)) v.push('tools: a conversation with tool calls must list the tools offered');
  return v;
}

/** A results record's executed cells as the model was sent them: the results block (text protocols) or the bare output (a `tool` message). */
function injectedResults(result: ResultRecord): Array<{ block: string; bare: string }> {
  return (result.steps ?? []).flatMap((s) => {
    if (!s.output) return [];
    const bare = formatExecution({ ...s.output, artifacts: [] });
    return [{ block: `${RESULTS_HEADER}\n${bare}\n`, bare }];
  });
}

/**
 * Violations of one rollout line. `results` are the results records it was exported from (for
 * the injected results each sample must mask, found from the executed cells, independently of
 * the exporter's spans); `options` are the reward terms it was exported with.
 */
export function rolloutViolations(line: unknown, results: readonly ResultRecord[], options: { format: boolean; turnPenalty: boolean }): string[] {
  if (!isObject(line)) return ['not a JSON object'];
  const v: string[] = [];
  for (const k of extraKeys(line, ['id', 'task', 'prompt', 'p', 'samples'])) v.push(`unknown key "${k}"`);
  if (!isString(line.id) || !isString(line.task) || !isString(line.prompt) || line.prompt === '') v.push('id, task and a non-empty prompt are required');
  if (!Array.isArray(line.samples) || line.samples.length === 0) return [...v, 'samples: a non-empty list is required'];
  const samples: unknown[] = line.samples;
  const right = samples.filter((s) => isObject(s) && s.correct === true).length;
  if (typeof line.p !== 'number' || Math.abs(line.p - right / samples.length) > 1e-9) v.push(`p: ${String(line.p)}, expected ${right}/${samples.length}`);
  for (const s of samples) {
    if (!isObject(s)) {
      v.push('a sample is not an object');
      continue;
    }
    const at = `sample ${String(s.sample)}`;
    const source = results.find((r) => r.id === line.id && (r.sample ?? 0) === s.sample);
    if (!source) {
      v.push(`${at}: no such result in the results file`);
      continue;
    }
    const response = isString(s.response) ? s.response : '';
    // Sliced as a trainer in Python slices it: by code points (docs/task-files.md), not UTF-16 units.
    const chars = Array.from(response);
    const slice = (a: number, b: number): string => chars.slice(a, b).join('');
    const spans = Array.isArray(s.mask_spans) ? (s.mask_spans as unknown[]) : [];
    let end = 0;
    const masked: string[] = [];
    for (const span of spans) {
      const ok = Array.isArray(span) && span.length === 2 && Number.isInteger(span[0]) && Number.isInteger(span[1]) && span[0] >= end && span[1] > span[0] && span[1] <= chars.length;
      if (!ok) {
        v.push(`${at}: span ${JSON.stringify(span)} is not an ordered non-empty range inside the response`);
        continue;
      }
      masked.push(slice(span[0] as number, span[1] as number));
      end = span[1] as number;
    }
    // Every injected result masked exactly, and nothing else: a span may hold several results that
    // were injected back to back (several tool messages answering one reply), never model text.
    const expected = injectedResults(source);
    let unmatched = masked.join('\u0000');
    for (const e of expected) {
      const text = unmatched.includes(e.block) ? e.block : e.bare;
      if (!unmatched.includes(text)) v.push(`${at}: the injected result ${JSON.stringify(e.block.slice(0, 80))} is not masked`);
      else unmatched = unmatched.replace(text, '');
    }
    // The notice of a cell that was not run (declined, cut by the token limit) is injected too.
    unmatched = unmatched.replace(new RegExp(`(${RESULTS_HEADER}\\n)?\\[not executed: [^\\n\\]]*\\]\\n?`, 'g'), '');
    if (unmatched.replace(/\u0000/g, '') !== '') v.push(`${at}: masked text that is not an injected result: ${JSON.stringify(unmatched.replace(/\u0000/g, '').slice(0, 120))}`);
    const unmasked = spans.reduceRight<string[]>((r, sp) => (Array.isArray(sp) ? [...r.slice(0, Number(sp[0])), ...r.slice(Number(sp[1]))] : r), chars).join('');
    if (resultInside(unmasked)) v.push(`${at}: a results block outside the mask spans (it would be trained on)`);
    const code = (source.steps ?? []).flatMap((st) => (st.code !== undefined && st.output ? [st.code] : []));
    for (const c of code) if (!unmasked.includes(c)) v.push(`${at}: the code the model ran is missing from its response: ${JSON.stringify(c.slice(0, 60))}`);
    if (s.correct !== source.correct || s.answer !== source.answer || s.turns !== source.turns || s.code_calls !== source.codeCalls) v.push(`${at}: correct/answer/turns/code_calls differ from the result`);
    // docs/task-files.md: 1 right / 0 wrong; --format-reward ±0.1 for <<<answer>>> written by the model; --turn-penalty −0.1 above six turns.
    const wroteAnswer = source.answer !== null && source.answerSource !== 'code-output' && /<<<[\s\S]*>>>/.test(unmasked);
    const want = (source.correct ? 1 : 0) + (options.format ? (wroteAnswer ? 0.1 : -0.1) : 0) + (options.turnPenalty && source.turns > 6 ? -0.1 : 0);
    if (typeof s.reward !== 'number' || Math.abs(s.reward - want) > 1e-9) v.push(`${at}: reward ${String(s.reward)}, expected ${want.toFixed(1)}`);
  }
  return v;
}

/**
 * The columns LLaMA-Factory reads from a file registered in dataset_info.json with `entry`,
 * following its src/llamafactory/data/parser.py (`DatasetAttr`: alpaca's prompt/query/response
 * default to instruction/input/output, sharegpt's messages to conversations, history/system/tools
 * to none; `join` then sets every column from `entry.columns`, unnamed ones to none) and
 * converter.py (alpaca reads prompt, query, response, history, system and tools; sharegpt
 * messages, system and tools). A key of an exported line outside this set is never read.
 */
export function llamaFactoryReadColumns(entry: unknown): Set<string> {
  const e = isObject(entry) ? entry : {};
  const names = ['prompt', 'query', 'response', 'history', 'messages', 'system', 'tools', 'images', 'videos', 'audios', 'chosen', 'rejected', 'kto_tag'] as const;
  const column: Record<string, unknown> = { prompt: 'instruction', query: 'input', response: 'output', messages: 'conversations' };
  if (isObject(e.columns)) for (const n of names) column[n] = e.columns[n];
  const read = e.formatting === 'sharegpt' ? ['messages', 'system', 'tools'] : ['prompt', 'query', 'response', 'history', 'system', 'tools'];
  return new Set(read.map((n) => column[n]).filter(isString));
}
