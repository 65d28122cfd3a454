// The `tools` protocol: the Python runner offered as a native function tool (Ollama and
// OpenAI-compatible `tools`), and the reading of the calls the model makes.
import type { ToolCall, ToolSpec } from './backends/types';
import { findCodeBlocks } from './codeBlocks';
import { closesFence, codeOf, openingFence } from './fenceLines';

/** The one tool: run a Python script in the sandbox; its printed output is the result. */
export const PYTHON_TOOL: ToolSpec = {
  name: 'python',
  description: 'Run a single self-contained Python 3 script in a sandbox and return what it prints (stdout and stderr). ' + 'Use print() for every value you need to see. No network access.',
  parameters: {
    type: 'object',
    properties: { code: { type: 'string', description: 'The complete Python script to run.' } },
    required: ['code'],
  },
};

/**
 * The code of a tool call, or a message the model can read when the call is unusable: arguments
 * that are not a JSON object, a missing `code` string, or another tool's name. Some models send
 * the script itself instead of `{"code": …}`; a string argument is accepted as the script.
 */
export function readPythonCall(call: ToolCall): { code: string } | { error: string } {
  if (call.name !== PYTHON_TOOL.name) return { error: `There is no tool named "${call.name}". The only tool is "python", called with {"code": "<python script>"}.` };
  let args: unknown;
  try {
    args = JSON.parse(call.arguments);
  } catch (error) {
    return {
      error: `The arguments of your python call are not valid JSON (${error instanceof Error ? error.message : String(error)}): ${call.arguments.slice(0, 200)}. Call python again with {"code": "<python script>"}.`,
    };
  }
  // Arguments encoded twice ("{\"code\": …}" as a JSON string): some models do; the string is
  // the object's JSON, not a script (run as Python it would be a dict literal printing nothing).
  if (typeof args === 'string' && args.trim().startsWith('{')) {
    try {
      args = JSON.parse(args);
    } catch {
      // Not JSON: the script itself, below.
    }
  }
  if (typeof args === 'string' && args.trim().length > 0) return { code: unfenced(args) };
  const code = typeof args === 'object' && args !== null ? (args as { code?: unknown }).code : undefined;
  if (typeof code !== 'string' || code.trim().length === 0) return { error: `Your python call has no "code" string. Call python again with {"code": "<python script>"}.` };
  return { code: unfenced(code) };
}

/**
 * The script without Markdown around it: small models often pass "```python\n…\n```" as the code
 * argument, which Python would reject on its first line. A fence that opens on the first line and
 * closes on the last is removed (whatever its label: the tool runs Python); else, when a python
 * fence is in the text, the first python block is the script.
 */
function unfenced(code: string): string {
  const lines = code.trim().split('\n');
  const first = lines[0] ?? '';
  const last = lines[lines.length - 1] ?? '';
  const open = lines.length >= 2 ? openingFence(first) : undefined;
  if (open !== undefined && closesFence(last, open, false)) return codeOf(lines.slice(1, -1).join('\n'), open);
  // Prose around a python fence ("Here is the code:\n```python\n…"): no python line opens a
  // fence, so the first python block is the script, unless a triple-quoted string opens before
  // it (a script that writes Markdown holds fences in its strings).
  const block = findCodeBlocks(code)[0];
  return block !== undefined && !/'''|"""/.test(code.slice(0, block.start)) ? block.code : code;
}

/**
 * Where the JSON object or array starting at `start` ends (the index after its closing bracket),
 * or -1 when it is not complete. Brackets inside strings do not count.
 */
function jsonValueEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** Mistral's tool-call token, then `name[ARGS]` or `name[CALL_ID]id[ARGS]` (tokenizers v11+), or a JSON list of calls (v3). */
const MISTRAL_CALL = /\[TOOL_CALLS\]\s*(?:([A-Za-z_][\w.-]*)(?:\[CALL_ID\][^[]*)?\[ARGS\])?/g;

/**
 * The calls a Mistral model wrote as text, each as `{"name", "arguments"}` JSON text:
 * `[TOOL_CALLS] [{"name": …, "arguments": …}, …]` (Mistral 7B v0.3, Mixtral) or
 * `[TOOL_CALLS]python[ARGS]{…}` (Mistral Small 3.1/3.2, Magistral, Devstral; `[CALL_ID]id` may
 * come before `[ARGS]`), which a server without Mistral's tool-call parser passes on as content
 * (LM Studio, lmstudio-ai/lmstudio-bug-tracker#797; vLLM without `--tool-call-parser mistral`).
 * A list or object the text does not complete is given as it is (the model is told it is not JSON).
 */
function mistralCallBodies(text: string): string[] {
  const bodies: string[] = [];
  for (const m of text.matchAll(MISTRAL_CALL)) {
    const from = (m.index ?? 0) + m[0].length;
    const end = jsonValueEnd(text, from);
    const json = end < 0 ? text.slice(from).trim() : text.slice(from, end);
    const name = m[1];
    if (name !== undefined) {
      bodies.push(end < 0 ? json : `{"name": ${JSON.stringify(name)}, "arguments": ${json}}`);
      continue;
    }
    let list: unknown;
    try {
      list = JSON.parse(json);
    } catch {
      list = undefined;
    }
    if (Array.isArray(list)) for (const call of list) bodies.push(JSON.stringify(call));
    else bodies.push(json);
  }
  return bodies;
}

/** `<tool_call>{"name": …, "arguments": …}</tool_call>` as the Hermes/Qwen chat templates write a call. */
const TEXT_TOOL_CALL = /<tool_call>\s*([\s\S]*?)\s*<\/tool_call>/g;

/**
 * Tool calls a model wrote as text: Qwen and Hermes-style models write
 * `<tool_call>{"name": "python", "arguments": {"code": …}}</tool_call>`, which a server without a
 * tool-call parser (vLLM without --enable-auto-tool-choice, a llama.cpp or Ollama chat template
 * that does not parse them) passes on as content. Each becomes a call (`arguments` as JSON text;
 * a body that is not such JSON is kept as the arguments, so the model is told what was wrong).
 */
export function toolCallsInText(text: string): ToolCall[] {
  const calls: ToolCall[] = [];
  for (const body of [...[...text.matchAll(TEXT_TOOL_CALL)].map((m) => m[1] ?? ''), ...mistralCallBodies(text)]) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    const call = typeof parsed === 'object' && parsed !== null ? (parsed as { name?: unknown; arguments?: unknown; parameters?: unknown }) : undefined;
    const args = call?.arguments ?? call?.parameters;
    calls.push({
      id: `call_text_${calls.length}`,
      name: typeof call?.name === 'string' ? call.name : PYTHON_TOOL.name,
      arguments: call === undefined ? body : typeof args === 'string' ? args : JSON.stringify(args ?? {}),
    });
  }
  return calls;
}
