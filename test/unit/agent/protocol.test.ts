import { describe, expect, it } from 'vitest';
import { appendExecution, formatExecution, initialMessages, protocolForModel, R1CI_HEAD_PROMPT } from '../../../src/agent/protocol';
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
