// The `tools` protocol: the Python runner offered as a native function tool (Ollama and
// OpenAI-compatible `tools`), and the reading of the calls the model makes.
import { madeUpCallId } from './backends/callIds';
import type { ToolCall, ToolSpec } from './backends/types';
import { findCodeBlocks } from './codeBlocks';
import { closesFence, codeOf, openingFence, quotedPositions, type CallTags } from './fenceLines';
import { forwardSearch } from '../text/mathScan';
import { jsonTextDepth, jsonTextOf, MAX_JSON_DEPTH, tooDeepWords } from '../text/jsonDepth';

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
 * Where the JSON object that ends `text` (after trailing blanks) starts, found by one backward
 * scan (a `"` is a string's edge unless an odd run of backslashes precedes it); -1 when `text`
 * does not end with a `}` whose object opens in it.
 */
function lastObjectStart(text: string): number {
  let depth = 0;
  let inString = false;
  let i = text.length - 1;
  while (i >= 0 && /\s/.test(text[i] ?? '')) i--;
  if (text[i] !== '}') return -1;
  for (; i >= 0; i--) {
    const c = text[i];
    if (c === '"') {
      let slashes = 0;
      while (text[i - 1 - slashes] === '\\') slashes++;
      if (slashes % 2 === 0) inString = !inString;
    } else if (!inString && (c === '}' || c === ']')) depth++;
    else if (!inString && (c === '{' || c === '[') && --depth === 0) return c === '{' ? i : -1;
  }
  return -1;
}

/**
 * Arguments a server streamed and then sent whole once more: a prefix of the object (possibly all
 * of it), then the whole object. vLLM's xlam tool parser flushes the arguments at the end of the
 * stream after streaming them (vllm-project/vllm#51697: `{"city": …}{"city": …}`, or `{{"city": …}`),
 * so the concatenated text is no JSON. Likewise an empty object placed before them, `{}{"city": …}`
 * (Llama Stack started each call's arguments at "{}" and appended the streamed ones,
 * ogx-ai/ogx#5462). The whole object when `text` is such, else `text` itself.
 * Linear: one backward scan and one comparison.
 */
function withoutResentPrefix(text: string): string {
  const start = lastObjectStart(text);
  if (start <= 0) return text;
  const whole = text.slice(start).trim();
  const before = text.slice(0, start).trim();
  if (before === '' || !(whole.startsWith(before) || /^\{\s*\}$/.test(before))) return text;
  try {
    const value: unknown = JSON.parse(whole);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? whole : text;
  } catch {
    return text;
  }
}

/**
 * A native call as the model meant it: gpt-oss's harmony tokens that a server let into the
 * function's name (`query_dataset<|channel|>commentary`, vLLM streaming, vllm-project/vllm#32587;
 * `create_event<|channel|>analysis`, Ollama, ollama/ollama#12132) are cut off with what follows
 * them, and harmony's namespace for functions (the recipient `functions.python`, which
 * mlx-openai-server passed on as the name before cubist38/mlx-openai-server#51) is dropped, so
 * the call reaches the tool it names and goes back under that name. Other calls are returned as they are.
 */
export function withoutLeakedTokens(call: ToolCall): ToolCall {
  const at = call.name.search(SPECIAL_TOKEN_START);
  const name = (at > 0 ? call.name.slice(0, at).trimEnd() : call.name).replace(/^functions\.(?=.)/, '');
  return name !== '' && name !== call.name ? { ...call, name } : call;
}

/**
 * The code of a tool call, or a message the model can read when the call is unusable: arguments
 * that are not a JSON object, nested deeper than MAX_JSON_DEPTH (named with their depth: nothing
 * recursive walks them), a missing `code` string, or another tool's name. Some models send
 * the script itself instead of `{"code": …}`; a string argument is accepted as the script, and so
 * is an object's one string property under another name (`scriptArgument`).
 * Arguments a server streamed and then resent whole are read once (`withoutResentPrefix`).
 */
export function readPythonCall(call: ToolCall): { code: string } | { error: string } {
  if (call.name !== PYTHON_TOOL.name) return { error: `There is no tool named "${call.name}". The only tool is "python", called with {"code": "<python script>"}.` };
  const depth = jsonTextDepth(call.arguments);
  if (depth > MAX_JSON_DEPTH) return { error: `The arguments of your python call are ${tooDeepWords(depth)}: ${call.arguments.slice(0, 80)}…. Call python again with {"code": "<python script>"}.` };
  let args: unknown;
  try {
    args = JSON.parse(call.arguments);
  } catch (error) {
    const resent = withoutResentPrefix(call.arguments);
    if (resent !== call.arguments) return readPythonCall({ ...call, arguments: resent });
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
  const code = typeof args === 'object' && args !== null && !Array.isArray(args) ? scriptArgument(args as Record<string, unknown>) : undefined;
  if (typeof code !== 'string' || code.trim().length === 0) return { error: `Your python call has no "code" string. Call python again with {"code": "<python script>"}.` };
  return { code: unfenced(code) };
}

/**
 * The script in a call's arguments object: its `code`; else, when the object holds one property
 * and that is a string, that string. Models trained on other interpreters' schemas name it
 * otherwise (`{"script": …}`, `{"source": …}`, `{"python_code": …}`), and a lone string leaves no
 * doubt which argument is the script. Undefined when there is none.
 */
function scriptArgument(args: Record<string, unknown>): unknown {
  if ('code' in args) return args['code'];
  const values = Object.values(args);
  return values.length === 1 && typeof values[0] === 'string' ? values[0] : undefined;
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
 * A token at a `quoted` position (Markdown code) starts no call.
 */
function mistralCallBodies(text: string, quoted: (at: number) => boolean): string[] {
  const bodies: string[] = [];
  for (const m of text.matchAll(MISTRAL_CALL)) {
    if (quoted(m.index)) continue;
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
    if (Array.isArray(list)) for (const call of list) bodies.push(jsonTextOf(call));
    else bodies.push(json);
  }
  return bodies;
}

/**
 * Special tokens around a call written as text: Llama's `<|python_tag|>` (Llama 3.1),
 * `<|python_start|>`…`<|python_end|>` (Llama 4) and turn ends; Liquid LFM2's
 * `<|tool_call_start|>`…`<|tool_call_end|>` around its pythonic list (LFM2 model card, "Tool use").
 */
const LLAMA_CALL_TOKENS = /<\|python_tag\|>|<\|python_start\|>|<\|python_end\|>|<\|eom_id\|>|<\|eot_id\|>|<\|eom\|>|<\|eot\|>|<\|tool_call_start\|>|<\|tool_call_end\|>/g;

/**
 * The calls of a reply that is nothing but calls in Llama's JSON form, each as `{"name",
 * "arguments"}` JSON text; undefined for any other reply (prose quoting such an object is no
 * call). Llama 3.1/3.2 and Llama 4's chat templates ask for `{"name": function name,
 * "parameters": dictionary of argument name and its value}`, after `<|python_tag|>` or between
 * `<|python_start|>` and `<|python_end|>`, several separated by `;` (vLLM's llama3_json parser);
 * `arguments` for `parameters` and a `"type": "function"` beside them are accepted. A server
 * without that parser, or whose parser missed the call, passes it on as content
 * (vllm-project/vllm#16214 and #46863; raullenchai/Rapid-MLX#700; jundot/omlx#1153).
 */
function llamaJsonCallBodies(text: string): string[] | undefined {
  const rest = text.replace(LLAMA_CALL_TOKENS, ' ');
  const bodies: string[] = [];
  let at = 0;
  for (;;) {
    while (at < rest.length && /[\s;]/.test(rest[at] ?? '')) at++;
    if (at >= rest.length) return bodies.length > 0 ? bodies : undefined;
    if (rest[at] !== '{') return undefined;
    const end = jsonValueEnd(rest, at);
    if (end < 0) return undefined;
    let call: unknown;
    try {
      call = JSON.parse(rest.slice(at, end));
    } catch {
      return undefined;
    }
    const { name, parameters, arguments: args } = (typeof call === 'object' && call !== null ? call : {}) as { name?: unknown; parameters?: unknown; arguments?: unknown };
    const given = parameters ?? args;
    if (typeof name !== 'string' || name === '' || typeof given !== 'object' || given === null || Array.isArray(given)) return undefined;
    bodies.push(jsonTextOf({ name, arguments: given }));
    at = end;
  }
}

/**
 * A JSON list of calls and the tags that may stand around it: bare (xLAM, vLLM's xlam parser),
 * after Granite's `<|tool_call|>` or a `<tool_call>` left unclosed (vLLM's granite parser), in a
 * closed `<tool_call>`, in NVIDIA Nemotron's `<TOOLCALL>…</TOOLCALL>` (vLLM's llama_nemotron_json
 * parser) or after Phi-4-mini's `functools` (phi4_mini_json).
 */
const LIST_CALL_FORMS: ReadonlyArray<readonly [open: string, close: string]> = [
  ['', ''],
  ['<|tool_call|>', ''],
  ['<tool_call>', ''],
  ['<tool_call>', '</tool_call>'],
  ['<TOOLCALL>', '</TOOLCALL>'],
  ['functools', ''],
];

/**
 * The calls of a reply that is nothing but a JSON list of calls in one of LIST_CALL_FORMS, each
 * `{"name", "arguments"}` (or `parameters`, an object or its JSON text) as `{"name", "arguments"}`
 * JSON text (bare, with no tag around `text` and `insideCallTag` false, only when every item names
 * the `python` tool); undefined for any other reply (prose around the list, an element that is no call, an
 * empty or unfinished list). A server without the model's tool-call parser passes these on as content.
 */
function jsonListCallBodies(text: string, insideCallTag = false): string[] | undefined {
  const trimmed = text.trim();
  for (const [open, close] of LIST_CALL_FORMS) {
    if (!trimmed.startsWith(open) || !trimmed.endsWith(close) || trimmed.length < open.length + close.length) continue;
    const inner = trimmed.slice(open.length, trimmed.length - close.length).trim();
    if (!inner.startsWith('[') || jsonValueEnd(inner, 0) !== inner.length) continue;
    let list: unknown;
    try {
      list = JSON.parse(inner);
    } catch {
      continue;
    }
    if (!Array.isArray(list) || list.length === 0) continue;
    const bodies: string[] = [];
    for (const item of list) {
      const { name, parameters, arguments: args } = (typeof item === 'object' && item !== null ? item : {}) as { name?: unknown; parameters?: unknown; arguments?: unknown };
      const given = args ?? parameters;
      if (typeof name !== 'string' || name === '' || given === null || (typeof given !== 'object' && typeof given !== 'string') || Array.isArray(given)) return undefined;
      // Bare, nothing says it is a call: a list the user asked for (function schemas, people with
      // "arguments") is an answer unless each item names the run's tool.
      if (open === '' && !insideCallTag && name !== PYTHON_TOOL.name) return undefined;
      bodies.push(jsonTextOf({ name, arguments: given }));
    }
    return bodies;
  }
  return undefined;
}

/** What ends the code after `<|python_tag|>`: the end-of-message or end-of-turn token. */
const LLAMA_CODE_END = /<\|eom_id\|>|<\|eot_id\|>|<\|eom\|>|<\|eot\|>/;

/**
 * The call of a reply in which Llama 3.1 runs code in its built-in code interpreter: `<|python_tag|>`,
 * then the Python source itself (not JSON), then `<|eom_id|>` (Meta's Llama 3.1 prompt format,
 * "Environment: ipython", which llama.cpp's template writes for a tool named `python`). A server
 * that keeps the special tokens but does not parse the call (llama-server `--special`; vLLM's
 * llama3_json parser, which reads JSON only) passes it on as content. The calls after the tag in
 * Llama's JSON or pythonic form are those calls; otherwise the text up to the end token is the
 * `code` of one `python` call. Undefined without the tag, or with nothing after it.
 */
function pythonTagCallBodies(text: string): string[] | undefined {
  const at = text.indexOf('<|python_tag|>');
  if (at < 0) return undefined;
  const after = text.slice(at + '<|python_tag|>'.length);
  const end = LLAMA_CODE_END.exec(after);
  const code = (end === null ? after : after.slice(0, end.index)).trim();
  if (code === '') return undefined;
  return llamaJsonCallBodies(code) ?? pythonicCallBodies(code) ?? [JSON.stringify({ name: PYTHON_TOOL.name, arguments: { code } })];
}

/** Where a call starts in DeepSeek's (V3, R1, V3.1; either bar, ASCII or full-width) and Kimi K2's special tokens. */
const TOKEN_CALL_BEGIN = /<[|｜]tool▁call▁begin[|｜]>|<\|tool_call_begin\|>/g;
/** What ends such a call, or the section of calls. */
const TOKEN_CALL_END = /<[|｜]tool▁calls?▁end[|｜]>|<\|tool_call_end\|>|<\|tool_calls_section_end\|>/;
/** DeepSeek's separator between `function` (or the name) and the rest. */
const DEEPSEEK_SEP = /<[|｜]tool▁sep[|｜]>/;

/**
 * The calls written in DeepSeek's or Kimi K2's special tokens, left in the content by a server
 * without that model's tool-call parser (sgl-project/sglang#4379; vllm-project/vllm#31207,
 * NousResearch/hermes-agent#24534), each as `{"name", "arguments"}` JSON text: DeepSeek V3/R1
 * `<｜tool▁call▁begin｜>function<｜tool▁sep｜>NAME\n\`\`\`json\n{…}\n\`\`\`<｜tool▁call▁end｜>`, V3.1
 * `<｜tool▁call▁begin｜>NAME<｜tool▁sep｜>{…}<｜tool▁call▁end｜>`, Kimi K2
 * `<|tool_call_begin|>functions.NAME:0<|tool_call_argument_begin|>{…}<|tool_call_end|>`. Arguments
 * that are not JSON are kept as text (the model is told); a begin token without DeepSeek's separator or
 * Kimi's argument token is no call. Each call is read up to the next one's
 * start, so the cost is linear in the text. Undefined when there is no such call.
 */
function specialTokenCallBodies(text: string): string[] | undefined {
  const starts = [...text.matchAll(TOKEN_CALL_BEGIN)].map((m) => [m.index, m.index + m[0].length] as const);
  if (starts.length === 0) return undefined;
  const bodies = starts.flatMap(([, from], k) => {
    let segment = text.slice(from, starts[k + 1]?.[0] ?? text.length);
    const end = TOKEN_CALL_END.exec(segment);
    if (end !== null) segment = segment.slice(0, end.index);
    let name: string;
    let args: string;
    const kimi = segment.indexOf('<|tool_call_argument_begin|>');
    const sep = DEEPSEEK_SEP.exec(segment);
    if (kimi >= 0) {
      name = segment
        .slice(0, kimi)
        .trim()
        .replace(/^functions\./, '')
        .replace(/:\d+$/, '');
      args = segment.slice(kimi + '<|tool_call_argument_begin|>'.length);
    } else if (sep !== null) {
      const before = segment.slice(0, sep.index).trim();
      const after = segment.slice(sep.index + sep[0].length);
      const line = after.indexOf('\n');
      [name, args] = before === 'function' || before === '' ? [(line < 0 ? after : after.slice(0, line)).trim(), line < 0 ? '' : after.slice(line + 1)] : [before, after];
    } else {
      // No separator: no call (a reply that names the token in prose, "DeepSeek writes <｜tool▁call▁begin｜> first").
      return [];
    }
    // DeepSeek V3/R1 fence the JSON (```json … ```).
    const trimmed = args.trim();
    const json =
      trimmed.length >= 6 && trimmed.startsWith('```') && trimmed.endsWith('```')
        ? trimmed
            .slice(3, -3)
            .replace(/^json\b/, '')
            .trim()
        : trimmed;
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      parsed = json;
    }
    return [jsonTextOf({ name, arguments: parsed })];
  });
  return bodies.length > 0 ? bodies : undefined;
}

/** Where a special token of the forms above starts: `<|` (Llama, gpt-oss's harmony, Kimi K2) or DeepSeek's `<｜`. */
const SPECIAL_TOKEN_START = /<[|｜]/g;

/**
 * `text` with the special tokens that Markdown quotes (`quotedPositions`) defused: their `<` made
 * `‹`. Same length as `text`, linear in it.
 */
function defuseQuotedTokens(text: string, quoted: (at: number) => boolean): string {
  return text.replace(SPECIAL_TOKEN_START, (token: string, at: number) => (quoted(at) ? `‹${token.slice(1)}` : token));
}

/** Harmony's special tokens: a message's header runs up to `<|message|>`, its body up to `<|end|>`, `<|call|>`, `<|return|>` or the next `<|start|>`. */
const HARMONY_TOKEN = /<\|(start|channel|constrain|message|end|call|return)\|>/g;

/**
 * The calls gpt-oss wrote in its harmony format, left in the content by a server that does not
 * parse it (mlx-omni-server, madroidmaq/mlx-omni-server#79; llama.cpp without its gpt-oss
 * format): a message whose header names a recipient, `<|channel|>commentary
 * to=functions.python <|constrain|>json<|message|>{"code": …}<|call|>` (the recipient may stand
 * after the role instead: `<|start|>assistant to=functions.python<|channel|>commentary json<|message|>…`).
 * The body is the JSON arguments; a body that is not JSON, sent to `python` (gpt-oss's built-in
 * python tool takes the code itself), is the code. One pass over the tokens, so linear in the text.
 * Undefined when no message names a recipient.
 */
function harmonyCallBodies(text: string): string[] | undefined {
  const bodies: string[] = [];
  let header = '';
  let last = 0;
  let bodyFrom = -1;
  const finish = (end: number): void => {
    const recipient = /(?:^|\s)to=([^\s<]+)/.exec(header)?.[1];
    if (recipient !== undefined && bodyFrom >= 0) {
      const name = recipient.replace(/^functions\./, '');
      const body = text.slice(bodyFrom, end).trim();
      let args: unknown;
      try {
        args = JSON.parse(body);
      } catch {
        args = undefined;
      }
      const object = typeof args === 'object' && args !== null && !Array.isArray(args);
      bodies.push(object ? jsonTextOf({ name, arguments: args }) : name === PYTHON_TOOL.name ? JSON.stringify({ name, arguments: { code: body } }) : body);
    }
    header = '';
    bodyFrom = -1;
  };
  for (const m of text.matchAll(HARMONY_TOKEN)) {
    const at = m.index;
    if (bodyFrom >= 0) {
      if (m[1] === 'end' || m[1] === 'call' || m[1] === 'return' || m[1] === 'start') {
        finish(at);
        last = at + m[0].length;
      }
      continue;
    }
    header += ` ${text.slice(last, at)}`;
    last = at + m[0].length;
    if (m[1] === 'message') bodyFrom = last;
  }
  if (bodyFrom >= 0) finish(text.length);
  return bodies.length > 0 ? bodies : undefined;
}

/** A read position in `text` (UTF-16 index `at`) with the two moves both argument readers share. */
class TextCursor {
  constructor(
    protected readonly text: string,
    public at = 0,
  ) {}

  /** Moves past white space. */
  blank(): void {
    while (/\s/.test(this.text[this.at] ?? '')) this.at++;
  }

  /** Takes `token` (after blanks) when it comes next. */
  take(token: string): boolean {
    this.blank();
    if (!this.text.startsWith(token, this.at)) return false;
    this.at += token.length;
    return true;
  }
}

/**
 * Reads Python literals (strings in any quoting, numbers, True/False/None, lists, tuples and
 * dicts of them) from `text` at `at`, as JSON values; undefined where the text is not one.
 */
class PythonLiterals extends TextCursor {
  /** Lists, tuples and dicts open at `at`: beyond MAX_JSON_DEPTH the text is not read as literals (the reader recurses). */
  private depth = 0;
  /** Whether a value was not read because it nests deeper than MAX_JSON_DEPTH. */
  tooDeep = false;

  name(): string | undefined {
    this.blank();
    const m = /^[A-Za-z_][\w.]*/.exec(this.text.slice(this.at, this.at + 200));
    if (!m) return undefined;
    this.at += m[0].length;
    return m[0];
  }

  value(): unknown {
    this.blank();
    const c = this.text[this.at];
    if (c === '[' || c === '(') return this.sequence(c === '[' ? ']' : ')');
    if (c === '{') return this.dict();
    const word = /^(True|False|None)\b/.exec(this.text.slice(this.at, this.at + 5));
    if (word) {
      this.at += word[0].length;
      return word[0] === 'True' ? true : word[0] === 'False' ? false : null;
    }
    const number = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(this.text.slice(this.at, this.at + 64));
    if (number) {
      this.at += number[0].length;
      return Number(number[0]);
    }
    return this.string();
  }

  private sequence(close: string): unknown {
    if (this.depth >= MAX_JSON_DEPTH) return void (this.tooDeep = true);
    this.depth++;
    try {
      return this.items(close);
    } finally {
      this.depth--;
    }
  }

  private items(close: string): unknown {
    this.at++;
    const items: unknown[] = [];
    while (!this.take(close)) {
      if (items.length > 0 && !this.take(',')) return undefined;
      if (this.take(close)) break;
      const item = this.value();
      if (item === undefined) return undefined;
      items.push(item);
    }
    return items;
  }

  private dict(): unknown {
    if (this.depth >= MAX_JSON_DEPTH) return void (this.tooDeep = true);
    this.depth++;
    try {
      return this.entries();
    } finally {
      this.depth--;
    }
  }

  private entries(): unknown {
    this.at++;
    const out: Record<string, unknown> = {};
    let first = true;
    while (!this.take('}')) {
      if (!first && !this.take(',')) return undefined;
      first = false;
      if (this.take('}')) break;
      const key = this.value();
      if ((typeof key !== 'string' && typeof key !== 'number') || !this.take(':')) return undefined;
      const item = this.value();
      if (item === undefined) return undefined;
      out[String(key)] = item;
    }
    return out;
  }

  /** A string literal: prefixes r/b/u/f (any case), one or three quotes, Python's escapes unless raw. */
  private string(): string | undefined {
    const prefix = /^[rRbBuUfF]{0,2}(?=['"])/.exec(this.text.slice(this.at, this.at + 3));
    if (!prefix) return undefined;
    const raw = /r/i.test(prefix[0]);
    this.at += prefix[0].length;
    const quote = this.text.startsWith(this.text[this.at]?.repeat(3) ?? '', this.at) ? (this.text[this.at] ?? '').repeat(3) : (this.text[this.at] ?? '');
    this.at += quote.length;
    let out = '';
    for (;;) {
      if (this.at >= this.text.length) return undefined;
      if (this.text.startsWith(quote, this.at)) {
        this.at += quote.length;
        return out;
      }
      const c = this.text[this.at] ?? '';
      if (c === '\n' && quote.length === 1) return undefined;
      if (c !== '\\') {
        out += c;
        this.at++;
        continue;
      }
      const next = this.text[this.at + 1] ?? '';
      if (raw) {
        out += c + next;
        this.at += 2;
        continue;
      }
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };
      const hex = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
      if (hex > 0 && /^[0-9a-fA-F]+$/.test(this.text.slice(this.at + 2, this.at + 2 + hex)) && this.text.length >= this.at + 2 + hex) {
        out += String.fromCodePoint(parseInt(this.text.slice(this.at + 2, this.at + 2 + hex), 16));
        this.at += 2 + hex;
      } else {
        out += simple[next] ?? c + next;
        this.at += 2;
      }
    }
  }
}

/**
 * The calls of a reply that is nothing but a Python list of calls, `[python(code="…"), …]`, each as
 * `{"name", "arguments"}` JSON text (keyword arguments only); undefined for any other reply. Llama
 * 3.2 and Llama 4's pythonic templates ask for this form (vLLM's `pythonic` and `llama4_pythonic`
 * tool parsers read it); a server without that parser passes it on as content. A call whose
 * arguments nest deeper than MAX_JSON_DEPTH ends the list: its arguments are given as their text
 * in braces (`{code=[[…]]}`, not read), so the model is told how deep they are (`readPythonCall`).
 */
function pythonicCallBodies(text: string): string[] | undefined {
  const source = text.replace(LLAMA_CALL_TOKENS, ' ').trim();
  if (!source.startsWith('[') || !source.endsWith(']')) return undefined;
  const read = new PythonLiterals(source, 1);
  const bodies: string[] = [];
  while (!read.take(']')) {
    if (bodies.length > 0 && !read.take(',')) return undefined;
    if (read.take(']')) break;
    const name = read.name();
    if (name === undefined || !read.take('(')) return undefined;
    const argsFrom = read.at;
    const args: Record<string, unknown> = {};
    while (!read.take(')')) {
      if (Object.keys(args).length > 0 && !read.take(',')) return undefined;
      if (read.take(')')) break;
      const key = read.name();
      if (key === undefined || !read.take('=')) return undefined;
      const value = read.value();
      if (value === undefined && read.tooDeep) {
        const close = source.lastIndexOf(')');
        return [...bodies, JSON.stringify({ name, arguments: `{${source.slice(argsFrom, close > argsFrom ? close : source.length - 1).trim()}}` })];
      }
      if (value === undefined) return undefined;
      args[key] = value;
    }
    bodies.push(JSON.stringify({ name, arguments: args }));
  }
  read.blank();
  return read.at === source.length && bodies.length > 0 ? bodies : undefined;
}

/**
 * The bodies of `<tool_call>{"name": …, "arguments": …}</tool_call>` blocks (as the Hermes/Qwen
 * chat templates write a call) in `text`, in order, each without whitespace at either end; a
 * `<tool_call>` without a closing tag after it, or at a `quoted` position (Markdown code), is not a
 * call. Found by `indexOf`, so the cost is linear in the length of the model's text (the regex
 * `<tool_call>\s*([\s\S]*?)\s*<\/tool_call>` took cubic time on a `<tool_call>` followed by a long
 * run of whitespace).
 */
function toolCallTagBodies(text: string, quoted: (at: number) => boolean): string[] {
  const open = '<tool_call>';
  const close = '</tool_call>';
  const bodies: string[] = [];
  for (let at = text.indexOf(open); at >= 0; at = text.indexOf(open, at)) {
    if (quoted(at)) {
      at += open.length;
      continue;
    }
    const end = text.indexOf(close, at + open.length);
    if (end < 0) break;
    bodies.push(text.slice(at + open.length, end).trim());
    at = end + close.length;
  }
  return bodies;
}

/** The tags around a text call whose body holds the code as it is (Qwen3-Coder's XML form, Gemma 4's native form): its lines are not Markdown. */
const TEXT_CALL_TAGS: readonly CallTags[] = [
  ['<tool_call>', '</tool_call>'],
  ['<function=', '</function>'],
  ['<|tool_call>', '<tool_call|>'],
];

/** Gemma 4's tokens around a call, and its delimiter of string values (ai.google.dev/gemma/docs/core/prompt-formatting-gemma4, "Function Calling"). */
const GEMMA_CALL_OPEN = '<|tool_call>';
const GEMMA_CALL_CLOSE = '<tool_call|>';
const GEMMA_QUOTE = '<|"|>';

/**
 * Reads the arguments of a Gemma 4 call, `{key:value,…}`, as a JSON value: keys bare up to the `:`
 * (or quoted), strings between `<|"|>` delimiters (as they are: no escapes) or in JSON's quotes,
 * numbers, `true`/`false`/`null` as written, objects and lists of them; a bare word is its text.
 * Undefined where the text is not such (cut, or nested deeper than MAX_JSON_DEPTH). Each
 * character is read once, strings found by `indexOf`, so linear in the text.
 */
class GemmaArguments extends TextCursor {
  private depth = 0;

  value(): unknown {
    this.blank();
    const c = this.text[this.at];
    if (this.text.startsWith(GEMMA_QUOTE, this.at) || c === '"' || c === "'") return this.string();
    if (c === '{' || c === '(' || c === '[') {
      if (this.depth >= MAX_JSON_DEPTH) return undefined;
      this.depth++;
      try {
        return c === '[' ? this.list() : this.object(c === '{' ? '}' : ')');
      } finally {
        this.depth--;
      }
    }
    const word = /^[^,})\]]*/.exec(this.text.slice(this.at, this.at + 256))?.[0] ?? '';
    const scalar = word.trim();
    if (scalar === '' || this.at + word.length >= this.text.length) return undefined;
    this.at += word.length;
    if (scalar === 'true' || scalar === 'false' || scalar === 'null') return JSON.parse(scalar) as unknown;
    return /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(scalar) ? Number(scalar) : scalar;
  }

  /** A string: between `<|"|>` delimiters, a JSON string, or in single quotes (their escapes as JSON's). */
  private string(): string | undefined {
    if (this.text.startsWith(GEMMA_QUOTE, this.at)) {
      const end = this.text.indexOf(GEMMA_QUOTE, this.at + GEMMA_QUOTE.length);
      if (end < 0) return undefined;
      const value = this.text.slice(this.at + GEMMA_QUOTE.length, end);
      this.at = end + GEMMA_QUOTE.length;
      return value;
    }
    const quote = this.text[this.at];
    for (let i = this.at + 1; i < this.text.length; i++) {
      if (this.text[i] === '\\') i++;
      else if (this.text[i] === quote) {
        const inner = this.text.slice(this.at + 1, i);
        try {
          const value: unknown = JSON.parse(`"${quote === "'" ? inner.replace(/\\'/g, "'").replace(/"/g, '\\"') : inner}"`);
          this.at = i + 1;
          return typeof value === 'string' ? value : undefined;
        } catch {
          return undefined;
        }
      }
    }
    return undefined;
  }

  /** `{key:value,…}`, or the same in parentheses (`close` ')'), as Gemma 4 also writes a call's arguments. */
  private object(close: '}' | ')'): Record<string, unknown> | undefined {
    this.at++;
    const out: Record<string, unknown> = {};
    for (let first = true; !this.take(close); first = false) {
      if (!first && !this.take(',')) return undefined;
      this.blank();
      let key: string | undefined;
      if (this.text.startsWith(GEMMA_QUOTE, this.at) || this.text[this.at] === '"' || this.text[this.at] === "'") key = this.string();
      else {
        // A bare key runs to the `:` (llama.cpp's gemma4 grammar: `[^:}]+`).
        const bare = /^[^:})]+/.exec(this.text.slice(this.at, this.at + 256))?.[0];
        if (bare !== undefined) this.at += bare.length;
        key = bare?.trim();
      }
      if (key === undefined || key === '' || !this.take(':')) return undefined;
      const value = this.value();
      if (value === undefined) return undefined;
      out[key] = value;
    }
    return out;
  }

  private list(): unknown[] | undefined {
    this.at++;
    const items: unknown[] = [];
    for (let first = true; !this.take(']'); first = false) {
      if (!first && !this.take(',')) return undefined;
      const item = this.value();
      if (item === undefined) return undefined;
      items.push(item);
    }
    return items;
  }
}

