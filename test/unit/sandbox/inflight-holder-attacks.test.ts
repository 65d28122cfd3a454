// Red team on what the sandbox's processes hold without holding a descriptor (issue 10 item 2: one
// memory and disk budget for the whole sandbox). A descriptor sent over a unix socket (SCM_RIGHTS)
// and never received is in no process's descriptor table: the file it names stays alive in the
// receiving socket's queue for as long as a process holds that socket. The disk budget finds
// deleted scratch files, and the watched memory budget memfds, through /proc/PID/fd only; a cell
// that sent them to a socket of its own and closed them held 160 MiB of deleted scratch files
// under a 32 MiB disk budget and 384 MiB of memfds under a 256 MiB watched memory budget, on both
// tiers, during its cell and (its interpreter keeps the socket) through every later cell. The
// receiving socket's fdinfo counts what waits in it (`scm_fds`): a socket of the sandbox holding
// descriptors in flight now makes the measure incomplete, which counts as over the budget.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { HELD_SCAN_LIMITS, heldDeletedBytes } from '../../../src/sandbox/diskBudget';
import { createCodeRunner, type CodeRunner } from '../../../src/sandbox/index';
import { processMemory } from '../../../src/sandbox/memoryBudget';
import { resolvePython } from '../../../src/sandbox/python';
import { IS_ROOT, REQUIRED_TIERS, removeDir, tempDir } from './helpers';

const MiB = 1024 ** 2;
const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

/**
 * Python: COUNT memfds or deleted scratch files of MIB MiB each, each sent over a socket pair of
 * the cell's own (kept in the variables `a` and `b`) and closed, so only the socket's queue holds
 * them; prints "held", then sleeps SECONDS and prints "survived" (none: the cell ends holding them).
 */
const inFlight = (kind: 'memfds' | 'deleted files', count: number, mib: number, seconds: number): string => `
import array, os, socket, time
a, b = socket.socketpair()
for i in range(${count}):
    if "${kind}" == "memfds":
        fd = os.memfd_create("held%d" % i)
    else:
        fd = os.open("held%d" % i, os.O_CREAT | os.O_RDWR, 0o600)
        os.unlink("held%d" % i)
    os.posix_fallocate(fd, 0, ${mib} * 2**20)
    b.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]))])
    os.close(fd)
print("held", flush=True)
if ${seconds}:
    time.sleep(${seconds})
    print("survived", flush=True)
`;

/** The next cell: whether the sockets (and what waits in them) are still there. */
const STILL_HELD = 'print("still held" if "a" in globals() else "gone")';

describe.each(REQUIRED_TIERS)('a cell that holds files as descriptors in flight in a socket (%s tier)', (tier) => {
  let runner: CodeRunner | undefined;
  afterEach(async () => {
    await runner?.dispose();
    runner = undefined;
  });

  async function start(memoryEnforcement: 'auto' | 'watched', limits: { diskBytes?: number; memoryBytes?: number }): Promise<CodeRunner> {
    const root = tempDir('inflight-holder');
    dirs.push(root);
    runner = await createCodeRunner({ scratchDir: join(root, 'scratch'), isolation: tier === 'basic' ? 'basic' : 'auto', memoryEnforcement, limits: { timeoutMs: 30_000, ...limits } });
    expect(runner.tier).toBe(tier);
    return runner;
  }

  it.each([
    ['while the cell runs', 20],
    ['after the cell', 0],
  ])('memfds in flight are held to the watched memory budget (%s)', async (_when, seconds) => {
    const cells = await start('watched', { memoryBytes: 256 * MiB });
    const result = await cells.runCell(inFlight('memfds', 6, 64, seconds));
    expect(result.stdout, result.stderr).toContain('held');
    expect(result.stdout).not.toContain('survived');
    expect(result.killed).toBe('memory');
    expect((await cells.runCell(STILL_HELD)).stdout.trim()).toBe('gone');
    expect((await cells.runCell('print(6 * 7)')).stdout.trim()).toBe('42');
  });

  // As root the memory budget is a cgroup here, so the disk check is what meets them; as a user
  // the watched memory budget (every 100 ms) may meet them first.
  it('deleted scratch files in flight are held to the disk budget (while the cell runs)', async () => {
    const cells = await start('auto', { diskBytes: 32 * MiB });
    const result = await cells.runCell(inFlight('deleted files', 4, 40, 20));
    expect(result.stdout, result.stderr).toContain('held');
    expect(result.stdout).not.toContain('survived');
    expect(IS_ROOT ? ['disk'] : ['disk', 'memory']).toContain(result.killed);
    expect((await cells.runCell(STILL_HELD)).stdout.trim()).toBe('gone');
    expect((await cells.runCell('print(6 * 7)')).stdout.trim()).toBe('42');
  });

  it('deleted scratch files in flight when the cell ends are reported as over the disk budget, as a file in scratch would be, until they are let go', async () => {
    const cells = await start('auto', { diskBytes: 32 * MiB });
    const result = await cells.runCell(inFlight('deleted files', 4, 40, 0));
    expect(result.stdout, result.stderr).toContain('held');
    expect(IS_ROOT ? ['disk'] : ['disk', 'memory']).toContain(result.killed);
    if (result.killed === 'disk') {
      // The disk budget's end-of-cell verdict keeps the variables (the model may free the space): it names what holds it.
      expect(result.killMessage).toContain('in flight in a socket');
      const freed = await cells.runCell('a.close()\nb.close()\nprint("let go")');
      expect(freed.stdout.trim()).toBe('let go');
      expect(freed.killed).toBeUndefined();
    }
    expect((await cells.runCell('print(6 * 7)')).stdout.trim()).toBe('42');
  });
});

describe.runIf(process.platform === 'linux')('the look at sockets is bounded', () => {
  // Each socket costs the look a read of its fdinfo besides the readlink every descriptor costs,
  // so a socket counts twice against the descriptor caps (HELD_SCAN_LIMITS, the watcher's): a
  // process holding 12,000 sockets, under the cap as descriptors, makes both looks stop, incomplete,
  // instead of making the host's main thread read 12,000 more files every 100 ms.
  it('12,000 sockets (fewer descriptors than the cap, more than half of it) make the disk and memory looks incomplete', async () => {
    const sockets = 12_000;
    expect(sockets).toBeLessThan(HELD_SCAN_LIMITS.entries);
    expect(2 * sockets).toBeGreaterThan(HELD_SCAN_LIMITS.entries);
    const python = (await resolvePython()).executable;
    const script = `import resource, socket, time\nresource.setrlimit(resource.RLIMIT_NOFILE, (${sockets + 100}, ${sockets + 100}))\nheld = [socket.socketpair() for _ in range(${sockets / 2})]\nprint("held", flush=True)\ntime.sleep(60)`;
    const child = spawn(python, ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise((resolve) => child.stdout?.once('data', resolve));
      const pid = child.pid ?? -1;
      const held = heldDeletedBytes('/tmp', [pid], (p) => `/proc/${p}`);
      expect(held.problem).toMatch(/more open descriptors and mappings than the host checks/);
      expect(processMemory(`/proc/${pid}`, { fds: { left: HELD_SCAN_LIMITS.entries }, mapsBytes: { left: 1024 ** 2 }, shared: new Set() })).toBeUndefined();
    } finally {
      child.kill('SIGKILL');
    }
  });
});
