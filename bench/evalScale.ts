// Evaluation at scale (issue 12, "Scale"): loading a 20,000-question folder, and a 10,000-question
// run that streams its results to disk while the host's memory stays flat. Each against a
// baseline measured in the same run:
//  - loading: the bare I/O of the same folder (every directory listed, every file read, nothing
//    parsed), i.e. what any loader must pay;
//  - memory: the same run with its results held in memory, as the runner did before it kept
//    only slim records (the heap growth a 10,000-question run would have had).
// The harness's CPU per question is measured by the evalHarness bench (real model server and sandbox).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadTasks } from '../src/eval/load';
import type { ResultRecord } from '../src/eval/results';
import { runEvaluation, type SolveOutcome } from '../src/eval/runner';
import type { TaskRecord } from '../src/eval/types';

const LOAD_QUESTIONS = Number(process.env['R1CI_BENCH_LOAD_QUESTIONS'] ?? 20_000);
const RUN_QUESTIONS = Number(process.env['R1CI_BENCH_RUN_QUESTIONS'] ?? 10_000);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const SUDOKU = [
  [5, 3, 0, 0, 7, 0, 0, 0, 0],
  [6, 0, 0, 1, 9, 5, 0, 0, 0],
  [0, 9, 8, 0, 0, 0, 0, 6, 0],
  [8, 0, 0, 0, 6, 0, 0, 0, 3],
  [4, 0, 0, 8, 0, 3, 0, 0, 1],
  [7, 0, 0, 0, 2, 0, 0, 0, 6],
  [0, 6, 0, 0, 0, 0, 2, 8, 0],
  [0, 0, 0, 4, 1, 9, 0, 0, 5],
  [0, 0, 0, 0, 8, 0, 0, 7, 9],
];

