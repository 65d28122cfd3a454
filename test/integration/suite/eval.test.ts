// Evaluation inside the real extension host: a mixed task folder of real benchmark data
// (SymBench, BBH, Blocksworld, game24, a custom Python checker) against the scripted model
// server, with the model's code run for real in the sandbox. Checks the run, its results file
// and resume, the results view's data and exports, a stored trajectory replayed in a panel,
// SFT export, an A/B comparison, and the Testing view's pass/fail through the TestController.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { setSetting } from '../extensionHost';
import type { ResultsViewData } from '../../../src/vscode/eval/resultsProtocol';
import type { ViewEvent } from '../../../src/vscode/conversation/transcriptProtocol';

interface Outcome {
  resultsFile: string;
  cancelled: boolean;
  summary: { overall: { n: number; correct: number; usedCodeShare: number }; tasks: { task: string; correct: number; n: number }[] };
  results: { id: string; correct: boolean; answer: string | null; error?: string }[];
}

type TestStates = Record<string, { state: string; message?: string; expected?: string; actual?: string }>;

function lines(file: string): number {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '').length;
}

describe('Evaluation (real extension host, scripted model server, real Python)', function () {
  this.timeout(240_000);
  const workspace = process.env['R1CI_TEST_WORKSPACE'] ?? '';
  const scratch = process.env['R1CI_TEST_SCRATCH'] ?? workspace;
  const folder = join(workspace, 'eval-mixed');
  const resultsFile = join(scratch, 'eval-code.results.jsonl');
  const textOnlyFile = join(scratch, 'eval-text.results.jsonl');

  before(async () => {
    assert.ok(process.env['R1CI_TEST_MODEL_URL'], 'R1CI_TEST_MODEL_URL is not set');
    assert.ok(existsSync(folder), `${folder} is missing: the workspace fixture has eval-mixed`);
    await setSetting('ollama.host', process.env['R1CI_TEST_MODEL_URL']);
    await setSetting('model', 'qwen2.5-coder:7b');
    await setSetting('sandbox.approval', 'auto');
    await setSetting('eval.concurrency', 2);
    for (const f of [resultsFile, textOnlyFile]) rmSync(f, { force: true });
  });

  after(async () => {
    for (const key of ['model', 'sandbox.approval', 'eval.concurrency']) await setSetting(key, undefined);
    // Back to the harness's user setting (the scripted server), not to no server at all.
    await setSetting('ollama.host', process.env['R1CI_TEST_MODEL_URL']);
  });

  it('evaluates the mixed folder: the code really runs, 7 of 10 right, one line per question', async () => {
    const outcome = await vscode.commands.executeCommand<Outcome | undefined>('r1ci.eval.run', { target: folder, resultsFile });
    assert.ok(outcome, 'r1ci.eval.run returned nothing');
    assert.equal(outcome.cancelled, false);
    assert.deepEqual(
      outcome.results.filter((r) => r.error !== undefined),
      [],
    );
    assert.equal(outcome.summary.overall.n, 10);
    assert.equal(outcome.summary.overall.correct, 7);
    const byId = new Map(outcome.results.map((r) => [r.id, r]));
    assert.equal(byId.get('symbench/string_insertion/sample_1')?.answer, 'DBCDEBBBCDEBCABCDAC');
    assert.equal(byId.get('Blocksworld_dataset/2_3_2_0')?.correct, true);
    assert.equal(byId.get('custom.tasks.jsonl#prime-above-1000')?.correct, true, 'the custom checker ran in the sandbox');
    assert.equal(byId.get('bbh/navigate.json#1')?.correct, false);
    assert.equal(lines(resultsFile), 10);
  });

  it('resumes: a second run skips every finished question', async () => {
    const outcome = await vscode.commands.executeCommand<Outcome | undefined>('r1ci.eval.run', { target: folder, resultsFile, showResults: false });
    assert.ok(outcome);
    assert.equal(outcome.summary.overall.correct, 7);
    assert.equal(lines(resultsFile), 10, 'nothing was appended');
  });

  it('shows per-task accuracy and failures in the results view, and exports Markdown and CSV', async () => {
    const data = await vscode.commands.executeCommand<ResultsViewData | undefined>('r1ci.eval.openResults', resultsFile);
    assert.ok(data);
    const run = data.runs[0];
    assert.ok(run);
    assert.equal(run.overall.accuracy, 0.7);
    assert.deepEqual(
      run.tasks.map((t) => [t.task, t.correct, t.n]),
      [
        ['Blocksworld_dataset', 1, 1],
        ['custom', 1, 1],
        ['game24', 1, 2],
        ['navigate', 2, 3],
        ['new_operator_dataset', 1, 1],
        ['statistical_counting_dataset', 0, 1],
        ['string_insertion', 1, 1],
      ],
    );
    assert.deepEqual(data.failures.map((f) => f.id).sort(), ['bbh/navigate.json#1', 'game24/24_4_number.csv#1', 'symbench/statistical_counting_dataset/sample_2']);
    const csv = join(scratch, 'eval.csv');
    assert.equal(await vscode.commands.executeCommand<string | undefined>('r1ci.eval.exportResults', 'csv', csv), csv);
    assert.match(readFileSync(csv, 'utf8'), /^navigate,3,2,0\.666/m);
    const md = join(scratch, 'eval.md');
    await vscode.commands.executeCommand('r1ci.eval.exportResults', 'markdown', md);
    assert.match(readFileSync(md, 'utf8'), /\| \*\*Overall\*\* \| 10 \| 7 \| 70\.0% \|/);
  });

  it('opens a stored trajectory in a panel: question, code, its real output, the answer', async () => {
    const events = await vscode.commands.executeCommand<ViewEvent[] | undefined>('r1ci.showTrajectory', { resultsFile, id: 'symbench/new_operator_dataset/sample_1' });
    assert.ok(events);
    assert.ok(events.some((e) => e.type === 'code' && e.code.includes('def amp')));
    const exec = events.find((e) => e.type === 'exec-result');
    assert.equal(exec?.type === 'exec-result' ? exec.result.stdout.trim() : undefined, '116');
    const done = events[events.length - 1];
    assert.equal(done?.type === 'done' ? done.answer : undefined, '116');
    const wrong = await vscode.commands.executeCommand<ViewEvent[] | undefined>('r1ci.showTrajectory', { resultsFile, id: 'bbh/navigate.json#1' });
    assert.ok(wrong?.some((e) => e.type === 'notice' && /wrong/.test(e.message) && /expected No/.test(e.message)));
  });

  it('exports the correct multi-turn trajectories as SFT chat JSONL', async () => {
    const out = join(scratch, 'sft.jsonl');
    const r = await vscode.commands.executeCommand<{ count: number } | undefined>('r1ci.eval.exportSft', resultsFile, out);
    assert.equal(r?.count, 7);
    const first = JSON.parse(readFileSync(out, 'utf8').split('\n')[0] ?? '{}') as { messages?: { role: string; content: string }[] };
    assert.ok(first.messages?.some((m) => m.role === 'user' && m.content.startsWith('Code Execution Results:')));
  });

  it('compares a text-only run with the code run, per task', async () => {
    const text = await vscode.commands.executeCommand<Outcome | undefined>('r1ci.eval.run', { target: folder, textOnly: true, resultsFile: textOnlyFile, showResults: false });
    assert.ok(text);
    assert.equal(text.summary.overall.usedCodeShare, 0);
    const data = await vscode.commands.executeCommand<ResultsViewData | undefined>('r1ci.eval.compareResults', textOnlyFile, resultsFile);
    assert.ok(data);
    assert.equal(data.runs.length, 2);
    const nav = data.deltas.find((d) => d.task === 'string_insertion');
    // Text-only the scripted model never sees the output, so its answer is not the computed string.
    assert.equal(nav?.b, 1);
    assert.ok(nav?.delta !== null && nav?.delta !== undefined && nav.delta > 0);
  });

  it('runs the folder from the Testing view: each question passes or fails with expected vs. got', async () => {
    const states = await vscode.commands.executeCommand<TestStates | undefined>('r1ci.eval.runTests', folder);
    assert.ok(states);
    const state = (id: string): string | undefined => states[`${folder}#${id}`]?.state;
    assert.equal(Object.keys(states).length, 10);
    for (const id of [
      'bbh/navigate.json#0',
      'bbh/navigate.json#2',
      'Blocksworld_dataset/2_3_2_0',
      'custom.tasks.jsonl#prime-above-1000',
      'game24/24_4_number.csv#0',
      'symbench/new_operator_dataset/sample_1',
      'symbench/string_insertion/sample_1',
    ])
      assert.equal(state(id), 'passed', id);
    for (const id of ['bbh/navigate.json#1', 'game24/24_4_number.csv#1', 'symbench/statistical_counting_dataset/sample_2']) assert.equal(state(id), 'failed', id);
    const nav = states[`${folder}#bbh/navigate.json#1`];
    assert.equal(nav?.expected, 'No');
    assert.equal(nav?.actual, 'Yes');
    const count = states[`${folder}#symbench/statistical_counting_dataset/sample_2`];
    assert.deepEqual([count?.expected, count?.actual], ['3', '6']);
  });
});
