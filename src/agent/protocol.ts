// How a conversation is laid out for the model: the R1-CI head prompt, and how execution
// results go back. Two modes:
//  - 'r1ci': results are appended verbatim to the model's own unfinished turn, which the
//    model then continues, exactly as R1-CI models saw them in training.
//  - 'chat': results arrive as a new user message, which general instruction models handle better.
//  - 'tools': the Python runner is a native tool (pythonTool.ts); results go back as `tool` messages.
import type { ChatMessage, ModelBackend, ToolCall } from './backends/types';
import { madeUpCallId } from './backends/callIds';
import type { ExecResult } from '../sandbox/types';
import { forModel } from '../sandbox/terminalText';

export type ProtocolMode = 'r1ci' | 'chat' | 'tools';
/** The "r1ci.protocol" setting and the CLI's --protocol. */
export type ProtocolSetting = ProtocolMode | 'auto';

/** The paper's head prompt (R1-Code-Interpreter / CodeSteer code agent), with the question appended. */
export const R1CI_HEAD_PROMPT =
  'The User asks a question, and you solve it. You first generate the reasoning and thinking process and then ' +
  'provide the User with the final answer. During the thinking process, **you can generate python code** for ' +
  'efficient searching, optimization, and computing with the format of starting the python block with ```python. ' +
  "**A code query must involve only a single script that uses 'print' function for the output.**. Once the code " +
  'script is complete, stop the generation. Then, the code interpreter platform will execute the code and return ' +
  'the execution output and error. Once you feel you are ready for the final answer, directly return the answer ' +
  'with the format <<<answer content>>> at the end of your response. Otherwise, you can continue your reasoning ' +
  'process and possibly generate more code query to solve the problem.';

/**
 * For text-only runs (no code execution): the authors' text-only baseline prompt, `text_output_prompt`
 * in CodeSteer-v1.0's prompt.py (the "All_text" baseline the R1-CI paper compares with). The answer
 * format comes from the question itself (SymBench) or the harness's appended instruction.
 */
export const TEXT_ONLY_PROMPT =
  'Analyze the question step by step and try to list all the careful points. Then try to acquire the final ' +
  'answer with step by step analysis.\nIn the end of your response, directly output the answer to the question. ' +
  'Do not output the code for execution.';

/** For the `tools` protocol: the same task, with the runner offered as the native `python` tool. */
export const TOOLS_HEAD_PROMPT =
  'The User asks a question, and you solve it. You first generate the reasoning and thinking process and then ' +
  'provide the User with the final answer. During the thinking process, you can call the `python` tool to run a ' +
  "single Python script for efficient searching, optimization, and computing; the script must use 'print' for " +
  'its output, which comes back as the tool result. Once you feel you are ready for the final answer, directly ' +
  'return the answer with the format <<<answer content>>> at the end of your response.';

export const RESULTS_HEADER = 'Code Execution Results:';

/**
 * Picks the protocol when the user has not chosen one ('auto'): `r1ci` for R1-CI models (by name),
 * `tools` for models whose capabilities (Ollama /api/show) include "tools", else `chat`.
 */
export function protocolForModel(model: string, setting: ProtocolSetting, capabilities: readonly string[] | null = null): ProtocolMode {
  if (setting !== 'auto') return setting;
  if (/r1[-_ ]?code[-_ ]?interpreter|r1-?ci\b/i.test(model)) return 'r1ci';
  return capabilities?.includes('tools') === true ? 'tools' : 'chat';
}

/** protocolForModel, asking the server for the model's capabilities only when 'auto' needs them (an unreachable server counts as none). */
export async function resolveProtocol(backend: ModelBackend, model: string, setting: ProtocolSetting, signal?: AbortSignal): Promise<ProtocolMode> {
  const byName = protocolForModel(model, setting);
  if (setting !== 'auto' || byName === 'r1ci') return byName;
  const capabilities = await backend.modelCapabilities(model, signal).catch(() => null);
  return protocolForModel(model, setting, capabilities);
}

