// The sandbox's everyday behaviour, on every tier this machine offers.
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CodeRunner } from '../../../src/sandbox/index';
import { prepareSandbox, PythonCodeRunner } from '../../../src/sandbox/runner';
import { findWorkerScript } from '../../../src/sandbox/worker-script';
import { descendants, eventually, type ProcessInfo } from '../../support/processTree';
import { PNG_1X1_PY, removeDir, startRunner, tempDir, REQUIRED_TIERS } from './helpers';

describe.each(REQUIRED_TIERS)('sandbox runner (%s tier)', (tier) => {
  const runners: CodeRunner[] = [];
  const start = async (...args: Parameters<typeof startRunner> extends [unknown, ...infer R] ? R : never): Promise<CodeRunner> => {
    const runner = await startRunner(tier, ...args);
    runners.push(runner);
    return runner;
  };
  afterAll(async () => {
    await Promise.all(runners.map((runner) => runner.dispose()));
  });

  it('keeps variables across cells and returns print output exactly', async () => {
    const runner = await start();
    const first = await runner.runCell('x = 41\nprint("héllo ✓", end="")');
    expect(first).toMatchObject({ stdout: 'héllo ✓', stderr: '', exitCode: 0, timedOut: false, truncated: false });
    const second = await runner.runCell('import sys\nprint(x + 1)\nprint("warn", file=sys.stderr)');
    expect(second.stdout).toBe('42\n');
    expect(second.stderr).toBe('warn\n');
  });

  it('every byte of both streams reaches its own cell, whether a stream ends with a marker or was already read (200 cells)', async () => {
    const runner = await start();
    for (let i = 0; i < 200; i++) {
      // Varying amounts on each stream, none at all on some: the tail of a stream must never go
      // missing or slip into the next cell.
      const out = i % 3 === 0 ? 0 : (i * 7) % 50;
      const err = i % 4 === 0 ? 0 : (i * 5) % 30;
      const result = await runner.runCell(`import sys\nfor k in range(${out}): print('o${i}-', k)\nfor k in range(${err}): print('e${i}-', k, file=sys.stderr)`);
      const lines = (prefix: string, n: number): string => Array.from({ length: n }, (_, k) => `${prefix}${i}- ${k}\n`).join('');
      expect({ stdout: result.stdout, stderr: result.stderr }).toEqual({ stdout: lines('o', out), stderr: lines('e', err) });
    }
  });

  it('gives a fresh namespace per cell in stateless mode', async () => {
    const runner = await start({ mode: 'stateless' });
    await runner.runCell('y = 1');
    const result = await runner.runCell('print(y)');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("NameError: name 'y' is not defined");
  });

  it('reports an exception as a traceback on stderr with exit code 1 and stays usable', async () => {
    const runner = await start();
    const result = await runner.runCell('def f():\n    return 1/0\nf()');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/Traceback[\s\S]*line 2, in f[\s\S]*ZeroDivisionError: division by zero/);
    expect(result.stderr).not.toContain('worker.py');
    expect((await runner.runCell('print("still here")')).stdout).toBe('still here\n');
  });

  it('passes sys.exit codes through', async () => {
    const runner = await start();
    expect((await runner.runCell('import sys; sys.exit(3)')).exitCode).toBe(3);
    expect((await runner.runCell('print(2)')).stdout).toBe('2\n');
  });

  it('cancel interrupts with SIGINT and keeps the namespace', async () => {
    const runner = await start();
    const controller = new AbortController();
    const running = runner.runCell('import time\nkept = 5\nopen("started", "w").close()\ntime.sleep(30)', { signal: controller.signal });
    // Cancelled once the cell is past `kept = 5` (a fixed delay could come first on a loaded machine).
    expect(await eventually(() => existsSync(join(runner.scratchDir, 'started')))).toBe(true);
    controller.abort();
    const result = await running;
    expect(result.killed).toBe('cancelled');
    expect(result.stderr).toContain('KeyboardInterrupt');
    const next = await runner.runCell('print(kept)');
    expect(next.stdout).toBe('5\n');
    expect(next.notice).toBeUndefined();
  });

  it('reports a timeout with a message, never as empty output', async () => {
    // 3 s, not less: the limit is what this test is about, but `z = 7` and the cell after the
    // timeout must finish under it too, on a loaded machine.
    const runner = await start({ limits: { timeoutMs: 3000 } });
    const result = await runner.runCell('z = 7\nwhile True:\n    pass');
    expect(result.timedOut).toBe(true);
    expect(result.killed).toBe('timeout');
    expect(result.killMessage).toMatch(/^timed out after 3 s/);
    expect((await runner.runCell('print(z)')).stdout).toBe('7\n');
  });

  it('hard-kills code that ignores SIGINT, then restarts and says the state is gone', async () => {
    // (3 s: the cells before and after the hard kill must finish under the same limit.)
    const runner = await start({ limits: { timeoutMs: 3000 } });
    await runner.runCell('w = 1');
    const result = await runner.runCell('import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: time.sleep(0.05)');
    expect(result.killed).toBe('timeout');
    expect(result.exitCode).toBeNull();
    expect(result.killMessage).toContain('restarted');
    const next = await runner.runCell('print("w" in globals())');
    expect(next.stdout).toBe('False\n');
    expect(next.notice).toContain('restarted');
  });

  it('truncates output for the model and keeps the full output in a file', async () => {
    const runner = await start({ limits: { outputBytes: 1024 } });
    const result = await runner.runCell('for i in range(1000):\n    print(f"line {i:04d}")');
    expect(result.truncated).toBe(true);
    expect(result.stdout.startsWith('line 0000\nline 0001\n')).toBe(true);
    expect(result.stdout).toContain('[output truncated: ');
    expect(Buffer.byteLength(result.stdout)).toBeLessThan(1024 + 300);
    expect(result.fullOutputPath).toBeDefined();
    const full = readFileSync(result.fullOutputPath ?? '', 'utf8');
    expect(full.split('\n').filter(Boolean)).toHaveLength(1000);
    expect(full).toContain('line 0999');
    expect(result.artifacts).toEqual([]);
  });

  it('does not pass the host environment through', async () => {
    process.env['R1CI_TEST_SECRET_TOKEN'] = 'hunter2-secret';
    try {
      const runner = await start();
      const result = await runner.runCell('import os, json\nprint(json.dumps(dict(os.environ)))');
      const env = JSON.parse(result.stdout) as Record<string, string>;
      expect(result.stdout).not.toContain('hunter2-secret');
      expect(Object.keys(env).sort()).toEqual(expect.arrayContaining(['HOME', 'LANG', 'LC_ALL', 'MPLBACKEND', 'PATH', 'PYTHONDONTWRITEBYTECODE', 'PYTHONIOENCODING']));
      expect(Object.keys(env).length).toBeLessThanOrEqual(10);
    } finally {
      delete process.env['R1CI_TEST_SECRET_TOKEN'];
    }
  });

  it('returns files the cell created or changed as artifacts', async () => {
    const runner = await start();
    const created = await runner.runCell(`import os\nos.makedirs("plots", exist_ok=True)\nopen("plots/fig.png","wb").write(${PNG_1X1_PY})\nopen("data.csv","w").write("a,b\\n1,2\\n")`);
    expect(created.artifacts.map((a) => [a.name, a.mimeType, a.sizeBytes])).toEqual([
      ['data.csv', 'text/csv', 8],
      ['plots/fig.png', 'image/png', 33],
    ]);
    for (const artifact of created.artifacts) expect(existsSync(artifact.path ?? '')).toBe(true);
    expect((await runner.runCell('x = 1')).artifacts).toEqual([]);
    const changed = await runner.runCell('open("data.csv","a").write("3,4\\n")');
    expect(changed.artifacts.map((a) => a.name)).toEqual(['data.csv']);
  });

  it('turns a huge allocation into a MemoryError message (nothing killed) and keeps the interpreter', async () => {
    const runner = await start();
    expect((await runner.runCell('kept = 5')).exitCode).toBe(0);
    const result = await runner.runCell('big = bytearray(10 * 1024**3)');
    expect(result.killed).toBe('memory');
    expect(result.killMessage).toBe('stopped: MemoryError at the memory limit (2 GiB); variables are kept');
    expect(result.stderr).toContain('MemoryError');
    expect(result.notice).toBeUndefined();
    expect((await runner.runCell('print("ok", kept)')).stdout).toBe('ok 5\n');
  });

  // A cell that catches its MemoryErrors and leaves memory all but used up: the interpreter's own
  // loop then fails (its reply to the supervisor cannot be encoded). That was told as a protocol
  // failure ("a cell replaced something the sandbox uses"); it is the sandbox out of memory.
  it('memory left exhausted by a cell, so the interpreter loop itself fails: said as out of memory, not as a protocol failure', async () => {
    const runner = await start({ limits: { memoryBytes: 256 * 1024 ** 2 } });
    expect((await runner.runCell('kept = 5')).exitCode).toBe(0);
    const result = await runner.runCell('blocks = []\nsize = 1 << 24\nwhile size >= 16:\n    try:\n        blocks.append(bytearray(size))\n    except MemoryError:\n        size //= 2\nprint("filled")');
    expect(result.killed).toBe('memory');
    expect(result.killMessage).toMatch(/^stopped: the sandbox ran out of memory \(MemoryError at the memory limit, 256 MiB\)/);
    expect(result.killMessage).toMatch(/the Python interpreter was restarted, so variables from earlier cells are gone$/);
    expect(result.killMessage).not.toMatch(/replaced|protocol/);
    // The next cell runs in a fresh interpreter, and says so.
    const next = await runner.runCell('print("fresh")');
    expect({ stdout: next.stdout, restarted: next.notice?.includes('restarted') ?? false }).toEqual({ stdout: 'fresh\n', restarted: true });
  });
});

