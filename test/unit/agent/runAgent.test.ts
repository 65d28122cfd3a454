// The agent loop end to end through real HTTP (the scripted model server) and real Python.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OllamaBackend } from '../../../src/agent/backends/ollama';
import type { AgentEvent } from '../../../src/agent/events';
import type { ProtocolMode } from '../../../src/agent/protocol';
import { runAgent } from '../../../src/agent/runAgent';
import { collectTrajectory } from '../../../src/agent/trajectory';
import { createCodeRunner } from '../../../src/sandbox';
import type { CodeRunner } from '../../../src/sandbox/types';
import { startScriptedServer, type ScriptedServer } from '../../support/scripted-server';
import { symbenchQuestion } from '../../support/sharedTasks';

const root = resolve(__dirname, '..', '..', '..');
const question = (family: string, n: number): string => symbenchQuestion(undefined, family, n);

let server: ScriptedServer;
let scratch: string;
const runners: CodeRunner[] = [];

beforeAll(async () => {
  server = await startScriptedServer({ scenarios: join(root, 'test', 'scenarios') });
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  for (const r of runners.splice(0)) await r.dispose();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  server.clearRequests();
});

async function runner(): Promise<CodeRunner> {
  scratch = mkdtempSync(join(tmpdir(), 'r1ci-agent-test-'));
  const r = await createCodeRunner({ scratchDir: scratch });
  runners.push(r);
  return r;
}

async function solve(q: string, opts: { protocol?: ProtocolMode; maxCodeCalls?: number; textOnly?: boolean; signal?: AbortSignal; onEvent?: (e: AgentEvent) => void } = {}) {
  return collectTrajectory(
    runAgent(q, {
      backend: new OllamaBackend(server.url),
      model: 'qwen2.5-coder:7b',
      runner: opts.textOnly ? null : await runner(),
      protocol: opts.protocol ?? 'r1ci',
      maxCodeCalls: opts.maxCodeCalls ?? 5,
      temperature: 0.6,
      signal: opts.signal ?? new AbortController().signal,
    }),
    opts.onEvent,
  );
}

describe('runAgent', () => {
  it('cuts generation at the closing fence, runs the code, and sends the real output back verbatim (R1-CI mode)', async () => {
    const t = await solve(question('new_operator_dataset', 0));
    expect(t.answer).toBe('90.0');
    expect(t.turns[0]?.text.endsWith('```\n')).toBe(true);
    expect(t.turns[0]?.text).not.toContain('12345');
    const chats = server.chatRequests();
    expect(chats).toHaveLength(2);
    // R1-CI: the second request continues the model's own assistant message.
    const last = chats[1]?.messages?.at(-1);
    expect(last?.role).toBe('assistant');
    expect(last?.content.endsWith('```\nCode Execution Results:\n90.0\n')).toBe(true);
    expect(chats[1]?.problems).toEqual([]);
  });

  it('aborts the HTTP request the moment a code block closes (the model stops generating there)', async () => {
    const slow = await startScriptedServer({
      scenarios: [
        {
          id: 'fence-then-long-tail',
          match: 'Fence probe',
          perChunkDelayMs: 20,
          turns: [{ chunks: ['Compute:\n', '```python\n', 'print(2+2)\n', '```\n', ...Array.from({ length: 200 }, () => 'tail ')] }, { text: '<<<{{result}}>>>' }],
        },
      ],
    });
    try {
      const r = await runner();
      const t = await collectTrajectory(
        runAgent('Fence probe', { backend: new OllamaBackend(slow.url), model: 'qwen2.5-coder:7b', runner: r, protocol: 'r1ci', maxCodeCalls: 5, temperature: 0.6, signal: new AbortController().signal }),
      );
      expect(t.answer).toBe('4');
      const [first] = slow.chatRequests();
      await expect.poll(() => first?.aborted).toBe(true);
      // Only the chunks up to the fence (plus at most a few in flight) were generated.
      expect(first?.chunksSent).toBeLessThan(20);
    } finally {
      await slow.close();
    }
  });

  it('sends results as a user message in chat mode and chains two code calls', async () => {
    const t = await solve(question('statistical_counting_dataset', 0), { protocol: 'chat' });
    expect(t.codeCalls).toBe(2);
    expect(t.answer).toBe('3');
    const chats = server.chatRequests();
    expect(chats[2]?.messages?.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    expect(chats[2]?.messages?.at(-1)?.content).toBe('Code Execution Results:\n3\n');
    expect(chats.every((c) => c.problems.length === 0)).toBe(true);
  });

  it('feeds a traceback back so the model can fix its code', async () => {
    const t = await solve(question('string_insertion', 0));
    expect(t.turns[0]?.cell?.result?.exitCode).not.toBe(0);
    expect(t.turns[0]?.cell?.result?.stderr).toContain('NameError');
    expect(t.turns[1]?.cell?.result?.exitCode).toBe(0);
    expect(t.answer).toBe(t.turns[1]?.cell?.result?.stdout.trim());
    expect(server.chatRequests().every((c) => c.problems.length === 0)).toBe(true);
  });

  it('stops at the code-call budget', async () => {
    const events: AgentEvent[] = [];
    const t = await solve('Budget probe: keep computing powers of two until told to stop.', { maxCodeCalls: 3, onEvent: (e) => events.push(e) });
    expect(t.reason).toBe('budget');
    // The stop says where the budget is raised (the setting here; the CLI names --max-code-calls).
    expect(events.find((e) => e.type === 'done')).toMatchObject({ message: 'The code-call budget (3) is used up (raise it with "r1ci.maxCodeCalls").' });
    expect(t.codeCalls).toBe(3);
    expect(t.turns).toHaveLength(4);
    expect(t.turns[3]?.cell).toBeUndefined();
  });

  it('does not cut or run code in text-only mode', async () => {
    const t = await solve(question('new_operator_dataset', 0), { textOnly: true });
    expect(t.codeCalls).toBe(0);
    expect(t.turns).toHaveLength(1);
    expect(t.turns[0]?.text).toContain('<<<12345>>>');
    expect(t.answer).toBe('12345');
  });

  it('cancels mid-stream: the HTTP request is aborted and the run ends as cancelled', async () => {
    const controller = new AbortController();
    let tokens = 0;
    const t = await solve('Slow probe: think at length before answering.', {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'token' && ++tokens === 5) controller.abort();
      },
    });
    expect(t.reason).toBe('cancelled');
    expect(t.answer).toBeNull();
    const [chat] = server.chatRequests();
    await expect.poll(() => chat?.aborted).toBe(true);
  });

  it('reports a missing model as such', async () => {
    const t = await collectTrajectory(
      runAgent('hi', { backend: new OllamaBackend(server.url), model: 'no-such-model:1b', runner: null, protocol: 'chat', maxCodeCalls: 5, temperature: 0.6, signal: new AbortController().signal }),
    );
    expect(t.reason).toBe('error');
    expect(t.error).toContain('not pulled');
    expect(t.error).toContain('ollama pull no-such-model:1b');
  });
});
