// Red team on the host's disk walk of scratch (issue 10, round 3: the host never follows a path
// the sandbox could have planted). The walk runs every second while a cell runs, so the sandbox
// can swap a folder it holds for a link (renameat2 RENAME_EXCHANGE: the name is always one or
// the other) between the host's lstat of that folder and its readdir. Followed, the host reads
// host folders of the sandbox's choosing on its main thread (an automount or a hung network
// mount there would block it) and counts them as scratch (their size then shows in the disk
// budget's message). Linux (renameat2, the isolated tier); really run with a swapping process
// and through the runner on both tiers.
import { spawn } from 'node:child_process';
import { mkdirSync, opendirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { measureScratch } from '../../../src/sandbox/diskBudget';
import { removeDir, REQUIRED_TIERS, startRunner, tempDir } from './helpers';

const outside = tempDir('disk-walk');
/** A host folder the sandbox must never get counted: more entries than the entry budget. */
const hostFolder = join(outside, 'host-folder');
mkdirSync(hostFolder);
for (let i = 0; i < 25_000; i++) writeFileSync(join(hostFolder, `h${i}`), '');

afterAll(() => removeDir(outside));

/** Python that swaps `real` (a folder) and `link` (a link to TARGET) for `seconds`, atomically. */
const swapper = (target: string, seconds: number, pads: number): string =>
  [
    'import ctypes, os, time',
    'libc = ctypes.CDLL(None, use_errno=True)',
    'os.makedirs("real/sub", exist_ok=True)',
    `for i in range(${pads}): open(f"pad{i}", "w").close()`,
    `os.symlink(${JSON.stringify(target)}, "link")`,
    `end = time.monotonic() + ${seconds}`,
    'n = 0',
    'while time.monotonic() < end:',
    '    if libc.syscall(316, -100, b"real", -100, b"link", 2) != 0: raise OSError(ctypes.get_errno(), "renameat2")',
    '    n += 1',
    'print("swapped", n > 1000)',
  ].join('\n');

describe.runIf(process.platform === 'linux')('the disk walk, attacked by a folder swapped for a link', () => {
  it('a walk racing the swaps never counts what lies behind the link', async () => {
    const dir = join(outside, 'walked');
    mkdirSync(dir);
    const child = spawn('python3', ['-c', swapper(hostFolder, 4, 3_000)], { cwd: dir, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      // Wait for the pads and the link to be made.
      const ready = Date.now() + 10_000;
      while (measureScratch(dir, 100_000).entries < 3_003 && Date.now() < ready) await new Promise((resolve) => setTimeout(resolve, 20));
      const counts = new Set<number>();
      const end = Date.now() + 3_000;
      while (Date.now() < end) counts.add(measureScratch(dir, 100_000).entries);
      // pad0…pad2999, real, real/sub and link: 3,003 whichever way round they are (one fewer
      // or more when a swap falls between the listing of the root and the opening of `real`);
      // the link followed once adds the host folder's 25,000.
      expect(Math.max(...counts)).toBeLessThanOrEqual(3_004);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  });

  it('a "comb" (folders beside every level) holds at most 512 folders open, then counts as over budget', () => {
    // A level keeps its folder open while a folder beside the deeper one waits: one descriptor a
    // level. The walk takes the last listed folder first, so that one goes deeper. 1,000 levels.
    // Listed as the walk lists them: in the file system's order (readdirSync sorts the names).
    const lastListed = (folder: string): string => {
      const listing = opendirSync(folder);
      let last = 'a';
      try {
        for (let entry = listing.readSync(); entry !== null; entry = listing.readSync()) last = entry.name;
      } finally {
        listing.closeSync();
      }
      return last;
    };
    const comb = join(outside, 'comb');
    let level = comb;
    for (let i = 0; i < 1_000; i++) {
      for (const name of ['a', 'b']) mkdirSync(join(level, name), { recursive: true });
      level = join(level, lastListed(level));
    }
    const usage = measureScratch(comb, 100_000);
    expect(usage.complete).toBe(false);
    expect(usage.problem).toMatch(/nested too deeply/);
    // A chain as deep (no folder beside it) needs two at a time, and is measured.
    const chain = join(outside, 'chain');
    mkdirSync(join(chain, ...Array<string>(600).fill('a')), { recursive: true });
    expect(measureScratch(chain, 100_000)).toEqual(expect.objectContaining({ complete: true, entries: 600 }));
  });

  describe.each(REQUIRED_TIERS)('through the runner (%s tier)', (tier) => {
    it("a cell swapping a folder for a link to a host folder is never charged the host folder's entries", async () => {
      const runner = await startRunner(tier, { limits: { timeoutMs: 20_000 } });
      try {
        // The disk check walks scratch every second of the cell: eight chances to follow the link.
        const result = await runner.runCell(swapper(hostFolder, 8, 3_000));
        expect(result.killMessage).toBeUndefined();
        expect(result.stdout).toBe('swapped True\n');
        const next = await runner.runCell('print(6 * 7)');
        expect(next.stdout).toBe('42\n');
        expect(next.killMessage).toBeUndefined();
      } finally {
        await runner.dispose();
      }
    });
  });
});
