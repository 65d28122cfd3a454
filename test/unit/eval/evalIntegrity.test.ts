// Evaluation integrity (issue 10, item 6), through the real loader, the real eval runner, the real
// sandbox and real HTTP (the scripted server plays the model): a question's code that patches
// builtins (../shared/cases/sandbox-attacks/09-eval-forges-checker.py) must not make its own or any
// later question's custom checker accept a wrong answer (the later questions run in the same
// sandbox, reset in between: test/unit/sandbox/reset.test.ts); dataset files and checkers that are links
// out of the dataset, or checker paths that climb out of the task folder, are refused.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend } from '../../../src/agent/backends';
import { evaluate } from '../../../src/eval/evaluate';
import { loadTasks } from '../../../src/eval/load';
import type { EvalEvent } from '../../../src/eval/runner';
import { sandboxCheckRunner } from '../../../src/eval/sandboxChecker';
import { SandboxPool } from '../../../src/sandbox';
import { startScriptedServer, type ScriptedServer } from '../../support/scripted-server';
import { sandboxAttackCell } from '../../support/sandboxAttackCases';
import { startRunner, REQUIRED_TIERS } from '../sandbox/helpers';

const REPO = path.resolve(__dirname, '../../..');
const FORGERY = sandboxAttackCell(REPO, '09-eval-forges-checker.py');
/** A checker whose verdict goes through bool(), as the forgery expects (and checkerCell's own bool()). */
const CHECKER = 'def check(answer, record):\n    return bool(answer.strip() == "42")\n';

