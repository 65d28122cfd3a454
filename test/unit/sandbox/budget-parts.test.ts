// The budget's building blocks on real files: cgroup discovery text, the scratch measure
// (sparse files, hard links, the entry cap), the kill messages, the tmpfs sizes in the
// bubblewrap plan, and the scratch janitor (age, deleted conversations, links, mode 000).
import { chmodSync, existsSync, linkSync, mkdirSync, openSync, closeSync, ftruncateSync, readFileSync, rmdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildBwrapPlan, SANDBOX_TMPFS_MOUNTS } from '../../../src/sandbox/bubblewrap';
import { findCgroupParent, ownMemoryCgroupDirs, readCounter, SandboxCgroup, systemdRunArgs } from '../../../src/sandbox/cgroup';
import { measureScratch, overDiskBudget } from '../../../src/sandbox/diskBudget';
import { describeBudgetKill, type BudgetVerdict } from '../../../src/sandbox/memoryBudget';
import { removeScratchFolder, removeTree, sweepScratchRoot } from '../../../src/sandbox/scratchJanitor';
import { DEFAULT_LIMITS } from '../../../src/sandbox/types';
import { tempDir } from './helpers';

const MiB = 1024 ** 2;
const dirs: string[] = [];
function dir(prefix: string): string {
  const made = tempDir(prefix);
  dirs.push(made);
  return made;
}
// removeTree (rm -rf), not fs.rm: the janitor test's tree is deeper than PATH_MAX when it fails early.
afterAll(async () => {
  for (const made of dirs) await removeTree(made);
});

describe('ownMemoryCgroupDirs', () => {
  it('finds the v1 memory cgroup under its mount (as on this CI machine)', () => {
    const cgroup = '9:name=systemd:/\n4:memory:/process_api/abc\n3:cpuset:/\n0::/\n';
    const mountinfo = [
      '30 25 0:27 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
      '33 25 0:30 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
      '38 25 0:35 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
    ].join('\n');
    expect(ownMemoryCgroupDirs(cgroup, mountinfo)).toEqual({ v1: '/sys/fs/cgroup/memory/process_api/abc', v2: '/sys/fs/cgroup/unified' });
  });

  it('finds a v2 cgroup, also when the mount root is our own cgroup (a cgroup namespace)', () => {
    const cgroup = '0::/user.slice/user-1000.slice/session-2.scope\n';
    expect(ownMemoryCgroupDirs(cgroup, '40 1 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate').v2).toBe('/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope');
    const nested = '40 1 0:26 /user.slice /sys/fs/cgroup rw - cgroup2 cgroup2 rw';
    expect(ownMemoryCgroupDirs(cgroup, nested).v2).toBe('/sys/fs/cgroup/user-1000.slice/session-2.scope');
    // A cgroup outside what is mounted is never guessed at.
    expect(ownMemoryCgroupDirs('0::/other\n', nested).v2).toBeUndefined();
  });

  it('reads counters from memory.events and memory.oom_control', () => {
    expect(readCounter('low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\n', 'oom_kill')).toBe(2);
    expect(readCounter('oom_kill_disable 0\nunder_oom 0\noom_kill 7\n', 'oom_kill')).toBe(7);
    expect(readCounter('oom_kill_disable 0\n', 'oom_kill')).toBe(0);
  });

  it('asks systemd for a hard limit without swap, in the user manager unless root', () => {
    const args = systemdRunArgs(256 * MiB, 'r1ci-sandbox-x');
    expect(args).toContain('--scope');
    expect(args).toContain(`--property=MemoryMax=${256 * MiB}`);
    expect(args).toContain('--property=MemorySwapMax=0');
    expect(args.includes('--user')).toBe(process.getuid?.() !== 0);
    expect(args[args.length - 1]).toBe('--');
  });
});

