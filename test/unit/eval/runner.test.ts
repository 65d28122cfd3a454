// The evaluation loop on its own: `solve` is a small deterministic function here (the loop
// is what is under test: concurrency, timeouts, cancellation, resume, the results file).
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readResults, type ResultRecord } from '../../../src/eval/results';
import { madeOtherwiseNote, runEvaluation, type EvalEvent, type EvalRunOptions, type SolveFn, type SolveOutcome } from '../../../src/eval/runner';
import type { TaskRecord } from '../../../src/eval/types';

const records: TaskRecord[] = Array.from({ length: 12 }, (_, i) => ({
  id: `q${i}`,
  task: i % 2 === 0 ? 'even' : 'odd',
  question: `What is ${i} + ${i}?`,
  scorer: { kind: 'number', expected: String(2 * i) },
  source: { file: 'mem.jsonl', line: i + 1 },
  metadata: {},
}));

const meta = { model: 'm1', temperature: 0.6, seed: 7, textOnly: false };

/** Answers 2i, except for ids in `wrong`; resolves on the next macrotask so workers interleave. */
function arithmetic(wrong: ReadonlySet<string> = new Set()): SolveFn {
  return async (record) => {
    await new Promise((r) => setImmediate(r));
    const i = Number(record.id.slice(1));
    const answer = String(wrong.has(record.id) ? 2 * i + 1 : 2 * i);
    return outcome(record, answer, answer === String(2 * i));
  };
}

function outcome(record: TaskRecord, answer: string | null, correct: boolean, extra: Partial<SolveOutcome> = {}): SolveOutcome {
  return { id: record.id, task: record.task, question: record.question, answer, correct, reason: correct ? 'right' : 'wrong', turns: 2, codeCalls: 1, usedCode: true, ...extra };
}

async function collect(options: EvalRunOptions, signal = new AbortController().signal): Promise<EvalEvent[]> {
  const events: EvalEvent[] = [];
  for await (const e of runEvaluation(options, signal)) events.push(e);
  return events;
}

function endOf(events: readonly EvalEvent[]): Extract<EvalEvent, { type: 'end' }> {
  const end = events[events.length - 1];
  if (end?.type !== 'end') throw new Error('no end event');
  return end;
}

