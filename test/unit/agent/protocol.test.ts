import { describe, expect, it } from 'vitest';
import { appendExecution, appendToolResults, formatExecution, initialMessages, protocolForModel, R1CI_HEAD_PROMPT } from '../../../src/agent/protocol';
import type { ChatMessage } from '../../../src/agent/backends/types';
import type { ExecResult } from '../../../src/sandbox/types';

const ok: ExecResult = { stdout: '42\n', stderr: '', exitCode: 0, durationMs: 5, timedOut: false, truncated: false, artifacts: [] };

describe('protocol', () => {
  it('puts the R1-CI head prompt before the question', () => {
    const [m] = initialMessages('What is 6*7?', true);
    expect(m?.role).toBe('user');
    expect(m?.content.startsWith(R1CI_HEAD_PROMPT)).toBe(true);
    expect(m?.content.endsWith('What is 6*7?')).toBe(true);
    expect(initialMessages('q', false)[0]?.content).not.toContain('```python');
  });

  it('r1ci mode continues one assistant message with the results verbatim', () => {
    let msgs = initialMessages('q', true);
    msgs = appendExecution(msgs, 'r1ci', 'A\n```python\nprint(42)\n```\n', formatExecution(ok));
    msgs = appendExecution(msgs, 'r1ci', 'B\n```python\nprint(1)\n```', '1');
    expect(msgs).toHaveLength(2);
    expect(msgs[1]).toEqual({ role: 'assistant', content: 'A\n```python\nprint(42)\n```\nCode Execution Results:\n42\nB\n```python\nprint(1)\n```\nCode Execution Results:\n1\n' });
  });

  it('chat mode sends results as a new user message', () => {
    const msgs = appendExecution(initialMessages('q', true), 'chat', 'A```', '42');
    expect(msgs.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(msgs[2]?.content).toBe('Code Execution Results:\n42\n');
  });

  it('never gives the model an empty result', () => {
    expect(formatExecution({ ...ok, stdout: '' })).toBe('[no output]');
    expect(formatExecution({ ...ok, stdout: '', exitCode: null, timedOut: true, killed: 'timeout', killMessage: 'timed out after 60 s' })).toBe('[timed out after 60 s]');
    expect(formatExecution({ ...ok, stdout: '', stderr: 'Traceback...\nZeroDivisionError', exitCode: 1 })).toContain('ZeroDivisionError');
  });

  it('says "output truncated" once: the notice of the runner, or a short one when a runner gave none', () => {
    const notice = '[output truncated: 186.5 KiB in total, the first 64 KiB are shown]';
    const cut = formatExecution({ ...ok, stdout: `x\n${notice}\n`, truncated: true });
    expect(cut.match(/output truncated/g)).toHaveLength(1);
    expect(cut.endsWith(notice)).toBe(true);
    expect(formatExecution({ ...ok, truncated: true })).toBe('42\n[output truncated]');
  });

  it('chooses the protocol from the model name unless set', () => {
    expect(protocolForModel('hf.co/yongchao98/R1-Code-Interpreter-14B', 'auto')).toBe('r1ci');
    expect(protocolForModel('qwen2.5-coder:7b', 'auto')).toBe('chat');
    expect(protocolForModel('qwen2.5-coder:7b', 'r1ci')).toBe('r1ci');
  });
});

// Ids go back with each call and its result; templates and renderers match them by id (Ollama's,
// Mistral's, which refuse a repeated id). A server that numbers calls per reply repeats them
// across the conversation (s40): each call must still go back under an id of its own.
describe('appendToolResults', () => {
  const call = (id: string, code: string) => ({ id, name: 'python', arguments: JSON.stringify({ code }) });
  it('keeps unique ids as the server sent them', () => {
    const next = appendToolResults([{ role: 'user', content: 'q' }], '', '', [{ call: call('call_a', 'print(1)'), output: '1' }]);
    expect(next[1]?.toolCalls?.map((c) => c.id)).toEqual(['call_a']);
    expect(next[2]).toMatchObject({ role: 'tool', toolCallId: 'call_a', content: '1' });
  });

  it('gives a call whose id an earlier call of the conversation or of the reply took an id of its own, its result with it', () => {
    let messages: ChatMessage[] = [{ role: 'user', content: 'q' }];
    messages = appendToolResults(messages, '', '', [{ call: call('0', 'x = 6'), output: '' }]);
    messages = appendToolResults(messages, '', '', [
      { call: call('0', 'print(x)'), output: '6' },
      { call: call('1', 'print(x * 7)'), output: '42' },
      { call: call('1', 'print(x * 2)'), output: '12' },
    ]);
    const ids = messages.flatMap((m) => m.toolCalls?.map((c) => c.id) ?? []);
    expect(ids[0]).toBe('0');
    expect(ids[2]).toBe('1');
    expect(new Set(ids).size).toBe(4);
    for (const id of [ids[1], ids[3]]) expect(id).toMatch(/^[a-z0-9]{9}$/);
    // Each result answers its own call.
    const results = messages.filter((m) => m.role === 'tool');
    expect(results.map((m) => m.toolCallId)).toEqual(ids);
    expect(results.map((m) => m.content)).toEqual(['', '6', '42', '12']);
  });
});
