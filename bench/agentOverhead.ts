// Agent overhead per turn: everything the agent loop itself costs (fence detection, answer
// extraction, message layout, context estimate, events, stall watchdog, the backend's parsing)
// — i.e. a turn's wall time minus the time spent waiting for the model server's bytes and the
// time the code cell took. Measured against a zero-latency scripted server, with real Python,
// for a conversation that grows to 50 code calls. Goal: ≤ 2 ms per turn, flat as it grows.
// Run: npm run bench -- agentOverhead   (or node dist/bench/agentOverhead.js after the build)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OllamaBackend } from '../src/agent/backends/ollama';
import { OpenAiBackend } from '../src/agent/backends/openai';
import type { ChatChunk, ChatRequest, ModelBackend, ModelInfo } from '../src/agent/backends/types';
import { runAgent } from '../src/agent/runAgent';
import { createCodeRunner } from '../src/sandbox/index';
import type { CodeRunner, ExecResult, RunCellOptions } from '../src/sandbox/types';
import { startScriptedServer } from '../test/support/scripted-server';

const CODE_CALLS = 50;
const RUNS = 5;
const REPORTED_TURNS = [1, 10, 50];

/** Adds up the time spent awaiting the server's next chunk (the model's time, not ours). */
class TimedBackend implements ModelBackend {
  waitMs = 0;
  constructor(private readonly inner: ModelBackend) {}
  get kind(): 'ollama' | 'openai' {
    return this.inner.kind;
  }
  get baseUrl(): string {
    return this.inner.baseUrl;
  }
  listModels(signal?: AbortSignal): Promise<readonly ModelInfo[]> {
    return this.inner.listModels(signal);
  }
  serverVersion(signal?: AbortSignal): Promise<string | null> {
    return this.inner.serverVersion(signal);
  }
  modelContextLength(model: string, signal?: AbortSignal): Promise<number | null> {
    return this.inner.modelContextLength(model, signal);
  }
  modelCapabilities(model: string, signal?: AbortSignal): Promise<readonly string[] | null> {
    return this.inner.modelCapabilities(model, signal);
  }
  streamChat(request: ChatRequest, signal: AbortSignal): AsyncIterable<ChatChunk> {
    const inner = this.inner.streamChat(request, signal);
    const add = (ms: number): void => {
      this.waitMs += ms;
    };
    return {
      async *[Symbol.asyncIterator]() {
        const it = inner[Symbol.asyncIterator]();
        try {
          for (;;) {
            const t = performance.now();
            const r = await it.next();
            add(performance.now() - t);
            if (r.done) return;
            yield r.value;
          }
        } finally {
          const t = performance.now();
          await it.return?.();
          add(performance.now() - t);
        }
      },
    };
  }
}

/** Adds up the wall time of each code cell (the code's time, including the sandbox round trip). */
class TimedRunner implements CodeRunner {
  codeMs = 0;
  constructor(private readonly inner: CodeRunner) {}
  get tier(): CodeRunner['tier'] {
    return this.inner.tier;
  }
  get tierNote(): string {
    return this.inner.tierNote;
  }
  get scratchDir(): string {
    return this.inner.scratchDir;
  }
  async runCell(code: string, options?: RunCellOptions): Promise<ExecResult> {
    const t = performance.now();
    try {
      return await this.inner.runCell(code, options);
    } finally {
      this.codeMs += performance.now() - t;
    }
  }
  dispose(): Promise<void> {
    return this.inner.dispose();
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

/** One conversation of CODE_CALLS code calls; returns the overhead of each turn (index 0 = turn 1). */
async function conversation(backend: TimedBackend, runner: TimedRunner, question: string): Promise<number[]> {
  const perTurn: number[] = [];
  let turnStart = 0;
  let mark = { wait: 0, code: 0 };
  const close = (): void => {
    const wall = performance.now() - turnStart;
    perTurn.push(wall - (backend.waitMs - mark.wait) - (runner.codeMs - mark.code));
  };
  const events = runAgent(question, {
    backend,
    model: 'qwen2.5-coder:7b',
    runner,
    protocol: 'r1ci',
    maxCodeCalls: CODE_CALLS,
    temperature: 0.6,
    contextTokens: 1_048_576,
    signal: new AbortController().signal,
  });
  for await (const e of events) {
    if (e.type === 'turn-start') {
      if (e.turn > 0) close();
      turnStart = performance.now();
      mark = { wait: backend.waitMs, code: runner.codeMs };
    } else if (e.type === 'done') {
      close();
      if (e.reason !== 'budget') throw new Error(`unexpected end: ${e.reason} ${e.message ?? ''}`);
    }
  }
  return perTurn;
}

async function main(): Promise<void> {
  // A realistic turn: some reasoning, a code block, streamed in 4-character chunks with no delay.
  const turn = 'Let me check the next power of two with a short script.\n```python\nx = 2 ** 10\nprint(f"power of two: {x}")\n```\n';
  const server = await startScriptedServer({ scenarios: [{ id: 'bench-forever', match: 'Overhead probe', repeatLastTurn: true, turns: [{ text: turn }] }] });
  const scratch = mkdtempSync(join(tmpdir(), 'r1ci-bench-agent-'));
  const rows: string[] = [];
  try {
    for (const kind of ['ollama', 'openai'] as const) {
      const runner = new TimedRunner(await createCodeRunner({ scratchDir: join(scratch, kind) }));
      try {
        const backend = new TimedBackend(kind === 'ollama' ? new OllamaBackend(server.url) : new OpenAiBackend({ baseUrl: `${server.url}/v1` }));
        await conversation(backend, runner, 'Overhead probe (warm-up)');
        const runs: number[][] = [];
        for (let r = 0; r < RUNS; r++) runs.push(await conversation(backend, runner, `Overhead probe run ${r}`));
        const baseline = median(runs.map((t) => t[0] ?? NaN));
        for (const n of REPORTED_TURNS) {
          const m = median(runs.map((t) => t[n - 1] ?? NaN));
          rows.push(`| ${kind.padEnd(7)} | ${String(n).padStart(5)} | ${m.toFixed(3).padStart(12)} | ${(m / baseline).toFixed(2).padStart(13)} | ${m <= 2 ? 'yes' : 'NO '} |`);
        }
        const all = runs.flat();
        rows.push(`| ${kind.padEnd(7)} |   all | ${median(all).toFixed(3).padStart(12)} | ${(median(all) / baseline).toFixed(2).padStart(13)} | ${median(all) <= 2 ? 'yes' : 'NO '} |`);
      } finally {
        await runner.dispose();
      }
    }
  } finally {
    await server.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`Agent overhead per turn (wall − model wait − code), median of ${RUNS} conversations of ${CODE_CALLS} code calls, zero-latency scripted server`);
  console.log('| backend | turn  | overhead ms  | × turn 1      | ≤ 2 ms |');
  console.log('|---------|-------|--------------|---------------|--------|');
  for (const r of rows) console.log(r);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
