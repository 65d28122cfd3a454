// Red team on the host's look at what the sandbox's processes hold open (issue 10 item 2: one
// memory and disk budget for the whole sandbox). Deleted scratch files and memfds have no name the
// walks can find: the disk budget and the watched memory budget find them through each process's
// /proc/PID/fd. A process that runs a program it may not read (an execute-only copy of Python,
// `chmod 111`) is made non-dumpable by the kernel, and its /proc/PID/fd then belongs to root: a
// host that is not root (a desktop user, the isolated tier's user namespace or the basic tier)
// cannot list it, and the look skipped it as if it held nothing. As an unprivileged user, on both
// tiers, such a process held 540 MiB of deleted scratch files under a 64 MiB disk budget and
// 540 MiB of memfds under a 256 MiB watched memory budget for its whole cell (memfd pages are in
// no address space, so RLIMIT_AS does not bound them either). Now an fd table the host may not
// read makes the measure incomplete, which counts as over the budget; the supervisor, which makes
// itself non-dumpable before any user code runs, is the one exception.
// The look is checked directly against a real hostile process run as an unprivileged user (as
// root, CI: nobody, with the host's file access seteuid'd to nobody, as a desktop user's host
// has), and the whole attack through the runner on both tiers.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { HIDDEN_FDS, heldDeletedBytes } from '../../../src/sandbox/diskBudget';
import { processMemory } from '../../../src/sandbox/memoryBudget';
import { resolvePython } from '../../../src/sandbox/python';
import { createCodeRunner, type CodeRunner } from '../../../src/sandbox/index';
import { asUnprivileged, IS_ROOT, NOBODY, REQUIRED_TIERS, removeDir, tempDir } from './helpers';

const MiB = 1024 ** 2;
const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

/**
 * Python: copies the interpreter to `exe` (execute-only when `hidden`) and runs it on a script that
 * holds COUNT deleted files of the cwd or memfds (`kind`), MIB MiB each, prints "held", then sleeps
 * for SECONDS and prints "survived"; in place of this process (`exec`, for a host-side holder whose pid
 * is known) or as a child (a cell: the interpreter must live on).
 */
const holder = (o: { hidden: boolean; kind: 'deleted files' | 'memfds'; count: number; mib: number; seconds: number; exec?: boolean }): string => `
import os, shutil, subprocess, sys
exe = os.path.abspath("python-copy")
shutil.copy(sys.executable, exe)
os.chmod(exe, 0o111 if ${o.hidden ? 'True' : 'False'} else 0o755)
script = """
import os, time
held = []
for i in range(${o.count}):
    if "${o.kind}" == "memfds":
        fd = os.memfd_create("held%d" % i)
    else:
        fd = os.open("held%d" % i, os.O_CREAT | os.O_RDWR, 0o600)
        os.unlink("held%d" % i)
    os.posix_fallocate(fd, 0, ${o.mib} * 2**20)
    held.append(fd)
print("held", flush=True)
time.sleep(${o.seconds})
print("survived", flush=True)
"""
if ${o.exec ? 'True' : 'False'}:
    os.execv(exe, [exe, "-c", script])
subprocess.run([exe, "-c", script])
`;

/** A Python an unprivileged user can run (as root the resolved one may live in root's home). */
async function unprivilegedPython(): Promise<string> {
  const candidates = [(await resolvePython()).executable, '/usr/bin/python3'];
  const ids = IS_ROOT ? { uid: NOBODY, gid: NOBODY } : {};
  const found = candidates.find((python) => spawnSync(python, ['-c', 'pass'], { ...ids, cwd: '/' }).status === 0);
  if (found === undefined) throw new Error(`no Python an unprivileged user can run among ${candidates.join(', ')}`);
  return found;
}

