// One budget for the whole sandbox, and nothing running on after its cell: real hostile
// cells (the shipped ones in ../shared/cases/sandbox-attacks and variants of their kinds),
// on every tier this machine has, with both mechanisms: the memory cgroup ('auto' as root)
// and the host-side watcher (forced). Sizes are modest: a 256 MiB budget, 300–400 MiB tried.
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ownMemoryCgroupDirs } from '../../../src/sandbox/cgroup';
import { createCodeRunner, type CodeRunner, type ExecResult, type SandboxLimits } from '../../../src/sandbox/index';
import { findDescendants } from '../../../src/sandbox/process-tree';
import { removeTree } from '../../../src/sandbox/scratchJanitor';
import { sandboxAttackCell } from '../../support/sandboxAttackCases';
import { IS_ROOT, isolation, pidsInNamespace, pidsWithCommandLine, removeDir, tempDir, REQUIRED_TIERS } from './helpers';
import { eventually } from '../../support/processTree';

const MiB = 1024 ** 2;
const REPO = resolve(__dirname, '..', '..', '..');
const LIMITS: Partial<SandboxLimits> = { memoryBytes: 256 * MiB, timeoutMs: 30_000, diskBytes: 64 * MiB };
const MECHANISMS = ['auto', 'watched'] as const;
const LINUX_ROOT = process.platform === 'linux' && IS_ROOT;
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) removeDir(dir);
});

async function start(tier: 'isolated' | 'basic', memoryEnforcement: 'auto' | 'watched', limits = LIMITS): Promise<CodeRunner> {
  const root = tempDir('budget');
  dirs.push(root);
  const runner = await createCodeRunner({ scratchDir: join(root, 'scratch'), isolation: tier === 'basic' ? 'basic' : 'auto', memoryEnforcement, limits });
  if (runner.tier !== tier) throw new Error(`wanted tier ${tier}, got ${runner.tier}`);
  return runner;
}

/** The memory cgroup folder (v1 or v2) a process is in. */
function memoryCgroupOf(pid: number | 'self'): string | undefined {
  const found = ownMemoryCgroupDirs(readFileSync(`/proc/${pid}/cgroup`, 'utf8'), readFileSync('/proc/self/mountinfo', 'utf8'));
  return found.v1 ?? found.v2;
}

/** The cgroup the sandbox's worker runs in, when it is not ours (a per-sandbox cgroup). */
async function sandboxCgroup(runner: CodeRunner): Promise<string | undefined> {
  const identity = await probeIdentity(runner);
  const [pid] = runner.tier === 'isolated' ? pidsInNamespace(identity.ns) : [identity.workerPid];
  const dir = pid === undefined ? undefined : memoryCgroupOf(pid);
  return dir === memoryCgroupOf('self') ? undefined : dir;
}

/**
 * Host pids of the sandbox's live processes: its pid namespace (isolated) or the worker's
 * tree (basic). Zombies (killed, not yet reaped by the worker) run nothing and are left out.
 */
async function sandboxProcesses(runner: CodeRunner, probe: { ns: string; workerPid: number }): Promise<number[]> {
  const pids = runner.tier === 'isolated' ? pidsInNamespace(probe.ns) : [probe.workerPid, ...findDescendants(probe.workerPid)];
  return pids.filter((pid) => processState(pid) !== 'Z' && processState(pid) !== undefined);
}

function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

async function probeIdentity(runner: CodeRunner): Promise<{ ns: string; workerPid: number }> {
  const result = await runner.runCell("import os\nprint(os.readlink('/proc/self/ns/pid'), os.getpid())");
  const [ns = '', pid = ''] = result.stdout.trim().split(' ');
  return { ns, workerPid: Number(pid) };
}

/** CPU ticks (utime + stime) of each pid, from the host's /proc. */
function cpuTicks(pids: readonly number[]): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(pid, Number(fields[11]) + Number(fields[12]));
    } catch {
      // gone
    }
  }
  return ticks;
}

