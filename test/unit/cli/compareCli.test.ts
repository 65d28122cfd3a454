// `r1ci compare` as a user runs it (the bundled CLI spawned on results files): the comparison is
// paired over the questions both files answered, and files with none in common are refused.
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatResultLine, type ResultRecord } from '../../../src/eval/results';
import { buildCli, type CliRunner } from '../../support/builtCli';
import { aResult } from '../../support/resultRecords';

let dir = '';
let run: CliRunner;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'r1ci-compare-cli-'));
  run = await buildCli(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A results file of `[id, correct]` answers; the task is the id's folder (`navigate/3` → navigate). */
function resultsFile(name: string, answers: ReadonlyArray<readonly [string, boolean]>): string {
  const file = join(dir, name);
  const record = ([id, correct]: readonly [string, boolean]): ResultRecord => aResult(id, { answer: correct ? 'right' : 'wrong', correct, reason: correct ? 'matches' : 'does not match' });
  writeFileSync(file, answers.map((a) => formatResultLine(record(a))).join(''));
  return file;
}

describe('r1ci compare (spawned CLI)', () => {
  it('partly overlapping files: figures and deltas over the shared questions, the rest counted and tasks only in one file listed without a delta', async () => {
    const a = resultsFile('a.jsonl', [
      ['game24/0', true],
      ['game24/1', false],
      ['game24/2', false],
      ['navigate/0', true],
      ['navigate/1', true],
    ]);
    const b = resultsFile('b.jsonl', [
      ['game24/1', true],
      ['game24/2', false],
      ['game24/3', true],
      ['sudoku/0', false],
    ]);
    const r = await run(['compare', a, b]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Compared: the 2 questions both runs answered (only in A: 3 questions, only in B: 2 questions)');
    expect(r.stdout).toContain('| game24 | 0.0% | 50.0% | +50.0 pt |');
    expect(r.stdout).toContain('| navigate | 100.0% | – | – (only in A) |');
    expect(r.stdout).toContain('| sudoku | – | 0.0% | – (only in B) |');
    // Over all their questions the files would read 40% and 50% (+10 pt); paired, both are game24 rows 1–2.
    expect(r.stdout).toContain('| **Overall** | 0.0% | 50.0% | +50.0 pt |');
    expect(r.stdout).toContain('| **Macro** | 0.0% | 50.0% | +50.0 pt |');
  });

  it('files with no question in common: says so, prints no delta and exits 1', async () => {
    const a = resultsFile('game24.jsonl', [
      ['game24/0', true],
      ['game24/1', false],
    ]);
    const b = resultsFile('navigate.jsonl', [['navigate/0', true]]);
    const r = await run(['compare', a, b]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('r1ci: the two results files share no question (no result id is in both), so nothing was compared.\n');
    expect(r.stdout).toContain('No question is in both runs (only in A: 2 questions, only in B: 1 question): nothing to compare.');
    expect(r.stdout).not.toMatch(/Overall|Macro| pt /);
  });

  it('runs of one task file given once as a file and once in its folder: no question in common, and the message says why', async () => {
    // `r1ci eval bbh/navigate.json` ids `navigate.json#0`; `r1ci eval bbh` ids `bbh/navigate.json#0` (ids are relative to the path given).
    const a = resultsFile('file-run.jsonl', [
      ['navigate.json#0', true],
      ['navigate.json#1', false],
    ]);
    const b = resultsFile('folder-run.jsonl', [
      ['bbh/navigate.json#0', true],
      ['bbh/navigate.json#1', true],
    ]);
    for (const [x, y, first, second] of [
      [a, b, 'navigate.json#0', 'bbh/navigate.json#0'],
      [b, a, 'bbh/navigate.json#0', 'navigate.json#0'],
    ] as const) {
      const r = await run(['compare', x, y]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `r1ci: the two results files share no question (no result id is in both), so nothing was compared. Their ids differ by a leading folder (A: "${first}", B: "${second}"): ids are relative to the task file or folder given to eval, so evaluate both runs on the same one.\n`,
      );
    }
  });

  it('a file that does not exist is named, and a bad line is named with its number (exit 1 either way)', async () => {
    const a = resultsFile('whole.jsonl', [['game24/0', true]]);
    const missing = join(dir, 'no-such-results.jsonl');
    const gone = await run(['compare', a, missing]);
    expect(gone).toMatchObject({ code: 1, stdout: '', stderr: `r1ci: ${missing} does not exist.\n` });
    // Both missing: both named, not the first alone.
    const missingToo = join(dir, 'no-such-results-either.jsonl');
    expect(await run(['compare', missing, missingToo])).toMatchObject({ code: 1, stdout: '', stderr: `r1ci: ${missing} does not exist.\nr1ci: ${missingToo} does not exist.\n` });
    // A large file that is not results at all (a log, a CSV): a few of its lines, the rest counted, not a message per line.
    const log = join(dir, 'server.log');
    writeFileSync(log, `${Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\n')}\n`);
    for (const command of [
      ['compare', a, log],
      ['export-sft', log],
      ['export-rollouts', log],
    ]) {
      const notResults = await run(command);
      expect(notResults.code).toBe(1);
      expect(notResults.stderr.split('\n').filter((l) => l.startsWith(`${log}:`))).toHaveLength(5);
      expect(notResults.stderr).toContain(`r1ci: ${log} holds no results (1995 more lines that are not a result either).\n`);
    }
    // A folder where a results file belongs is said as that (it was "not a regular file; nothing was written").
    for (const command of [
      ['compare', a, dir],
      ['export-sft', dir],
      ['export-rollouts', dir],
    ]) {
      expect(await run(command)).toMatchObject({ code: 1, stdout: '', stderr: `r1ci: ${dir} is a folder, not a results file (what \`r1ci eval\` writes).\n` });
    }

    const broken = join(dir, 'broken.jsonl');
    writeFileSync(broken, `not json\n${readFileSync(a, 'utf8')}`);
    const r = await run(['compare', a, broken]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1: `));
    expect(r.stdout).toContain('| **Overall** | 100.0% | 100.0% | +0.0 pt |');
  });

  it('the same file as A and B (same path, another spelling, a hard link) is refused as a usage error, once, with nothing compared', async () => {
    const file = resultsFile('self.jsonl', [
      ['game24/0', true],
      ['navigate/0', false],
    ]);
    writeFileSync(file, `not json\n${readFileSync(file, 'utf8')}`);
    mkdirSync(join(dir, 'sub'), { recursive: true });
    const link = join(dir, 'self-hardlink.jsonl');
    linkSync(file, link);
    // join() would normalize the second spelling away: written out, as a user types it.
    const pairs: ReadonlyArray<readonly [string, string]> = [
      [file, file],
      [file, `${dir}/./sub/../self.jsonl`],
      [file, link],
    ];
    for (const [a, b] of pairs) {
      const r = await run(['compare', a, b]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      // One line naming the file, not its bad line twice.
      expect(r.stderr).toMatch(/^r1ci: A and B are the same file \([^\n]*self[^\n]*\): give two different results files to compare\.\n$/);
    }
  });
});
