// The evaluation with everything real but the model: the scripted server over HTTP, the agent,
// the sandbox (stateless, a fresh interpreter per question) and Python checkers run as sandbox cells.
// Per-question timeouts and cancellation abort the model request and leave no process behind.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend } from '../../../src/agent/backends';
import { evaluate, type EvaluateOptions } from '../../../src/eval/evaluate';
import { readResults } from '../../../src/eval/results';
import type { EvalEvent } from '../../../src/eval/runner';
import { sandboxCheckRunner } from '../../../src/eval/sandboxChecker';
import type { TaskRecord } from '../../../src/eval/types';
import { createCodeRunner, SandboxPool } from '../../../src/sandbox';
import { loadScenarios, startScriptedServer, type Scenario, type ScriptedServer } from '../../support/scripted-server';

/** A reply that sends a few words and then nothing until the client aborts: only a time limit ends it. */
const STALLED: Scenario = { id: 'stalled', match: 'Stalled probe', chunkSize: 8, turns: [{ text: 'Let me think about this for a very long time. <<<never>>>' }], faults: { stallAfterChunks: 2 } };
/** A reply whose text is empty and whose reasoning ends with `\boxed{}` (math-trained reasoning models). */
const BOXED_IN_REASONING: Scenario = { id: 'boxed-in-reasoning', match: 'Boxed probe', turns: [{ thinking: 'Five squared is 25, so \\boxed{25}.', text: '' }] };

let server: ScriptedServer;
let dir = '';
beforeAll(async () => {
  server = await startScriptedServer({ scenarios: [...loadScenarios('test/scenarios'), STALLED, BOXED_IN_REASONING] });
  dir = mkdtempSync(path.join(os.tmpdir(), 'r1ci-evaluate-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every process below this one (the sandbox workers and their children), from /proc. */
function descendants(): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(name), ppid);
    } catch {
      // the process ended while we looked
    }
  }
  const out: number[] = [];
  const walk = (pid: number): void => {
    for (const [child, ppid] of parent) {
      if (ppid !== pid) continue;
      out.push(child);
      walk(child);
    }
  };
  walk(process.pid);
  return out;
}

function record(id: string, question: string, expected: string): TaskRecord {
  return { id, task: 'probe', question, scorer: { kind: 'exact', expected }, source: { file: 'mem.jsonl' }, metadata: {} };
}

function options(records: TaskRecord[], pool: SandboxPool, extra: Partial<EvaluateOptions> = {}): EvaluateOptions {
  return {
    records,
    backend: createBackend({ kind: 'ollama', ollamaHost: server.url }),
    model: 'qwen2.5-coder:7b',
    protocol: 'chat',
    maxCodeCalls: 5,
    temperature: 0.6,
    textOnly: false,
    concurrency: 2,
    perQuestionTimeoutMs: 0,
    resume: true,
    newRunner: (slot, signal) => pool.acquire(path.join(dir, slot), signal),
    ...extra,
  };
}

async function drain(events: AsyncIterable<EvalEvent>, onEvent?: (e: EvalEvent) => void): Promise<Extract<EvalEvent, { type: 'end' }>> {
  let end: Extract<EvalEvent, { type: 'end' }> | undefined;
  for await (const e of events) {
    onEvent?.(e);
    if (e.type === 'end') end = e;
  }
  if (!end) throw new Error('no end event');
  return end;
}