const FORKED_MEMORY = [
  '# 400 MiB held at once by 8 forked processes of 50 MiB each (each far under the per-process limit).',
  'import os, time',
  'pids = []',
  'for i in range(8):',
  '    pid = os.fork()',
  '    if pid == 0:',
  "        block = b'x' * (50 * 1024 * 1024)",
  '        time.sleep(4)',
  '        os._exit(0)',
  '    pids.append(pid)',
  'print([os.waitpid(p, 0)[1] for p in pids])',
].join('\n');

const MEMFD_MEMORY = [
  '# 300 MiB in three memfd files that no process maps: invisible in any RSS.',
  'import os, time',
  'fds = []',
  'for i in range(3):',
  "    fd = os.memfd_create(f'hidden{i}')",
  '    for _ in range(10):',
  "        os.write(fd, b'x' * (10 * 1024 * 1024))",
  '    fds.append(fd)',
  'time.sleep(1)',
  "print('held')",
].join('\n');

const SHARED_ANONYMOUS_MEMORY = [
  '# 400 MiB of shared anonymous memory (shmem pages: no anonymous count, no mount shows them), 100 MiB in each of 4 processes.',
  'import mmap, os, time',
  'pids = []',
  'for i in range(4):',
  '    pid = os.fork()',
  '    if pid == 0:',
  '        m = mmap.mmap(-1, 100 * 1024 * 1024)',
  '        for offset in range(0, len(m), 4096): m[offset] = 1',
  '        time.sleep(4)',
  '        os._exit(0)',
  '    pids.append(pid)',
  'print([os.waitpid(p, 0)[1] for p in pids])',
].join('\n');

const MAPPED_MEMFD_MEMORY = [
  '# 400 MiB in memfds of 80 MiB (under the file size limit) that processes map and then close: no descriptor shows them',
  "# (mapped with libc's mmap: Python's mmap keeps a copy of the descriptor).",
  'import ctypes, os, time',
  'libc = ctypes.CDLL(None)',
  'libc.mmap.restype = ctypes.c_void_p',
  'libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]',
  'size = 80 * 1024 * 1024',
  'pids = []',
  'for i in range(5):',
  '    pid = os.fork()',
  '    if pid == 0:',
  "        fd = os.memfd_create(f'mapped{i}')",
  '        os.ftruncate(fd, size)',
  '        address = libc.mmap(None, size, 3, 1, fd, 0)  # PROT_READ | PROT_WRITE, MAP_SHARED',
  '        os.close(fd)',
  '        ctypes.memset(address, 1, size)',
  '        time.sleep(4)',
  '        os._exit(0)',
  '    pids.append(pid)',
  'print([os.waitpid(p, 0)[1] for p in pids])',
].join('\n');

const TMPFS_SPLIT = [
  '# 300 MiB split over /dev/shm, /tmp and the home folder: each mount alone is under the budget.',
  'import os',
  "for folder in ['/dev/shm', '/tmp', os.environ['HOME']]:",
  '    for i in range(2):',
  "        with open(f'{folder}/fill{i}', 'wb') as f:",
  "            f.write(b'x' * (50 * 1024 * 1024))",
  "print('wrote')",
].join('\n');

describe('the isolated tier and a whole-sandbox memory budget are there on Linux, for root (CI) and other users: fail, not skip', () => {
  it.runIf(process.platform === 'linux')('bubblewrap works; the memory budget is a cgroup as root (dispose removes it), else a systemd scope or the watcher, for all processes and tmpfs together', async () => {
    expect(isolation.tier).toBe('isolated');
    const runner = await start('isolated', 'auto');
    let cgroup: string | undefined;
    try {
      if (IS_ROOT) {
        expect(runner.tierNote).toMatch(/Memory: cgroup v[12], 256 MiB for all processes and tmpfs together/);
        cgroup = await sandboxCgroup(runner);
        expect(cgroup).toMatch(/\/r1ci-sandbox-[0-9a-f]+$/);
        expect(existsSync(cgroup ?? '')).toBe(true);
      } else {
        // Another user cannot make cgroups of its own here; a desktop's systemd user manager can.
        expect(runner.tierNote).toMatch(/Memory: (systemd scope \(MemoryMax\)|watched), 256 MiB for all processes and tmpfs together/);
      }
    } finally {
      await runner.dispose();
    }
    if (cgroup !== undefined) expect(existsSync(cgroup)).toBe(false);
  });
});