/**
 * The calls Gemma 4 wrote in its native form, `<|tool_call>call:NAME{key:value,…}<tool_call|>`
 * (its prompt format, ai.google.dev/gemma/docs/core/prompt-formatting-gemma4: string values
 * between `<|"|>` delimiters), which a server without Gemma 4's tool-call parser passes on as
 * content (llama-cpp-python, abetlen/llama-cpp-python#2227; oMLX before jundot/omlx#550), each as
 * `{"name", "arguments"}` JSON text; several calls may follow one another in a block, and the
 * arguments may come in parentheses, `call:NAME(key: "value")`, as Gemma 4 also writes them
 * (NousResearch/hermes-agent#7457). A block whose
 * call does not read (cut by the token limit, or malformed) is given as its text, so the model is
 * told what was wrong. A `<|tool_call>` at a `quoted` position (Markdown code) starts no call.
 */
function gemmaCallBodies(text: string, quoted: (at: number) => boolean): string[] {
  const bodies: string[] = [];
  for (let at = text.indexOf(GEMMA_CALL_OPEN); at >= 0; at = text.indexOf(GEMMA_CALL_OPEN, at)) {
    if (quoted(at)) {
      at += GEMMA_CALL_OPEN.length;
      continue;
    }
    const from = at + GEMMA_CALL_OPEN.length;
    const close = text.indexOf(GEMMA_CALL_CLOSE, from);
    const end = close < 0 ? text.length : close;
    // The block alone (slicing up to it for each block would make many blocks quadratic).
    const block = text.slice(from, end);
    const read = new GemmaArguments(block);
    const calls: string[] = [];
    while (read.take('call:')) {
      const name = /^[A-Za-z_][\w.-]*/.exec(block.slice(read.at, read.at + 200))?.[0];
      if (name === undefined) break;
      read.at += name.length;
      read.blank();
      const args = block[read.at] === '{' || block[read.at] === '(' ? read.value() : undefined;
      if (args === undefined) {
        calls.length = 0;
        break;
      }
      calls.push(jsonTextOf({ name, arguments: args }));
    }
    read.blank();
    bodies.push(...(calls.length > 0 && read.at >= block.length ? calls : [block.trim()]));
    at = close < 0 ? text.length : close + GEMMA_CALL_CLOSE.length;
  }
  return bodies;
}

