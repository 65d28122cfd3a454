// Red team on the scratch janitor (issue 10: the host never follows a path the sandbox could have
// planted). The janitor removes scratch trees with the user's rights (root's in CI), and not only
// after their sandbox ended: the age sweep of a window's first conversation also meets folders
// whose sandbox still runs (a notebook kernel's, another window's), and the age it goes by is the
// folders' mtimes, which the sandbox sets itself (os.utime). So a cell makes its folder look a
// month old and, while the sweep walks it, swaps each folder for a link to a host folder
// (renameat2 RENAME_EXCHANGE: the name is always one or the other). A remover that lstats a path
// and then lists and unlinks by path deletes the host folder's files. Really run through the
// runner, on both tiers (on the basic tier the code could delete them itself, but the janitor
// must still never be the one).
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTree, sweepScratchRoot } from '../../../src/sandbox/scratchJanitor';
import { removeDir, REQUIRED_TIERS, startRunner, tempDir } from './helpers';

const outside = tempDir('janitor-race');
afterAll(() => removeDir(outside));

const VICTIM_FILES = 50;

/** A host folder (0750, files 0600) the janitor must never touch. */
function plantVictim(name: string): string {
  const victim = join(outside, name);
  // 0750, not 0700: a chmod that openUp sends through a link shows.
  mkdirSync(join(victim, 'sub'), { recursive: true });
  chmodSync(victim, 0o750);
  chmodSync(join(victim, 'sub'), 0o750);
  for (let i = 0; i < VICTIM_FILES; i++) writeFileSync(join(victim, `f${i}`), 'host data', { mode: 0o600 });
  writeFileSync(join(victim, 'sub', 'deep'), 'host data', { mode: 0o600 });
  return victim;
}

/**
 * The hostile cell: PAIRS folders each full of files, each with a link to VICTIM beside it; its
 * folder and its entries dated 30 days back (the swaps happen one level further down, so no
 * date the sweep looks at moves); then it exchanges every folder with its link for `seconds`,
 * dating the folder back again each round (a sweep that failed part-way is tried again).
 */
const hostileCell = (victim: string, pairs: number, seconds: number): string =>
  [
    'import ctypes, os, time',
    'libc = ctypes.CDLL(None, use_errno=True)',
    'os.makedirs("t/w", exist_ok=True)',
    `for i in range(${pairs}):`,
    '    os.makedirs(f"t/w/d{i}", exist_ok=True)',
    `    for j in range(${VICTIM_FILES}): open(f"t/w/d{i}/f{j}", "w").close()`,
    `    os.symlink(${JSON.stringify(victim)}, f"t/w/l{i}")`,
    'old = time.time() - 30 * 86400',
    'open("ready", "w").close()',
    'for p in os.listdir(".") + ["."]: os.utime(p, (old, old), follow_symlinks=False)',
    `end = time.monotonic() + ${seconds}`,
    'while time.monotonic() < end:',
    '    for p in os.listdir(".") + ["."]: os.utime(p, (old, old), follow_symlinks=False)',
    `    for i in range(${pairs}):`,
    '        libc.syscall(316, -100, f"t/w/d{i}".encode(), -100, f"t/w/l{i}".encode(), 2)',
  ].join('\n');

describe.runIf(process.platform === 'linux')('the scratch janitor, raced by a live sandbox', () => {
  for (const tier of REQUIRED_TIERS) {
    it(`[${tier}] the age sweep over a live sandbox swapping folders for links removes nothing outside scratch`, async () => {
      const root = join(outside, `root-${tier}`);
      mkdirSync(root);
      const victim = plantVictim(`victim-${tier}`);
      const scratch = join(root, 'conversation');
      let sweptWhileRunning = false;
      const runner = await startRunner(tier, { scratchDir: scratch, limits: { timeoutMs: 30_000 } });
      try {
        let cellEnded = false;
        const cell = runner.runCell(hostileCell(victim, 200, 6)).finally(() => (cellEnded = true));
        const ready = Date.now() + 20_000;
        while (!existsSync(join(scratch, 'ready')) && Date.now() < ready) await new Promise((resolve) => setTimeout(resolve, 20));
        expect(existsSync(join(scratch, 'ready'))).toBe(true);
        // The window's first sweep (SandboxService.poolOptions), with the sandbox still running.
        sweptWhileRunning = !cellEnded;
        // Sweep after sweep (every window's first conversation sweeps) until the cell ends.
        while (!cellEnded && existsSync(scratch)) await sweepScratchRoot(root, { maxAgeDays: 7 }).catch(() => []);
        await cell;
      } finally {
        await runner.dispose();
      }
      expect(sweptWhileRunning).toBe(true);
      // The sweep did take the folder on: its top-level file went (the rest may fail while the swaps go on).
      expect(existsSync(join(scratch, 'ready'))).toBe(false);
      expectUntouched(victim);
    });
  }

  it('removeTree racing swaps and new files (rm fails, folders are opened up, rm again) touches nothing outside', async () => {
    const victim = plantVictim('victim-direct');
    const dir = join(outside, 'direct');
    mkdirSync(dir);
    // The swaps, plus a file made in every folder each round: rm's first pass fails ("not empty"),
    // so the chmod pass (openUp) runs while the swaps go on.
    const code = hostileCell(victim, 100, 4).replace('libc.syscall(', 'open(f"t/w/n{i}", "w").close(); libc.syscall(');
    const child = spawn('python3', ['-c', code], { cwd: dir, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const ready = Date.now() + 20_000;
      while (!existsSync(join(dir, 'ready')) && Date.now() < ready) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(existsSync(join(dir, 'ready'))).toBe(true);
      for (let round = 0; round < 5 && existsSync(dir); round++) await removeTree(dir).catch(() => undefined);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    expectUntouched(victim);
  });
});

function expectUntouched(victim: string): void {
  expect(readdirSync(victim).length).toBe(VICTIM_FILES + 1);
  expect(existsSync(join(victim, 'sub', 'deep'))).toBe(true);
  expect(statSync(victim).mode & 0o7777).toBe(0o750);
  expect(statSync(join(victim, 'sub')).mode & 0o7777).toBe(0o750);
}