const SHARED_BY_FORKS = [
  '# 120 MiB in the interpreter, shared copy-on-write with 4 forked children that only sleep: each',
  '# child maps (RssAnon) all of it, but the pages exist once. Under a 256 MiB budget this fits.',
  'import os, time',
  "block = b'x' * (120 * 1024 * 1024)",
  'pids = []',
  'for i in range(4):',
  '    pid = os.fork()',
  '    if pid == 0:',
  '        time.sleep(3)',
  '        os._exit(0)',
  '    pids.append(pid)',
  'print([os.waitpid(p, 0)[1] for p in pids], len(block))',
].join('\n');

const OVER_BEHIND_CHURNING_FORKS = [
  '# 300 MiB of private memory in two processes of 150 MiB, each forking short-lived children',
  "# without end: a child shares its parent's pages while it lives, so counted by share the parent",
  '# may look half as big at the moment it is read. Over a 256 MiB budget all the same.',
  'import os, time',
  'def churn():',
  "    block = b'x' * (150 * 1024 * 1024)  # one allocation, under the per-process RLIMIT_AS",
  '    end = time.time() + 6',
  '    while time.time() < end:',
  '        pid = os.fork()',
  '        if pid == 0:',
  '            os._exit(0)',
  '        os.waitpid(pid, 0)',
  'holders = []',
  'for i in range(2):',
  '    pid = os.fork()',
  '    if pid == 0:',
  '        churn()',
  '        os._exit(0)',
  '    holders.append(pid)',
  'print([os.waitpid(p, 0)[1] for p in holders])',
].join('\n');

describe.each(REQUIRED_TIERS.flatMap((tier) => MECHANISMS.map((mechanism) => [tier, mechanism] as const)))('whole-sandbox memory (%s tier, %s)', (tier, mechanism) => {
  it('says which mechanism enforces the budget', async () => {
    const runner = await start(tier, mechanism);
    try {
      if (mechanism === 'watched') expect(runner.tierNote).toContain('Memory: watched, 256 MiB for all processes and tmpfs together');
      else if (LINUX_ROOT) expect(runner.tierNote).toMatch(/Memory: cgroup v[12]/);
    } finally {
      await runner.dispose();
    }
  });

  it('memory split across 8 forked processes: killed at the sandbox limit, next cell works', async () => {
    const runner = await start(tier, mechanism);
    try {
      const result = await runner.runCell(FORKED_MEMORY);
      expect(result.killed).toBe('memory');
      expect(result.killMessage).toContain('killed: sandbox memory limit (256 MiB)');
      expect((await runner.runCell('print(1 + 1)')).stdout).toBe('2\n');
    } finally {
      await runner.dispose();
    }
  });

  it('memory forked children share copy-on-write counts once: they run to the end under the budget', async () => {
    const runner = await start(tier, mechanism);
    try {
      const result = await runner.runCell(SHARED_BY_FORKS);
      expect({ killed: result.killed, message: result.killMessage, stdout: result.stdout }).toEqual({ killed: undefined, message: undefined, stdout: `[0, 0, 0, 0] ${120 * MiB}\n` });
    } finally {
      await runner.dispose();
    }
  });

  it('memory over the limit behind children forked and ended without pause: still killed at the sandbox limit', async () => {
    const runner = await start(tier, mechanism);
    try {
      const result = await runner.runCell(OVER_BEHIND_CHURNING_FORKS);
      expect(result.killed).toBe('memory');
      expect(result.killMessage).toContain('killed: sandbox memory limit (256 MiB)');
      expect((await runner.runCell('print(1 + 1)')).stdout).toBe('2\n');
    } finally {
      await runner.dispose();
    }
  });

  it('memory hidden in unmapped memfd files: killed at the sandbox limit, next cell works', async () => {
    const runner = await start(tier, mechanism);
    try {
      const result = await runner.runCell(MEMFD_MEMORY);
      expect(result.killed).toBe('memory');
      expect(result.killMessage).toContain('sandbox memory limit (256 MiB)');
      expect((await runner.runCell('print(1 + 1)')).stdout).toBe('2\n');
    } finally {
      await runner.dispose();
    }
  });

  it.each([
    ['shared anonymous mappings (mmap(-1, n))', SHARED_ANONYMOUS_MEMORY],
    ['memfds mapped, their descriptors closed', MAPPED_MEMFD_MEMORY],
  ])('memory hidden in %s, split across processes: killed at the sandbox limit, next cell works', async (_where, cell) => {
    const runner = await start(tier, mechanism);
    try {
      const result = await runner.runCell(cell);
      expect(result.killed).toBe('memory');
      expect(result.killMessage).toContain('sandbox memory limit (256 MiB)');
      expect((await runner.runCell('print(1 + 1)')).stdout).toBe('2\n');
    } finally {
      await runner.dispose();
    }
  });

  it('04-memory-across-processes.py: contained, next cell works', async () => {
    const runner = await start(tier, mechanism);
    try {
      const result = await runner.runCell(sandboxAttackCell(REPO, '04-memory-across-processes.py'));
      // Each child is stopped (MemoryError under RLIMIT_AS, or killed at the sandbox limit): none exits 0.
      expect(result.stdout).not.toContain('[0, 0, 0]');
      expect((await runner.runCell('print(1 + 1)')).stdout).toBe('2\n');
    } finally {
      await runner.dispose();
    }
  });
});