/**
 * Whether `text` ends inside a `<tool_call>` it opened: its last opening tag that Markdown does not
 * quote (`quotedPositions`) has no closing tag after it (a reply the token limit cut inside its call).
 */
export function toolCallLeftOpen(text: string): boolean {
  const quoted = quotedPositions(text, TEXT_CALL_TAGS);
  let at = text.lastIndexOf('<tool_call>');
  while (at >= 0 && quoted(at)) at = at === 0 ? -1 : text.lastIndexOf('<tool_call>', at - 1);
  return at >= 0 && !text.includes('</tool_call>', at);
}

/** GLM-4.5+'s call: the name, then `<arg_key>KEY</arg_key><arg_value>VALUE</arg_value>` for each argument. */
const GLM_CALL = /^\s*([A-Za-z_][\w.-]*)\s*(?=<arg_key>)/;

/** What a closing tag does: `consumed` false is a lookahead (the next block's opening tag). */
interface Closer {
  readonly tag: string;
  readonly consumed: boolean;
}

/**
 * `[name, body]` of each block `OPEN NAME>BODY` in `text`, in order: NAME runs to the first `>` (no
 * line end, not empty), BODY to the first closer or the end. What `/<OPEN([^>\n]+)>([\s\S]*?)(?:CLOSE|$)/g`
 * matches (Qwen3-Coder's `<function=`, `<parameter=`), in linear time: that regex scanned to the
 * end of the line from every opener without a `>` (a reply of repeated `<function=` took seconds).
 * An opener at a `skip` position opens no block.
 */
