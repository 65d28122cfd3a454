// How a conversation is laid out for the model: the R1-CI head prompt, and how execution
// results go back. Two modes:
//  - 'r1ci': results are appended verbatim to the model's own unfinished turn, which the
//    model then continues, exactly as R1-CI models saw them in training.
//  - 'chat': results arrive as a new user message, which general instruction models handle better.
import type { ChatMessage } from './backends/types';
import type { ExecResult } from '../sandbox/types';
import { forModel } from '../sandbox/terminalText';

export type ProtocolMode = 'r1ci' | 'chat';

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

/** For text-only runs (no code execution): the paper's baseline. */
export const TEXT_ONLY_PROMPT =
  'The User asks a question, and you solve it. You first generate the reasoning and thinking process and then ' +
  'provide the User with the final answer. Do not write code: reason in text. Once you are ready, return the ' +
  'answer with the format <<<answer content>>> at the end of your response.';

export const RESULTS_HEADER = 'Code Execution Results:';

/** Picks the protocol from the model name when the user has not chosen one. */
export function protocolForModel(model: string, setting: ProtocolMode | 'auto'): ProtocolMode {
  if (setting !== 'auto') return setting;
  return /r1[-_ ]?code[-_ ]?interpreter|r1-?ci\b/i.test(model) ? 'r1ci' : 'chat';
}

export function initialMessages(question: string, codeEnabled: boolean): ChatMessage[] {
  const head = codeEnabled ? R1CI_HEAD_PROMPT : TEXT_ONLY_PROMPT;
  return [{ role: 'user', content: `${head}\n\n${question}` }];
}

/** The text the model sees for one execution: stdout, stderr, and why the sandbox stopped it, never silently empty. */
export function formatExecution(result: ExecResult): string {
  const parts: string[] = [];
  if (result.notice) parts.push(`[${result.notice}]`);
  // As a terminal would leave it: no escape sequences, progress-bar redraws collapsed.
  const stdout = forModel(result.stdout).replace(/\s+$/, '');
  const stderr = forModel(result.stderr).replace(/\s+$/, '');
  if (stdout.length > 0) parts.push(stdout);
  if (stderr.length > 0) parts.push(stderr);
  if (result.killMessage) parts.push(`[${result.killMessage}]`);
  else if (result.timedOut) parts.push('[timed out]');
  if (result.truncated) parts.push('[output truncated]');
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
export function appendExecution(messages: readonly ChatMessage[], mode: ProtocolMode, turnText: string, output: string): ChatMessage[] {
  const block = `${RESULTS_HEADER}\n${output}\n`;
  if (mode === 'chat') {
    return [...messages, { role: 'assistant', content: turnText }, { role: 'user', content: block }];
  }
  // R1-CI: one growing assistant message the model keeps continuing.
  const last = messages[messages.length - 1];
  const prefix = last && last.role === 'assistant' ? last.content : '';
  const base = last && last.role === 'assistant' ? messages.slice(0, -1) : [...messages];
  const glue = turnText.endsWith('\n') ? '' : '\n';
  return [...base, { role: 'assistant', content: `${prefix}${turnText}${glue}${block}` }];
}
