// Red team on the host's count of deleted files the sandbox keeps open or mapped (issue 10: what
// the sandbox made must not block the extension host). While a cell runs the host looks, every
// second and synchronously on its main thread, at each sandbox process's /proc/PID/fd and
// /proc/PID/maps. A process can hold its descriptor limit of duplicates (dup) and up to
// vm.max_map_count mappings of one deleted scratch file, and there can be hundreds of processes:
// four such processes blocked the host's event loop for ~3 s a measure. The look is now bounded
// (HELD_SCAN_LIMITS: past it the measure is incomplete, over the disk budget), and a file mapped
// many times is looked at once. Really run through the runner on both tiers, and the bound and the
// count checked directly against a real process.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HELD_SCAN_LIMITS, heldDeletedBytes } from '../../../src/sandbox/diskBudget';
import { removeDir, REQUIRED_TIERS, startRunner, tempDir } from './helpers';

const outside = tempDir('held-files');
afterAll(() => removeDir(outside));

/**
 * Python: PROCS processes, each mapping one deleted 1 MiB file MAPS times (distinct mappings:
 * each at offset 0, so none merge) and duplicating its descriptor FDS times, then waiting.
 */
const holder = (o: { procs: number; maps: number; fds: number; seconds: number }): string =>
  [
    'import ctypes, os, time',
    'libc = ctypes.CDLL(None, use_errno=True)',
    'libc.mmap.restype = ctypes.c_void_p',
    'libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]',
    'fd = os.open("held", os.O_CREAT | os.O_RDWR, 0o600); os.write(fd, b"x" * 1048576); os.unlink("held")',
    `for p in range(${o.procs} - 1):`,
    '    if os.fork() == 0: break',
    'maps = 0',
    `for i in range(${o.maps}):`,
    '    if libc.mmap(None, 4096, 1, 1, fd, 0) in (None, 2**64 - 1): break',
    '    maps += 1',
    'fds = 0',
    'try:',
    `    while fds < ${o.fds}: os.dup(fd); fds += 1`,
    'except OSError: pass',
    'print("held", maps, fds, flush=True)',
    `time.sleep(${o.seconds})`,
  ].join('\n');

describe.runIf(process.platform === 'linux')('deleted files held open or mapped, by the thousand', () => {
  for (const tier of REQUIRED_TIERS) {
    it(`[${tier}] a cell holding more than the host checks is ended by the disk budget, which says why`, async () => {
      const runner = await startRunner(tier, { limits: { timeoutMs: 60_000 } });
      try {
        const result = await runner.runCell(holder({ procs: 4, maps: 60_000, fds: 20_000, seconds: 30 }));
        expect(result.killed).toBe('disk');
        expect(result.killMessage).toMatch(/disk budget of the sandbox used up \(the sandbox's processes hold more .* than the host checks/);
        // The next cell still works.
        expect((await runner.runCell('print(6 * 7)')).stdout).toBe('42\n');
      } finally {
        await runner.dispose();
      }
    });
  }

  /** Runs the holder in a folder of its own and calls `look` with its pid once it holds everything. */
  async function withHolder(name: string, o: { maps: number; fds: number }, look: (dir: string, pid: number) => void): Promise<void> {
    const dir = join(outside, name);
    mkdirSync(dir);
    const child = spawn('python3', ['-c', holder({ procs: 1, ...o, seconds: 30 })], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => (chunk.toString().includes('held') ? resolve() : undefined));
        child.once('exit', () => reject(new Error('the holder ended early')));
      });
      look(dir, child.pid ?? 0);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  }

  it('a file mapped 60,000 times is counted once, and within the limits', async () => {
    await withHolder('mapped', { maps: 60_000, fds: 100 }, (dir, pid) => {
      const held = heldDeletedBytes(dir, [pid], (p) => `/proc/${p}`);
      expect(held.problem).toBeUndefined();
      expect(held.bytes).toBeGreaterThanOrEqual(1024 * 1024);
      expect(held.bytes).toBeLessThan(2 * 1024 * 1024);
    });
  });

  it('more descriptors than the limit make the look stop, incomplete', async () => {
    await withHolder('dups', { maps: 0, fds: HELD_SCAN_LIMITS.entries + 10 }, (dir, pid) => {
      const held = heldDeletedBytes(dir, [pid], (p) => `/proc/${p}`);
      expect(held.problem).toMatch(/more open descriptors and mappings than the host checks/);
    });
  });
});