function tagBlocks(text: string, open: string, closers: readonly Closer[], skip: (at: number) => boolean = () => false): Array<[string, string]> {
  const search = forwardSearch();
  const blocks: Array<[string, string]> = [];
  const nameStop = (from: number): number => {
    for (let i = from; i < text.length; i++) if (text[i] === '>' || text[i] === '\n') return i;
    return -1;
  };
  for (let at = text.indexOf(open); at >= 0;) {
    const nameFrom = at + open.length;
    const stop = search('>', text, nameFrom, nameStop);
    if (skip(at) || stop <= nameFrom || text[stop] !== '>') {
      at = text.indexOf(open, at + 1);
      continue;
    }
    let end = text.length;
    let next = text.length;
    for (const { tag, consumed } of closers) {
      const i = search(tag, text, stop + 1, (from) => text.indexOf(tag, from));
      if (i >= 0 && i < end) [end, next] = [i, consumed ? i + tag.length : i];
    }
    blocks.push([text.slice(nameFrom, stop), text.slice(stop + 1, end)]);
    at = text.indexOf(open, next);
  }
  return blocks;
}

/**
 * `[key, value]` of each GLM argument in `text`, in order: what
 * `/<arg_key>([\s\S]*?)<\/arg_key>\s*<arg_value>([\s\S]*?)(?:<\/arg_value>|$)/g` matches, in linear time
 * (that regex scanned to the end from every `<arg_key>` without a closing tag and value after it).
 */