describe('evaluate (scripted server, real sandbox)', () => {
  it('scores a question over its time limit as wrong, aborts its model request and keeps going', async () => {
    const pool = new SandboxPool({ scratchRoot: dir, mode: 'stateless' });
    const file = path.join(dir, 'timeout.jsonl');
    // The stalled reply never ends; the limit cuts it and leaves the other question (two code
    // calls, a sandbox start each) ample time even on a heavily loaded 2-core machine.
    const records = [record('slow', 'Stalled probe: think at length before answering.', 'never'), record('fast', 'What is the total score of the string BBAAB?', '3')];
    const tiers: string[] = [];
    const newRunner: EvaluateOptions['newRunner'] = async (slot, signal) => {
      const runner = await pool.acquire(path.join(dir, slot), signal);
      tiers.push(runner.tier);
      return runner;
    };
    const end = await drain(evaluate(options(records, pool, { perQuestionTimeoutMs: 30_000, resultsFile: file, newRunner }), new AbortController().signal));
    await pool.dispose();
    const slow = end.results.find((r) => r.id === 'slow');
    expect(slow).toMatchObject({ correct: false, answer: null, reason: 'timed out after 30 s' });
    expect(slow?.error).toBeUndefined();
    expect(end.results.find((r) => r.id === 'fast')).toMatchObject({ correct: true, answer: '3', codeCalls: 2 });
    expect(server.requests.some((r) => r.scenarioId === 'stalled' && r.aborted)).toBe(true);
    const stored = (await readResults(file)).results;
    expect(stored).toHaveLength(2);
    // The tier the code ran on is recorded, so a replayed trajectory can show it.
    expect(tiers).toHaveLength(2);
    expect(['isolated', 'basic']).toContain(tiers[1]);
    expect(stored.find((r) => r.id === 'fast')?.tier).toBe(tiers[1]);
    expect(descendants()).toEqual([]);
  });

  it('a \\boxed{} answer found only in the reasoning is recorded but, as one in the text, scored as not in the requested format', async () => {
    const pool = new SandboxPool({ scratchRoot: dir, mode: 'stateless' });
    const end = await drain(evaluate(options([record('boxed', 'Boxed probe: what is 5 squared?', '25')], pool), new AbortController().signal));
    await pool.dispose();
    const result = end.results[0];
    expect(result).toMatchObject({ answer: '25', answerSource: 'reasoning-boxed', correct: false, score: 0 });
    expect(result?.reason).toMatch(/^answer given as \\boxed\{\}, not in the requested <<<…>>> format/);
  });

  it('on cancel writes nothing for the question in flight, aborts its request and leaves no process', async () => {
    const pool = new SandboxPool({ scratchRoot: dir, mode: 'stateless' });
    const file = path.join(dir, 'cancel.jsonl');
    const controller = new AbortController();
    const records = [record('two-calls', 'What is the total score of the string BBAAB?', '3'), record('slow', 'Slow probe: think at length before answering.', 'slow-done')];
    server.clearRequests();
    const end = await drain(evaluate(options(records, pool, { concurrency: 1, resultsFile: file }), controller.signal), (e) => {
      // Cancel once the slow question's reply is streaming.
      if (e.type === 'question-start' && e.record.id === 'slow') void server.waitForRequest((r) => r.scenarioId === 'foundation-slow' && r.chunksSent > 2).then(() => controller.abort());
    });
    await pool.dispose();
    expect(end.cancelled).toBe(true);
    expect((await readResults(file)).results.map((r) => r.id)).toEqual(['two-calls']);
    await server.waitForRequest((r) => r.scenarioId === 'foundation-slow' && r.aborted);
    expect(descendants()).toEqual([]);
  });

  it('runs custom checkers as sandbox cells: verdicts, exceptions and missing check functions', async () => {
    writeFileSync(path.join(dir, 'even.py'), 'def check(answer, record):\n    return int(answer) % 2 == 0 and record["id"] == "c"\n');
    writeFileSync(path.join(dir, 'raises.py'), 'def check(answer, record):\n    raise ValueError("checker bug")\n');
    writeFileSync(path.join(dir, 'nocheck.py'), 'x = 1\n');
    const runner = await createCodeRunner({ scratchDir: path.join(dir, 'checker'), mode: 'stateless' });
    try {
      const checks = sandboxCheckRunner(() => Promise.resolve(runner));
      const rec = { ...record('c', 'q', ''), scorer: { kind: 'python' as const, checkerFile: '' } };
      expect(await checks.check(path.join(dir, 'even.py'), '42', rec)).toBe(true);
      expect(await checks.check(path.join(dir, 'even.py'), '41', rec)).toBe(false);
      // Quotes and newlines in the answer reach Python unchanged.
      expect(await checks.check(path.join(dir, 'even.py'), '4"\n2', rec)).toMatchObject({ error: expect.stringMatching(/ValueError/) });
      expect(await checks.check(path.join(dir, 'raises.py'), '1', rec)).toEqual({ error: 'ValueError: checker bug' });
      expect(await checks.check(path.join(dir, 'nocheck.py'), '1', rec)).toMatchObject({ error: expect.stringMatching(/defines no check/) });
      expect(await checks.check(path.join(dir, 'missing.py'), '1', rec)).toMatchObject({ error: expect.stringMatching(/cannot read .*missing\.py/) });
    } finally {
      await runner.dispose();
    }
  });
});
