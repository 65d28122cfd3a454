// `r1ci score` as a user runs it: the bundled CLI spawned on the shared benchmark sample and on
// the eval fixture (whose python: checker really runs in the sandbox), no model involved.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { byteLines, describeUnscored } from '../../../src/cli/scoreCommand';
import { buildCli, type CliRunner } from '../../support/builtCli';
import { eventually } from '../../support/processTree';
import { aResult } from '../../support/resultRecords';
import { sharedTasksDir } from '../../support/sharedTasks';

const FIXTURE = resolve('test/fixtures/workspace/eval-mixed');
const TASKS = sharedTasksDir(resolve('.'));
let dir = '';
let run: CliRunner;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'r1ci-score-cli-'));
  run = await buildCli(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
      // Another harness's extra field is ignored; a number for an answer is scored as its text; both fields are named.
      { id: 'BIG-Bench-Hard/bbh/navigate.json#3', answer: target, model: 'other-harness' },
      '{"id": "game24_dataset/24/24.csv#0", "answer": 24}',
      '{"id": "game24_dataset/24/24.csv#0", "answer": "(4*6)*(1*1)", "text": "<<<1>>>"}',
    ]);
    const r = await run(['score', TASKS, '--answers', file]);
    const out = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    expect(out).toHaveLength(15);
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
      ['BIG-Bench-Hard/bbh/navigate.json#3', true, 1],
      ['game24_dataset/24/24.csv#0', false, 0],
      ['game24_dataset/24/24.csv#0', false, 0],
    ]);
    expect(out[2]?.answer).toBe('(4*6)*(1*1)');
    expect(out[3]?.answer).toBeNull();
    expect(out[4]?.reason).toMatch(/240/);
    // An id with nothing to score names its input line, as an invalid line does.
    expect(out[6]?.reason).toMatch(/^line 7: not scored: MATH/);
    expect(out[7]?.reason).toBe('line 8: unknown id: no question in the tasks given has it (ids: docs/task-files.md, "Ids")');
    expect(out[8]?.reason).toBe('line 9: give "answer" (the final answer) or "text" (a whole reply)');
    expect(out[9]?.reason).toBe('line 10: give "answer" (the final answer) or "text" (a whole reply)');
    expect(out[10]?.reason).toBe('line 11: "id" must be a string or a number (got an object)');
    expect(out[13]).toMatchObject({ answer: '24', correct: false });
    expect(out[13]?.reason).not.toMatch(/^line 15/);
    expect(out[14]?.reason).toBe('line 16: give "answer" (the final answer) or "text" (a whole reply), not both');
    expect(out[11]?.reason).toMatch(/line 12: invalid JSON/);
    expect(r.stderr).toMatch(/not scored \(unsupported\): MATH/);
    expect(r.stderr).not.toMatch(/sandbox tier/);
    // Exit 1 is said in words, with the lines to look at (the JSON lines may be piped elsewhere).
    // The answers file is named, as task-file problems name theirs (was: "answer lines" of no file).
    expect(r.stderr).toContain(`r1ci: 7 of 15 answer lines of ${file} were not scored (lines 7, 8, 9, 10, 11 and 2 more): each one's JSON line says why.\n`);
    expect(r.code).toBe(1);
  });

  it('names the unscored lines in stderr in plain words, one or several', () => {
    expect(describeUnscored([3], 4, 'a.jsonl')).toBe("r1ci: 1 of 4 answer lines of a.jsonl was not scored (line 3): each one's JSON line says why.");
    expect(describeUnscored([2, 9], 9, 'standard input')).toBe("r1ci: 2 of 9 answer lines of standard input were not scored (lines 2 and 9): each one's JSON line says why.");
    expect(describeUnscored([1, 2, 3, 4, 5], 5, 'a.jsonl')).toBe("r1ci: 5 of 5 answer lines of a.jsonl were not scored (lines 1, 2, 3, 4 and 5): each one's JSON line says why.");
    expect(describeUnscored([1, 2, 3, 4, 5, 6], 1, 'a.jsonl')).toMatch(/of 1 answer line of a\.jsonl were not scored \(lines 1, 2, 3, 4, 5 and 1 more\)/);
  });

  it("scores an answer written as a JSON number or boolean as Python's str() prints it; an array or object is refused for its line only", async () => {
    const tasks = join(dir, 'typed.tasks.jsonl');
    writeFileSync(
      tasks,
      `${[
        { id: 'int', question: 'q', answer: '42' },
        { id: 'float', question: 'q', answer: '1.5' },
        { id: 'bool', question: 'q', answer: 'True' },
        { id: 'big', question: 'q', answer: '123456789012345678901234567890' },
      ]
        .map((t) => JSON.stringify(t))
        .join('\n')}\n`,
    );
    const file = answersFile('typed.jsonl', [
      '{"id": "typed.tasks.jsonl#int", "answer": 42}',
      '{"id": "typed.tasks.jsonl#float", "answer": 1.5}',
      '{"id": "typed.tasks.jsonl#bool", "answer": true}',
      '{"id": "typed.tasks.jsonl#big", "answer": 123456789012345678901234567890}',
      '{"id": "typed.tasks.jsonl#int", "answer": [42]}',
      '{"id": "typed.tasks.jsonl#int", "answer": {"value": 42}}',
      '{"id": "typed.tasks.jsonl#int", "answer": "42"}',
    ]);
    const r = await run(['score', tasks, '--answers', file]);
    const out = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    expect(out.map((l) => [l.id, l.answer, l.correct])).toEqual([
      ['typed.tasks.jsonl#int', '42', true],
      ['typed.tasks.jsonl#float', '1.5', true],
      ['typed.tasks.jsonl#bool', 'True', true],
      ['typed.tasks.jsonl#big', '123456789012345678901234567890', true],
      ['typed.tasks.jsonl#int', null, false],
      ['typed.tasks.jsonl#int', null, false],
      ['typed.tasks.jsonl#int', '42', true],
    ]);
    expect(out[4]?.reason).toBe('line 5: "answer" must be a string, a number, a boolean or null (got an array: write the final answer as text, e.g. "[1, 2]")');
    expect(out[5]?.reason).toBe('line 6: "answer" must be a string, a number, a boolean or null (got an object: write the final answer as text, e.g. "[1, 2]")');
    expect(r.code).toBe(1);
  });

  it('Ctrl-C while waiting for the next line of --answers - says it was cancelled and exits 130, never 0 as if every line was scored', async () => {
    const child = spawn(process.execPath, [join(dir, 'cli.js'), 'score', FIXTURE, '--answers', '-'], {
      cwd: dir,
      env: { ...process.env, R1CI_RESOURCES_DIR: resolve('resources'), NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    // A harness still writing: one line, and the pipe stays open.
    child.stdin.write(`${JSON.stringify({ id: 'symbench/string_insertion/sample_1', answer: 'DBCDEBBBCDEBCABCDAC' })}\n`);
    expect(await eventually(() => stdout.includes('\n'))).toBe(true);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    child.stdin.destroy();
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain('r1ci: cancelled after 1 input line: the lines printed above were scored, the rest were not read.\n');
  });

  it('--answers /dev/zero (one endless line): the line is refused once it passes the cap, memory stays bounded, Ctrl-C ends it with exit 130', async () => {
    const child = spawn(process.execPath, [join(dir, 'cli.js'), 'score', FIXTURE, '--answers', '/dev/zero'], {
      cwd: dir,
      env: { ...process.env, R1CI_RESOURCES_DIR: resolve('resources'), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    // Before, the line was gathered whole: nothing was printed while the process grew without bound.
    const said = await eventually(() => stdout.includes('\n'));
    child.kill('SIGINT');
    expect(said, stderr).toBe(true);
    expect(await exited).toBe(130);
    expect(JSON.parse(stdout.split('\n')[0] ?? '')).toEqual({ id: null, answer: null, correct: false, score: 0, reason: 'line 1: longer than 64 MiB, not read (one line is one answer)' });
  });

  it('byteLines: a line over the cap is one tooLong entry, the lines around it are kept whole', async () => {
    const chunks = ['ab\nxxxx', 'xxxx', 'xx\ncd', '\n', 'yyyyyyyyy', 'y'];
    const lines: string[] = [];
    for await (const line of byteLines(
      (async function* () {
        yield* chunks.map((c) => Buffer.from(c));
      })(),
      5,
    ))
      lines.push(line.tooLong ? '<too long>' : line.bytes.toString());
    expect(lines).toEqual(['ab', '<too long>', 'cd', '<too long>']);
  });

  it('exits 0 when every line is scored, and runs python: checkers in the sandbox', async () => {
    const file = answersFile('custom.jsonl', [
      { id: 'custom.tasks.jsonl#prime-above-1000', answer: '1009' },
      { id: 'custom.tasks.jsonl#prime-above-1000', answer: '1001' },
      { id: 'symbench/string_insertion/sample_1', text: 'Inserting...\n<<<DBCDEBBBCDEBCABCDAC>>>' },
    ]);
    const r = await run(['score', FIXTURE, '--answers', file]);
    // The sandbox started for the checker and said on which tier; on Linux that must be the
    // isolated one, where checkers run without asking (this fails, never skips, without bubblewrap).
    expect(r.stderr).toMatch(process.platform === 'linux' ? /^r1ci: sandbox tier: isolated — [^\n]*\n$/ : /^r1ci: sandbox tier: basic — /);
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
  });

  it('a whole reply of a reasoning model is read as in a run: all reasoning (unclosed <think>, text before a lone </think>) answers from it', async () => {
    const id = 'symbench/statistical_counting_dataset/sample_2';
    const lines = [
      { id, text: '<think>\nCounting the runs gives 3, so <<<3>>>' },
      { id, text: 'The user wants the score. It is 3. <<<3>>>\n</think>\n\n' },
      // A reply with text of its own never takes its reasoning's answer (as in a run).
      { id, text: '<think>Maybe <<<3>>>?</think>\n\nI am not sure yet.' },
    ];
    const r = await run(['score', FIXTURE, '--answers', '-'], lines.map((l) => JSON.stringify(l)).join('\n'));
    const out = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    expect(out.map((l) => [l.answer, l.correct])).toEqual([
      ['3', true],
      ['3', true],
      [null, false],
    ]);
  });

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

/** A task folder of python: checkers: `slow` sleeps `answer` seconds, `marker` leaves a file beside itself (seen on the basic tier only). */
function checkerTasks(): { folder: string; marker: string } {
  const folder = mkdtempSync(join(dir, 'checkers-'));
  mkdirSync(join(folder, 'checkers'));
  writeFileSync(join(folder, 'checkers', 'slow.py'), 'import time\n\ndef check(answer, record):\n    time.sleep(float(answer))\n    return True\n');
  writeFileSync(join(folder, 'checkers', 'marker.py'), 'import os\n\ndef check(answer, record):\n    open(os.path.join(os.path.dirname(__file__), "checker-ran"), "w").close()\n    return answer == "yes"\n');
  const tasks = [
    { id: 'slow', task: 'custom', question: 'Wait?', checker: 'python:checkers/slow.py' },
    { id: 'marker', task: 'custom', question: 'Mark?', checker: 'python:checkers/marker.py' },
  ];
  writeFileSync(join(folder, 'tasks.jsonl'), `${tasks.map((t) => JSON.stringify(t)).join('\n')}\n`);
  return { folder, marker: join(folder, 'checkers', 'checker-ran') };
}

describe('r1ci score: sandbox flags and the tier', () => {
  it('--timeout reaches the checker: a checker slower than the limit fails its line (scored 0, the reason says so), a quick one is scored', async () => {
    const { folder } = checkerTasks();
    const file = answersFile('slow.jsonl', [
      { id: 'tasks.jsonl#slow', answer: '0' },
      { id: 'tasks.jsonl#slow', answer: '4' },
    ]);
    const limited = await run(['score', folder, '--answers', file, '--timeout', '1']);
    const out = limited.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    expect(out.map((l) => l.correct)).toEqual([true, false]);
    expect(out[1]?.reason).toMatch(/^checker failed: .*(time limit|timed out)/);
    // Without the flag the default limit (60 s) lets the same checker finish.
    const unlimited = await run(['score', folder, '--answers', answersFile('slow1.jsonl', [{ id: 'tasks.jsonl#slow', answer: '2' }])]);
    expect((JSON.parse(unlimited.stdout) as Line).correct).toBe(true);
    expect(unlimited.code).toBe(0);
  });

  it('--isolation basic runs the checker on the basic tier, as eval does, and says the tier first', async () => {
    const { folder, marker } = checkerTasks();
    const file = answersFile('marker.jsonl', [{ id: 'tasks.jsonl#marker', answer: 'yes' }]);
    const basic = await run(['score', folder, '--answers', file, '--isolation', 'basic']);
    expect(basic.code).toBe(0);
    expect(JSON.parse(basic.stdout) as Line).toMatchObject({ correct: true, reason: 'the checker accepted the answer' });
    expect(basic.stderr).toMatch(/^r1ci: sandbox tier: basic — /);
    expect(existsSync(marker)).toBe(true);
    // --allow-unisolated is a model-code flag: score takes none.
    const refused = await run(['score', folder, '--answers', file, '--allow-unisolated']);
    expect(refused.code).toBe(2);
  });

  it('answers kept in the task folder are not read as tasks: the file is named as skipped and the run exits 0', async () => {
    const folder = join(dir, 'answers-beside');
    mkdirSync(folder);
    writeFileSync(join(folder, 'mine.jsonl'), '{"id": "a", "question": "What is 2+2?", "answer": "4"}\n');
    writeFileSync(join(folder, 'answers.jsonl'), '{"id": "mine.jsonl#a", "answer": "4"}\n');
    const r = await run(['score', folder, '--answers', join(folder, 'answers.jsonl')]);
    expect(r.stderr).toContain(`skipped ${join(folder, 'answers.jsonl')}: an answers file`);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Line).correct).toBe(true);
  });

  it('an answers path that is a folder or missing is said in words', async () => {
    const folder = await run(['score', FIXTURE, '--answers', dir]);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain(`r1ci: cannot read ${dir}: a folder, not a file`);
    const missing = await run(['score', FIXTURE, '--answers', join(dir, 'no-such-answers.jsonl')]);
    expect(missing.stderr).toContain(`cannot read ${join(dir, 'no-such-answers.jsonl')}: no such file or folder`);
  });

  it('an answers file with no answer line (empty, blank lines, nothing piped) is said once and exits 1, never a silent 0', async () => {
    const empty = answersFile('empty.jsonl', []);
    const r = await run(['score', FIXTURE, '--answers', empty]);
    expect([r.code, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toBe(`r1ci: ${empty} holds no answer lines (only blank ones, or nothing): nothing was scored.\n`);
    const piped = await run(['score', FIXTURE, '--answers', '-'], '\n  \n');
    expect([piped.code, piped.stdout]).toEqual([1, '']);
    expect(piped.stderr).toBe('r1ci: standard input holds no answer lines (only blank ones, or nothing): nothing was scored.\n');
  });

  it("another of r1ci's files given as answers (tasks, SFT, rollouts, a curriculum) is named in one sentence before any line, not an error per line; a results file is still scored", async () => {
    const kinds = [
      [
        'tasks.jsonl',
        [
          { question: 'What is 1 + 1?', answer: '2' },
          { question: 'What is 2 + 2?', answer: '4' },
        ],
        'a task file',
      ],
      // Task lines with ids and answers read as answer lines; their ids are not the tasks' ids.
      ['tasks-with-ids.jsonl', [{ id: 'q1', question: 'What is 1 + 1?', answer: '2' }], 'a task file'],
      [
        'sft.jsonl',
        [
          {
            messages: [
              { role: 'user', content: 'q' },
              { role: 'assistant', content: '<<<1>>>' },
            ],
          },
        ],
        'SFT data, chat format (written by `r1ci export-sft`)',
      ],
      ['rollouts.jsonl', [{ id: 'bbh/navigate.json#0', task: 'navigate', prompt: 'q', p: 1, samples: [] }], 'RL rollout groups (written by `r1ci export-rollouts`)'],
      ['curriculum.jsonl', [{ id: 'bbh/navigate.json#0', task: 'navigate', samples: 2, correct: 1, p: 0.5, potential: 1, stage: 1 }], 'a curriculum (written by `r1ci export-rollouts --curriculum`)'],
    ] as const;
    for (const [name, lines, kind] of kinds) {
      const file = answersFile(name, lines);
      const r = await run(['score', FIXTURE, '--answers', file]);
      expect([name, r.code, r.stdout]).toEqual([name, 1, '']);
      expect(r.stderr).toBe(`r1ci: ${file} is ${kind}, not answers: each line of an answers file is {"id", "answer"} or {"id", "text"} (r1ci score --help).\n`);
    }
    // Answers kept beside their question text (a task line's shape, the tasks' own ids) are answers.
    const withQuestion = answersFile('with-question.jsonl', [{ id: 'bbh/navigate.json#0', question: 'q', answer: 'No' }]);
    const kept = await run(['score', FIXTURE, '--answers', withQuestion]);
    expect(kept.code, kept.stderr).toBe(0);
    expect(JSON.parse(kept.stdout)).toMatchObject({ id: 'bbh/navigate.json#0', answer: 'No', correct: true });
    // An eval results file holds {"id", "answer", ...} lines: a saved run is scored again.
    const results = answersFile('run.results.jsonl', [aResult('bbh/navigate.json#0', { answer: 'No', correct: true })]);
    const again = await run(['score', FIXTURE, '--answers', results]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ id: 'bbh/navigate.json#0', answer: 'No', correct: true });
  });

  it('a task path that holds no question is one clear error, not an unknown id on every line', async () => {
    const missing = join(dir, 'no-such-tasks');
    const r = await run(['score', missing, '--answers', answersFile('any.jsonl', [{ id: 'a', answer: '1' }])]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`r1ci: No questions found in ${missing} (1 problem: see above).`);
  });

  it('a byte-order mark opening answers.jsonl (as Windows editors write) does not make line 1 invalid', async () => {
    const file = join(dir, 'bom-answers.jsonl');
    writeFileSync(file, `\uFEFF${JSON.stringify({ id: 'symbench/string_insertion/sample_1', answer: 'DBCDEBBBCDEBCABCDAC' })}\r\n`);
    const r = await run(['score', FIXTURE, '--answers', file]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout) as Line).toMatchObject({ id: 'symbench/string_insertion/sample_1', correct: true });
  });

  it('an answers line that is not UTF-8 (Latin-1) is an invalid line, never scored garbled with U+FFFD; the other lines are scored', async () => {
    const file = join(dir, 'latin-answers.jsonl');
    const good = JSON.stringify({ id: 'symbench/string_insertion/sample_1', answer: 'DBCDEBBBCDEBCABCDAC' });
    writeFileSync(file, Buffer.concat([Buffer.from(`${good}\r\n{"id": "symbench/string_insertion/sample_1", "answer": "caf`), Buffer.from([0xe9]), Buffer.from(`"}\n${good}`)]));
    const r = await run(['score', FIXTURE, '--answers', file]);
    expect(r.code).toBe(1);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    expect(lines.map((l) => [l.correct, l.reason.startsWith('line 2: ') ? l.reason : 'scored'])).toEqual([
      [true, 'scored'],
      [false, 'line 2: not UTF-8 text (save the answers as UTF-8)'],
      [true, 'scored'],
    ]);
    expect(r.stdout).not.toContain('\uFFFD');
  });

  it('an empty folder says what r1ci looks for, for score and eval alike', async () => {
    const empty = join(dir, 'empty-tasks');
    mkdirSync(empty, { recursive: true });
    for (const args of [
      ['score', empty, '--answers', answersFile('any-empty.jsonl', [{ id: 'a', answer: '1' }])],
      ['eval', empty, '--host', 'http://127.0.0.1:9'],
    ]) {
      const r = await run(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`r1ci: No questions found in ${empty}: no task file (.jsonl, .json, .csv) or question folder in a layout r1ci reads (docs/task-files.md, "What can be loaded").`);
    }
    // A task file that loaded without a problem but holds no question is said to be empty, not to
    // be no task file at all (found trying the CLI: an empty tasks.jsonl was told "no task file").
    for (const [name, text] of [
      ['empty.tasks.jsonl', ''],
      ['blank.tasks.jsonl', '\n\n'],
      ['none.json', '[]\n'],
      ['header-only.csv', 'Rank,Puzzles\n'],
    ] as const) {
      const file = join(dir, name);
      writeFileSync(file, text);
      for (const args of [
        ['score', file, '--answers', answersFile(`any-${name}.jsonl`, [{ id: 'a', answer: '1' }])],
        ['eval', file, '--host', 'http://127.0.0.1:9'],
      ]) {
        const r = await run(args);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`r1ci: No questions found in ${file}: the task file is empty (no line or item holds a question; docs/task-files.md lists the fields).`);
      }
    }
    // A results file given as tasks: the skipped line says why, and the error points at it.
    const results = join(dir, 'given.results.jsonl');
    writeFileSync(results, `${JSON.stringify(aResult('q.jsonl#0'))}\n`);
    const r = await run(['score', results, '--answers', answersFile('any-results.jsonl', [{ id: 'a', answer: '1' }])]);
    expect(r.stderr).toContain(`skipped ${results}: an r1ci results file`);
    expect(r.stderr).toContain(`r1ci: No questions found in ${results} (1 file skipped: see above).`);
    // A family r1ci recognises but cannot score: eval names it above and the error points there.
    const unknown = join(dir, 'unknown-family', 'foo_dataset', 'sample_0');
    mkdirSync(unknown, { recursive: true });
    writeFileSync(join(unknown, 'question.txt'), 'q');
    writeFileSync(join(unknown, 'solution.json'), '{"solution": 1}');
    const e = await run(['eval', join(dir, 'unknown-family'), '--host', 'http://127.0.0.1:9']);
    expect(e.stderr).toContain('not scored (unsupported): foo_dataset');
    expect(e.stderr).toContain(`r1ci: No questions found in ${join(dir, 'unknown-family')} (1 unsupported question: see above).`);
  });

  it('a --python that does not exist is one clear error when a checker needs the sandbox, and no error when none does', async () => {
    const missing = join(dir, 'no-such-python3');
    const needed = await run(['score', FIXTURE, '--answers', answersFile('prime.jsonl', [{ id: 'custom.tasks.jsonl#prime-above-1000', answer: '1009' }]), '--python', missing]);
    expect(needed.code).toBe(1);
    expect(needed.stdout).toBe('');
    expect(needed.stderr).toMatch(new RegExp(`^r1ci: the sandbox could not start: [^\\n]*${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^\\n]*--python PATH\\.\\n$`));
    const notNeeded = await run(['score', FIXTURE, '--answers', answersFile('count.jsonl', [{ id: 'symbench/statistical_counting_dataset/sample_2', answer: '3' }]), '--python', missing]);
    expect(notNeeded.stderr).toBe('');
    expect(notNeeded.code).toBe(0);
  });

  it("a sandbox flag or --isolation out of range gets eval's message and exit status 2, before anything runs", async () => {
    const file = answersFile('none.jsonl', [{ id: 'custom.tasks.jsonl#prime-above-1000', answer: '1009' }]);
    for (const bad of [
      ['--timeout', '0'],
      ['--memory-mib', '63'],
      ['--isolation', 'none'],
    ]) {
      const [score, evaluated] = await Promise.all([run(['score', FIXTURE, '--answers', file, ...bad]), run(['eval', FIXTURE, ...bad])]);
      expect(score.code).toBe(2);
      expect(evaluated.code).toBe(2);
      expect(score.stderr).toMatch(/^r1ci: --[a-z-]+ must be /);
      expect(score.stderr).toBe(evaluated.stderr);
      expect(score.stdout).toBe('');
    }
  });
});