function glmArguments(text: string): Array<[string, string]> {
  const [key, keyEnd, value, valueEnd] = ['<arg_key>', '</arg_key>', '<arg_value>', '</arg_value>'];
  const search = forwardSearch();
  const blanksFrom = (i: number): number => {
    let j = i;
    while (j < text.length && (text[j] ?? '').trim() === '') j++;
    return j;
  };
  // The first `</arg_key>` at or after `from` that blanks and `<arg_value>` follow, or −1.
  const keyClose = (from: number): number => {
    for (let i = text.indexOf(keyEnd, from); i >= 0; i = text.indexOf(keyEnd, i + 1)) if (text.startsWith(value, blanksFrom(i + keyEnd.length))) return i;
    return -1;
  };
  const args: Array<[string, string]> = [];
  for (let at = text.indexOf(key); at >= 0;) {
    const close = search(keyEnd, text, at + key.length, keyClose);
    if (close < 0) break;
    const valueFrom = blanksFrom(close + keyEnd.length) + value.length;
    const end = search(valueEnd, text, valueFrom, (from) => text.indexOf(valueEnd, from));
    args.push([text.slice(at + key.length, close), text.slice(valueFrom, end < 0 ? text.length : end)]);
    at = end < 0 ? -1 : text.indexOf(key, end + valueEnd.length);
  }
  return args;
}