let dir = '';
let file = '';
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'r1ci-runner-'));
  file = path.join(dir, 'results.jsonl');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('runEvaluation', () => {
  it('solves every record, appends one line each with the run settings, and summarises', async () => {
    const events = await collect({ records, solve: arithmetic(new Set(['q3', 'q4'])), meta, concurrency: 3, perQuestionTimeoutMs: 0, resultsFile: file, resume: true });
    const end = endOf(events);
    expect(end.cancelled).toBe(false);
    expect(end.summary.overall.n).toBe(12);
    expect(end.summary.overall.correct).toBe(10);
    expect(end.summary.tasks.map((t) => [t.task, t.correct, t.n])).toEqual([
      ['even', 5, 6],
      ['odd', 5, 6],
    ]);
    const read = await readResults(file);
    expect(read.results.map((r) => r.id).sort()).toEqual(records.map((r) => r.id).sort());
    for (const r of read.results) expect([r.model, r.temperature, r.seed, r.textOnly]).toEqual(['m1', 0.6, 7, false]);
    const results = events.filter((e) => e.type === 'result');
    expect(results.map((e) => e.done)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(results[results.length - 1]?.etaMs).toBe(0);
  });

  it('refuses, before solving or writing anything, samples whose last seed (seed + k − 1) a results line could not hold', async () => {
    let asked = 0;
    const solve: SolveFn = async (record, context) => {
      asked++;
      return arithmetic()(record, context);
    };
    const top = Number.MAX_SAFE_INTEGER;
    const options: EvalRunOptions = { records: records.slice(0, 2), solve, meta: { ...meta, seed: top - 1 }, samples: 3, concurrency: 1, perQuestionTimeoutMs: 0, resultsFile: file, resume: true };
    await expect(collect(options)).rejects.toThrow(`seed ${top - 1} with 3 samples: sample i uses seed + i, and the last one's seed would be above ${top}`);
    expect(asked).toBe(0);
    expect(existsSync(file)).toBe(false);
    // Two samples fit: seeds top − 1 and top.
    const end = endOf(await collect({ ...options, samples: 2 }));
    expect(end.summary.overall.n).toBe(4);
    expect((await readResults(file)).results.map((r) => r.seed).sort()).toEqual([top - 1, top - 1, top, top]);
  });

  it('refuses a second run on a results file another run is writing, and frees the file when the first ends', async () => {
    const options: EvalRunOptions = { records, solve: arithmetic(), meta, concurrency: 2, perQuestionTimeoutMs: 0, resultsFile: file, resume: false };
    // Started at once (a command run and the Testing view of one window): the second is refused
    // before it solves or writes anything; the first writes one line per question.
    const sameFile = `${dir}${path.sep}.${path.sep}results.jsonl`;
    const [first, second] = await Promise.allSettled([collect(options), collect({ ...options, resultsFile: sameFile })]);
    expect(first.status).toBe('fulfilled');
    expect(second.status === 'rejected' ? String(second.reason) : '').toContain(`Another evaluation is writing ${sameFile} now`);
    expect((await readResults(file)).results).toHaveLength(12);
    // Once it ended (also by an error or a cancel), the file is free again.
    expect(endOf(await collect({ ...options, resume: true })).summary.overall.n).toBe(12);
  });

  it('refuses a results file another process is writing (its lock names a live pid), and takes over the lock of a process that is gone', async () => {
    const options: EvalRunOptions = { records, solve: arithmetic(), meta, concurrency: 2, perQuestionTimeoutMs: 0, resultsFile: file, resume: true };
    const lock = `${file}.lock`;
    // Another process, really alive, holds the lock as a second `r1ci eval` would.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      const pid = other.pid ?? 0;
      writeFileSync(lock, JSON.stringify({ pid, host: os.hostname(), since: '2026-01-01T00:00:00.000Z' }));
      await expect(collect(options)).rejects.toThrow(`Another evaluation is writing ${file} now (process ${pid}, since 2026-01-01T00:00:00.000Z)`);
      await expect(collect(options)).rejects.toThrow(`delete ${lock}`);
      expect(existsSync(file)).toBe(false);
      // That process ends without removing its lock (a crash, kill -9): the next run takes it over and removes it at its end.
      const exited = new Promise((r) => other.once('exit', r));
      other.kill('SIGKILL');
      await exited;
      expect(endOf(await collect(options)).summary.overall.n).toBe(12);
      expect(existsSync(lock)).toBe(false);
      expect((await readResults(file)).results).toHaveLength(12);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('holds the lock while it runs, and a lock planted as a link to a FIFO neither hangs the run nor is followed', async () => {
    const lock = `${file}.lock`;
    let seen = '';
    const solve: SolveFn = async (record, context) => {
      seen = readFileSync(lock, 'utf8');
      return arithmetic()(record, context);
    };
    await collect({ records: records.slice(0, 1), solve, meta, concurrency: 1, perQuestionTimeoutMs: 0, resultsFile: file, resume: false });
    expect(JSON.parse(seen)).toMatchObject({ pid: process.pid, host: os.hostname() });
    expect(existsSync(lock)).toBe(false);
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    symlinkSync(fifo, lock);
    await expect(collect({ records, solve: arithmetic(), meta, concurrency: 2, perQuestionTimeoutMs: 0, resultsFile: file, resume: true })).rejects.toThrow(`delete ${lock}`);
    expect(lstatSync(lock).isSymbolicLink()).toBe(true);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('never has more questions in flight than the concurrency, and uses that many workers', async () => {
    let inFlight = 0;
    let peak = 0;
    const workers = new Set<number>();
    const solve: SolveFn = async (record, ctx) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      workers.add(ctx.worker);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return outcome(record, '0', true);
    };
    await collect({ records, solve, meta, concurrency: 4, perQuestionTimeoutMs: 0, resume: false });
    expect(peak).toBe(4);
    expect([...workers].sort()).toEqual([0, 1, 2, 3]);
  });

  it('scores a question over its time limit as wrong (not an error) and aborts its solve', async () => {
    let sawAbort = false;
    const solve: SolveFn = (record, ctx) =>
      record.id === 'q1'
        ? new Promise((_, reject) =>
            ctx.signal.addEventListener('abort', () => {
              sawAbort = true;
              reject(new Error('cancelled'));
            }),
          )
        : Promise.resolve(outcome(record, '0', true));
    const end = endOf(await collect({ records: records.slice(0, 3), solve, meta, concurrency: 2, perQuestionTimeoutMs: 50, resultsFile: file, resume: true }));
    const slow = end.results.find((r) => r.id === 'q1');
    expect(sawAbort).toBe(true);
    expect(slow?.correct).toBe(false);
    expect(slow?.reason).toBe('timed out after 50 ms');
    expect(slow?.error).toBeUndefined();
    expect(end.errors).toBe(0);
  });

  it('turns a throwing solve into an error result that a resumed run retries', async () => {
    const failing: SolveFn = async (record) => {
      if (record.id === 'q2') throw new Error('server went away');
      return outcome(record, '0', true);
    };
    const first = endOf(await collect({ records: records.slice(0, 4), solve: failing, meta, concurrency: 1, perQuestionTimeoutMs: 0, resultsFile: file, resume: true }));
    expect(first.errors).toBe(1);
    expect(first.results.find((r) => r.id === 'q2')?.error).toMatch(/server went away/);
    const solved: string[] = [];
    const second = await collect({
      records: records.slice(0, 4),
      solve: async (record, ctx) => {
        solved.push(record.id);
        return arithmetic()(record, ctx);
      },
      meta,
      concurrency: 1,
      perQuestionTimeoutMs: 0,
      resultsFile: file,
      resume: true,
    });
    expect(solved).toEqual(['q2']);
    const start = second[0];
    expect(start?.type === 'start' && [start.skipped, start.toRun]).toEqual([3, 1]);
    const end = endOf(second);
    expect(end.summary.overall.n).toBe(4);
    expect(end.results.find((r) => r.id === 'q2')?.error).toBeUndefined();
  });

  it('on cancel stops every worker and writes nothing for the questions in flight; a resumed run does the rest', async () => {
    const controller = new AbortController();
    const solve: SolveFn = (record, ctx) =>
      new Promise((resolve, reject) => {
        if (Number(record.id.slice(1)) < 5) {
          setImmediate(() => resolve(outcome(record, String(2 * Number(record.id.slice(1))), true)));
          return;
        }
        // Questions from q5 on hang until cancelled (a slow model).
        ctx.signal.addEventListener('abort', () => reject(new Error('cancelled')));
        if (record.id === 'q6') controller.abort();
      });
    const end = endOf(await collect({ records, solve, meta, concurrency: 2, perQuestionTimeoutMs: 0, resultsFile: file, resume: true }, controller.signal));
    expect(end.cancelled).toBe(true);
    const written = (await readResults(file)).results.map((r) => r.id);
    expect(written.sort()).toEqual(['q0', 'q1', 'q2', 'q3', 'q4']);
    const again = await collect({ records, solve: arithmetic(), meta, concurrency: 2, perQuestionTimeoutMs: 0, resultsFile: file, resume: true });
    const start = again[0];
    expect(start?.type === 'start' && start.toRun).toBe(7);
    expect(endOf(again).summary.overall.correct).toBe(12);
    expect((await readResults(file)).results).toHaveLength(12);
  });

  it("summarises this run's questions and samples only: results of another task set, other ids or more samples in the same file are counted, kept, and left out", async () => {
    // Another task set written to the same file, and two samples of q0..q3.
    const others = records.map((r) => ({ ...r, id: `other-${r.id}` }));
    await collect({ records: others.slice(0, 5), solve: async (r) => outcome(r, 'x', false), meta, concurrency: 1, perQuestionTimeoutMs: 0, resultsFile: file, resume: true });
    await collect({ records: records.slice(0, 4), solve: arithmetic(), meta, concurrency: 1, perQuestionTimeoutMs: 0, resultsFile: file, resume: true, samples: 2 });
    const events = await collect({ records: records.slice(0, 6), solve: arithmetic(new Set(['q5'])), meta, concurrency: 1, perQuestionTimeoutMs: 0, resultsFile: file, resume: true });
    const start = events[0];
    expect(start?.type === 'start' && [start.skipped, start.toRun, start.outside, start.previous.length]).toEqual([4, 2, 9, 4]);
    const end = endOf(events);
    expect([end.summary.overall.n, end.summary.overall.correct]).toEqual([6, 5]);
    expect(end.results.map((r) => [r.id, r.sample ?? 0])).toEqual(records.slice(0, 6).map((r) => [r.id, 0]));
    expect((await readResults(file)).results).toHaveLength(5 + 8 + 2);
  });

  it('repairs a results file cut off mid-line before appending', async () => {
    await collect({ records: records.slice(0, 2), solve: arithmetic(), meta, concurrency: 1, perQuestionTimeoutMs: 0, resultsFile: file, resume: true });
    appendFileSync(file, '{"id": "q2", "task": "ev');
    const events = await collect({ records: records.slice(0, 3), solve: arithmetic(), meta, concurrency: 1, perQuestionTimeoutMs: 0, resultsFile: file, resume: true });
    const start = events[0];
    expect(start?.type === 'start' && [start.repairedTail, start.skipped, start.toRun]).toEqual([true, 2, 1]);
    const read = await readResults(file);
    expect(read.problems).toEqual([]);
    expect(read.truncatedTail).toBe(false);
    expect(read.results.map((r) => r.id)).toEqual(['q0', 'q1', 'q2']);
  });

  it('refuses to resume into a file of another model or mode, naming both', async () => {
    await collect({ records: records.slice(0, 1), solve: arithmetic(), meta, concurrency: 1, perQuestionTimeoutMs: 0, resultsFile: file, resume: true });
    await expect(collect({ records, solve: arithmetic(), meta: { ...meta, textOnly: true }, concurrency: 1, perQuestionTimeoutMs: 0, resultsFile: file, resume: true })).rejects.toThrow(
      /another run \(model m1\); this run is m1, text only/,
    );
  });

  it('refuses to add samples drawn at another temperature or seed to a file of the same model, naming both; a file with nothing left to ask is only summarized', async () => {
    await collect({ records: records.slice(0, 2), solve: arithmetic(), meta, concurrency: 1, perQuestionTimeoutMs: 0, resultsFile: file, resume: true, samples: 2 });
    const before = readFileSync(file, 'utf8');
    // More samples, or more questions, at another temperature or seed (or none): refused before anything is asked.
    for (const [other, what] of [
      [{ ...meta, temperature: 1 }, /holds q0, sample 0, made with temperature 0\.6, seed 7; this run asks for temperature 1, seed 7\. Resuming would count both kinds/],
      [{ ...meta, seed: 40 }, /made with temperature 0\.6, seed 7; this run asks for temperature 0\.6, seed 40\./],
    ] as const) {
      let asked = 0;
      const solve: SolveFn = async (r, c) => {
        asked++;
        return arithmetic()(r, c);
      };
      await expect(collect({ records: records.slice(0, 2), solve, meta: other, concurrency: 1, perQuestionTimeoutMs: 0, resultsFile: file, resume: true, samples: 3 })).rejects.toThrow(what);
      await expect(collect({ records: records.slice(0, 3), solve, meta: other, concurrency: 1, perQuestionTimeoutMs: 0, resultsFile: file, resume: true, samples: 2 })).rejects.toThrow(what);
      expect(asked).toBe(0);
    }
    expect(readFileSync(file, 'utf8')).toBe(before);
    // An unseeded run draws fresh samples: they may join seeded ones (no seed can repeat).
    await collect({ records: records.slice(0, 2), solve: arithmetic(), meta: { ...meta, seed: null }, concurrency: 1, perQuestionTimeoutMs: 0, resultsFile: file, resume: true, samples: 3 });
    expect((await readResults(file)).results.filter((r) => r.sample === 2).map((r) => r.seed)).toEqual([null, null]);
    writeFileSync(file, before);
    // Nothing left to ask: the file is summarized, whatever the settings now.
    const done = await collect({ records: records.slice(0, 2), solve: arithmetic(), meta: { ...meta, temperature: 1 }, concurrency: 1, perQuestionTimeoutMs: 0, resultsFile: file, resume: true, samples: 2 });
    expect(endOf(done).results).toHaveLength(4);
    // The same settings add the third sample (seed 7 + 2).
    await collect({ records: records.slice(0, 2), solve: arithmetic(), meta, concurrency: 1, perQuestionTimeoutMs: 0, resultsFile: file, resume: true, samples: 3 });
    expect((await readResults(file)).results.filter((r) => r.sample === 2).map((r) => r.seed)).toEqual([9, 9]);
  });

  it('records the code-call budget, refuses to add samples at another one, and says so when nothing is left to ask (files without a budget are not compared)', async () => {
    const v1 = { ...meta, maxCodeCalls: 5 };
    await collect({ records: records.slice(0, 2), solve: arithmetic(), meta: v1, concurrency: 1, perQuestionTimeoutMs: 0, resultsFile: file, resume: true });
    expect((await readResults(file)).results.map((r) => r.maxCodeCalls)).toEqual([5, 5]);
    const v2 = { ...meta, maxCodeCalls: 8 };
    const said = /holds q0, sample 0, made with temperature 0\.6, seed 7, a budget of 5 code calls; this run asks for temperature 0\.6, seed 7, a budget of 8 code calls\./;
    await expect(collect({ records: records.slice(0, 3), solve: arithmetic(), meta: v2, concurrency: 1, perQuestionTimeoutMs: 0, resultsFile: file, resume: true })).rejects.toThrow(said);
    const previous = (await readResults(file)).results;
    expect(madeOtherwiseNote(file, previous, records.slice(0, 2), 1, v2)).toMatch(said);
    expect(madeOtherwiseNote(file, previous, records.slice(0, 2), 1, v1)).toBeUndefined();
    // A text-only run, or a file written before budgets were recorded, has none to compare.
    expect(madeOtherwiseNote(file, previous, records.slice(0, 2), 1, meta)).toBeUndefined();
    expect(
      madeOtherwiseNote(
        file,
        previous.map(({ maxCodeCalls: _m, ...r }) => r),
        records.slice(0, 2),
        1,
        v2,
      ),
    ).toBeUndefined();
  });

  it('refuses a results file holding an id of this run for another question (two task sets with the same file names, or an edited task file), even with nothing left to ask', async () => {
    await collect({ records: records.slice(0, 2), solve: arithmetic(), meta, concurrency: 1, perQuestionTimeoutMs: 0, resultsFile: file, resume: true });
    const before = readFileSync(file, 'utf8');
    const edited = records.slice(0, 2).map((r, i) => (i === 1 ? { ...r, question: `${r.question} (edited)` } : r));
    let asked = 0;
    const solve: SolveFn = async (r, c) => {
      asked++;
      return arithmetic()(r, c);
    };
    const said = /holds a result for q1 of another question \(".*", not ".* \(edited\)"\): ids are relative to the task file or folder given/;
    await expect(collect({ records: edited, solve, meta, concurrency: 1, perQuestionTimeoutMs: 0, resultsFile: file, resume: true })).rejects.toThrow(said);
    await expect(collect({ records: [...edited, ...records.slice(2, 3)], solve, meta, concurrency: 1, perQuestionTimeoutMs: 0, resultsFile: file, resume: true })).rejects.toThrow(said);
    expect(asked).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('lets a re-run at new settings redo what ended in an error, and another task set of the file keep its own settings', async () => {
    await collect({ records: records.slice(0, 1), solve: async () => Promise.reject(new Error('server down')), meta, concurrency: 1, perQuestionTimeoutMs: 0, resultsFile: file, resume: true });
    const others = records.map((r) => ({ ...r, id: `other-${r.id}` }));
    await collect({ records: others.slice(0, 2), solve: arithmetic(), meta, concurrency: 1, perQuestionTimeoutMs: 0, resultsFile: file, resume: true });
    const events = await collect({ records: records.slice(0, 2), solve: arithmetic(), meta: { ...meta, temperature: 1, seed: null }, concurrency: 1, perQuestionTimeoutMs: 0, resultsFile: file, resume: true });
    expect(endOf(events).results.map((r) => [r.id, r.temperature, r.error])).toEqual([
      ['q0', 1, undefined],
      ['q1', 1, undefined],
    ]);
  });

  it('reports a bad line of the results file with its line number instead of resuming over it', async () => {
    const good: ResultRecord = { ...outcome(records[0] as TaskRecord, '0', true), durationMs: 1, ...meta };
    writeFileSync(file, `${JSON.stringify(good)}\n{"id": 3}\n${JSON.stringify({ ...good, id: 'q1' })}\n`);
    await expect(collect({ records, solve: arithmetic(), meta, concurrency: 1, perQuestionTimeoutMs: 0, resultsFile: file, resume: true })).rejects.toThrow(/results\.jsonl:2: /);
    expect(readFileSync(file, 'utf8').split('\n')).toHaveLength(4);
  });
});
