// Red team on the disk check's shortcut (memoryBudget.ts `scratchUsage`): the scratch walk is
// skipped when statfs of the whole file system and the sandbox's write counters (/proc/PID/io)
// both grew less than the room left and the last walk is under a second old. Each cell grows
// scratch past the budget in a way one of the two measures cannot see, and makes the other one
// blind at the same time. A cell that goes over must be told at its own end or, at the latest,
// at the end of the next cell.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CodeRunner } from '../../../src/sandbox/index';
import { REQUIRED_TIERS, startRunner } from './helpers';

const MiB = 1024 ** 2;

/** Python lines freeing the two 24 MiB reserves the first cell made in $TMPDIR and $HOME. */
const FREE_RESERVES = ['for k, d in enumerate((tempfile.gettempdir(), os.environ["HOME"])):', '    os.unlink(os.path.join(d, f"reserve{k}.bin"))'];

describe.each(REQUIRED_TIERS)('the disk check after a cell, attacked from inside (%s tier)', (tier) => {
  let runner: CodeRunner | undefined;
  afterEach(async () => {
    await runner?.dispose();
    runner = undefined;
  });

  /**
   * Going over is told while the cell runs, at its end or, at the latest, at the end of the next
   * cell run a second later (the shortcut trusts a walk for RECENT_WALK_MS: other processes
   * deleting files on the same file system, as parallel tests do, can hide the growth from statfs
   * until then). On a slow machine the periodic check during the cell may see the growth first
   * and end it with the disk budget (then it never printed "over"): told, too.
   */
  async function expectOverReported(second: { stdout: string; stderr: string; killed?: string }): Promise<void> {
    if (second.killed === 'disk') return;
    expect({ stdout: second.stdout, stderr: second.stderr.split('\n').at(-2) }).toEqual({ stdout: 'over\n', stderr: undefined });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const third = await runner?.runCell('print("next")');
    expect([second.killed, third?.killed]).toContain('disk');
  }

  it('space reserved without writing (fallocate) while the cell frees as much in its own $TMPDIR/$HOME', async () => {
    runner = await startRunner(tier, { limits: { diskBytes: 64 * MiB } });
    // Made in the first cell, freed in the second while scratch grows by twice as much: statfs of
    // the file system holding scratch grows by less than the budget (on the basic tier $TMPDIR
    // and $HOME are a host folder there, and count in the budget; on the isolated tier they are
    // tmpfs mounts of the sandbox).
    const first = await runner.runCell(
      [
        'import os, tempfile',
        'for k, d in enumerate((tempfile.gettempdir(), os.environ["HOME"])):',
        '    fd = os.open(os.path.join(d, f"reserve{k}.bin"), os.O_CREAT | os.O_WRONLY)',
        '    os.posix_fallocate(fd, 0, 24 << 20)',
        '    os.close(fd)',
        'print("reserved")',
      ].join('\n'),
    );
    expect({ stdout: first.stdout, killed: first.killed }).toEqual({ stdout: 'reserved\n', killed: undefined });
    const second = await runner.runCell(
      [
        'import os, signal, tempfile',
        ...FREE_RESERVES,
        '# fallocate dirties no page: no write counter grows',
        'fd = os.open("big.bin", os.O_CREAT | os.O_WRONLY)',
        'os.posix_fallocate(fd, 0, 96 << 20)',
        'os.close(fd)',
        'print("over")',
      ].join('\n'),
    );
    await expectOverReported(second);
  });

  it('bytes written by children the kernel reaps at once (SIGCHLD ignored: their io is never added to a parent), while the host deletes elsewhere', async () => {
    runner = await startRunner(tier, { limits: { diskBytes: 64 * MiB } });
    // Beside scratch, so on its file system: freed between the cells, statfs then sees scratch's
    // growth as a shrink (other processes deleting files, as parallel tests in CI did).
    const junk = join(runner.scratchDir, '..', 'junk-elsewhere.bin');
    try {
      writeFileSync(junk, Buffer.alloc(100 * MiB, 1));
      const first = await runner.runCell(
        [
          'import os, signal, tempfile',
          'signal.signal(signal.SIGCHLD, signal.SIG_IGN)',
          'for k, d in enumerate((tempfile.gettempdir(), os.environ["HOME"])):',
          '    open(os.path.join(d, f"reserve{k}.bin"), "wb").write(b"\\1" * (24 << 20))',
          'print("reserved")',
        ].join('\n'),
      );
      expect(first.stdout).toBe('reserved\n');
      rmSync(junk);
      const second = await runner.runCell(
        [
          'import os, tempfile, time',
          ...FREE_RESERVES,
          'for k in range(4):',
          '    if os.fork() == 0:',
          '        with open(f"part{k}.bin", "wb") as f: f.write(b"\\1" * (24 << 20)); os.fsync(f.fileno())',
          '        os._exit(0)',
          'while any(os.path.getsize(f"part{k}.bin") < 24 << 20 if os.path.exists(f"part{k}.bin") else True for k in range(4)): time.sleep(0.01)',
          'time.sleep(0.05)',
          'print("over")',
        ].join('\n'),
      );
      // A cell that made processes is always walked at its end: told at once, whatever statfs says.
      // (The watch during the cell may see it first, on a loaded machine, and end it before "over".)
      expect(second.killed).toBe('disk');
      expect(['over\n', '']).toContain(second.stdout);
    } finally {
      rmSync(junk, { force: true });
    }
  });

  it('writes of a leftover the host kills (a zombie nobody reaps, so no write counter has them) while the host deletes elsewhere', async () => {
    runner = await startRunner(tier, { limits: { diskBytes: 64 * MiB } });
    // Beside scratch, so on its file system: freed while the cell's leftover grows scratch.
    const junk = join(runner.scratchDir, '..', 'junk-elsewhere.bin');
    try {
      writeFileSync(junk, Buffer.alloc(60 * MiB, 1));
      const first = await runner.runCell("open('a.bin', 'wb').write(b'\\1' * (40 << 20))");
      expect(first.killed).toBeUndefined();
      rmSync(junk);
      const second = await runner.runCell(
        [
          'import os, time',
          'if os.fork() == 0:',
          '    open("b.bin", "wb").write(b"\\1" * (40 << 20))',
          '    open("written", "w").close()',
          '    time.sleep(60)',
          'while not os.path.exists("written"): time.sleep(0.005)',
        ].join('\n'),
      );
      const third = await runner.runCell('print(1)');
      expect([second.killed, third.killed]).toContain('disk');
    } finally {
      rmSync(junk, { force: true });
    }
  });
});