describe.runIf(process.platform === 'linux' && process.getuid?.() === 0)('cgroup parent (root, real cgroup file system)', () => {
  it('is found, and empty sandbox cgroups a crashed host left (over an hour old) are removed, young ones kept', () => {
    const first = findCgroupParent();
    expect(first).toBeDefined();
    const parent = first?.dir ?? '';
    const stale = join(parent, 'r1ci-sandbox-stale0000');
    const young = join(parent, 'r1ci-sandbox-young0000');
    mkdirSync(stale);
    mkdirSync(young);
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(stale, twoHoursAgo, twoHoursAgo);
    try {
      expect(findCgroupParent()).toEqual(first);
      expect(existsSync(stale)).toBe(false);
      expect(existsSync(young)).toBe(true);
    } finally {
      for (const made of [stale, young]) if (existsSync(made)) rmdirSync(made);
    }
  });

  it('reads the process list and the OOM counter as they are now, read after read (checked after every cell)', async () => {
    const parent = findCgroupParent();
    expect(parent).toBeDefined();
    if (!parent) return;
    const cgroup = SandboxCgroup.direct(parent, 64 * MiB);
    const started: number[] = [];
    try {
      const enter = (): number => {
        const child = spawn('sleep', ['30'], { stdio: 'ignore' });
        const pid = child.pid ?? -1;
        writeFileSync(join(cgroup.path ?? '', 'cgroup.procs'), String(pid));
        started.push(pid);
        return pid;
      };
      expect(cgroup.oomKills()).toBe(0);
      const first = enter();
      expect(cgroup.pids()).toEqual([first]);
      // cgroup v1 keeps the list built at an open file's first read: each read must open anew.
      const second = enter();
      expect(cgroup.pids().sort()).toEqual([first, second].sort());
      process.kill(first, 'SIGKILL');
      await expect.poll(() => cgroup.pids()).toEqual([second]);
      // The OOM counter is read through a descriptor kept open: it must still show a new kill.
      const hog = spawnSync('/bin/sh', ['-c', `echo $$ > "${join(cgroup.path ?? '', 'cgroup.procs')}" && exec python3 -c "b = bytearray(512 * 1024 * 1024)"`]);
      expect(hog.signal).toBe('SIGKILL');
      expect(cgroup.oomKills()).toBe(1);
    } finally {
      for (const pid of started) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      await cgroup.remove();
    }
  });
});

