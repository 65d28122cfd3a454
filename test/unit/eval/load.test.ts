// loadTasks on mixed folders built from real samples plus deliberately broken files:
// every problem names its file (and line or record), and the good records still load.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeLoadProblem, describeSkipped, loadTasks } from '../../../src/eval/load';
import { rolloutsJsonl } from '../../../src/eval/export/rollouts';
import { sftJsonl, SFT_FORMATS } from '../../../src/eval/export/sft';
import { aResult } from '../../support/resultRecords';
import { scoreAnswer } from '../../../src/eval/score';
import type { LoadProblem } from '../../../src/eval/types';
import { TASKS_DIR } from './dataDir';

let dir = '';

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'r1ci-eval-load-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function problemFor(problems: readonly LoadProblem[], file: string): LoadProblem {
  const hit = problems.find((p) => p.file === file);
  expect(hit, `a problem for ${file} in ${JSON.stringify(problems)}`).toBeDefined();
  return hit ?? { file, message: '' };
}

describe('loadTasks on a mixed folder', () => {
  it('loads every layout side by side and reports each bad file by name', async () => {
    const root = path.join(dir, 'mixed');
    // Real samples of several layouts.
    cpSync(path.join(TASKS_DIR, 'standard_sudoku', 'sample_0'), path.join(root, 'standard_sudoku', 'sample_0'), { recursive: true });
    cpSync(path.join(TASKS_DIR, 'string_insertion', 'sample_3'), path.join(root, 'string_insertion', 'sample_3'), { recursive: true });
    cpSync(path.join(TASKS_DIR, 'Blocksworld_dataset', '2_4_3_1'), path.join(root, 'Blocksworld_dataset', '2_4_3_1'), { recursive: true });
    cpSync(path.join(TASKS_DIR, 'game24_dataset', '24', '24_4_number.csv'), path.join(root, 'game24', 'puzzles.csv'));
    const bbh = JSON.parse(readFileSync(path.join(TASKS_DIR, 'BIG-Bench-Hard', 'bbh', 'navigate.json'), 'utf8')) as { examples: unknown[] };
    writeFileSync(path.join(root, 'navigate.json'), JSON.stringify({ examples: [bbh.examples[0], { input: 'no target here' }, bbh.examples[1]] }));
    // Broken things.
    writeFileSync(path.join(root, 'broken.json'), '{"tasks": [ {"question": "x"');
    writeFileSync(path.join(root, 'other.json'), JSON.stringify({ hello: 'world' }));
    writeFileSync(path.join(root, 'scores.csv'), 'name,score\nx,1\n');
    writeFileSync(path.join(root, 'README.md'), '# not a task file');
    mkdirSync(path.join(root, 'standard_sudoku', 'sample_9'), { recursive: true });
    writeFileSync(path.join(root, 'standard_sudoku', 'sample_9', 'question.txt'), 'a question without solution.json');
    mkdirSync(path.join(root, 'mystery', 'sample_0'), { recursive: true });
    writeFileSync(path.join(root, 'mystery', 'sample_0', 'question.txt'), 'What? <<<x>>>');
    writeFileSync(path.join(root, 'mystery', 'sample_0', 'solution.json'), JSON.stringify({ complexity: 3 }));
    cpSync(path.join(TASKS_DIR, 'cryptanalysis', 'sample_1'), path.join(root, 'cryptanalysis', 'sample_1'), { recursive: true });
    writeFileSync(path.join(root, 'cryptanalysis', 'sample_1', 'solution.json'), '{"answer": ["3", "9",');
    mkdirSync(path.join(root, 'Blocksworld_dataset', 'bad'), { recursive: true });
    writeFileSync(path.join(root, 'Blocksworld_dataset', 'bad', 'blocksworld_task.txt'), 'Initial State:\nstack1: A\n');

    const { records, problems, unsupported } = await loadTasks(root);

    const byTask = (t: string): number => records.filter((r) => r.task === t).length;
    expect(byTask('standard_sudoku')).toBe(1);
    expect(byTask('string_insertion')).toBe(1);
    expect(byTask('Blocksworld_dataset')).toBe(1);
    expect(byTask('game24')).toBe(
      readFileSync(path.join(root, 'game24', 'puzzles.csv'), 'utf8')
        .trim()
        .split('\n').length - 1,
    );
    expect(byTask('navigate')).toBe(2);
    // Ids are paths relative to the folder given; items in a file are <file>#<position>.
    expect(records.map((r) => r.id)).toEqual(
      expect.arrayContaining(['standard_sudoku/sample_0', 'string_insertion/sample_3', 'Blocksworld_dataset/2_4_3_1', 'game24/puzzles.csv#0', 'navigate.json#0', 'navigate.json#2']),
    );

    expect(problemFor(problems, path.join(root, 'broken.json')).message).toMatch(/invalid JSON/);
    expect(problemFor(problems, path.join(root, 'other.json')).message).toMatch(/unrecognised JSON layout/);
    expect(problemFor(problems, path.join(root, 'scores.csv')).message).toMatch(/unrecognised CSV layout/);
    expect(problemFor(problems, path.join(root, 'standard_sudoku', 'sample_9', 'solution.json')).message).toMatch(/solution\.json/);
    // A family it does not know is named as unsupported, never scored by a guess.
    expect(unsupported?.map((u) => [u.id, u.reason])).toEqual([['mystery/sample_0', expect.stringMatching(/unknown SymBench family "mystery"/)]]);
    expect(problemFor(problems, path.join(root, 'Blocksworld_dataset', 'bad', 'blocksworld_task.txt')).message).toMatch(/Goal State/);
    const bbhProblem = problemFor(problems, path.join(root, 'navigate.json'));
    expect(bbhProblem.index).toBe(1);
    expect(bbhProblem.message).toMatch(/target/);
    expect(problems.some((p) => p.file.endsWith('README.md'))).toBe(false);
    expect(problemFor(problems, path.join(root, 'cryptanalysis', 'sample_1', 'solution.json')).message).toMatch(/invalid JSON/);
    expect(byTask('cryptanalysis')).toBe(0);
    expect(problems).toHaveLength(7);
  });

  it('reports a missing path and an unknown file type instead of throwing', async () => {
    const missing = path.join(dir, 'does-not-exist');
    const a = await loadTasks(missing);
    expect(a.records).toEqual([]);
    expect(a.problems[0]?.file).toBe(missing);
    // In words, not Node's `ENOENT: no such file or directory, realpath …`.
    expect(a.problems[0]?.message).toBe('cannot be read: no such file or folder');
    const txt = path.join(dir, 'notes.txt');
    writeFileSync(txt, 'hello');
    const b = await loadTasks(txt);
    expect(b.problems[0]?.message).toMatch(/unrecognised task file type/);
  });

  it('loads a single sample folder or its question.txt directly', async () => {
    const sample = path.join(TASKS_DIR, 'eight_queens_dataset', 'sample_4');
    const a = await loadTasks(sample);
    const b = await loadTasks(path.join(sample, 'question.txt'));
    // Relative to the folder given: the sample folder's own name.
    expect(a.records.map((r) => r.id)).toEqual(['sample_4']);
    expect(b.records).toEqual(a.records);
  });

  it("names r1ci's own outputs and links next to the tasks as skipped, and loads neither", async () => {
    const folder = path.join(dir, 'with-outputs');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'mine.jsonl'), '{"id": "a", "question": "What is 2+2?", "answer": "4"}\n');
    // A run that answered 5 must never come back as a question whose stored answer is 5.
    const trajectory = [
      { role: 'user' as const, content: 'What is 2+2?' },
      { role: 'assistant' as const, content: '```python\nprint(2+3)\n```' },
      { role: 'user' as const, content: 'Code Execution Results:\n5\n' },
      { role: 'assistant' as const, content: '<<<5>>>' },
    ];
    const result = aResult('mine.jsonl#a', { question: 'What is 2+2?', answer: '5', correct: true, score: 1, usedCode: true, codeCalls: 1, turns: 2, trajectory });
    writeFileSync(path.join(folder, 'results.jsonl'), `${JSON.stringify(result)}\n`);
    writeFileSync(path.join(folder, 'answers.jsonl'), '{"id": "mine.jsonl#a", "answer": "4"}\n');
    for (const format of SFT_FORMATS) {
      const sft = sftJsonl([result], { format });
      expect(sft.count).toBe(1);
      writeFileSync(path.join(folder, `sft-${format}.jsonl`), sft.text);
    }
    const rollouts = rolloutsJsonl([result]);
    expect(rollouts.groups).toBe(1);
    writeFileSync(path.join(folder, 'rollouts.jsonl'), rollouts.text);
    const outside = path.join(dir, 'outside.jsonl');
    writeFileSync(outside, '{"id": "x", "question": "Outside?", "answer": "no"}\n');
    symlinkSync(outside, path.join(folder, 'linked.jsonl'));

    const loaded = await loadTasks(folder);
    expect(loaded.records.map((r) => r.id)).toEqual(['mine.jsonl#a']);
    expect(loaded.problems).toEqual([]);
    const reasons = new Map((loaded.skipped ?? []).map((s) => [path.basename(s.file), s.reason]));
    expect([...reasons.keys()].sort()).toEqual(['answers.jsonl', 'linked.jsonl', 'results.jsonl', 'rollouts.jsonl', 'sft-alpaca.jsonl', 'sft-chat.jsonl', 'sft-sharegpt.jsonl']);
    expect(reasons.get('results.jsonl')).toMatch(/results file .*r1ci eval/);
    expect(reasons.get('answers.jsonl')).toMatch(/answers file/);
    expect(reasons.get('sft-alpaca.jsonl')).toMatch(/SFT data, alpaca/);
    expect(reasons.get('rollouts.jsonl')).toMatch(/rollout groups/);
    expect(reasons.get('linked.jsonl')).toMatch(/symbolic link/);
    expect(describeSkipped(loaded.skipped ?? [])).toContain(`skipped ${path.join(folder, 'results.jsonl')}: ${reasons.get('results.jsonl') ?? ''}`);
    // Named directly, a results file is still not tasks: nothing loads, and the reason is given.
    const direct = await loadTasks(path.join(folder, 'results.jsonl'));
    expect(direct.records).toEqual([]);
    expect(direct.skipped?.[0]?.reason).toMatch(/results file/);
  });

  it('rejects with the abort reason when the signal is aborted', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(loadTasks(TASKS_DIR, ac.signal)).rejects.toThrow('stop');
  });
});