let server: ScriptedServer;
let dir = '';
beforeAll(async () => {
  server = await startScriptedServer({
    scenarios: [
      {
        id: 'forger',
        match: { contains: 'Integrity probe one' },
        turns: [{ text: `Let me prepare.\n\n\`\`\`python\n${FORGERY}\`\`\`\n` }, { expectResultContains: 'patched', text: 'Done.\n\n<<<1>>>' }],
      },
      { id: 'later', match: { contains: 'Integrity probe two' }, turns: [{ text: 'I think it is\n\n<<<41>>>' }] },
      { id: 'right', match: { contains: 'Integrity probe three' }, turns: [{ text: 'Surely\n\n<<<42>>>' }] },
    ],
  });
  dir = mkdtempSync(path.join(os.tmpdir(), 'r1ci-eval-integrity-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function endOf(events: AsyncIterable<EvalEvent>): Promise<Extract<EvalEvent, { type: 'end' }>> {
  let end: Extract<EvalEvent, { type: 'end' }> | undefined;
  for await (const e of events) if (e.type === 'end') end = e;
  if (!end) throw new Error('no end event');
  return end;
}

describe.each(REQUIRED_TIERS)('evaluation integrity (%s tier)', (tier) => {
  it('the forgery really forges a checker that shares its interpreter (the attack this guards against)', async () => {
    writeFileSync(path.join(dir, 'check.py'), CHECKER);
    const runner = await startRunner(tier, { mode: 'stateless' });
    try {
      expect((await runner.runCell(FORGERY)).stdout).toContain('patched');
      const shared = sandboxCheckRunner(() => Promise.resolve(runner));
      const rec = { id: 'x', task: 't', question: 'q', scorer: { kind: 'python' as const, checkerFile: path.join(dir, 'check.py') }, source: { file: 'mem' }, metadata: {} };
      expect(await shared.check(path.join(dir, 'check.py'), '41', rec)).toBe(true);
    } finally {
      await runner.dispose();
    }
  });

  it('a question that patches builtins cannot make its own or a later checker accept a wrong answer', async () => {
    const tasks = path.join(dir, `tasks-${tier}`);
    mkdirSync(tasks, { recursive: true });
    writeFileSync(path.join(tasks, 'check.py'), CHECKER);
    const line = (id: string, question: string): string => JSON.stringify({ id, question, checker: 'python:check.py' });
    writeFileSync(path.join(tasks, 'integrity.jsonl'), [line('forger', 'Integrity probe one'), line('later', 'Integrity probe two'), line('right', 'Integrity probe three')].join('\n') + '\n');
    const loaded = await loadTasks(tasks);
    expect(loaded.problems).toEqual([]);
    const scratch = path.join(dir, `scratch-${tier}`);
    const pool = new SandboxPool({ scratchRoot: scratch, mode: 'stateless', isolation: tier === 'basic' ? 'basic' : 'auto' });
    const tiers: string[] = [];
    let modelSandboxes = 0;
    try {
      const end = await endOf(
        evaluate(
          {
            records: loaded.records,
            backend: createBackend({ kind: 'ollama', ollamaHost: server.url }),
            model: 'qwen2.5-coder:7b',
            protocol: 'chat',
            maxCodeCalls: 3,
            temperature: 0,
            textOnly: false,
            concurrency: 1,
            perQuestionTimeoutMs: 0,
            resume: false,
            newRunner: async (slot, signal, purpose) => {
              const runner = await pool.acquire(path.join(scratch, slot), signal);
              tiers.push(runner.tier);
              if (purpose === 'model') modelSandboxes++;
              return runner;
            },
          },
          new AbortController().signal,
        ),
      );
      // Ids are `<file>#<own id>` (docs/task-files.md, "Ids").
      const byId = new Map(end.results.map((r) => [r.id.replace(/^integrity\.jsonl#/, ''), r]));
      expect(byId.get('forger')).toMatchObject({ answer: '1', correct: false, codeCalls: 1 });
      expect(byId.get('forger')?.error).toBeUndefined();
      expect(byId.get('later')).toMatchObject({ answer: '41', correct: false });
      // The checker still works: a right answer is scored right.
      expect(byId.get('right')).toMatchObject({ answer: '42', correct: true });
      expect(new Set(tiers)).toEqual(new Set([tier]));
      // One worker: its model sandbox was reset between the questions, not started anew.
      expect(modelSandboxes).toBe(1);
    } finally {
      await pool.dispose();
    }
  });
});

describe('dataset files are read without following links out of the dataset', () => {
  it('refuses a linked question.txt, a FIFO, a linked sample folder, a linked checker and a checker path with ".."', async () => {
    const outside = path.join(dir, 'outside');
    mkdirSync(outside, { recursive: true });
    writeFileSync(path.join(outside, 'secret.txt'), 'HOST-SECRET-7f3a');
    writeFileSync(path.join(outside, 'x.py'), 'def check(answer, record):\n    return True\n');
    const root = path.join(dir, 'dataset');
    const family = path.join(root, 'statistical_counting_dataset');
    // A sample whose question.txt is a link to a host file.
    mkdirSync(path.join(family, 'sample_0'), { recursive: true });
    symlinkSync(path.join(outside, 'secret.txt'), path.join(family, 'sample_0', 'question.txt'));
    writeFileSync(path.join(family, 'sample_0', 'solution.json'), '{"solution": 1}');
    // A FIFO as question.txt: refused at once, never a hang.
    mkdirSync(path.join(family, 'sample_2'), { recursive: true });
    execFileSync('mkfifo', [path.join(family, 'sample_2', 'question.txt')]);
    writeFileSync(path.join(family, 'sample_2', 'solution.json'), '{"solution": 1}');
    // A plain sample, loaded as usual.
    mkdirSync(path.join(family, 'sample_1'), { recursive: true });
    writeFileSync(path.join(family, 'sample_1', 'question.txt'), 'What is 1?');
    writeFileSync(path.join(family, 'sample_1', 'solution.json'), '{"solution": 1}');
    // A linked folder holding a task file, and task files naming checkers out of the folder.
    symlinkSync(outside, path.join(root, 'linked-folder'));
    writeFileSync(path.join(outside, 'leak.jsonl'), JSON.stringify({ id: 'leak', question: 'Q', answer: '1' }) + '\n');
    symlinkSync(path.join(outside, 'x.py'), path.join(root, 'linked.py'));
    writeFileSync(
      path.join(root, 'tasks.jsonl'),
      [
        JSON.stringify({ id: 'climb', question: 'Q1', checker: 'python:../outside/x.py' }),
        JSON.stringify({ id: 'absolute', question: 'Q2', checker: `python:${path.join(outside, 'x.py')}` }),
        JSON.stringify({ id: 'link', question: 'Q3', checker: 'python:linked.py' }),
      ].join('\n') + '\n',
    );

    const loaded = await loadTasks(root);
    const ids = loaded.records.map((r) => r.id.replace(/^.*#/, ''));
    expect(JSON.stringify(loaded.records)).not.toContain('HOST-SECRET');
    expect(ids).not.toContain('leak');
    expect(ids).not.toContain('climb');
    expect(ids).not.toContain('absolute');
    expect(loaded.problems.map((p) => p.message).join('\n')).toMatch(/inside the task file's folder/);
    expect(loaded.problems.some((p) => p.file.endsWith(path.join('sample_0', 'question.txt')))).toBe(true);
    expect(loaded.problems.some((p) => p.file.endsWith(path.join('sample_2', 'question.txt')))).toBe(true);
    expect(loaded.records.find((r) => r.question.includes('What is 1?'))).toBeDefined();

    // The linked checker loads as a name, but reading it is refused: the record errors, never passes.
    const link = loaded.records.find((r) => r.id === 'tasks.jsonl#link');
    expect(link?.scorer.kind).toBe('python');
    let started = 0;
    const checks = sandboxCheckRunner(() => {
      started++;
      return Promise.reject(new Error('no sandbox should start for a refused checker'));
    });
    const checkerFile = link?.scorer.kind === 'python' ? link.scorer.checkerFile : '';
    expect(await checks.check(checkerFile, '1', link!)).toMatchObject({ error: expect.stringMatching(/symbolic link/) });
    expect(started).toBe(0);
  });
});