/** A value as the XML forms write it: one line end after the opening tag and one before the closing tag are layout (vLLM's qwen3_coder parser drops them). */
const xmlValue = (value: string): string => value.replace(/^\r?\n/, '').replace(/\r?\n$/, '');

/**
 * Calls written in the XML forms of newer chat templates, each as `{"name", "arguments"}` JSON
 * text with string arguments: Qwen3-Coder and Qwen3.5/3.6 write `<function=python><parameter=code>
 * …</parameter></function>` inside `<tool_call>` (panbanda/higgs#177; a server whose parser expects
 * JSON leaves it in the content, sgl-project/sglang#26790), GLM-4.5+ `python<arg_key>code</arg_key>
 * <arg_value>…</arg_value>` (agno-agi/agno#5106). `text` is one `<tool_call>` body, or a reply
 * whose `<function=…>` blocks came without that wrapper. Empty when it holds neither form.
 */
export function xmlCallBodies(text: string): string[] {
  return xmlCallBodiesOutside(text, () => false);
}

/** `xmlCallBodies`, where a `<function=` at a `quoted` position (Markdown code in a reply) opens no call. */
function xmlCallBodiesOutside(text: string, quoted: (at: number) => boolean): string[] {
  const bodies = tagBlocks(text, '<function=', [{ tag: '</function>', consumed: true }], quoted).map(([name, body]) => {
    const parameters = tagBlocks(body, '<parameter=', [
      { tag: '</parameter>', consumed: true },
      { tag: '<parameter=', consumed: false },
    ]);
    const args = Object.fromEntries(parameters.map(([key, value]) => [key.trim(), xmlValue(value)]));
    return JSON.stringify({ name: name.trim(), arguments: args });
  });
  if (bodies.length > 0) return bodies;
  const glm = GLM_CALL.exec(text);
  if (glm === null) return [];
  const args = Object.fromEntries(glmArguments(text).map(([key, value]) => [key.trim(), xmlValue(value)]));
  return [JSON.stringify({ name: glm[1], arguments: args })];
}

