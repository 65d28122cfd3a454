// Red team on the disk budget (issue 10 item 2: a total disk budget for scratch, checked after each
// cell), from a host that is not root, as most users run it. The sandbox owns the folders the
// budget walks: scratch on both tiers (the code's uid, or the user's own uid on the basic tier and in
// bubblewrap's user namespace), and on the basic tier its $HOME/$TMPDIR too. A cell that made such a
// folder itself write-only (`os.chmod(".", 0o300)`: files can still be made in it, not listed) left
// the host unable to list it, and the walk skipped a root it could not open as if it were empty:
// through the runner, run as an unprivileged user on both tiers, 720 MiB a cell passed a 512 MiB
// budget, 1,440 MiB after two cells. A folder below the root that cannot be read already counted as
// over; now the root does too. As root (CI) the host lists any folder whatever its mode, so the walk
// is run here as an unprivileged user (seteuid; vitest runs each test file in a process of its own).
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { measureScratch, overDiskBudget } from '../../../src/sandbox/diskBudget';
import { asUnprivileged, IS_ROOT, NOBODY, removeDir, tempDir } from './helpers';

const MiB = 1024 ** 2;
const LIMITS = { diskBytes: 8 * MiB, diskEntries: 20_000 };
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) {
    chmodSync(dir, 0o700);
    removeDir(dir);
  }
});

/**
 * A folder the sandbox owns (as root: given to nobody), holding 12 MiB in three files (real
 * blocks), one of them in a subfolder, and left with `mode` by the cell.
 */
function filledFolder(mode: number): string {
  const base = tempDir('disk-root');
  chmodSync(base, 0o755);
  const folder = join(base, 'scratch');
  mkdirSync(join(folder, 'sub'), { recursive: true });
  for (const name of ['a', 'b', join('sub', 'c')]) writeFileSync(join(folder, name), Buffer.alloc(4 * MiB, 1));
  if (IS_ROOT) for (const path of [folder, join(folder, 'sub'), join(folder, 'a'), join(folder, 'b'), join(folder, 'sub', 'c')]) chownSync(path, NOBODY, NOBODY);
  chmodSync(folder, mode);
  dirs.push(folder);
  return folder;
}

describe.runIf(process.platform !== 'win32')('a folder the sandbox owns, made unlistable by the cell, walked by a host that is not root', () => {
  it.each([
    ['write-only (0o300: files can still be made in it)', 0o300],
    ['search-only (0o100: files can still be written in its subfolders)', 0o100],
    ['no access at all (0o000)', 0o000],
  ])('%s counts as over the disk budget, and says why', (_name, mode) => {
    const folder = filledFolder(mode);
    const usage = asUnprivileged(() => measureScratch(folder, LIMITS.diskEntries));
    expect(usage.complete).toBe(false);
    expect(usage.problem).toContain('a folder the sandbox writes cannot be listed, EACCES');
    expect(overDiskBudget(usage, LIMITS)).toBe(true);
  });

  it('the same folder, readable again, is measured whole; a folder that is gone measures nothing', () => {
    const folder = filledFolder(0o700);
    const usage = asUnprivileged(() => measureScratch(folder, LIMITS.diskEntries));
    expect(usage).toMatchObject({ entries: 4, complete: true });
    expect(usage.bytes).toBeGreaterThanOrEqual(12 * MiB);
    expect(overDiskBudget(usage, LIMITS)).toBe(true);
    expect(measureScratch(join(folder, 'gone'), LIMITS.diskEntries)).toMatchObject({ entries: 0, complete: true });
  });
});