describe.each(REQUIRED_TIERS)('sandbox runner: dispose while it restarts its interpreter (%s tier)', (tier) => {
  it('ends the interpreter that was starting, too: nothing runs on after dispose', async () => {
    const dir = tempDir('restart-dispose');
    const scratch = join(dir, 'scratch');
    // Watched memory: with a cgroup the start fails anyway once dispose removed the cgroup.
    const runner = new PythonCodeRunner(await prepareSandbox({ isolation: tier === 'basic' ? 'basic' : 'auto', memoryEnforcement: 'watched' }), scratch);
    try {
      expect(runner.tier).toBe(tier);
      await runner.runCell('x = 1');
      // The interpreter dies between cells (the OOM killer, a kill from outside): found as the
      // process this test started whose working folder or command line is the scratch folder, or
      // whose child's is. (The supervisor makes itself non-dumpable, so only root may read its
      // working folder; the interpreter's stays readable to the user who runs the sandbox.)
      const using = processesUsing(scratch);
      const worker = descendants(process.pid).filter((p) => p.ppid === process.pid && using.some((q) => q.pid === p.pid || q.ppid === p.pid));
      expect(worker).toHaveLength(1);
      for (const p of worker) process.kill(p.pid, 'SIGKILL');
      // Gone from /proc = reaped by Node, whose 'exit' event came in the same turn.
      await expect.poll(() => worker.every((p) => !existsSync(`/proc/${p.pid}`))).toBe(true);
      // The next use starts a fresh interpreter; the conversation is closed while it starts.
      const restarting = runner.warmUp().catch(() => undefined);
      await runner.dispose();
      await restarting;
      // Nothing of it runs on: no process of this test whose working folder or command line is the
      // scratch folder, nor a sandbox worker started after the first one was killed (a supervisor's
      // working folder is readable to root only).
      await expect.poll(() => [...processesUsing(scratch), ...descendants(process.pid).filter((p) => p.cmdline.includes(WORKER_SCRIPT) && !worker.some((w) => w.pid === p.pid))]).toEqual([]);
    } finally {
      await runner.dispose();
      removeDir(dir);
    }
  });
});

/** Live processes working in `dir` or naming it on their command line (bubblewrap binds scratch from there). */
/** The sandbox's worker script: in the command line of every worker (and of bubblewrap, which binds its folder). */
const WORKER_SCRIPT = findWorkerScript();

function processesUsing(dir: string): ProcessInfo[] {
  const cwd = (pid: number): string => {
    try {
      return readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      return '';
    }
  };
  return descendants(process.pid).filter((p) => p.cmdline.includes(dir) || cwd(p.pid).startsWith(dir));
}