/** 80% SymBench sample folders (16 families, a quarter of them sudoku), 20% lines of 4 JSONL task files. */
function generateFolder(root: string, n: number): void {
  const folders = Math.round(n * 0.8);
  const perFamily = Math.ceil(folders / 16);
  for (let i = 0; i < folders; i++) {
    const family = Math.floor(i / perFamily);
    // Family folders as the loader recognises them (by name prefix): sudoku and integer answers.
    const dir = join(root, family % 4 === 0 ? `standard_sudoku_${family}` : `statistical_counting_dataset_${family}`, `sample_${i % perFamily}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'question.txt'), `Question ${i}: ${'Compute the value of the expression described here. '.repeat(8)}Return your answer with the format <<<answer>>>.`);
    writeFileSync(join(dir, 'solution.json'), JSON.stringify(family % 4 === 0 ? { puzzle: SUDOKU, solution: SUDOKU } : { sequence: 'BBAAB', solution: i * 7 }));
  }
  const lines = n - folders;
  for (let f = 0; f < 4; f++) {
    const rows = Array.from({ length: Math.ceil(lines / 4) }, (_, i) => JSON.stringify({ id: `t${f}-${i}`, question: `What is ${i} + ${f}?`, answer: i + f }));
    writeFileSync(join(root, `mine_${f}.jsonl`), `${rows.slice(0, Math.max(0, lines - f * rows.length)).join('\n')}\n`);
  }
}

/** The I/O floor: list every folder and read every file, parse nothing. */
function bareRead(dir: string): number {
  let files = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) files += bareRead(full);
    else {
      readFileSync(full, 'utf8');
      files++;
    }
  }
  return files;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function timeIt(f: () => unknown, times = 3): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await f();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

/** A realistic result: two turns, one code cell, a 3 KiB trajectory. */
function outcome(record: TaskRecord): SolveOutcome {
  const reasoning = `Let me work through question ${record.id} carefully. `.repeat(40);
  const text = `${reasoning}\n\n\`\`\`python\nprint(6 * 7)\n\`\`\``;
  return {
    id: record.id,
    task: record.task,
    question: record.question,
    expected: '42',
    answer: '42',
    correct: true,
    reason: 'numbers equal',
    turns: 2,
    codeCalls: 1,
    usedCode: true,
    trajectory: [
      { role: 'user', content: record.question },
      { role: 'assistant', content: `${text}\nCode Execution Results:\n42\n\nSo the answer is <<<42>>>` },
    ],
    steps: [{ text, code: 'print(6 * 7)', language: 'python', output: { stdout: '42\n', stderr: '', exitCode: 0, durationMs: 3, timedOut: false, truncated: false } }, { text: 'So the answer is <<<42>>>' }],
    modelMs: 10,
    codeMs: 3,
    stopReason: 'answer',
  };
}

interface MemoryRun {
  /** Heap (after a full GC) once 10% of the run was done, and at its end. */
  readonly heapAtTenthMiB: number;
  readonly heapAtEndMiB: number;
  readonly fileMiB: number;
  readonly wallMs: number;
}

async function streamingRun(root: string, n: number, holdResults: boolean): Promise<MemoryRun> {
  const records: TaskRecord[] = Array.from({ length: n }, (_, i) => ({
    id: `scale/${i}`,
    task: `scale-${i % 8}`,
    question: `Scale question ${i}: what is 6 * 7? Output final answer with the format <<<answer>>>.`,
    scorer: { kind: 'number', expected: '42' },
    source: { file: 'generated', index: i },
    metadata: {},
  }));
  const file = join(root, `run-${holdResults ? 'held' : 'streamed'}.jsonl`);
  const held: ResultRecord[] = [];
  const heapMiB = (): number => {
    gc();
    return process.memoryUsage().heapUsed / 2 ** 20;
  };
  gc();
  let heapAtTenthMiB = Number.NaN;
  const started = performance.now();
  for await (const e of runEvaluation(
    {
      records,
      meta: { model: 'bench', temperature: 0, textOnly: false },
      concurrency: 8,
      perQuestionTimeoutMs: 0,
      resultsFile: file,
      resume: false,
      solve: async (record) => {
        await new Promise<void>((resolve) => setImmediate(resolve));
        return outcome(record);
      },
    },
    new AbortController().signal,
  )) {
    if (e.type !== 'result') continue;
    if (holdResults) held.push(e.result);
    if (e.done === Math.round(n / 10)) heapAtTenthMiB = heapMiB();
  }
  const wallMs = performance.now() - started;
  const heapAtEndMiB = heapMiB();
  held.length = 0;
  return { heapAtTenthMiB, heapAtEndMiB, fileMiB: statSync(file).size / 2 ** 20, wallMs };
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'r1ci-bench-scale-'));
  try {
    const folder = join(root, 'tasks');
    generateFolder(folder, LOAD_QUESTIONS);
    // Warm the page cache once, so both sides read from memory.
    const files = bareRead(folder);
    const bareMs = await timeIt(() => bareRead(folder));
    let loaded = 0;
    const loadMs = await timeIt(async () => {
      const r = await loadTasks(folder);
      if (r.problems.length > 0) throw new Error(`load problems: ${r.problems[0]?.message ?? ''}`);
      loaded = r.records.length;
    });

    const streamed = await streamingRun(root, RUN_QUESTIONS, false);
    const held = await streamingRun(root, RUN_QUESTIONS, true);
    const growth = (r: MemoryRun): number => r.heapAtEndMiB - r.heapAtTenthMiB;

    console.log(`${loaded} questions in ${files} files (80% SymBench sample folders, 20% JSONL lines); ${RUN_QUESTIONS}-question run at concurrency 8 with a zero-latency solver and a 3 KiB trajectory per result\n`);
    console.log('| measure | goal | measured | baseline (same run) | ratio |');
    console.log('|---|---|---:|---:|---:|');
    console.log(`| load a ${loaded}-question folder | < 2 s | ${(loadMs / 1000).toFixed(2)} s | bare I/O (list + read every file): ${(bareMs / 1000).toFixed(2)} s | ${(loadMs / bareMs).toFixed(2)}× |`);
    console.log(
      `| heap growth over a ${RUN_QUESTIONS}-question run (from 10% to 100%, after GC) | flat | ${growth(streamed).toFixed(1)} MiB (${((growth(streamed) * 2 ** 20) / (RUN_QUESTIONS * 0.9)).toFixed(0)} B/result) | results held in memory: ${growth(held).toFixed(1)} MiB | ${(growth(streamed) / growth(held)).toFixed(2)}× |`,
    );
    console.log(`| results streamed to disk | — | ${streamed.fileMiB.toFixed(1)} MiB in ${(streamed.wallMs / 1000).toFixed(2)} s | — | — |`);
    const ok = loadMs < 2000 && growth(streamed) < growth(held) / 4;
    console.log(`\nGoals: load < 2 s: ${loadMs < 2000 ? 'met' : 'NOT met'}; memory flat (growth under a quarter of holding the results): ${growth(streamed) < growth(held) / 4 ? 'met' : 'NOT met'}.`);
    console.log('What stays in memory per result is a slim record (id, task, answer, verdict, counts) for the summary; trajectories and steps are only on disk.');
    if (!ok) process.exitCode = 1;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
