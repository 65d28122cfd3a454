// `r1ci score` as a user runs it: the bundled CLI spawned on the shared benchmark sample and on
// the eval fixture (whose python: checker really runs in the sandbox), no model involved.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedTasksDir } from '../../support/sharedTasks';

const FIXTURE = resolve('test/fixtures/workspace/eval-mixed');
const TASKS = sharedTasksDir(resolve('.'));
let dir = '';
let cli = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'r1ci-score-cli-'));
  cli = join(dir, 'cli.js');
  await build({ entryPoints: ['src/cli/main.ts'], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: cli, logLevel: 'silent' });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: readonly string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: dir, env: { ...process.env, R1CI_RESOURCES_DIR: resolve('resources'), NO_COLOR: '1' }, stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (stdin !== undefined) child.stdin?.end(stdin);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

interface Line {
  id: string | null;
  answer: string | null;
  correct: boolean;
  score: number;
  reason: string;
}

function answersFile(name: string, lines: readonly unknown[]): string {
  const file = join(dir, name);
  writeFileSync(file, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
  return file;
}

describe('r1ci score (spawned CLI, no model)', () => {
  it("prints one line per input line, in order, for every layout's ids; repeats are scored on their own", async () => {
    const nav = JSON.parse(readFileSync(join(TASKS, 'BIG-Bench-Hard', 'bbh', 'navigate.json'), 'utf8')) as { examples: Array<{ target: string }> };
    const target = nav.examples[3]?.target ?? '?';
    const sudoku = JSON.parse(readFileSync(join(TASKS, 'standard_sudoku', 'sample_0', 'solution.json'), 'utf8')) as { solution: number[][] };
    const big =
      readFileSync(join(TASKS, 'game24_dataset', '240', '240_20_number.csv'), 'utf8')
        .split('\n')[1]
        ?.split(',')[2] ?? '';
    const file = answersFile('answers.jsonl', [
      { id: 'BIG-Bench-Hard/bbh/navigate.json#3', answer: target },
      { id: 'BIG-Bench-Hard/bbh/navigate.json#3', answer: target === 'Yes' ? 'No' : 'Yes' },
      { id: 'game24_dataset/24/24.csv#0', text: 'Thinking... 4*6 = 24 and 1*1 = 1, so\n<<<(4*6)*(1*1)>>>' },
      { id: 'game24_dataset/24/24.csv#0', text: 'The answer is \\boxed{(4*6)*(1*1)}' },
      { id: 'game24_dataset/240/240_20_number.csv#0', answer: big },
      { id: 'standard_sudoku/sample_0', answer: JSON.stringify(sudoku.solution) },
      { id: 'MATH/train/geometry/1.json', answer: '5' },
      { id: 'no/such/question', answer: '1' },
      '{"id": "standard_sudoku/sample_0"}',
      '{"id": 7, "answr": "3"}',
      '{"id": {"n": 7}, "answer": "3"}',
      '{"id": "x", "answer": "3"',
      '',
    ]);
    const r = await run(['score', TASKS, '--answers', file]);
    const out = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    expect(out).toHaveLength(12);
    for (const l of out) expect(Object.keys(l)).toEqual(['id', 'answer', 'correct', 'score', 'reason']);
    expect(out.map((l) => [l.id, l.correct, l.score])).toEqual([
      ['BIG-Bench-Hard/bbh/navigate.json#3', true, 1],
      ['BIG-Bench-Hard/bbh/navigate.json#3', false, 0],
      ['game24_dataset/24/24.csv#0', true, 1],
      ['game24_dataset/24/24.csv#0', false, 0],
      ['game24_dataset/240/240_20_number.csv#0', true, 1],
      ['standard_sudoku/sample_0', true, 1],
      ['MATH/train/geometry/1.json', false, 0],
      ['no/such/question', false, 0],
      // Not answer lines: the id is echoed when it can be read (a string or a number), else null.
      ['standard_sudoku/sample_0', false, 0],
      ['7', false, 0],
      [null, false, 0],
      [null, false, 0],
    ]);
    expect(out[2]?.answer).toBe('(4*6)*(1*1)');
    expect(out[3]?.answer).toBeNull();
    expect(out[4]?.reason).toMatch(/240/);
    expect(out[6]?.reason).toMatch(/not scored: MATH/);
    expect(out[7]?.reason).toMatch(/no question with this id/);
    expect(out[8]?.reason).toMatch(/line 9: expected \{"id", "answer"\} or \{"id", "text"\}/);
    expect(out[9]?.reason).toMatch(/line 10: expected/);
    expect(out[11]?.reason).toMatch(/line 12: invalid JSON/);
    expect(r.stderr).toMatch(/not scored \(unsupported\): MATH/);
    expect(r.code).toBe(1);
  }, 60_000);

  it('exits 0 when every line is scored, and runs python: checkers in the sandbox', async () => {
    const file = answersFile('custom.jsonl', [
      { id: 'custom.tasks.jsonl#prime-above-1000', answer: '1009' },
      { id: 'custom.tasks.jsonl#prime-above-1000', answer: '1001' },
      { id: 'symbench/string_insertion/sample_1', text: 'Inserting...\n<<<DBCDEBBBCDEBCABCDAC>>>' },
    ]);
    const r = await run(['score', FIXTURE, '--answers', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    expect(out.map((l) => [l.id, l.correct])).toEqual([
      ['custom.tasks.jsonl#prime-above-1000', true],
      ['custom.tasks.jsonl#prime-above-1000', false],
      ['symbench/string_insertion/sample_1', true],
    ]);
  }, 60_000);

  it('reads the answers from standard input with --answers -', async () => {
    const r = await run(['score', FIXTURE, '--answers', '-'], `${JSON.stringify({ id: 'symbench/statistical_counting_dataset/sample_2', answer: '3' })}\n`);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout) as Line).toMatchObject({ id: 'symbench/statistical_counting_dataset/sample_2', answer: '3', correct: true, score: 1 });
  });

  it('refuses a call without --answers', async () => {
    const r = await run(['score', FIXTURE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--answers/);
  });
});
