// The lock of a results file (`<results>.lock`) against real processes: one held by a live writer
// is respected, one left by a writer killed with SIGKILL is taken over, also when the system has
// given its pid to another process since, and two runs taking over one stale lock at once never
// both hold it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockResultsFile } from '../../../src/eval/resultsLock';

let dir = '';
let holder = '';
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'r1ci-results-lock-'));
  // A writer in its own process: takes the lock of argv[2] with the same code, says so, and waits.
  const entry = join(dir, 'holder.ts');
  writeFileSync(
    entry,
    `import { lockResultsFile } from ${JSON.stringify(resolve('src/eval/resultsLock'))};\nvoid lockResultsFile(process.argv[2] ?? '').then(() => { process.stdout.write('locked\\n'); setInterval(() => undefined, 60_000); });\n`,
  );
  holder = join(dir, 'holder.js');
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: holder, logLevel: 'warning' });
});
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A process holding the lock of `results`, once it said it took it. */
async function lockedByChild(results: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [holder, results], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((done, fail) => {
    child.stdout?.on('data', (b: Buffer) => b.toString().includes('locked') && done());
    child.once('exit', (code) => fail(new Error(`the holder exited ${code} before locking`)));
  });
  return child;
}

async function killHard(child: ChildProcess): Promise<void> {
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGKILL');
  await exited;
}

describe('results lock against real processes', () => {
  it('a live writer is respected; once it is killed (SIGKILL, lock left behind) the lock is taken over', async () => {
    const results = join(dir, 'killed.results.jsonl');
    const child = await lockedByChild(results);
    await expect(lockResultsFile(results)).rejects.toThrow(`(process ${child.pid ?? 0}, since `);
    await killHard(child);
    expect(JSON.parse(readFileSync(`${results}.lock`, 'utf8'))).toMatchObject({ pid: child.pid });
    const release = await lockResultsFile(results);
    expect(JSON.parse(readFileSync(`${results}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
    await release();
  });

  it("a killed writer's lock whose pid the system has given to another process since is taken over", async () => {
    const results = join(dir, 'reused.results.jsonl');
    const child = await lockedByChild(results);
    await killHard(child);
    // The pid reused: the lock now names a live process that never wrote it (here: a sleeper).
    const sleeper = spawn(process.execPath, ['-e', 'setInterval(() => undefined, 60000)'], { stdio: 'ignore' });
    children.push(sleeper);
    const left = JSON.parse(readFileSync(`${results}.lock`, 'utf8')) as Record<string, unknown>;
    writeFileSync(`${results}.lock`, `${JSON.stringify({ ...left, pid: sleeper.pid })}\n`);
    const release = await lockResultsFile(results);
    expect(JSON.parse(readFileSync(`${results}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
    await release();
    // A live writer whose lock says when it started is still respected.
    const live = await lockedByChild(join(dir, 'live.results.jsonl'));
    await expect(lockResultsFile(join(dir, 'live.results.jsonl'))).rejects.toThrow(`(process ${live.pid ?? 0}, since `);
    await killHard(live);
  });

  it('two runs taking over one stale lock at once: exactly one holds it', async () => {
    for (let round = 0; round < 8; round++) {
      const results = join(dir, `race-${round}.results.jsonl`);
      const child = await lockedByChild(results);
      await killHard(child);
      const outcomes = await Promise.allSettled([lockResultsFile(results), lockResultsFile(results)]);
      expect(
        outcomes.filter((o) => o.status === 'fulfilled'),
        `round ${round}`,
      ).toHaveLength(1);
      for (const o of outcomes) if (o.status === 'fulfilled') await o.value();
    }
  });
});
