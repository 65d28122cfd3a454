// Multi-sample evaluation and the training exports on a real R1-CI-protocol run: the scripted
// server plays the model over HTTP, the code runs in the real sandbox, and every export format
// is checked against its schema (LLaMA-Factory's alpaca and sharegpt, our chat messages, the
// RL rollout groups). Execution-result spans must cover exactly the injected results.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createBackend } from '../../../src/agent/backends';
import { RESULTS_HEADER, type ProtocolMode } from '../../../src/agent/protocol';
import { evaluate } from '../../../src/eval/evaluate';
import { rolloutsJsonl } from '../../../src/eval/export/rollouts';
import { sftJsonl } from '../../../src/eval/export/sft';
import { readResults, type ResultRecord } from '../../../src/eval/results';
import type { EvalEvent } from '../../../src/eval/runner';
import { summarizeSamples } from '../../../src/eval/sampling';
import type { TaskRecord } from '../../../src/eval/types';
import { SandboxPool } from '../../../src/sandbox';
import { startScriptedServer, type Scenario, type ScriptedServer } from '../../support/scripted-server';

const scenarios: Scenario[] = [
  {
    id: 'sampling-one-call',
    match: 'Sampling probe A: what is 6 * 7?',
    turns: [{ text: 'Let me compute it.\n\n```python\nprint(6 * 7)\n```' }, { expectResultContains: '42', text: 'The code printed {{result}}.\n\n<<<{{result}}>>>' }],
  },
  {
    id: 'sampling-two-calls',
    match: 'Sampling probe B: what is 3 + 4?',
    turns: [
      { text: 'First the left term.\n\n```python\nprint(3)\n```\n' },
      { expectResultContains: '3', text: 'Now the sum.\n\n```python\nprint(3 + 4)\n```' },
      { expectResultContains: '7', text: 'So the sum is {{result}}.\n\n<<<{{result}}>>>' },
    ],
  },
  {
    id: 'sampling-text-wrong',
    match: 'Sampling probe C: what is 2 + 2?',
    turns: [{ text: 'Surely it is five.\n\n<<<5>>>' }],
  },
] as Scenario[];

const records: TaskRecord[] = [
  { id: 'a', task: 'probe', question: 'Sampling probe A: what is 6 * 7?', scorer: { kind: 'number', expected: '42' }, source: { file: 'mem' }, metadata: {} },
  { id: 'b', task: 'probe', question: 'Sampling probe B: what is 3 + 4?', scorer: { kind: 'number', expected: '7' }, source: { file: 'mem' }, metadata: {} },
  { id: 'c', task: 'probe', question: 'Sampling probe C: what is 2 + 2?', scorer: { kind: 'number', expected: '4' }, source: { file: 'mem' }, metadata: {} },
];

