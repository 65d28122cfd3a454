// The custom-checker contract, exercised with a tiny real runner (python3 via child_process,
// test-only: the extension's runner belongs to the sandbox).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTasks } from '../../../src/eval/load';
import { sandboxCheckRunner } from '../../../src/eval/sandboxChecker';
import { scoreAnswerAsync } from '../../../src/eval/score';
import type { PythonCheckRunner } from '../../../src/eval/scorers/python';
import type { TaskRecord } from '../../../src/eval/types';

const HARNESS = `
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("checker", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
print(json.dumps(bool(mod.check(sys.argv[2], json.loads(sys.argv[3])))))
`;

const runner: PythonCheckRunner = {
  check(checkerFile, answer, record) {
    return new Promise((resolve) => {
      execFile('python3', ['-c', HARNESS, checkerFile, answer, JSON.stringify(record)], { timeout: 20_000 }, (err, stdout, stderr) => {
        if (err) resolve({ error: stderr.trim().split('\n').pop() ?? err.message });
        else resolve(stdout.trim() === 'true');
      });
    });
  },
};

let dir = '';
let records: TaskRecord[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'r1ci-eval-py-'));
  writeFileSync(
    path.join(dir, 'is_prime.py'),
    'def check(answer, record):\n    n = int(answer.strip())\n    lo = record["metadata"]["min"]\n    return n >= lo and n > 1 and all(n % d for d in range(2, int(n ** 0.5) + 1))\n',
  );
  writeFileSync(path.join(dir, 'broken.py'), 'def check(answer, record):\n    raise ValueError("checker bug")\n');
  writeFileSync(
    path.join(dir, 'tasks.jsonl'),
    [
      JSON.stringify({ id: 'prime', question: 'Name a prime of at least 100.', checker: 'python:is_prime.py', metadata: { min: 100 } }),
      JSON.stringify({ id: 'broken', question: 'Anything.', checker: 'python:broken.py' }),
    ].join('\n'),
  );
  const loaded = await loadTasks(path.join(dir, 'tasks.jsonl'));
  expect(loaded.problems).toEqual([]);
  records = loaded.records;
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('custom Python checkers', () => {
  it('resolve the checker file next to the task file', () => {
    const spec = records[0]?.scorer;
    expect(spec).toEqual({ kind: 'python', checkerFile: path.join(dir, 'is_prime.py') });
  });

  it('accept any answer the checker accepts and reject the rest', async () => {
    const prime = records.find((r) => r.id === 'tasks.jsonl#prime')!;
    expect((await scoreAnswerAsync(prime, '101', { python: runner })).correct).toBe(true);
    expect((await scoreAnswerAsync(prime, '211', { python: runner })).correct).toBe(true);
    expect((await scoreAnswerAsync(prime, '91', { python: runner })).correct).toBe(false);
    expect((await scoreAnswerAsync(prime, '7', { python: runner })).correct).toBe(false);
  });

  it('report a failing checker as an error, and a missing runner or answer as not correct', async () => {
    const broken = records.find((r) => r.id === 'tasks.jsonl#broken')!;
    const s = await scoreAnswerAsync(broken, 'x', { python: runner });
    expect(s.correct).toBe(false);
    expect(s.reason).toMatch(/checker failed: .*checker bug/);
    expect((await scoreAnswerAsync(broken, 'x')).reason).toMatch(/no Python checker runner/);
    expect((await scoreAnswerAsync(broken, null, { python: runner })).reason).toBe('no final answer');
    const throwing: PythonCheckRunner = { check: () => Promise.reject(new Error('sandbox down')) };
    expect((await scoreAnswerAsync(broken, 'x', { python: throwing })).reason).toMatch(/sandbox down/);
  });

  it('name a checker file that does not exist as a problem of its record when the task file loads, not a wrong answer per question', async () => {
    // A typo in the checker's path made every answer "wrong" (reason: Node's ENOENT text) after
    // the model had answered every question, with exit status 0 (found trying docs/task-files.md).
    const file = path.join(dir, 'typo.jsonl');
    writeFileSync(
      file,
      [JSON.stringify({ id: 'typo', question: 'Name a prime.', checker: 'python:is_prme.py' }), JSON.stringify({ id: 'ok', question: 'Name a prime.', checker: 'python:is_prime.py', metadata: { min: 2 } })].join('\n'),
    );
    const loaded = await loadTasks(file);
    expect(loaded.records.map((r) => r.id)).toEqual(['typo.jsonl#ok']);
    expect(loaded.problems).toHaveLength(1);
    expect(loaded.problems[0]).toMatchObject({ file, line: 1 });
    expect(loaded.problems[0]?.message).toMatch(/checker "python:is_prme.py": .*no such file or folder/);
  });

  it('say why a checker file that vanished after loading cannot be read, in words', async () => {
    const checks = sandboxCheckRunner(() => Promise.reject(new Error('no sandbox should start for a missing checker')));
    const missing = path.join(dir, 'gone.py');
    const verdict = await checks.check(missing, '1', records[0]!);
    expect(verdict).toEqual({ error: `cannot read ${missing}: no such file or folder` });
  });
});