export function initialMessages(question: string, codeEnabled: boolean, mode: ProtocolMode = 'r1ci'): ChatMessage[] {
  const head = !codeEnabled ? TEXT_ONLY_PROMPT : mode === 'tools' ? TOOLS_HEAD_PROMPT : R1CI_HEAD_PROMPT;
  return [{ role: 'user', content: `${head}\n\n${question}` }];
}

/** The text the model sees for one execution: stdout, stderr, and why the sandbox stopped it, never silently empty. */
export function formatExecution(result: ExecResult): string {
  const parts: string[] = [];
  if (result.notice) parts.push(`[${result.notice}]`);
  // As a terminal would leave it: no escape sequences, progress-bar redraws collapsed.
  const stdout = forModel(result.stdout).trimEnd();
  const stderr = forModel(result.stderr).trimEnd();
  if (stdout.length > 0) parts.push(stdout);
  if (stderr.length > 0) parts.push(stderr);
  if (result.killMessage) parts.push(`[${result.killMessage}]`);
  else if (result.timedOut) parts.push('[timed out]');
  // The sandbox's runner ends a cut stream with its one notice (sizes, no host path); say it only when missing.
  if (result.truncated && !/\[output truncated\b/.test(`${stdout}\n${stderr}`)) parts.push('[output truncated]');
  if (parts.length === 0) parts.push(result.exitCode === 0 ? '[no output]' : `[exited with status ${String(result.exitCode)} and no output]`);
  return parts.join('\n');
}

/** What goes back when a code block is not run (declined by the user, or the budget is spent). */
export function formatNotRun(reason: string): string {
  return `[not executed: ${reason}]`;
}

/**
 * The next request's messages after a code block ran. `turnText` is what the model wrote in this
 * request, up to and including the closing fence.
 */
export function appendExecution(messages: readonly ChatMessage[], mode: ProtocolMode, turnText: string, output: string, reasoning?: string): ChatMessage[] {
  const block = `${RESULTS_HEADER}\n${output}\n`;
  if (mode !== 'r1ci') {
    const assistant: ChatMessage = reasoning ? { role: 'assistant', content: turnText, reasoning } : { role: 'assistant', content: turnText };
    return [...messages, assistant, { role: 'user', content: block }];
  }
  // R1-CI: one growing assistant message the model keeps continuing.
  const last = messages[messages.length - 1];
  const prefix = last && last.role === 'assistant' ? last.content : '';
  const base = last && last.role === 'assistant' ? messages.slice(0, -1) : [...messages];
  const glue = turnText.endsWith('\n') ? '' : '\n';
  return [...base, { role: 'assistant', content: `${prefix}${turnText}${glue}${block}` }];
}

/**
 * The next request's messages after native tool calls ran (`tools` protocol): the assistant's
 * message with its calls, then one `tool` message per call, in order, with that call's output.
 * A call whose id an earlier call of the conversation (or of this reply) already has goes back
 * under a made-up id (madeUpCallId), its result with it: servers that number calls per reply
 * (Text Generation Inference sends id "0" for every call) would otherwise have results matched
 * to the wrong calls by templates and renderers that link them by id (Ollama's, Mistral's, which
 * also refuse repeated ids).
 */
export function appendToolResults(messages: readonly ChatMessage[], turnText: string, reasoning: string, results: ReadonlyArray<{ call: ToolCall; output: string }>): ChatMessage[] {
  const used = new Set(messages.flatMap((m) => m.toolCalls?.map((c) => c.id) ?? []));
  const calls = results.map((r) => {
    const id = used.has(r.call.id) ? madeUpUnused(used) : r.call.id;
    used.add(id);
    return { ...r.call, id };
  });
  const assistant: ChatMessage = { role: 'assistant', content: turnText, toolCalls: calls, ...(reasoning ? { reasoning } : {}) };
  return [...messages, assistant, ...results.map((r, i): ChatMessage => ({ role: 'tool', content: r.output, toolCallId: calls[i]?.id ?? r.call.id, toolName: r.call.name }))];
}

/** A made-up call id that is not in `used`. */
function madeUpUnused(used: ReadonlySet<string>): string {
  for (;;) {
    const id = madeUpCallId();
    if (!used.has(id)) return id;
  }
}