describe.runIf(process.platform === 'linux' && process.getuid?.() === 0)('pids cgroup beside the memory cgroup (root, real cgroup file system)', () => {
  // This machine has a pids controller (v1 hierarchy or v2 controller): then it must be used.
  const hasPids = existsSync('/sys/fs/cgroup/pids/cgroup.procs') || (existsSync('/sys/fs/cgroup/cgroup.controllers') && readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8').split(/\s+/).includes('pids'));

  it.runIf(hasPids)('counts every task a launch starts (threads, children, zombies until reaped), read after read', async () => {
    const parent = findCgroupParent();
    expect(parent?.pidsDir).toBeDefined();
    if (!parent) return;
    const cgroup = SandboxCgroup.direct(parent, 256 * MiB);
    const script = [
      'import os, sys, threading, time',
      'for _ in range(2): threading.Thread(target=time.sleep, args=(30,), daemon=True).start()',
      'print("threads", flush=True); sys.stdin.readline()',
      'child = os.fork()',
      'if child == 0: os._exit(0)',
      '# Waits until the child has exited without reaping it (WNOWAIT): a zombie now, whatever the load.',
      'os.waitid(os.P_PID, child, os.WEXITED | os.WNOWAIT); print("zombie", flush=True); sys.stdin.readline()',
      'os.waitpid(child, 0); print("reaped", flush=True); sys.stdin.readline()',
    ].join('\n');
    const launch = cgroup.wrap({ command: 'python3', args: ['-c', script], env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, cwd: '/' });
    const child = spawn(launch.command, [...launch.args], { env: launch.env, stdio: ['pipe', 'pipe', 'inherit'] });
    const lines: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    const step = async (line: string, tasks: number): Promise<void> => {
      await expect.poll(() => lines.includes(line)).toBe(true);
      expect(cgroup.tasks()).toBe(tasks);
      child.stdin.write('\n');
    };
    try {
      // The interpreter and its two threads; then a zombie child is one more; reaped, it is gone.
      await step('threads', 3);
      await step('zombie', 4);
      await step('reaped', 3);
    } finally {
      child.kill('SIGKILL');
      await cgroup.remove();
    }
    expect(cgroup.tasks()).toBeUndefined();
  });
});

describe('measureScratch', () => {
  it('counts allocated blocks once per inode: sparse files cost nothing, hard links are not doubled', () => {
    const scratch = dir('measure');
    const fd = openSync(join(scratch, 'sparse'), 'w');
    ftruncateSync(fd, 1024 * MiB);
    closeSync(fd);
    writeFileSync(join(scratch, 'real'), Buffer.alloc(2 * MiB, 1));
    for (let i = 0; i < 5; i++) linkSync(join(scratch, 'real'), join(scratch, `link${i}`));
    const usage = measureScratch(scratch, 100);
    expect(usage.complete).toBe(true);
    expect(usage.entries).toBe(7);
    expect(usage.bytes).toBeGreaterThanOrEqual(2 * MiB);
    expect(usage.bytes).toBeLessThan(3 * MiB);
  });

  it('stops one entry past the entry budget (many empty folders)', () => {
    const scratch = dir('many');
    for (let i = 0; i < 300; i++) mkdirSync(join(scratch, String(i)));
    const usage = measureScratch(scratch, 100);
    expect(usage).toMatchObject({ entries: 101, complete: false });
    expect(overDiskBudget(usage, { diskBytes: 1024 * MiB, diskEntries: 100 })).toBe(true);
  });

  it('does not follow links out of scratch', () => {
    const scratch = dir('links');
    const outside = dir('outside');
    writeFileSync(join(outside, 'big'), Buffer.alloc(4 * MiB, 1));
    symlinkSync(outside, join(scratch, 'out'));
    expect(measureScratch(scratch, 100).bytes).toBeLessThan(MiB);
  });

  it('a folder the code made unreadable never hides its contents: counted (root) or over (others)', () => {
    const scratch = dir('hidden');
    mkdirSync(join(scratch, 'locked'));
    writeFileSync(join(scratch, 'locked', 'big'), Buffer.alloc(MiB, 1));
    chmodSync(join(scratch, 'locked'), 0);
    const usage = measureScratch(scratch, 100);
    chmodSync(join(scratch, 'locked'), 0o700);
    if (process.getuid?.() === 0) expect(usage).toMatchObject({ entries: 2, complete: true });
    else expect(usage.complete).toBe(false);
    expect(usage.complete ? usage.bytes >= MiB : overDiskBudget(usage, { diskBytes: 1024 * MiB, diskEntries: 100 })).toBe(true);
  });
});

describe('describeBudgetKill', () => {
  const limits = { ...DEFAULT_LIMITS, memoryBytes: 2 * 1024 * MiB, diskBytes: 512 * MiB };
  const calm: BudgetVerdict = { memoryHit: false, disk: { bytes: 0, entries: 0, complete: true, over: false }, diskKilled: false, leftProcesses: false };

  it('says what happened, in the words users and the model see', () => {
    expect(describeBudgetKill(calm, limits, false)).toBeUndefined();
    expect(describeBudgetKill({ ...calm, memoryHit: true }, limits, true)?.message).toMatch(/^killed: sandbox memory limit \(2 GiB\); the Python interpreter was restarted/);
    expect(describeBudgetKill({ ...calm, memoryHit: true }, limits, false)?.message).toBe('killed: sandbox memory limit (2 GiB); a process the cell started was killed');
    const over = { ...calm, disk: { bytes: 600 * MiB, entries: 10, complete: true, over: true } };
    expect(describeBudgetKill(over, limits, false)).toEqual({
      reason: 'disk',
      message: 'disk budget of the sandbox used up (600 MiB of 512 MiB): delete files in the scratch folder to go on',
    });
    expect(describeBudgetKill({ ...over, diskKilled: true }, limits, true)?.message).toMatch(/^killed: disk budget of the sandbox used up/);
  });

  it('a use just past the disk budget never reads as the budget itself (rounded up, not to nearest)', () => {
    // A watch that caught a cell 4 KiB past 64 MiB said "64.0 MiB of 64 MiB" (and failed a CI run).
    const justOver = { ...calm, disk: { bytes: 512 * MiB + 4096, entries: 10, complete: true, over: true } };
    expect(describeBudgetKill(justOver, limits, false)?.message).toContain('(512.1 MiB of 512 MiB)');
    const exact = { ...calm, disk: { bytes: 600 * MiB, entries: 10, complete: true, over: true } };
    expect(describeBudgetKill(exact, limits, false)?.message).toContain('(600 MiB of 512 MiB)');
  });
});

describe('bubblewrap plan: RAM-backed mounts are sized', () => {
  it('gives /tmp, home and /dev/shm each a size (after /dev, so multiprocessing has /dev/shm)', () => {
    const plan = buildBwrapPlan({
      layout: { prefixes: ['/usr'], path: ['/usr/lib/python3'], executable: '/usr/bin/python3' },
      scratchDir: '/tmp/x',
      workerScript: '/opt/r1ci/resources/sandbox/worker.py',
      isRoot: false,
      tmpfsBytes: 256 * MiB,
    });
    for (const mount of SANDBOX_TMPFS_MOUNTS) {
      const at = plan.args.findIndex((arg, i) => arg === mount && plan.args[i - 1] === '--tmpfs');
      expect(at).toBeGreaterThan(0);
      expect(plan.args.slice(at - 3, at - 1)).toEqual(['--size', String(256 * MiB)]);
    }
    expect(plan.args.indexOf('/dev/shm')).toBeGreaterThan(plan.args.indexOf('--dev'));
  });
});

describe('scratch janitor', () => {
  it('removes a folder deeper than PATH_MAX with a mode-000, non-UTF-8 folder inside (built with dir_fd by real Python)', async () => {
    const root = dir('janitor-deep');
    const folder = join(root, 'conversation');
    mkdirSync(folder);
    const build = [
      'import os, sys',
      'fd = os.open(sys.argv[1], os.O_RDONLY)',
      'for i in range(18):',
      '    os.mkdir("d%02d" % i + "x" * 240, dir_fd=fd)',
      '    fd = os.open("d%02d" % i + "x" * 240, os.O_RDONLY, dir_fd=fd)',
      'os.mkdir(b"\\xff", dir_fd=fd)',
      'w = os.open(b"\\xff/f", os.O_CREAT | os.O_WRONLY, 0o600, dir_fd=fd)',
      'os.write(w, b"x" * 4096); os.close(w)',
      'os.chmod(b"\\xff", 0, dir_fd=fd)',
    ].join('\n');
    execFileSync('python3', ['-c', build, folder]);
    const usage = measureScratch(folder, 100);
    // 18 folders, the mode-000 one and its file; only root can list the locked folder, so any other
    // user sees 19 entries and an incomplete measure (the disk budget then counts it as over).
    if (process.getuid?.() === 0) expect(usage).toMatchObject({ entries: 20, complete: true });
    else expect(usage).toMatchObject({ entries: 19, complete: false });
    expect(await removeScratchFolder(root, folder)).toBe(true);
    expect(existsSync(folder)).toBe(false);
  });

  const DAY = 24 * 60 * 60 * 1000;
  const age = (path: string, days: number): void => {
    const when = new Date(Date.now() - days * DAY);
    utimesSync(path, when, when);
  };

  it('removes folders untouched for the set age, keeps recent and in-use ones, and 0 keeps all', async () => {
    const root = dir('janitor');
    for (const name of ['old', 'recent', 'busy', 'old-with-new-file', '.spare-abc']) mkdirSync(join(root, name));
    writeFileSync(join(root, 'old', 'data.csv'), 'x');
    writeFileSync(join(root, 'old-with-new-file', 'today.txt'), 'x');
    for (const name of ['old', 'busy', 'old-with-new-file', '.spare-abc']) age(join(root, name), 30);
    age(join(root, 'old', 'data.csv'), 30);
    age(join(root, 'recent'), 1);
    expect(await sweepScratchRoot(root, { maxAgeDays: 0 })).toEqual([]);
    const removed = await sweepScratchRoot(root, { maxAgeDays: 7, keep: new Set([join(root, 'busy')]) });
    expect(removed.sort()).toEqual([join(root, '.spare-abc'), join(root, 'old')]);
    for (const name of ['recent', 'busy', 'old-with-new-file']) expect(existsSync(join(root, name))).toBe(true);
  });

  it("removes a deleted conversation's folder, also with folders the code locked (mode 000)", async () => {
    const root = dir('janitor-del');
    const conversation = join(root, 'conv');
    mkdirSync(join(conversation, 'locked', 'deeper'), { recursive: true });
    writeFileSync(join(conversation, 'locked', 'deeper', 'f'), 'x');
    chmodSync(join(conversation, 'locked', 'deeper'), 0);
    chmodSync(join(conversation, 'locked'), 0);
    expect(await removeScratchFolder(root, conversation)).toBe(true);
    expect(existsSync(conversation)).toBe(false);
  });

  it('never removes outside the scratch root, the root itself, or through a link', async () => {
    const root = dir('janitor-safe');
    const outside = dir('janitor-outside');
    writeFileSync(join(outside, 'keep'), 'x');
    symlinkSync(outside, join(root, 'link'));
    expect(await removeScratchFolder(root, outside)).toBe(false);
    expect(await removeScratchFolder(root, root)).toBe(false);
    expect(await removeScratchFolder(root, join(root, 'link'))).toBe(false);
    expect(await removeScratchFolder(root, join(root, '..', 'x'))).toBe(false);
    expect(existsSync(join(outside, 'keep'))).toBe(true);
  });
});