let server: ScriptedServer;
let dir = '';
beforeAll(async () => {
  server = await startScriptedServer({ scenarios });
  dir = mkdtempSync(path.join(os.tmpdir(), 'r1ci-training-export-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(file: string, samples: number, protocol: ProtocolMode): Promise<{ events: EvalEvent[]; end: Extract<EvalEvent, { type: 'end' }> }> {
  const pool = new SandboxPool({ scratchRoot: path.join(dir, `pool-${path.basename(file)}-${samples}`), mode: 'stateless' });
  const events: EvalEvent[] = [];
  try {
    for await (const e of evaluate(
      {
        records,
        backend: createBackend({ kind: 'ollama', ollamaHost: server.url }),
        model: 'r1-code-interpreter:7b',
        protocol,
        maxCodeCalls: 5,
        temperature: 0.6,
        seed: 7,
        textOnly: false,
        concurrency: 2,
        perQuestionTimeoutMs: 0,
        resultsFile: file,
        resume: true,
        samples,
        newRunner: (worker, signal) => pool.acquire(path.join(dir, `w-${path.basename(file)}-${samples}-${worker}`), signal),
      },
      new AbortController().signal,
    ))
      events.push(e);
  } finally {
    await pool.dispose();
  }
  const end = events.find((e): e is Extract<EvalEvent, { type: 'end' }> => e.type === 'end');
  if (!end) throw new Error('no end event');
  return { events, end };
}

// LLaMA-Factory data/README: alpaca and sharegpt columns.
const alpacaSchema = z.strictObject({
  instruction: z.string().min(1),
  input: z.string(),
  output: z.string().min(1),
  system: z.string().optional(),
  history: z.array(z.tuple([z.string(), z.string()])).optional(),
});
const sharegptSchema = z
  .strictObject({
    conversations: z.array(z.strictObject({ from: z.enum(['human', 'gpt', 'observation', 'function_call']), value: z.string().min(1) })).min(2),
    system: z.string().optional(),
  })
  // human and observation at odd positions, gpt and function_call at even ones (1-based).
  .refine((r) => r.conversations.every((m, i) => (i % 2 === 0 ? m.from === 'human' || m.from === 'observation' : m.from === 'gpt' || m.from === 'function_call')), 'roles must alternate');
const chatSchema = z.strictObject({ messages: z.array(z.strictObject({ role: z.enum(['system', 'user', 'assistant', 'tool']), content: z.string() })).min(2) });
const rolloutSchema = z.strictObject({
  id: z.string(),
  task: z.string(),
  prompt: z.string().min(1),
  p: z.number().min(0).max(1),
  samples: z
    .array(
      z.strictObject({
        sample: z.number().int().nonnegative(),
        response: z.string().min(1),
        mask_spans: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])),
        reward: z.number(),
        correct: z.boolean(),
        answer: z.string().nullable(),
        turns: z.number().int().positive(),
        code_calls: z.number().int().nonnegative(),
        code_refused: z.boolean(),
      }),
    )
    .min(1),
});

const lines = (text: string): unknown[] =>
  text
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);

