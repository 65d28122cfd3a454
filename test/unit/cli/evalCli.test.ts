// `r1ci eval` as a user runs it: the CLI bundled as the build bundles it, spawned as its own
// process against the scripted model server, with real Python in the sandbox, on the mixed
// task folder of real benchmark data (test/fixtures/workspace/eval-mixed).
import { spawn } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResults } from '../../../src/eval/results';
import { startScriptedServer, type ScriptedServer } from '../../support/scripted-server';
import { bundleCli } from '../../support/builtCli';
import { llamaFactoryReadColumns } from '../../support/trainerFormats';

const FIXTURE = resolve('test/fixtures/workspace/eval-mixed');
let dir = '';
let cli = '';
let server: ScriptedServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'r1ci-eval-cli-'));
  cli = join(dir, 'cli.js');
  await bundleCli(cli);
  server = await startScriptedServer({ scenarios: 'test/scenarios' });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A port nothing listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function run(args: readonly string[], cwd = dir): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, R1CI_RESOURCES_DIR: resolve('resources'), NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

describe('r1ci eval (spawned CLI, scripted server, real sandbox)', () => {
  it('evaluates the mixed folder, prints plain progress and a summary table, writes results and SFT data, and resumes', async () => {
    const out = join(dir, 'results.jsonl');
    const sft = join(dir, 'sft.jsonl');
    const first = await run(['eval', FIXTURE, '--host', server.url, '--out', out, '--sft', sft, '--concurrency', '2', '--seed', '11']);
    // Only the sandbox tier, said before any model code runs.
    expect(first.stderr).toMatch(/^r1ci: sandbox tier: (isolated|basic) — [^\n]*\n(r1ci: model code will not be run[^\n]*\n)?$/);
    expect(first.code).toBe(0); // 70 % accuracy is not an error
    expect(first.stdout).toMatch(/\[10\/10\] .* · done/);
    expect(first.stdout).toContain('| **Overall** | 10 | 7 | 70.0% |');
    expect(first.stdout).toContain('| game24 | 2 | 1 | 50.0% |');
    const results = (await readResults(out)).results;
    expect(results).toHaveLength(10);
    const byId = new Map(results.map((r) => [r.id, r]));
    // The answers come from really running the scripted code.
    expect(byId.get('symbench/string_insertion/sample_1')?.answer).toBe('DBCDEBBBCDEBCABCDAC');
    expect(byId.get('custom.tasks.jsonl#prime-above-1000')).toMatchObject({ answer: '1009', correct: true, reason: 'the checker accepted the answer' });
    expect(byId.get('game24/24_4_number.csv#1')).toMatchObject({ correct: false, usedCode: false });
    for (const r of results) expect([r.model, r.temperature, r.seed, r.textOnly]).toEqual(['qwen2.5-coder:7b', 0.6, 11, false]);
    const transcripts = readFileSync(sft, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { messages: { role: string }[] });
    expect(transcripts).toHaveLength(7);
    for (const t of transcripts) expect(t.messages.filter((m) => m.role === 'assistant').length).toBeGreaterThan(1);

    const chatsBefore = server.chatRequests().length;
    const again = await run(['eval', FIXTURE, '--host', server.url, '--out', out]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Resuming: 10 of 10 questions already done, 0 to go.');
    // Nothing left to ask: no sandbox was started (no tier line, no isolation question), nothing on stderr.
    expect(again.stderr).toBe('');
    expect(server.chatRequests().length).toBe(chatsBefore);
    expect((await readResults(out)).results).toHaveLength(10);
  });

  it('exits 1 on a bad task line but still runs the good records', async () => {
    const tasks = join(dir, 'mixed.tasks.jsonl');
    writeFileSync(tasks, ['{"id": "s", "question": "Define a&b to be 4*a+2*b.\\nCalculate (5&3)&6.", "answer": 116}', '{"id": "bad", "anwser": 1}', ''].join('\n'));
    const out = join(dir, 'partial.jsonl');
    const good = await run(['eval', tasks, '--host', server.url, '--out', out]);
    expect(good.code).toBe(1);
    expect(good.stderr).toMatch(/mixed\.tasks\.jsonl:2: .*anwser/);
    expect((await readResults(out)).results.map((r) => [r.id, r.correct])).toEqual([['mixed.tasks.jsonl#s', true]]);
  });

  it('checks the server and the model before the first question: one message in CLI terms, no results file', async () => {
    const tasks = join(dir, 'one.tasks.jsonl');
    writeFileSync(tasks, '{"id": "s", "question": "Define a&b to be 4*a+2*b.\\nCalculate (5&3)&6.", "answer": 116}\n');
    const chatsBefore = server.chatRequests().length;

    const downOut = join(dir, 'down.jsonl');
    const closed = await closedPort();
    const down = await run(['eval', tasks, '--host', `http://127.0.0.1:${closed}`, '--out', downOut]);
    expect(down.code).toBe(1);
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
    expect(down.stderr).toContain(`r1ci: No Ollama server at http://127.0.0.1:${closed} — start it with \`ollama serve\`, or set --host URL (or the OLLAMA_HOST environment variable).`);
    expect(existsSync(downOut)).toBe(false);

    const missingOut = join(dir, 'missing.jsonl');
    const missing = await run(['eval', tasks, '--host', server.url, '--model', 'no-such-model:1b', '--out', missingOut]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('`ollama pull no-such-model:1b`');
    expect(missing.stderr).toContain('--model NAME');
    expect(existsSync(missingOut)).toBe(false);

    // Nothing says "setting" or points at the VS Code UI.
    for (const text of [down.stderr, missing.stderr]) expect(text).not.toMatch(/r1ci\.\w|setting|picker/i);
    expect(server.chatRequests().length).toBe(chatsBefore);
  });

  it("refuses before any progress output: a results file another eval is writing (its lock), or one holding another model's results", async () => {
    const tasks = join(dir, 'refused.tasks.jsonl');
    writeFileSync(tasks, '{"id": "s", "question": "Define a&b to be 4*a+2*b.\\nCalculate (5&3)&6.", "answer": 116}\n');
    const chatsBefore = server.chatRequests().length;

    // A live writer: this test's own process, on this host.
    const locked = join(dir, 'locked.jsonl');
    writeFileSync(`${locked}.lock`, `${JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() })}\n`);
    const held = await run(['eval', tasks, '--host', server.url, '--out', locked]);
    expect(held.code).toBe(1);
    expect(held.stdout).toBe('');
    // Before the sandbox starts (its tier line) and before the isolation question.
    expect(held.stderr).toBe(
      `r1ci: Another evaluation is writing ${locked} now (process ${process.pid}, since ${held.stderr.match(/since ([^)]*)\)/)?.[1] ?? ''}): wait for it to end (or cancel it), or write to another results file. If no such run is going on, delete ${locked}.lock.\n`,
    );
    expect(existsSync(`${locked}.lock`)).toBe(true);
    expect(existsSync(locked)).toBe(false);

    const other = join(dir, 'other-model.jsonl');
    writeFileSync(
      other,
      `${JSON.stringify({ id: 'refused.tasks.jsonl#s', task: 'refused', question: 'q', answer: '116', expected: '116', correct: true, reason: 'exact match', usedCode: false, turns: 1, codeCalls: 0, durationMs: 5, model: 'another:1b', temperature: 0.6, textOnly: false })}\n`,
    );
    const mixed = await run(['eval', tasks, '--host', server.url, '--out', other, '--text-only']);
    expect(mixed.code).toBe(1);
    expect(mixed.stdout).toBe('');
    expect(mixed.stderr).toContain('holds results of another run (model another:1b)');
    expect(existsSync(`${other}.lock`)).toBe(false);
    expect(server.chatRequests().length).toBe(chatsBefore);
  });

  it("refuses another model's results file alone, before the sandbox starts (no tier line), when model code would run", async () => {
    const tasks = join(dir, 'refused-code.tasks.jsonl');
    writeFileSync(tasks, '{"id": "s", "question": "Define a&b to be 4*a+2*b.\\nCalculate (5&3)&6.", "answer": 116}\n');
    const chatsBefore = server.chatRequests().length;
    for (const [name, line] of [
      [
        'other-model-code.jsonl',
        JSON.stringify({
          id: 'refused-code.tasks.jsonl#s',
          task: 'refused',
          question: 'q',
          answer: '116',
          expected: '116',
          correct: true,
          reason: 'exact match',
          usedCode: false,
          turns: 1,
          codeCalls: 0,
          durationMs: 5,
          model: 'another:1b',
          temperature: 0.6,
          textOnly: false,
        }),
      ],
      ['bad-line-code.jsonl', '{"id": "refused-code.tasks.jsonl#s", "broken": '],
    ] as const) {
      const other = join(dir, name);
      writeFileSync(other, `${line}\n`);
      const r = await run(['eval', tasks, '--host', server.url, '--out', other, '--allow-unisolated']);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).not.toContain('sandbox tier');
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      expect(readFileSync(other, 'utf8')).toBe(`${line}\n`);
      expect(existsSync(`${other}.lock`)).toBe(false);
    }
    expect(server.chatRequests().length).toBe(chatsBefore);
  });

  it('refuses, before the sandbox starts, to add samples at another temperature or seed to a results file, and names both settings', async () => {
    const tasks = join(dir, 'resampled.tasks.jsonl');
    writeFileSync(tasks, '{"id": "s", "question": "Define a&b to be 4*a+2*b.\\nCalculate (5&3)&6.", "answer": 116}\n');
    const out = join(dir, 'resampled.jsonl');
    const line = JSON.stringify({
      id: 'resampled.tasks.jsonl#s',
      task: 'resampled',
      question: 'Define a&b to be 4*a+2*b.\nCalculate (5&3)&6.\nOutput final answer with the format <<<answer>>>.',
      answer: '116',
      correct: true,
      reason: 'exact match',
      usedCode: false,
      turns: 1,
      codeCalls: 0,
      durationMs: 5,
      model: 'qwen2.5-coder:7b',
      temperature: 0.6,
      seed: 3,
      textOnly: false,
    });
    writeFileSync(out, `${line}\n`);
    const chatsBefore = server.chatRequests().length;
    const r = await run(['eval', tasks, '--host', server.url, '--out', out, '--samples', '2', '--temperature', '0.8', '--seed', '3', '--allow-unisolated']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `r1ci: ${out} holds resampled.tasks.jsonl#s, sample 0, made with temperature 0.6, seed 3; this run asks for temperature 0.8, seed 3. Resuming would count both kinds in one accuracy and pass@k: give the same settings, or write to another results file.\n`,
    );
    expect(readFileSync(out, 'utf8')).toBe(`${line}\n`);
    expect(server.chatRequests().length).toBe(chatsBefore);
  });

  it('--max-code-calls 8 on a results file made with 5 (a v2 checkpoint after a v1 default run): refused when questions are left, said when none are (was: "0 to go" and the old summary, silently)', async () => {
    const tasks = join(dir, 'budget.tasks.jsonl');
    writeFileSync(tasks, '{"id": "s", "question": "Define a&b to be 4*a+2*b.\\nCalculate (5&3)&6.", "answer": 116}\n');
    const out = join(dir, 'budget.jsonl');
    expect((await run(['eval', tasks, '--host', server.url, '--out', out])).code).toBe(0);
    expect((await readResults(out)).results.map((r) => r.maxCodeCalls)).toEqual([5]);
    const before = readFileSync(out, 'utf8');
    const said = `${out} holds budget.tasks.jsonl#s, sample 0, made with temperature 0.6, no seed, a budget of 5 code calls; this run asks for temperature 0.6, no seed, a budget of 8 code calls.`;
    const done = await run(['eval', tasks, '--host', server.url, '--out', out, '--max-code-calls', '8']);
    expect(done.code).toBe(0);
    expect(done.stderr).toContain(`r1ci: ${said} Nothing was asked again, so the summary is of those results: to run at the new settings, write to another results file.\n`);
    const more = await run(['eval', tasks, '--host', server.url, '--out', out, '--max-code-calls', '8', '--samples', '2']);
    expect(more.code).toBe(1);
    expect(more.stdout).toBe('');
    expect(more.stderr).toBe(`r1ci: ${said} Resuming would count both kinds in one accuracy and pass@k: give the same settings, or write to another results file.\n`);
    expect(readFileSync(out, 'utf8')).toBe(before);
  });

  it('--samples 3 with a sample that ended in an error prints pass@3 as not known yet (was: pass@2 of the samples that finished), and so does a re-run whose retry fails again', async () => {
    const tasks = join(dir, 'partial.tasks.jsonl');
    writeFileSync(tasks, '{"id": "p", "question": "Sampling probe: what is 3 + 4?", "answer": 7}\n');
    const out = join(dir, 'partial.jsonl');
    const first = await run(['eval', tasks, '--host', server.url, '--out', out, '--samples', '3', '--seed', '90']);
    expect(first.code).toBe(1); // a sample ended in an error
    expect(first.stderr).toContain('r1ci: 1 sample failed with an error');
    expect(first.stdout).toContain('| Task | Questions | pass@3 | mean@3 | mean Π |');
    expect(first.stdout).toContain('| **Overall** | 1 | — | 100.0% | 0.00 |');
    expect(first.stdout).toContain('1 question(s) with fewer than 3 samples left out of pass@3');
    expect(first.stdout).toContain('pass@3 is not known yet: no question has 3 finished samples');
    expect(first.stdout).not.toContain('pass@2');
    // The errored sample is asked again, with its own seed (91 → the same refusal), so the figures stay unknown, never 0%.
    const again = await run(['eval', tasks, '--host', server.url, '--out', out, '--samples', '3', '--seed', '90']);
    expect(again.stdout).toContain('| **Overall** | 1 | — | 100.0% | 0.00 |');
  });

  it('export-sft names the correct trajectories a format cannot hold and why (was: 1 in chat, 0 in alpaca and sharegpt, nothing said)', async () => {
    const tasks = join(dir, 'code-answer.tasks.jsonl');
    writeFileSync(tasks, '{"id": "n", "question": "Export probe: what is five plus four, printed?", "answer": 9}\n');
    const out = join(dir, 'code-answer.jsonl');
    for (const model of ['r1-code-interpreter:7b', 'qwen2.5-coder:7b']) {
      rmSync(out, { force: true });
      expect((await run(['eval', tasks, '--host', server.url, '--model', model, '--out', out])).code).toBe(0);
      expect((await readResults(out)).results[0]).toMatchObject({ correct: true, answerSource: 'code-output' });
      const chat = await run(['export-sft', out]);
      expect(chat.stdout.trimEnd().split('\n')).toHaveLength(1);
      expect(chat.stderr).not.toContain('left out');
      for (const format of ['alpaca', 'sharegpt']) {
        const x = await run(['export-sft', out, '--format', format]);
        expect(x.code).toBe(0);
        expect(x.stdout).toBe('');
        expect(x.stderr).toContain(
          `r1ci: 1 correct trajectory left out of ${format}: it ends with an execution result (the answer was printed by the code and the model wrote nothing after it), and a ${format} record ends with the model's turn (chat keeps it) (code-answer.tasks.jsonl#n).\n`,
        );
      }
    }
  });

  it('refuses to resume a task file from a results file of another task set with the same file name (was: "0 to go" and the other question\'s answer counted)', async () => {
    for (const [folder, question] of [
      ['set-a', 'Define a&b to be 4*a+2*b.\\nCalculate (5&3)&6.'],
      ['set-b', 'Sampling probe: what is 3 + 4?'],
    ] as const) {
      mkdirSync(join(dir, folder), { recursive: true });
      writeFileSync(join(dir, folder, 'tasks.jsonl'), `{"question": "${question}", "answer": 1}\n`);
    }
    const out = join(dir, 'shared-name.jsonl');
    expect((await run(['eval', join(dir, 'set-a', 'tasks.jsonl'), '--host', server.url, '--out', out])).code).toBe(0);
    const before = readFileSync(out, 'utf8');
    const chatsBefore = server.chatRequests().length;
    const b = await run(['eval', join(dir, 'set-b', 'tasks.jsonl'), '--host', server.url, '--out', out]);
    expect(b.code).toBe(1);
    expect(b.stdout).toBe('');
    expect(b.stderr).toBe(
      `r1ci: ${out} holds a result for tasks.jsonl#0 of another question ("Define a&b to be 4*a+2*b.\\nCalculate (5&3)&6.\\nOutput final answer with the format…", not "Sampling probe: what is 3 + 4?\\nOutput final answer with the format <<<answer>>>."): ids are relative to the task file or folder given, so task sets whose files have the same names share them, and a task file edited since is another task set. Write to another results file.\n`,
    );
    expect(readFileSync(out, 'utf8')).toBe(before);
    expect(server.chatRequests().length).toBe(chatsBefore);
  });

  it('export-rollouts names the groups with fewer samples than the others (was: groups of 2 and 3 side by side, nothing said)', async () => {
    const tasks = join(dir, 'short-group.tasks.jsonl');
    writeFileSync(tasks, ['{"id": "p", "question": "Sampling probe: what is 3 + 4?", "answer": 7}', '{"id": "s", "question": "Define a&b to be 4*a+2*b.\\nCalculate (5&3)&6.", "answer": 116}', ''].join('\n'));
    const out = join(dir, 'short-group.jsonl');
    expect((await run(['eval', tasks, '--host', server.url, '--out', out, '--samples', '3', '--seed', '90'])).code).toBe(1);
    const r = await run(['export-rollouts', out]);
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { samples: unknown[] }).samples.length),
    ).toEqual([2, 3]);
    expect(r.stderr).toBe(
      '2 groups, 5 samples → standard output\nr1ci: 1 group has fewer than 3 samples (short-group.tasks.jsonl#p: 2): their other samples ended in an error or were not asked yet; run the eval again with --samples 3 to complete them.\n',
    );
  });

  it('writes results to .r1ci/results/ beside the tasks by default, never into the current folder, and says so in --help', async () => {
    const tasksDir = mkdtempSync(join(dir, 'tasks-'));
    const tasks = join(tasksDir, 'probe.tasks.jsonl');
    writeFileSync(tasks, '{"id": "s", "question": "Define a&b to be 4*a+2*b.\\nCalculate (5&3)&6.", "answer": 116}\n');
    const cwd = mkdtempSync(join(dir, 'cwd-'));
    const r = await run(['eval', tasks, '--host', server.url], cwd);
    expect(r.code).toBe(0);
    const expected = join(tasksDir, '.r1ci', 'results', 'probe.qwen2.5-coder_7b.results.jsonl');
    expect(r.stdout).toContain(`→ ${expected}`);
    expect((await readResults(expected)).results.map((x) => x.id)).toEqual(['probe.tasks.jsonl#s']);
    expect(readdirSync(cwd)).toEqual([]);
    const help = await run(['eval', '--help']);
    expect(help.stdout).toMatch(/--out FILE +results file \(default: \.r1ci\/results\/<tasks>\.<model>\[\.text-only\]\.results\.jsonl/);
  });

  it('exports SFT transcripts and compares two runs', async () => {
    const textOnly = join(dir, 'text.jsonl');
    const t = await run(['eval', FIXTURE, '--host', server.url, '--out', textOnly, '--text-only']);
    expect(t.code).toBe(0);
    const read = await readResults(textOnly);
    expect(read.results.every((r) => r.textOnly && r.codeCalls === 0)).toBe(true);
    const exported = await run(['export-sft', join(dir, 'results.jsonl')]);
    expect(exported.code).toBe(0);
    expect(exported.stdout.trimEnd().split('\n')).toHaveLength(7);
    // The count is said on stderr, so stdout stays JSONL.
    expect(exported.stderr).toContain('7 transcripts (chat) → standard output');
    const cmp = await run(['compare', textOnly, join(dir, 'results.jsonl')]);
    expect(cmp.code).toBe(0);
    expect(cmp.stdout).toMatch(/\| \*\*Overall\*\* \| \d+\.\d% \| 70\.0% \| [+-]\d+\.\d pt \|/);
  });

  it('--samples with --temperature 0 warns that the samples will be alike, and says which temperature to give instead', async () => {
    const e = await run(['eval', join(FIXTURE, 'custom.tasks.jsonl'), '--host', server.url, '--text-only', '--out', join(dir, 't0.results.jsonl'), '--samples', '2', '--temperature', '0']);
    expect(e.code).toBe(0);
    expect(e.stderr).toContain('r1ci: --samples 2 with --temperature 0 asks the same question the same way 2 times; give a --temperature above 0 (the paper samples at 0.6).\n');
  });

  it('refuses a --seed whose last sample (seed + K − 1) would pass the largest seed a results line holds, before anything runs', async () => {
    const out = join(dir, 'seed-top.results.jsonl');
    const args = ['eval', join(FIXTURE, 'custom.tasks.jsonl'), '--host', server.url, '--text-only', '--out', out, '--samples', '3'];
    // 2^53 − 3 + 2 is the largest safe integer: the run is asked in full.
    const fits = await run([...args, '--seed', String(Number.MAX_SAFE_INTEGER - 2)]);
    expect(fits.code).toBe(0);
    expect((await readResults(out)).results.map((r) => r.seed).sort()).toEqual([Number.MAX_SAFE_INTEGER - 2, Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER]);
    const over = join(dir, 'seed-over.results.jsonl');
    const bad = await run(['eval', join(FIXTURE, 'custom.tasks.jsonl'), '--host', server.url, '--text-only', '--out', over, '--samples', '3', '--seed', String(Number.MAX_SAFE_INTEGER - 1)]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      `r1ci: --seed ${Number.MAX_SAFE_INTEGER - 1} with --samples 3: sample i uses seed + i, and the last sample's seed would be above ${Number.MAX_SAFE_INTEGER}, the largest a results file holds exactly; give a --seed of at most ${Number.MAX_SAFE_INTEGER - 2}.\n`,
    );
    expect(bad.stdout).toBe('');
    expect(existsSync(over)).toBe(false);
  });

  it("--slice asks only the questions its Python slice names, by their unchanged ids (the authors' 24.csv rows 5::30); a bad slice is a usage error before anything runs", async () => {
    const tasks = join(dir, 'slice-24');
    mkdirSync(tasks, { recursive: true });
    const rows = Array.from({ length: 70 }, (_, i) => `${i + 1},1 2 3 ${(i % 9) + 1},4.4,99.20%,4.67,1.48`);
    writeFileSync(join(tasks, '24.csv'), `Rank,Puzzles,AMT (s),Solved rate,1-sigma Mean (s),1-sigma STD (s)\n${rows.join('\n')}\n`);
    const out = join(dir, 'slice.results.jsonl');
    const sliced = await run(['eval', join(tasks, '24.csv'), '--host', server.url, '--text-only', '--out', out, '--slice', '5::30']);
    expect(sliced.code).toBe(0);
    expect(sliced.stdout).toContain('Evaluating 3 questions (--slice 5::30 of 70)');
    // Python: list(range(70))[5::30] == [5, 35, 65].
    expect((await readResults(out)).results.map((r) => r.id).sort()).toEqual(['24.csv#35', '24.csv#5', '24.csv#65']);
    for (const [slice, reason] of [
      ['-5:', /--slice: the slice's start "-5" is not a whole number/],
      ['5', /--slice: "5" is not a slice/],
      ['::0', /step is 0/],
      ['100:', /--slice 100: keeps none of the 70 questions/],
    ] as const) {
      const bad = await run(['eval', join(tasks, '24.csv'), '--host', server.url, '--text-only', '--out', join(dir, 'slice-bad.results.jsonl'), '--slice', slice]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(reason);
      expect(existsSync(join(dir, 'slice-bad.results.jsonl'))).toBe(false);
    }
  });

  it("--sft exports this run's questions and samples, as the summary covers them, and its count is of what it wrote", async () => {
    const out = join(dir, 'sft-of-run.results.jsonl');
    const sft = join(dir, 'sft-of-run.jsonl');
    expect((await run(['eval', FIXTURE, '--host', server.url, '--out', out, '--samples', '2'])).code).toBe(0);
    // One sample now: the file's second samples are left out of the summary, and of the SFT data
    // (it exported and counted all 14 correct samples of the file beside a summary of 7).
    const one = await run(['eval', FIXTURE, '--host', server.url, '--out', out, '--sft', sft]);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('| **Overall** | 10 | 7 | 70.0% |');
    const lines = readFileSync(sft, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(7);
    expect(one.stdout).toContain(`SFT: 7 correct trajectories that ran code, of this run's 10 questions → ${sft}\n`);
  });

  it('asks each question k times with --samples, prints pass@k, and exports SFT formats and rollouts of an R1-CI-protocol run', async () => {
    const out = join(dir, 'r1ci.results.jsonl');
    const e = await run(['eval', FIXTURE, '--host', server.url, '--model', 'r1-code-interpreter:7b', '--out', out, '--samples', '2', '--concurrency', '2', '--seed', '3']);
    // Only the tier line: no warning about sampling at temperature 0 (the default is 0.6).
    expect(e.stderr).toMatch(/^r1ci: sandbox tier: [^\n]*\n$/);
    expect(e.code).toBe(0);
    expect(e.stdout).toContain('10 questions × 2 samples');
    // The scripted model answers the same way every time: 7 of 10 questions right in both samples.
    expect(e.stdout).toContain('| **Overall** | 10 | 70.0% | 70.0% | 0.00 |');
    expect(e.stdout).toContain('no signal: 10');
    const results = (await readResults(out)).results;
    expect(results).toHaveLength(20);
    expect(results.filter((r) => r.sample === 1)).toHaveLength(10);
    // The R1-CI protocol: one assistant message per trajectory, however many code calls.
    const withCode = results.filter((r) => r.correct && r.codeCalls > 0);
    expect(withCode.length).toBeGreaterThan(0);
    for (const r of withCode) expect(r.trajectory?.filter((m) => m.role === 'assistant')).toHaveLength(1);

    for (const format of ['chat', 'alpaca', 'sharegpt']) {
      const x = await run(['export-sft', out, '--format', format]);
      expect(x.code).toBe(0);
      const lines = x.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(withCode.length);
      if (format === 'chat') continue;
      // The dataset_info.json entry it prints makes LLaMA-Factory read every column of every line
      // (was: none printed, and the docs' bare "formatting": "alpaca" read alpaca's last exchange alone).
      const said = /LLaMA-Factory: register it in dataset_info\.json as (\{.*\}) \(/.exec(x.stderr)?.[1];
      expect(said, x.stderr).toBeDefined();
      const entry = (JSON.parse(said ?? '{}') as Record<string, unknown>)[`r1ci_${format}`];
      expect(entry).toMatchObject({ file_name: `r1ci_${format}.jsonl`, formatting: format });
      const read = llamaFactoryReadColumns(entry);
      const written = new Set(lines.flatMap((l) => Object.keys(JSON.parse(l) as object)));
      expect(format === 'alpaca' ? written.has('history') : true).toBe(true);
      expect([...written].filter((k) => !read.has(k))).toEqual([]);
    }
    const bad = await run(['export-sft', out, '--format', 'parquet']);
    expect(bad.code).toBe(2);

    const rolloutsFile = join(dir, 'rollouts.jsonl');
    const curriculumFile = join(dir, 'curriculum.jsonl');
    const r = await run(['export-rollouts', out, '--out', rolloutsFile, '--curriculum', curriculumFile, '--format-reward']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('10 groups, 20 samples');
    const groups = readFileSync(rolloutsFile, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { samples: { reward: number; correct: boolean; mask_spans: [number, number][]; response: string }[] });
    expect(groups).toHaveLength(10);
    for (const g of groups) {
      expect(g.samples).toHaveLength(2);
      for (const s of g.samples) {
        expect([1.1, 0.1, -0.1, 0.9]).toContain(s.reward);
        for (const [a, b] of s.mask_spans) expect(s.response.slice(a, b)).toMatch(/^Code Execution Results:\n[\s\S]*\n$/);
      }
    }
    const curriculum = readFileSync(curriculumFile, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { stage: number; samples: number });
    expect(curriculum).toHaveLength(10);
    expect(curriculum.every((q) => q.stage === 0 && q.samples === 2)).toBe(true);

    // A second output that cannot be written is said before the first one is out: no rollouts on
    // standard output, then a usage error.
    for (const [curriculumAt, why] of [
      [join(dir, 'missing', 'c.jsonl'), `cannot write in ${join(dir, 'missing')}: no such file or folder`],
      [join(rolloutsFile, 'c.jsonl'), `cannot write in ${rolloutsFile}: a file, not a folder`],
    ] as const) {
      const cut = await run(['export-rollouts', out, '--curriculum', curriculumAt]);
      expect(cut.code).toBe(2);
      expect(cut.stdout).toBe('');
      expect(cut.stderr).toBe(`r1ci: --curriculum ${curriculumAt}: ${why}; nothing was written.\n`);
    }
  });

  it('never writes an output over one of its inputs: --sft or --out onto the tasks, an export onto its results file', async () => {
    const tasks = join(dir, 'keep.tasks.jsonl');
    const taskText = '{"id": "s", "question": "Define a&b to be 4*a+2*b.\\nCalculate (5&3)&6.", "answer": 116}\n';
    writeFileSync(tasks, taskText);
    const results = join(dir, 'results.jsonl');
    const resultsText = readFileSync(results, 'utf8');
    const refusals = [
      [['eval', tasks, '--host', server.url, '--out', join(dir, 'keep.jsonl'), '--sft', tasks], `--sft ${tasks} is a file the tasks were read from`],
      [['eval', tasks, '--host', server.url, '--out', tasks], `--out ${tasks} is a file the tasks were read from`],
      [['eval', tasks, '--host', server.url, '--out', join(dir, 'keep.jsonl'), '--sft', join(dir, 'keep.jsonl')], "is this run's results file"],
      [['export-sft', results, '--out', results], `--out ${results} is the results file being exported`],
      [['export-rollouts', results, '--out', results], `--out ${results} is the results file being exported`],
      [['export-rollouts', results, '--curriculum', results], `--curriculum ${results} is the results file being exported`],
      // A folder where a file belongs is said in words (it was Node's bare "EISDIR").
      [['eval', tasks, '--host', server.url, '--out', dir], `--out ${dir} is a folder: name a file`],
      [['eval', tasks, '--host', server.url, '--out', join(dir, 'keep.jsonl'), '--sft', dir], `--sft ${dir} is a folder: name a file`],
      [['export-sft', results, '--out', dir], `--out ${dir} is a folder: name a file`],
      [['export-rollouts', results, '--curriculum', dir], `--curriculum ${dir} is a folder: name a file`],
    ] as const;
    for (const [args, message] of refusals) {
      const r = await run([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
    }
    expect(readFileSync(tasks, 'utf8')).toBe(taskText);
    expect(readFileSync(results, 'utf8')).toBe(resultsText);
    expect(existsSync(join(dir, 'keep.jsonl'))).toBe(false);
    // A task file given where a results file belongs is said in one sentence, not a schema error per line.
    const wrongKind = await run(['export-sft', tasks]);
    expect(wrongKind.code).toBe(1);
    expect(wrongKind.stderr.trim()).toBe(`r1ci: ${tasks} is a task file, not an r1ci results file (what \`r1ci eval\` writes).`);
  });

  it('never replaces a file holding anything but an earlier export, and never appends results to a file of another kind', async () => {
    const other = join(dir, 'other.tasks.jsonl');
    const otherText = '{"id": "o", "question": "What is 2+2?", "answer": 4}\n';
    writeFileSync(other, otherText);
    const tasks = join(dir, 'keep2.tasks.jsonl');
    writeFileSync(tasks, '{"id": "s", "question": "Define a&b to be 4*a+2*b.\\nCalculate (5&3)&6.", "answer": 116}\n');
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'my notes\n');
    const results = join(dir, 'results.jsonl');
    const resultsCopy = join(dir, 'results-copy.jsonl');
    writeFileSync(resultsCopy, readFileSync(results, 'utf8'));
    const refusals = [
      [['eval', tasks, '--host', server.url, '--out', join(dir, 'keep2.jsonl'), '--sft', other], `--sft ${other} is a task file, not an r1ci export`],
      [['eval', tasks, '--host', server.url, '--out', other], `--out ${other} is a task file, not an r1ci results file`],
      [['export-sft', results, '--out', other], `--out ${other} is a task file, not an r1ci export`],
      [['export-sft', results, '--out', notes], `--out ${notes} is not an r1ci export`],
      [['export-sft', results, '--out', resultsCopy], `--out ${resultsCopy} is an r1ci results file`],
      [['export-rollouts', results, '--out', notes], `--out ${notes} is not an r1ci export`],
      [['export-rollouts', results, '--curriculum', other], `--curriculum ${other} is a task file, not an r1ci export`],
    ] as const;
    for (const [args, message] of refusals) {
      const r = await run([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
    }
    expect(readFileSync(other, 'utf8')).toBe(otherText);
    expect(readFileSync(notes, 'utf8')).toBe('my notes\n');
    expect(readFileSync(resultsCopy, 'utf8')).toBe(readFileSync(results, 'utf8'));
    expect(existsSync(join(dir, 'keep2.jsonl'))).toBe(false);
    // An earlier export (any format) and an empty file are replaced: running the export again works.
    const sft = join(dir, 'again.sft.jsonl');
    writeFileSync(sft, '');
    for (const format of ['chat', 'alpaca', 'chat']) expect((await run(['export-sft', results, '--format', format, '--out', sft])).code).toBe(0);
    const rollouts = join(dir, 'again.rollouts.jsonl');
    const curriculum = join(dir, 'again.curriculum.jsonl');
    for (let i = 0; i < 2; i++) expect((await run(['export-rollouts', results, '--out', rollouts, '--curriculum', curriculum])).code).toBe(0);
  });

  it("names a file it cannot write in words (the path and why), never as Node's bare \"ENOENT: …, open '…'\"", async () => {
    const results = join(dir, 'results.jsonl');
    const tasks = join(dir, 'keep3.tasks.jsonl');
    writeFileSync(tasks, '{"id": "s", "question": "Define a&b to be 4*a+2*b.\\nCalculate (5&3)&6.", "answer": 116}\n');
    const file = join(dir, 'a-file.txt');
    writeFileSync(file, 'x\n');
    const failures = [
      [['export-sft', results, '--out', join(dir, 'missing', 'x.jsonl')], `r1ci: --out ${join(dir, 'missing', 'x.jsonl')}: cannot write in ${join(dir, 'missing')}: no such file or folder; nothing was written.\n`],
      [['export-sft', results, '--out', join(file, 'x.jsonl')], `r1ci: --out ${join(file, 'x.jsonl')}: cannot write in ${file}: a file, not a folder; nothing was written.\n`],
      [['export-rollouts', results, '--out', join(dir, 'r.jsonl'), '--curriculum', join(dir, 'missing', 'c.jsonl')], `cannot write in ${join(dir, 'missing')}: no such file or folder; nothing was written.\n`],
      [['eval', tasks, '--host', server.url, '--out', join(file, 'r.jsonl')], `r1ci: --out ${join(file, 'r.jsonl')}: cannot create the folder ${file}: a file of that name is already there; nothing was run.\n`],
      // --sft is written after the run: a folder it cannot be made in is said before any question runs.
      [
        ['eval', tasks, '--host', server.url, '--out', join(dir, 'never.jsonl'), '--sft', join(file, 's.jsonl')],
        `r1ci: --sft ${join(file, 's.jsonl')}: cannot create the folder ${file}: a file of that name is already there; nothing was run.\n`,
      ],
    ] as const;
    for (const [args, message] of failures) {
      const r = await run([...args]);
      // A usage error (exit 2): the command line names a path that cannot be used, and nothing ran.
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toMatch(/E[A-Z]+: /);
    }
    expect(existsSync(join(dir, 'never.jsonl'))).toBe(false);
  });

  it('on the basic tier without --allow-unisolated (stdin not a terminal) runs no model code but still runs checkers', async () => {
    const tasks = join(dir, 'gate.tasks.jsonl');
    writeFileSync(join(dir, 'is116.py'), 'def check(answer, record):\n    return answer.strip() == "116"\n');
    writeFileSync(tasks, '{"id": "s", "question": "Define a&b to be 4*a+2*b.\\nCalculate (5&3)&6.", "checker": "python:is116.py"}\n');
    const out = join(dir, 'gate.jsonl');
    const refused = await run(['eval', tasks, '--host', server.url, '--out', out, '--isolation', 'basic']);
    expect(refused.stderr).toMatch(/^r1ci: sandbox tier: basic — [^\n]*\nr1ci: model code will not be run \(not run: no isolation available\)\. For isolation, leave out --isolation basic\./);
    // After the summary, whose "Mean code calls" counts the code the model wrote,
    // the user is told that none of it ran, and how to let it run.
    expect(refused.stdout).toContain('| **Overall** | 1 | ');
    expect(refused.stderr.trimEnd().split('\n').at(-1)).toBe(
      'r1ci: no model code was run (the basic tier, and --allow-unisolated was not given): 1 question wrote 1 code block, and each block got "not run: no isolation available". "Mean code calls" above counts code written, not run ("Used code" counts only code that ran), and that answer was made without it. For isolation, leave out --isolation basic. Or pass --allow-unisolated to run it; the same command then asks it again.',
    );
    const [result] = (await readResults(out)).results;
    expect(result?.error).toBeUndefined();
    expect(JSON.stringify(result?.steps)).toContain('not run: no isolation available');
    // The model wrote code (a code call spent), but none of it ran: not "used code".
    expect(result?.codeCalls).toBe(1);
    expect(result?.usedCode).toBe(false);
    // The checker (the task set's code) gave the verdict: an error would have been recorded otherwise.
    expect(result?.reason).toMatch(/^the checker (accepted|rejected) the answer$/);
    // That answer was made without the code it asked for: a run that may run code asks again
    // instead of resuming over it.
    const allowed = await run(['eval', tasks, '--host', server.url, '--out', out, '--isolation', 'basic', '--allow-unisolated']);
    expect(allowed.code).toBe(0);
    const read = await readResults(out);
    expect(read.results).toHaveLength(2);
    expect(JSON.stringify(read.results[1]?.steps)).not.toContain('not run: no isolation available');
    expect(read.results[1]?.usedCode).toBe(true);
    expect(allowed.stderr).not.toContain('no model code was run');
  });
});

describe('r1ci eval never writes its default results through a link the dataset planted', () => {
  const QUESTION = '{"id": "s", "question": "Define a&b to be 4*a+2*b.\\nCalculate (5&3)&6.", "answer": 116}\n';
  const NAME = 't.qwen2.5-coder_7b.text-only.results.jsonl';

  /** A task folder with `t.tasks.jsonl`, and a victim file outside it holding `before`. */
  function dataset(): { tasks: string; folder: string; victim: string; victimDir: string } {
    const folder = mkdtempSync(join(dir, 'planted-'));
    const victimDir = mkdtempSync(join(dir, 'victim-'));
    const victim = join(victimDir, NAME);
    writeFileSync(victim, 'before\n');
    const tasks = join(folder, 't.tasks.jsonl');
    writeFileSync(tasks, QUESTION);
    return { tasks, folder, victim, victimDir };
  }

  const plants: Array<[string, (d: ReturnType<typeof dataset>) => string]> = [
    [
      'the results file',
      (d) => {
        mkdirSync(join(d.folder, '.r1ci', 'results'), { recursive: true });
        symlinkSync(d.victim, join(d.folder, '.r1ci', 'results', NAME));
        return join(d.folder, '.r1ci', 'results', NAME);
      },
    ],
    [
      'a dangling results file link (would create the target)',
      (d) => {
        rmSync(d.victim);
        mkdirSync(join(d.folder, '.r1ci', 'results'), { recursive: true });
        symlinkSync(d.victim, join(d.folder, '.r1ci', 'results', NAME));
        return join(d.folder, '.r1ci', 'results', NAME);
      },
    ],
    [
      'the results folder',
      (d) => {
        mkdirSync(join(d.folder, '.r1ci'));
        symlinkSync(d.victimDir, join(d.folder, '.r1ci', 'results'));
        return join(d.folder, '.r1ci', 'results');
      },
    ],
    [
      'the .r1ci folder',
      (d) => {
        mkdirSync(join(d.victimDir, 'results'));
        writeFileSync(join(d.victimDir, 'results', NAME), 'before\n');
        rmSync(d.victim);
        symlinkSync(d.victimDir, join(d.folder, '.r1ci'));
        d.victim = join(d.victimDir, 'results', NAME);
        return join(d.folder, '.r1ci');
      },
    ],
    [
      'a hard link to the results file',
      (d) => {
        mkdirSync(join(d.folder, '.r1ci', 'results'), { recursive: true });
        linkSync(d.victim, join(d.folder, '.r1ci', 'results', NAME));
        return join(d.folder, '.r1ci', 'results', NAME);
      },
    ],
  ];

  it.each(plants)('a link at %s: a clear error naming it, the target untouched', async (_, plant) => {
    const d = dataset();
    const linked = plant(d);
    const existed = existsSync(d.victim);
    const r = await run(['eval', d.tasks, '--text-only', '--host', server.url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(linked);
    expect(r.stderr).toMatch(/link/);
    expect(r.stderr).toContain('nothing was written');
    // One sentence end between the refusal and the advice after it.
    expect(r.stderr).not.toMatch(/\.\. /);
    if (existed) expect(readFileSync(d.victim, 'utf8')).toBe('before\n');
    else expect(existsSync(d.victim)).toBe(false);
  });

  it('export-sft --out refuses a planted link beside the results', async () => {
    const d = dataset();
    const out = join(d.folder, 'sft.jsonl');
    symlinkSync(d.victim, out);
    const results = join(d.folder, 'r.jsonl');
    await run(['eval', d.tasks, '--text-only', '--host', server.url, '--out', results]);
    const r = await run(['export-sft', results, '--out', out, '--include-text-only']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${out} is a symbolic link`);
    expect(readFileSync(d.victim, 'utf8')).toBe('before\n');
  });

  it('an ordinary default results file still resumes', async () => {
    const d = dataset();
    const first = await run(['eval', d.tasks, '--text-only', '--host', server.url]);
    expect(first.code).not.toBeNull();
    const file = join(d.folder, '.r1ci', 'results', NAME);
    expect((await readResults(file)).results.map((x) => x.id)).toEqual(['t.tasks.jsonl#s']);
    const again = await run(['eval', d.tasks, '--text-only', '--host', server.url]);
    expect(again.stdout).toContain('Resuming: 1 of 1 question already done, 0 to go.');
    expect((await readResults(file)).results).toHaveLength(1);
    expect(readFileSync(d.victim, 'utf8')).toBe('before\n');
  });
});

describe('r1ci eval shows dataset text escaped on the terminal', () => {
  const RAW_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
  it('question ids, task names and the bad line quoted in a parse error carry OSC, CSI and bidi only escaped', async () => {
    const folder = mkdtempSync(join(dir, 'hostile-'));
    const tasks = join(folder, 'h.tasks.jsonl');
    const hostile = '\x1b]0;OWNED\x07\x1b[2J\u202Eevil\u202C';
    writeFileSync(tasks, [JSON.stringify({ id: `s${hostile}`, task: `name${hostile}`, question: 'Define a&b to be 4*a+2*b.\nCalculate (5&3)&6.', answer: 116 }), `{"id": "bad ${hostile}`, ''].join('\n'));
    const r = await run(['eval', tasks, '--text-only', '--host', server.url]);
    expect(r.code).toBe(1); // the bad line
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain('s\\x1b]0;OWNED\\x07\\x1b[2J\\u202eevil\\u202c: '); // the progress line
    expect(r.stdout).toContain('| name\\x1b]0;OWNED\\x07'); // the summary table
    expect(r.stderr).toMatch(/h\.tasks\.jsonl:2: /);
    // After the table, why the exit status is 1.
    expect(r.stderr).toMatch(/r1ci: 1 task-file problem \(listed above\): those questions were not evaluated\.\n$/);
  });
});
