// The CLI printer's sentences: the end of a run without an answer is one sentence, counts follow
// English plural rules, and a server that reported no token counts is not shown as using none.
import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../src/agent/events';
import { createPrinter } from '../../../src/cli/printer';
import { counted } from '../../../src/text/counted';

function printed(events: readonly AgentEvent[]): string {
  let out = '';
  const print = createPrinter({ write: (t) => void (out += t) }, false);
  for (const e of events) print(e);
  return out;
}

const turn = (n: number, tokens?: { promptTokens: number; outputTokens: number }): AgentEvent => ({ type: 'turn-end', turn: n, stats: { modelMs: 1000, ...tokens } });

describe('CLI printer wording', () => {
  it('"No final answer" and its reason are one sentence', () => {
    const out = printed([turn(0), { type: 'done', reason: 'budget', answer: null, codeCalls: 1, turns: 1, message: 'The code-call budget (1) is used up (raise it with --max-code-calls).' }]);
    expect(out).toContain('No final answer: the code-call budget (1) is used up (raise it with --max-code-calls).\n');
    expect(out).not.toContain('(The');
    expect(printed([{ type: 'done', reason: 'no-answer', answer: null, codeCalls: 0, turns: 1 }])).toContain('No final answer: the model gave no <<<answer>>>.\n');
  });

  it('token counts the server did not report say so; reported ones are summed; turns are counted in the singular or plural', () => {
    const done: AgentEvent = { type: 'done', reason: 'answer', answer: '4', codeCalls: 0, turns: 1 };
    expect(printed([turn(0), done])).toContain('1 model turn: model 1.00 s (tokens not reported), code 0.00 s');
    expect(printed([turn(0, { promptTokens: 10, outputTokens: 2 }), turn(1, { promptTokens: 0, outputTokens: 0 }), done])).toContain('2 model turns: model 2.00 s (10 tokens in, 2 out)');
    // Only some turns reported (the others were cut at their code block): not shown as the total.
    expect(printed([turn(0), turn(1), turn(2, { promptTokens: 373, outputTokens: 8 }), done])).toContain('3 model turns: model 3.00 s (373 tokens in, 8 out in the 1 turn that reported them)');
  });

  it('a model writing CRLF line ends shows plain lines, also when a chunk ends between CR and LF; a lone CR stays escaped', () => {
    const tokens = ['Run:\r', '\n```python\r\nprint(1)\r', '\n```\r\n', 'a\rb'].map((text): AgentEvent => ({ type: 'token', turn: 0, text }));
    expect(printed(tokens)).toBe('Run:\n```python\nprint(1)\n```\na\\rb');
    expect(printed([{ type: 'token', turn: 0, text: 'end\r' }, turn(0)])).toBe('end\\r');
  });

  it('reasoning (DeepSeek-R1 starts it with a newline) opens its box without a bare line; CRLF lines keep their bar', () => {
    const reasoning = ['\n', 'Okay, so\r\nthe user', ' asks.\n'].map((text): AgentEvent => ({ type: 'reasoning', turn: 0, text }));
    expect(printed([...reasoning, { type: 'token', turn: 0, text: 'Hi' }])).toBe('┌ thinking\n│ Okay, so\n│ the user asks.\n└\nHi');
  });

  it('reasoning whose CRLF falls between two chunks shows plain lines; a lone CR at its end stays escaped', () => {
    const reasoning = ['Okay, so\r', '\nthe user\r', '\r\nasks.\r'].map((text): AgentEvent => ({ type: 'reasoning', turn: 0, text }));
    expect(printed([...reasoning, { type: 'token', turn: 0, text: 'Hi' }])).toBe('┌ thinking\n│ Okay, so\n│ the user\\r\n│ asks.\\r\n└\nHi');
  });

  it('counted follows the English plural rules', () => {
    expect([0, 1, 2].map((n) => counted(n, 'task'))).toEqual(['0 tasks', '1 task', '2 tasks']);
    expect(counted(1, 'trajectory', 'trajectories')).toBe('1 trajectory');
    expect(counted(3, 'trajectory', 'trajectories')).toBe('3 trajectories');
  });
});