// Only the isolated tier has RAM-backed mounts of its own (basic keeps /tmp and home on disk).
describe.runIf(REQUIRED_TIERS.includes('isolated')).each(MECHANISMS)('tmpfs files are sandbox memory (isolated tier, %s)', (mechanism) => {
  it('multiprocessing works: /dev/shm is there (its own sized tmpfs)', async () => {
    const runner = await start('isolated', mechanism);
    try {
      const cell = [
        '# POSIX semaphores (every multiprocessing lock and pool) live in /dev/shm.',
        'import multiprocessing as mp, os',
        'lock = mp.Lock()',
        'with mp.Pool(2) as pool:',
        '    print(pool.map(abs, range(-2, 3)))',
        "s = os.statvfs('/dev/shm')",
        'print(s.f_blocks * s.f_frsize == 256 * 1024 * 1024)',
      ].join('\n');
      const result = await runner.runCell(cell);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('[2, 1, 0, 1, 2]\nTrue\n');
    } finally {
      await runner.dispose();
    }
  });

  it('memory hidden in /dev/shm, /tmp and home files: the mounts count with the processes', async () => {
    const runner = await start('isolated', mechanism);
    try {
      const result = await runner.runCell(TMPFS_SPLIT);
      expect(result.killed).toBe('memory');
      expect(result.killMessage).toContain('killed: sandbox memory limit (256 MiB)');
      // The sandbox was ended: its tmpfs files are gone with it, and it works again.
      const after = await runner.runCell("import os\nprint(sorted(os.listdir('/tmp')), sorted(os.listdir('/dev/shm')))");
      expect(after.stdout).toBe('[] []\n');
    } finally {
      await runner.dispose();
    }
  });

  it('tmpfs files kept across cells count (05-tmpfs-fills-ram.py and a split variant)', async () => {
    const runner = await start('isolated', mechanism);
    try {
      // 150 MiB in two files (each under the file-size limit), 5 MiB at a time: the process stays small.
      const fill = (folder: string): string =>
        `import os\nfor name in ['a', 'b']:\n    with open(os.path.join(${folder}, name), 'wb') as f:\n        for _ in range(15):\n            f.write(b'x' * (5 * 1024 * 1024))\nprint('kept')`;
      const first = await runner.runCell(fill("'/tmp'"));
      expect(first.killed).toBeUndefined();
      const second = await runner.runCell(fill("os.environ['HOME']"));
      expect(second.killed).toBe('memory');
      // The shipped cell (3 GiB in /tmp): never more than the budget stays allocated.
      const shipped = await runner.runCell(sandboxAttackCell(REPO, '05-tmpfs-fills-ram.py'));
      expect(shipped.stdout).not.toContain('wrote 3 GiB');
      const held = await runner.runCell("import os\ns = os.statvfs('/tmp')\nprint((s.f_blocks - s.f_bfree) * s.f_frsize <= 256 * 1024 * 1024)");
      expect(held.stdout, JSON.stringify({ held, shipped: { killed: shipped.killed, killMessage: shipped.killMessage } })).toBe('True\n');
    } finally {
      await runner.dispose();
    }
  });
});