describe('multi-sample evaluation (scripted server, real sandbox)', () => {
  it('writes one record per sample, resumes by sample, and reports pass@k, mean@k and p', async () => {
    const file = path.join(dir, 'samples.results.jsonl');
    const first = await run(file, 2, 'r1ci');
    expect(first.events[0]).toMatchObject({ type: 'start', total: 6, skipped: 0, toRun: 6 });
    expect(first.end.results.flatMap((r) => (r.error !== undefined ? [r.error] : []))).toEqual([]);
    const second = await run(file, 3, 'r1ci');
    // Only the third sample of each question is new.
    expect(second.events[0]).toMatchObject({ type: 'start', total: 9, skipped: 6, toRun: 3 });
    const ran = second.events.flatMap((e) => (e.type === 'question-start' ? [`${e.record.id}#${e.sample}`] : []));
    expect(ran.sort()).toEqual(['a#2', 'b#2', 'c#2']);

    const onDisk = (await readResults(file)).results;
    expect(onDisk.map((r) => `${r.id}#${r.sample ?? 0}`).sort()).toEqual(['a#0', 'a#1', 'a#2', 'b#0', 'b#1', 'b#2', 'c#0', 'c#1', 'c#2']);
    // Seeded samples differ by their index, so a rerun reproduces each one.
    expect(
      onDisk
        .filter((r) => r.id === 'a')
        .map((r) => r.seed)
        .sort(),
    ).toEqual([7, 8, 9]);
    // The end event's results stay small; the transcripts are on disk.
    expect(second.end.results.every((r) => r.trajectory === undefined && r.steps === undefined)).toBe(true);
    expect(onDisk.every((r) => r.trajectory !== undefined)).toBe(true);

    const s = summarizeSamples(onDisk);
    expect(s.k).toBe(3);
    expect(s.questions.map((q) => [q.id, q.n, q.correct, q.p])).toEqual([
      ['a', 3, 3, 1],
      ['b', 3, 3, 1],
      ['c', 3, 0, 0],
    ]);
    expect(s.overall.passAtK).toBeCloseTo(2 / 3);
    expect(s.overall.meanAtK).toBeCloseTo(2 / 3);
    expect(s.stages[0]).toBe(3);
  });

  it('exports non-empty SFT (chat, alpaca, sharegpt) and rollouts from an R1-CI-protocol run, results masked', async () => {
    const file = path.join(dir, 'r1ci.results.jsonl');
    await run(file, 2, 'r1ci');
    const results = (await readResults(file)).results;
    const b = results.find((r) => r.id === 'b') as ResultRecord;
    // The R1-CI protocol: the whole trajectory is one assistant message, with both results inside.
    expect(b.trajectory?.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(b.codeCalls).toBe(2);
    const content = b.trajectory?.[1]?.content ?? '';
    expect(b.executionSpans?.map((s) => content.slice(s.start, s.end))).toEqual([`${RESULTS_HEADER}\n3\n`, `${RESULTS_HEADER}\n7\n`]);

    const chat = lines(sftJsonl(results, { format: 'chat' }).text);
    const alpaca = lines(sftJsonl(results, { format: 'alpaca' }).text);
    const sharegpt = lines(sftJsonl(results, { format: 'sharegpt' }).text);
    // a and b are right with code, twice each; c is wrong.
    for (const [records, schema] of [
      [chat, chatSchema],
      [alpaca, alpacaSchema],
      [sharegpt, sharegptSchema],
    ] as const) {
      expect(records).toHaveLength(4);
      for (const r of records) expect(schema.safeParse(r).error).toBeUndefined();
    }
    const bShare = sharegptSchema.parse(sharegpt.find((r) => JSON.stringify(r).includes('Sampling probe B')));
    expect(bShare.conversations.map((m) => m.from)).toEqual(['human', 'gpt', 'observation', 'gpt', 'observation', 'gpt']);
    expect(bShare.conversations.filter((m) => m.from === 'observation').map((m) => m.value)).toEqual([`${RESULTS_HEADER}\n3\n`, `${RESULTS_HEADER}\n7\n`]);
    // Concatenated, the turns give back the one assistant message exactly.
    expect(
      bShare.conversations
        .slice(1)
        .map((m) => m.value)
        .join(''),
    ).toBe(content);

    const rollouts = lines(rolloutsJsonl(results, { format: true, turnPenalty: true }).text).map((r) => rolloutSchema.parse(r));
    // Groups come in the order the questions finished (two workers): compared by id.
    expect(rollouts.map((g) => [g.id, g.samples.length, g.p]).sort((x, y) => String(x[0]).localeCompare(String(y[0])))).toEqual([
      ['a', 2, 1],
      ['b', 2, 1],
      ['c', 2, 0],
    ]);
    for (const g of rollouts) {
      for (const s of g.samples) {
        for (const [start, end] of s.mask_spans) expect(s.response.slice(start, end)).toMatch(new RegExp(`^${RESULTS_HEADER}\\n\\d+\\n$`));
        // v2: +1 right, +0.1 for a final answer in format; no run here took more than six turns.
        expect(s.reward).toBe(s.correct ? 1.1 : 0.1);
      }
    }
    expect(rollouts.find((g) => g.id === 'b')?.samples[0]?.mask_spans).toHaveLength(2);
    expect(rollouts.find((g) => g.id === 'c')?.samples[0]?.mask_spans).toEqual([]);
    expect(rollouts[0]?.prompt).toContain('Sampling probe A');
  });

  it('marks the results messages of a chat-protocol run as observations and spans', async () => {
    const file = path.join(dir, 'chat.results.jsonl');
    await run(file, 1, 'chat');
    const results = (await readResults(file)).results;
    const b = results.find((r) => r.id === 'b') as ResultRecord;
    expect(b.trajectory?.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
    expect(b.executionSpans).toEqual([
      { message: 2, start: 0, end: `${RESULTS_HEADER}\n3\n`.length },
      { message: 4, start: 0, end: `${RESULTS_HEADER}\n7\n`.length },
    ]);
    const sharegpt = lines(sftJsonl(results, { format: 'sharegpt' }).text).map((r) => sharegptSchema.parse(r));
    expect(sharegpt.map((r) => r.conversations.map((m) => m.from).join(','))).toEqual(['human,gpt,observation,gpt', 'human,gpt,observation,gpt,observation,gpt']);
    const alpaca = lines(sftJsonl(results, { format: 'alpaca' }).text).map((r) => alpacaSchema.parse(r));
    expect(alpaca[1]?.history).toHaveLength(2);
    expect(readFileSync(file, 'utf8')).not.toContain('"sample"');
  });
});