describe.runIf(process.platform === 'linux')('a process that hides its descriptors, looked at by a host that is not root', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
    child = undefined;
  });

  /** Starts the holder as an unprivileged user in a folder of its own; resolves with its pid and folder once it holds. */
  async function startHolder(hidden: boolean, kind: 'deleted files' | 'memfds'): Promise<{ pid: number; dir: string }> {
    const dir = tempDir('hidden-holder');
    dirs.push(dir);
    if (IS_ROOT) chownSync(dir, NOBODY, NOBODY);
    const python = await unprivilegedPython();
    const started = spawn(python, ['-c', holder({ hidden, kind, count: 2, mib: 4, seconds: 60, exec: true })], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'], ...(IS_ROOT ? { uid: NOBODY, gid: NOBODY } : {}) });
    child = started;
    await new Promise<void>((resolve, reject) => {
      started.stdout?.on('data', (data: Buffer) => {
        if (data.toString().includes('held')) resolve();
      });
      started.on('exit', (code) => reject(new Error(`the holder ended (${code})`)));
    });
    return { pid: started.pid ?? -1, dir };
  }

  it.each([false, true])('deleted files it holds open count, or the look is incomplete (execute-only program: %s)', async (hidden) => {
    const { pid, dir } = await startHolder(hidden, 'deleted files');
    const held = asUnprivileged(() => heldDeletedBytes(dir, [pid], (p) => `/proc/${p}`));
    if (hidden) expect(held.problem).toContain(HIDDEN_FDS);
    else expect(held).toEqual({ bytes: 8 * MiB });
    // A process of the start-up chain (the supervisor) that hides its table is passed over.
    expect(asUnprivileged(() => heldDeletedBytes(dir, [pid], (p) => `/proc/${p}`, new Set([pid]))).problem).toBeUndefined();
  });

  it.each([false, true])('memfds it holds open count, or the measure is incomplete (execute-only program: %s)', async (hidden) => {
    const { pid } = await startHolder(hidden, 'memfds');
    const measure = { fds: { left: 1000 }, mapsBytes: { left: MiB }, shared: new Set<string>() };
    const bytes = asUnprivileged(() => processMemory(`/proc/${pid}`, measure));
    if (hidden) {
      expect(bytes).toBeUndefined();
      expect(measure).toMatchObject({ hidden: true });
    } else {
      expect(bytes).toBeGreaterThanOrEqual(8 * MiB);
    }
    expect(asUnprivileged(() => processMemory(`/proc/${pid}`, { fds: { left: 1000 }, mapsBytes: { left: MiB }, shared: new Set<string>() }, true))).toBeDefined();
  });
});

describe.each(REQUIRED_TIERS)('a cell whose process hides what it holds (%s tier)', (tier) => {
  let runner: CodeRunner | undefined;
  afterEach(async () => {
    await runner?.dispose();
    runner = undefined;
  });

  async function start(limits: { diskBytes?: number; memoryBytes?: number }): Promise<CodeRunner> {
    const root = tempDir('hidden-holder-cell');
    dirs.push(root);
    runner = await createCodeRunner({ scratchDir: join(root, 'scratch'), isolation: tier === 'basic' ? 'basic' : 'auto', memoryEnforcement: 'watched', limits: { timeoutMs: 30_000, ...limits } });
    expect(runner.tier).toBe(tier);
    return runner;
  }

  it('deleted scratch files held by an execute-only program are held to the disk budget', async () => {
    const cells = await start({ diskBytes: 32 * MiB });
    const result = await cells.runCell(holder({ hidden: true, kind: 'deleted files', count: 4, mib: 40, seconds: 20 }));
    expect(result.stdout, result.stderr).not.toContain('survived');
    // The watched memory budget (every 100 ms) meets the hidden process before the disk check (every second) when the host is not root.
    expect(IS_ROOT ? ['disk'] : ['disk', 'memory']).toContain(result.killed);
    // The sandbox itself (the supervisor hides its descriptors too) still runs cells.
    expect((await cells.runCell('print(6 * 7)')).stdout.trim()).toBe('42');
  });

  it('memfds held by an execute-only program are held to the watched memory budget', async () => {
    const cells = await start({ memoryBytes: 256 * MiB });
    const result = await cells.runCell(holder({ hidden: true, kind: 'memfds', count: 6, mib: 64, seconds: 20 }));
    expect(result.stdout, result.stderr).not.toContain('survived');
    expect(result.killed).toBe('memory');
    expect((await cells.runCell('print(6 * 7)')).stdout.trim()).toBe('42');
  });
});