const DETACHED_BURNERS = [
  '# Burners that leave the process group and the session, and a double-forked orphan.',
  'import os, subprocess, sys',
  "subprocess.Popen([sys.executable, '-c', 'while True: pass'], start_new_session=True)",
  'if os.fork() == 0:',
  '    os.setsid()',
  '    if os.fork() == 0:',
  '        while True: pass',
  '    os._exit(0)',
  "print('started')",
].join('\n');

describe.each(REQUIRED_TIERS.flatMap((tier) => MECHANISMS.map((mechanism) => [tier, mechanism] as const)))('nothing runs on after its cell (%s tier, %s)', (tier, mechanism) => {
  it.each([
    ['06-background-burners.py', () => sandboxAttackCell(REPO, '06-background-burners.py')],
    ['setsid and double-fork burners', () => DETACHED_BURNERS],
  ])('%s: no process of the sandbox burns CPU after the cell returns, next cell works', async (_name, cell) => {
    const runner = await start(tier, mechanism);
    try {
      const identity = await probeIdentity(runner);
      const before = await sandboxProcesses(runner, identity);
      const result = await runner.runCell(cell());
      expect(result.stdout).toBe('started\n');
      expect(result.killed).toBeUndefined();
      // Right after the cell returned: only what ran before it (bwrap, its init, the worker).
      const after = await sandboxProcesses(runner, identity);
      expect(after.sort()).toEqual(before.sort());
      const first = cpuTicks(after);
      await new Promise((resolvePause) => setTimeout(resolvePause, 1_000));
      const second = cpuTicks(after);
      for (const [pid, ticks] of second) expect(ticks - (first.get(pid) ?? ticks)).toBeLessThan(20);
      expect((await runner.runCell('print(1 + 1)')).stdout).toBe('2\n');
    } finally {
      await runner.dispose();
    }
  });

  it('burners moved to a session or process group of their own, then the supervisor killed (same uid): nothing of the cell runs on, the next cell works', async () => {
    // Without a pid namespace or a cgroup the host finds the sandbox's processes by ancestry from
    // the supervisor and by its process group: a burner out of both, its supervisor gone, was found by neither.
    const token = `r1ci-orphan-burner-${process.pid}-${tier}-${mechanism}`;
    const cell = [
      'import os, signal, subprocess, sys, time',
      `burn = [sys.executable, '-c', 'while True: pass', '${token}']`,
      'subprocess.Popen(burn, start_new_session=True)',
      'if os.fork() == 0:',
      '    os.setpgid(0, 0)',
      '    if os.fork() == 0:',
      '        os.execv(sys.executable, burn)',
      '    os._exit(0)',
      'time.sleep(0.5)',
      'os.kill(os.getppid(), signal.SIGKILL)',
      'time.sleep(5)',
    ].join('\n');
    const runner = await start(tier, mechanism);
    try {
      const result = await runner.runCell(cell);
      expect(result.killed).toBe('crashed');
      // Right after the cell's result: every process it made is gone (killed or on its way).
      expect(await eventually(() => pidsWithCommandLine(token).length === 0)).toBe(true);
      expect((await runner.runCell('print(1 + 1)')).stdout).toBe('2\n');
    } finally {
      await runner.dispose();
      for (const pid of pidsWithCommandLine(token)) process.kill(pid, 'SIGKILL');
    }
  });

  it('cancel leaves no process behind, and dispose leaves no cgroup', async () => {
    const runner = await start(tier, mechanism);
    const cgroup = await sandboxCgroup(runner);
    // No cgroup when the watcher is forced; as root on Linux 'auto' always makes one.
    if (mechanism === 'watched') expect(cgroup).toBeUndefined();
    else if (LINUX_ROOT) expect(cgroup).toMatch(/\/r1ci-sandbox-[0-9a-f]+$/);
    try {
      const identity = await probeIdentity(runner);
      const before = await sandboxProcesses(runner, identity);
      const controller = new AbortController();
      const running = runner.runCell(`${DETACHED_BURNERS}\nimport time\nopen("burners-started", "w").close()\nwhile True: time.sleep(0.1)`, { signal: controller.signal });
      // Cancelled once the burners run (a fixed delay could come first on a loaded machine, and prove nothing).
      expect(await eventually(() => existsSync(join(runner.scratchDir, 'burners-started')))).toBe(true);
      controller.abort();
      const result = await running;
      expect(result.killed).toBe('cancelled');
      // Nothing the cancelled cell started is left: at most the worker's own chain (gone too if it was restarted).
      const left = await sandboxProcesses(runner, identity);
      expect(left.filter((pid) => !before.includes(pid))).toEqual([]);
      expect((await runner.runCell('print(1 + 1)')).stdout).toBe('2\n');
    } finally {
      await runner.dispose();
    }
    if (cgroup) expect(existsSync(cgroup)).toBe(false);
  });
});