/** A `<tool_call>` body in JSON, or failing that in an XML form (`xmlCallBodies`); a body in neither stays as it is. */
function taggedCallBodies(body: string): string[] {
  try {
    // A JSON list of calls in one tag (Granite's form) is each of them.
    return Array.isArray(JSON.parse(body)) ? (jsonListCallBodies(body, true) ?? [body]) : [body];
  } catch {
    const xml = xmlCallBodies(body);
    return xml.length > 0 ? xml : [body];
  }
}

/** What ends a call written as text in the forms `toolCallsInText` reads (its closing tag or token, or the end of its JSON or list). */
const CALL_CLOSERS = [
  '</tool_call>',
  '<tool_call|>',
  '</TOOLCALL>',
  '</function>',
  '</arg_value>',
  '<|eom_id|>',
  '<|eot_id|>',
  '<|eom|>',
  '<|eot|>',
  '<|python_end|>',
  '<|call|>',
  '<|end|>',
  '<|return|>',
  '<|tool_call_end|>',
  '<|tool_calls_section_end|>',
  '<｜tool▁call▁end｜>',
  '<｜tool▁calls▁end｜>',
  '}',
  ']',
];

/**
 * Whether `text`, whose calls `toolCallsInText` read, ends where a call is complete: with a
 * call's closing tag or token, or the end of its JSON or list. A reply the server cut (token
 * limit) that does not is cut inside its last call: code written as the call itself (Llama's
 * `<|python_tag|>` code, gpt-oss's built-in python) would otherwise run cut.
 */
