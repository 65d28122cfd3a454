// Red team on `r1ci score` (issue 10 item 6: every question starts from an interpreter no other
// question's code touched; a question scored right because its checker was tampered with is a
// defect). Custom python: checkers run as cells in one sandbox for the whole answers file. A
// checker that evaluates the answer as code (a numeric-expression checker: eval, sympify) runs
// the model's answer in that interpreter, and one answer that patched builtins made every later
// answer's check pass, as 09-eval-forges-checker.py did to an evaluation. The spawned CLI, a real
// sandbox, no model.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, type CliRunner } from '../../support/builtCli';

let dir = '';
let run: CliRunner;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'r1ci-score-integrity-'));
  run = await buildCli(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('r1ci score: one answer cannot tamper with the checks of the next', () => {
  it('an answer that patches builtins inside an evaluating checker leaves later answers judged by the checker alone', async () => {
    const folder = join(dir, 'tasks');
    mkdirSync(join(folder, 'checkers'), { recursive: true });
    writeFileSync(join(folder, 'checkers', 'expr.py'), 'def check(answer, record):\n    return eval(answer) == 42\n');
    writeFileSync(join(folder, 'tasks.jsonl'), `${JSON.stringify({ id: 'expr', task: 'custom', question: 'Give an expression worth 42.', checker: 'python:checkers/expr.py' })}\n`);
    const answers = [
      { id: 'tasks.jsonl#expr', answer: '6 * 7' },
      { id: 'tasks.jsonl#expr', answer: '__import__("builtins").__setattr__("bool", lambda *a: True) or 0' },
      { id: 'tasks.jsonl#expr', answer: '41' },
      { id: 'tasks.jsonl#expr', answer: '40 + 2' },
    ];
    const file = join(dir, 'answers.jsonl');
    writeFileSync(file, `${answers.map((a) => JSON.stringify(a)).join('\n')}\n`);
    const scored = await run(['score', folder, '--answers', file]);
    const verdicts = scored.stdout
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { correct: boolean }).correct);
    // The second answer's own verdict is its checker's business (it ran the answer); the third is wrong.
    expect(verdicts[0]).toBe(true);
    expect(verdicts[2]).toBe(false);
    expect(verdicts[3]).toBe(true);
  });
});