describe('our own task files', () => {
  it('JSONL: good records load, each bad line is a named problem', async () => {
    const file = path.join(dir, 'mine.jsonl');
    const lines = [
      JSON.stringify({ id: 'capital', question: 'Capital of France?', answer: 'Paris', task: 'geo' }),
      '{"id": "half", "question": "1/2 as decimal?", "answer": 0.5}',
      '{not json',
      JSON.stringify({ id: 'no-answer', question: 'What?' }),
      JSON.stringify({ answer: 'x' }),
      JSON.stringify({ id: 'bad-checker', question: 'Q', checker: 'telepathy' }),
      JSON.stringify({ id: 'sudoku-no-puzzle', question: 'Solve', checker: 'sudoku' }),
      JSON.stringify({ id: 'typo', question: 'Q', anwser: 'x', answer: 'y' }),
      '',
      JSON.stringify({ id: 'capital', question: 'dup', answer: 'x' }),
      JSON.stringify({ id: 'mc', question: 'Pick one\n(A) red\n(B) blue', answer: '(B)' }),
      JSON.stringify({ id: 'g24', question: 'Make 24 from 4 7 8 8', checker: 'game24', metadata: { numbers: [4, 7, 8, 8] } }),
      JSON.stringify({ id: 'letters', question: 'List them', checker: 'list', answer: ['a', 'b'] }),
    ];
    writeFileSync(file, lines.join('\n'));
    const { records, problems } = await loadTasks(file);
    expect(records.map((r) => r.id)).toEqual(['mine.jsonl#capital', 'mine.jsonl#half', 'mine.jsonl#mc', 'mine.jsonl#g24', 'mine.jsonl#letters']);
    const lineOf = (n: number): LoadProblem | undefined => problems.find((p) => p.line === n);
    expect(lineOf(3)?.message).toMatch(/invalid JSON/);
    expect(lineOf(4)?.message).toMatch(/"answer" or "checker"/);
    // A missing field is said as missing, not as Zod's "Invalid input: expected string, received undefined".
    expect(lineOf(5)?.message).toBe('question: missing (a string is needed; docs/task-files.md lists the fields)');
    expect(lineOf(6)?.message).toMatch(/unknown checker "telepathy"/);
    expect(lineOf(7)?.message).toMatch(/metadata\.puzzle/);
    expect(lineOf(8)?.message).toMatch(/anwser/);
    // Where the kept record is, so both can be found (was: "duplicate id … (record skipped)" alone).
    expect(lineOf(10)?.message).toBe('duplicate id "mine.jsonl#capital": line 1 has it already, and is kept (this record is skipped)');
    expect(problems).toHaveLength(7);
    for (const p of problems) expect(p.file).toBe(file);

    const get = (id: string) => records.find((r) => r.id === `mine.jsonl#${id}`)!;
    expect(get('capital').task).toBe('geo');
    expect(get('capital').question).toContain('<<<answer>>>');
    expect(scoreAnswer(get('capital'), 'paris.').correct).toBe(true);
    expect(scoreAnswer(get('capital'), 'Lyon').correct).toBe(false);
    expect(scoreAnswer(get('half'), '1/2').correct).toBe(true);
    expect(scoreAnswer(get('half'), '0.50000001').correct).toBe(true);
    expect(scoreAnswer(get('half'), '0.51').correct).toBe(false);
    expect(scoreAnswer(get('mc'), 'blue').correct).toBe(true);
    expect(scoreAnswer(get('mc'), 'red').correct).toBe(false);
    expect(scoreAnswer(get('g24'), '(7-8/8)*4').correct).toBe(true);
    expect(scoreAnswer(get('g24'), '(7-8/8)*4*1').correct).toBe(false);
    expect(scoreAnswer(get('letters'), "['a', 'b']").correct).toBe(true);
    expect(scoreAnswer(get('letters'), "['b', 'a']").correct).toBe(false);
  });

  it('a record without `task` is grouped under the task set\'s name, as the results file is named: my.tasks.jsonl → "my", geo.json → "geo"', async () => {
    // Was "my.tasks": the summary's task and the default results file (my.<model>.results.jsonl) named one set two ways.
    const jsonl = path.join(dir, 'my.tasks.jsonl');
    writeFileSync(jsonl, `${JSON.stringify({ id: 'a', question: 'a?', answer: 'A' })}\n${JSON.stringify({ id: 'b', question: 'b?', answer: 'B', task: 'own' })}\n`);
    expect((await loadTasks(jsonl)).records.map((r) => r.task)).toEqual(['my', 'own']);
    const json = path.join(dir, 'geo.tasks.json');
    writeFileSync(json, JSON.stringify([{ question: 'c?', answer: 'C' }]));
    expect((await loadTasks(json)).records.map((r) => r.task)).toEqual(['geo']);
    // A name that is nothing but the extension stays whole rather than becoming "".
    const bare = path.join(dir, 'bare');
    mkdirSync(bare, { recursive: true });
    writeFileSync(path.join(bare, '.tasks.jsonl'), `${JSON.stringify({ question: 'd?', answer: 'D' })}\n`);
    expect((await loadTasks(path.join(bare, '.tasks.jsonl'))).records.map((r) => r.task)).toEqual(['.tasks.jsonl']);
  });

  it('JSONL ids without an own id are 0-based record positions: blank and // lines not counted, broken lines counted', async () => {
    const file = path.join(dir, 'positions.jsonl');
    writeFileSync(
      file,
      ['// a comment', JSON.stringify({ question: 'a?', answer: 'A' }), '', '{broken', JSON.stringify({ question: 'c?', answer: 'C' }), JSON.stringify({ id: 7, question: 'd?', answer: 'D' })].join('\n'),
    );
    const { records, problems } = await loadTasks(file);
    expect(records.map((r) => r.id)).toEqual(['positions.jsonl#0', 'positions.jsonl#2', 'positions.jsonl#7']);
    expect(problems.map((p) => p.line)).toEqual([4]);
    // Given the folder above it, the file's path is part of the id.
    const viaFolder = await loadTasks(dir);
    expect(viaFolder.records.map((r) => r.id)).toEqual(expect.arrayContaining(['positions.jsonl#0', 'positions.jsonl#2']));
  });

  it('a byte-order mark opening a JSONL or JSON task file (as Windows editors write) is not a broken first record', async () => {
    const bomDir = path.join(dir, 'bom');
    mkdirSync(bomDir, { recursive: true });
    writeFileSync(path.join(bomDir, 'lines.jsonl'), `\uFEFF${JSON.stringify({ id: 'a', question: 'a?', answer: 1 })}\r\n${JSON.stringify({ id: 'b', question: 'b?', answer: 2 })}\r\n`);
    writeFileSync(path.join(bomDir, 'array.json'), `\uFEFF${JSON.stringify([{ id: 'c', question: 'c?', answer: 3 }])}`);
    const { records, problems } = await loadTasks(bomDir);
    expect(problems).toEqual([]);
    expect(records.map((r) => r.id).sort()).toEqual(['array.json#c', 'lines.jsonl#a', 'lines.jsonl#b']);
  });

  it('a task file that is not UTF-8 (Latin-1, UTF-16) is a problem naming the file and the line, never questions garbled with U+FFFD', async () => {
    const latinDir = path.join(dir, 'latin');
    mkdirSync(latinDir, { recursive: true });
    const good = `${JSON.stringify({ id: 'a', question: 'café?', answer: 1 })}\n`;
    writeFileSync(path.join(latinDir, 'lines.jsonl'), Buffer.concat([Buffer.from(good), Buffer.from('{"id": "b", "question": "caf', 'utf8'), Buffer.from([0xe9]), Buffer.from('?", "answer": 2}\n')]));
    writeFileSync(path.join(latinDir, 'utf16.json'), Buffer.from(`\uFEFF${JSON.stringify({ id: 'c', question: 'c?', answer: 3 })}`, 'utf16le'));
    writeFileSync(path.join(latinDir, 'fine.jsonl'), good);
    const { records, problems } = await loadTasks(latinDir);
    expect(records.map((r) => r.id)).toEqual(['fine.jsonl#a']);
    expect(problemFor(problems, path.join(latinDir, 'lines.jsonl')).message).toBe('cannot read: line 2 is not UTF-8 text (a file saved as Latin-1, Windows-1252 or UTF-16?): save lines.jsonl as UTF-8');
    expect(problemFor(problems, path.join(latinDir, 'utf16.json')).message).toMatch(/^cannot read: line 1 is not UTF-8 text .*save utf16\.json as UTF-8$/);
    expect(problems).toHaveLength(2);
  });

  it('a task file over the size cap is a problem that names it once and gives the cap in MiB', async () => {
    const bigDir = path.join(dir, 'big');
    mkdirSync(bigDir, { recursive: true });
    const big = path.join(bigDir, 'huge.jsonl');
    // Sparse: the size is checked before a byte is read.
    writeFileSync(big, '');
    truncateSync(big, 64 * 1024 ** 2 + 1);
    for (const target of [bigDir, big]) {
      const { records, problems } = await loadTasks(target);
      expect(records).toEqual([]);
      const problem = problemFor(problems, big);
      expect(problem.message).toBe('not read: it is larger than 64 MiB, the most a dataset file may hold');
      expect(describeLoadProblem(problem).split(big)).toHaveLength(2);
    }
  });

  it('JSON: an array, {"tasks": [...]} and a single record all load; bad records name their index', async () => {
    const arr = path.join(dir, 'arr.json');
    writeFileSync(
      arr,
      JSON.stringify([
        { question: 'a?', answer: 'A' },
        { question: 5, answer: 'B' },
        { question: 'c?', answer: 'C' },
      ]),
    );
    const wrapped = path.join(dir, 'wrapped.json');
    writeFileSync(wrapped, JSON.stringify({ tasks: [{ id: 'w1', question: 'w?', answer: 3 }] }));
    const single = path.join(dir, 'single.json');
    writeFileSync(single, JSON.stringify({ id: 's1', question: 's?', answer: 'yes' }));
    const a = await loadTasks(arr);
    expect(a.records.map((r) => r.id)).toEqual(['arr.json#0', 'arr.json#2']);
    expect(a.problems).toHaveLength(1);
    expect(a.problems[0]?.index).toBe(1);
    // The place is in the problem's fields, said once when shown: `file [record 1]: question: …`.
    expect(a.problems[0]?.message).toMatch(/^question: /);
    expect(describeLoadProblem(a.problems[0] ?? { file: '', message: '' })).toMatch(/arr\.json \[record 1\]: question: /);
    expect((await loadTasks(wrapped)).records[0]?.scorer.kind).toBe('number');
    expect((await loadTasks(single)).records[0]?.id).toBe('single.json#s1');
  });

  it('constraint checkers take their data from metadata and accept any valid answer', async () => {
    const sudoku = JSON.parse(readFileSync(path.join(TASKS_DIR, 'standard_sudoku', 'sample_2', 'solution.json'), 'utf8')) as { puzzle: number[][]; solution: number[][] };
    const queens = JSON.parse(readFileSync(path.join(TASKS_DIR, 'eight_queens_dataset', 'sample_1', 'solution.json'), 'utf8')) as { placed_queens: number[][]; solution: number[][] };
    const bwText = readFileSync(path.join(TASKS_DIR, 'Blocksworld_dataset', '2_3_2_0', 'blocksworld_task.txt'), 'utf8');
    const file = path.join(dir, 'constraints.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({ id: 'sd', question: 'Solve <<<grid>>>', checker: 'sudoku', metadata: { puzzle: sudoku.puzzle } }),
        JSON.stringify({ id: 'q', question: 'Queens <<<x>>>', checker: 'queens', metadata: { placed_queens: queens.placed_queens } }),
        JSON.stringify({ id: 'bw', question: bwText, checker: 'blocksworld' }),
        JSON.stringify({ id: 'cc', question: 'In order: 6 2 7 → 10', checker: 'arithmetic_target', metadata: { numbers: [6, 2, 7], target: 10, ordered: true } }),
      ].join('\n'),
    );
    const { records, problems } = await loadTasks(file);
    expect(problems).toEqual([]);
    const get = (id: string) => records.find((r) => r.id === `constraints.jsonl#${id}`)!;
    expect(scoreAnswer(get('sd'), JSON.stringify(sudoku.solution)).correct).toBe(true);
    expect(scoreAnswer(get('sd'), JSON.stringify(sudoku.puzzle)).correct).toBe(false);
    expect(scoreAnswer(get('q'), queens.solution.map(([r, c]) => `${r} ${c}`).join(', ')).correct).toBe(true);
    expect(scoreAnswer(get('bw'), 'Move A from stack2 to stack1\nMove B from stack2 to stack3\nMove A from stack1 to stack2\nMove B from stack3 to stack2').correct).toBe(true);
    expect(scoreAnswer(get('bw'), 'Move B from stack2 to stack1').correct).toBe(false);
    expect(scoreAnswer(get('cc'), '6/2+7').correct).toBe(true);
    expect(scoreAnswer(get('cc'), '7+6/2').correct).toBe(false);
  });
});