describe.each(REQUIRED_TIERS)('disk budget of the scratch folder (%s tier)', (tier) => {
  it('11-disk-fill.py: stopped, "disk budget of the sandbox used up"; deleting brings it back', async () => {
    const runner = await start(tier, 'auto');
    try {
      const result = await runner.runCell(sandboxAttackCell(REPO, '11-disk-fill.py'));
      expect(result.killed).toBe('disk');
      expect(result.killMessage).toContain('disk budget of the sandbox used up');
      const cleaned = await runner.runCell("import glob, os\nfor p in glob.glob('big*'):\n    os.remove(p)\nprint('deleted')");
      expect(cleaned.stdout).toBe('deleted\n');
      expect(cleaned.killed).toBeUndefined();
    } finally {
      await runner.dispose();
    }
  });

  it('a quick cell over the budget is told after it returns (10 files of 10 MiB in well under a second)', async () => {
    const runner = await start(tier, 'auto');
    try {
      const result = await runner.runCell("for i in range(10):\n    open(f'part{i}', 'wb').write(b'x' * (10 * 1024 * 1024))\nprint('done')");
      expect(result.killed).toBe('disk');
      expect(result.killMessage).toMatch(/disk budget of the sandbox used up \(\d+(\.\d)? MiB of 64 MiB\)/);
      // Still over in the next cell, until files are deleted.
      expect((await runner.runCell('print(1)')).killed).toBe('disk');
    } finally {
      await runner.dispose();
    }
  });

  it('a long cell that keeps writing is stopped while it runs ("killed: disk budget…")', async () => {
    const runner = await start(tier, 'auto');
    try {
      const started = Date.now();
      const result = await runner.runCell("import time\nfor i in range(200):\n    open(f'slow{i}', 'wb').write(b'x' * (5 * 1024 * 1024))\n    time.sleep(0.1)\nprint('wrote 1000 MiB')");
      expect(result.stdout).toBe('');
      expect(result.killed).toBe('disk');
      expect(result.killMessage).toMatch(/^killed: disk budget of the sandbox used up/);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await runner.dispose();
    }
  });

  it('many small files: the entry budget holds; deleting them slowly is allowed', async () => {
    const runner = await start(tier, 'auto', { ...LIMITS, diskEntries: 2_000 });
    try {
      const result = await runner.runCell("import os\nos.makedirs('many', exist_ok=True)\nfor i in range(5000):\n    open(f'many/{i}', 'w').write('x')\nprint('ok')");
      expect(result.killed).toBe('disk');
      expect(result.killMessage).toContain('disk budget of the sandbox used up (more than 2,000 files and folders)');
      // Deleting slowly (over several seconds) while still over the entry budget is allowed.
      const cleaned = await runner.runCell(
        "import os, time\nfor i, name in enumerate(os.listdir('many')):\n    os.remove('many/' + name)\n    if i % 1000 == 0:\n        time.sleep(0.5)\nos.rmdir('many')\nprint('gone')",
      );
      expect(cleaned.stdout).toBe('gone\n');
      expect(cleaned.killed).toBeUndefined();
    } finally {
      await runner.dispose();
    }
  });
});