export function textCallClosed(text: string): boolean {
  const end = text.trimEnd();
  if (!CALL_CLOSERS.some((closer) => end.endsWith(closer))) return false;
  if (!end.endsWith('}') && !end.endsWith(']')) return true;
  // After `<|python_tag|>` or harmony's `<|message|>`, a `}` or `]` ends the call only when what
  // follows the token is a whole call (JSON, Llama's calls, a pythonic list): a line of code ends with them too.
  const tokens = ['<|python_tag|>', '<|message|>'].map((token) => [end.lastIndexOf(token), token.length] as const);
  const [at, length] = tokens.reduce((a, b) => (b[0] > a[0] ? b : a));
  if (at < 0) return true;
  const rest = end.slice(at + length).trim();
  if (llamaJsonCallBodies(rest) !== undefined || pythonicCallBodies(rest) !== undefined) return true;
  try {
    const args: unknown = JSON.parse(rest);
    return typeof args === 'object' && args !== null;
  } catch {
    return false;
  }
}

/** The calls of the special-token forms (Llama's `<|python_tag|>`, harmony, DeepSeek and Kimi K2), the tokens Markdown quotes left out. */
function specialTokenForms(text: string, quoted: (at: number) => boolean): string[] | undefined {
  const unquoted = defuseQuotedTokens(text, quoted);
  return pythonTagCallBodies(unquoted) ?? harmonyCallBodies(unquoted) ?? specialTokenCallBodies(unquoted);
}

/**
 * Tool calls a model wrote as text: Qwen and Hermes-style models write
 * `<tool_call>{"name": "python", "arguments": {"code": …}}</tool_call>`, which a server without a
 * tool-call parser (vLLM without --enable-auto-tool-choice, a llama.cpp or Ollama chat template
 * that does not parse them) passes on as content, also in the XML forms of newer templates
 * (Qwen3-Coder, Qwen3.5+, GLM-4.5+; see `xmlCallBodies`); Mistral's `[TOOL_CALLS]` forms, a reply
 * that is nothing but calls in Llama's JSON or pythonic form, Llama 3.1's `<|python_tag|>` code
 * (see `pythonTagCallBodies`), gpt-oss's harmony messages to a recipient (`harmonyCallBodies`),
 * DeepSeek's and Kimi K2's special-token calls (`specialTokenCallBodies`), and Qwen's `<function=…>` blocks
 * without their `<tool_call>`, likewise. Each becomes a call
 * (`arguments` as JSON text; a body that is not such JSON is kept as the arguments, so the model
 * is told what was wrong). Every form follows one quoting rule: a call that starts inside Markdown
 * code (an inline code span or a closed fenced block) is quoted, not made: a model that explains
 * the syntax in backticks runs nothing (see `quotedPositions`). One exception: a reply with no
 * other call and no `<<<answer>>>` whose fenced block holds nothing but a `<tool_call>` or
 * `<function=…>` call makes that call (a small model's wrapper).
 */
export function toolCallsInText(text: string): ToolCall[] {
  const calls = textCallsRead(text, quotedPositions(text, TEXT_CALL_TAGS));
  // Small models wrap their own call in a fence (```json\n<tool_call>{…}</tool_call>\n```): when the
  // reply made no other call and gives no <<<answer>>>, a fenced block holding nothing but a call
  // is that wrapper, not a quote (a reply that explains the syntax answers the question it was asked).
  if (calls.length > 0 || hasAnswerMarker(text)) return calls;
  return textCallsRead(text, quotedPositions(text, TEXT_CALL_TAGS, { wrappedCalls: true }));
}

/**
 * True when `text` holds a `<<<…>>>` marker (what `/<<<[\s\S]*?>>>/.test(text)` tells) in linear
 * time: that regex scanned to the end from every `<<<` of a reply with no `>>>` after them
 * (256 KB of `<` held the host for 12 s).
 */
function hasAnswerMarker(text: string): boolean {
  const open = text.indexOf('<<<');
  return open >= 0 && text.indexOf('>>>', open + 3) >= 0;
}

/** The calls of `text` in every text form, with `quoted` telling which positions Markdown quotes. */
function textCallsRead(text: string, quoted: (at: number) => boolean): ToolCall[] {
  const calls: ToolCall[] = [];
  const tagged = [...toolCallTagBodies(text, quoted).flatMap((body) => taggedCallBodies(body)), ...mistralCallBodies(text, quoted), ...gemmaCallBodies(text, quoted)];
  for (const body of tagged.length > 0 ? tagged : (llamaJsonCallBodies(text) ?? jsonListCallBodies(text) ?? pythonicCallBodies(text) ?? specialTokenForms(text, quoted) ?? xmlCallBodiesOutside(text, quoted))) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    const call = typeof parsed === 'object' && parsed !== null ? (parsed as { name?: unknown; arguments?: unknown; parameters?: unknown }) : undefined;
    const args = call?.arguments ?? call?.parameters;
    calls.push({
      id: madeUpCallId(),
      name: typeof call?.name === 'string' ? call.name : PYTHON_TOOL.name,
      arguments: call === undefined ? body : typeof args === 'string' ? args : jsonTextOf(args ?? {}),
    });
  }
  return calls;
}