// Bytes the scratch walk cannot name: each kind must still count (fix-disk red-team cells).
/**
 * A cell that went over the 64 MiB disk budget: killed for disk, its message naming how much was
 * used, over 64 MiB and under `belowMiB`. The check during the cell (every second) may stop it
 * before it ends, at any figure over the budget, and then it printed nothing; the check after the
 * cell finds all the cell wrote and leaves `printed`. Which one comes first depends on how fast the
 * machine writes, so either is right.
 */
function expectOverDiskBudget(result: ExecResult, printed: string, belowMiB: number): void {
  const seen = JSON.stringify({ killed: result.killed, killMessage: result.killMessage, stdout: result.stdout.slice(0, 500), stderr: result.stderr.slice(0, 500) });
  expect(result.killed, seen).toBe('disk');
  const used = /disk budget of the sandbox used up \((\d+(?:\.\d)?) MiB of 64 MiB\)/.exec(result.killMessage ?? '');
  expect(used, result.killMessage).not.toBeNull();
  expect(Number(used?.[1])).toBeGreaterThan(64);
  expect(Number(used?.[1])).toBeLessThan(belowMiB);
  expect(['', printed], seen).toContain(result.stdout);
}

const DEEP_TREE_CELL = [
  '# 18 folders of 243-char names made via dir_fd: the host path is longer than PATH_MAX',
  'import os',
  'fd = os.open(".", os.O_RDONLY)',
  'for i in range(18):',
  '    name = ("d%02d" % i) + "x" * 240',
  '    os.mkdir(name, dir_fd=fd)',
  '    fd = os.open(name, os.O_RDONLY, dir_fd=fd)',
  'for j in range(3):',
  '    w = os.open("big%d.bin" % j, os.O_CREAT | os.O_WRONLY, 0o600, dir_fd=fd)',
  '    for _ in range(30): os.write(w, b"\\1" * (1 << 20))',
  '    os.close(w)',
  'print("wrote 90 MiB at depth 18")',
].join('\n');

describe.each(REQUIRED_TIERS)('disk the scratch walk cannot name still counts (%s tier)', (tier) => {
  it('files below a path longer than PATH_MAX: over the budget, and the folder can still be removed', async () => {
    const runner = await start(tier, 'auto');
    const scratch = runner.scratchDir;
    try {
      const result = await runner.runCell(DEEP_TREE_CELL);
      expectOverDiskBudget(result, 'wrote 90 MiB at depth 18\n', 100);
    } finally {
      await runner.dispose();
    }
    await removeTree(scratch);
    expect(existsSync(scratch)).toBe(false);
  });

  it('a folder whose name is not UTF-8 does not hide its files', async () => {
    const runner = await start(tier, 'auto');
    try {
      const result = await runner.runCell("import os\nos.mkdir(b'\\xff')\nfor j in range(3):\n    open(b'\\xff/big%d.bin' % j, 'wb').write(b'\\1' * (30 << 20))\nprint('ok')");
      expectOverDiskBudget(result, 'ok\n', 100);
    } finally {
      await runner.dispose();
    }
  });

  it.each(
    [
      ['kept open', "fd = os.open(f'h{i}', os.O_CREAT | os.O_RDWR, 0o600)\nos.unlink(f'h{i}')\nos.write(fd, b'\\1' * (40 << 20))\nKEEP.append(fd)"],
      ['kept mapped (descriptor closed)', "fd = os.open(f'h{i}', os.O_CREAT | os.O_RDWR, 0o600)\nos.unlink(f'h{i}')\nos.write(fd, b'\\1' * (40 << 20))\nKEEP.append(mmap.mmap(fd, 40 << 20))\nos.close(fd)"],
    ].flatMap(([kind, body]) => MECHANISMS.map((mechanism) => [kind, mechanism, body] as const)),
  )('deleted files %s by the interpreter across cells count (%s)', async (_kind, mechanism, body) => {
    // Both ways of listing the sandbox's processes: the cgroup's list and its own /proc (watched).
    const runner = await start(tier, mechanism);
    try {
      const cell = (i: number): string => `import os, mmap\nKEEP = globals().setdefault('KEEP', [])\ni = ${i}\n${body}\nprint('held', len(KEEP))`;
      const first = await runner.runCell(cell(0));
      expect(first.stdout).toBe('held 1\n');
      expect(first.killed).toBeUndefined();
      const second = await runner.runCell(cell(1));
      // Over 64 MiB although this cell wrote 40: the first cell's deleted file counts.
      expectOverDiskBudget(second, 'held 2\n', 90);
      // Closing them frees the disk: the budget is back. (Stopped during the cell, the interpreter
      // was ended with them: they are closed already, and KEEP is gone.)
      const freed = await runner.runCell("import os\nfor k in globals().get('KEEP', []):\n    k.close() if hasattr(k, 'close') else os.close(k)\nKEEP = []\nprint('freed')");
      expect(freed.stdout).toBe('freed\n');
      expect(freed.killed).toBeUndefined();
    } finally {
      await runner.dispose();
    }
  });
});

describe.each(REQUIRED_TIERS)('the disk check after a cell cannot be fooled by deletions elsewhere (%s tier)', (tier) => {
  it('a cell that goes over while the host deletes as much elsewhere on the same file system is still stopped', async () => {
    const runner = await start(tier, 'auto');
    // Beside scratch, so on its file system: statfs counts it at the walk after the first cell.
    const junk = join(runner.scratchDir, '..', 'junk-elsewhere.bin');
    try {
      writeFileSync(junk, Buffer.alloc(60 * 1024 ** 2, 1));
      const first = await runner.runCell("open('a.bin', 'wb').write(b'\\1' * (40 << 20))\nprint('40 MiB')");
      expect(first.stdout).toBe('40 MiB\n');
      expect(first.killed).toBeUndefined();
      // 60 MiB freed elsewhere: the whole file system shrinks while the sandbox grows by 40.
      rmSync(junk);
      const second = await runner.runCell("open('b.bin', 'wb').write(b'\\1' * (40 << 20))\nprint('80 MiB')");
      // Over 64 MiB: the 60 MiB freed elsewhere was not taken off the sandbox's use.
      expectOverDiskBudget(second, '80 MiB\n', 90);
    } finally {
      rmSync(junk, { force: true });
      await runner.dispose();
    }
  });
});

describe.each(REQUIRED_TIERS)('artifact copies on the host have a budget too (%s tier)', (tier) => {
  it("sparse 32 MiB files rewritten every cell: copies stop at the runner's host copy budget", async () => {
    const runner = await start(tier, 'auto', { ...LIMITS, artifactHostBytes: 100 * MiB });
    const sparse = "for i in range(4):\n    with open(f'sparse{i}.bin', 'wb') as f:\n        f.truncate(32 * 1024 * 1024 - 1); f.write(b'x')\nprint('ok')";
    try {
      const copied: string[] = [];
      const refused: string[] = [];
      for (let cell = 0; cell < 3; cell++) {
        const result = await runner.runCell(sparse);
        expect(result.stdout).toBe('ok\n');
        expect(result.killed).toBeUndefined(); // sparse: scratch itself holds almost nothing
        expect(result.artifacts).toHaveLength(4);
        for (const artifact of result.artifacts) {
          if (artifact.path !== undefined) copied.push(artifact.path);
          else refused.push(artifact.notCopied ?? 'no reason');
        }
      }
      expect(copied).toHaveLength(3); // 3 × 32 MiB fit in 100 MiB
      expect(refused).toEqual(Array(9).fill('host copy budget used up'));
      const held = copied.reduce((sum, path) => sum + statSync(path).blocks * 512, 0);
      expect(held).toBeLessThanOrEqual(100 * MiB);
    } finally {
      await runner.dispose();
    }
  });
});
