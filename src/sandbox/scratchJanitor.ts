// Removes scratch folders nobody needs any more: a deleted conversation's at once, and
// every folder untouched for longer than the `r1ci.sandbox.scratchMaxAgeDays` setting.
// The folders hold what sandboxed code wrote, so nothing here follows a link, and only
// direct children of the scratch root are ever removed.
import { chmod, lstat, readdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { execa } from 'execa';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Removes `dir` when it is a real folder directly inside `root` (never `root` itself, never
 * through a link). Folders the code made unreadable (mode 000) are opened up first. Call it
 * only when no sandbox runs in `dir` (after its runner was disposed).
 * Resolves to false when there was nothing to remove or it is not inside `root`.
 */
export async function removeScratchFolder(root: string, dir: string): Promise<boolean> {
  const folder = resolve(dir);
  if (dirname(folder) !== resolve(root)) return false;
  try {
    const stat = await lstat(folder);
    if (!stat.isDirectory()) return false;
  } catch {
    return false;
  }
  await removeTree(folder);
  return true;
}

/**
 * Removes the folder tree `dir` (a scratch folder, or a root of them) without following a
 * link; nothing to do when it is missing. Sandboxed code can make trees Node's `rm` cannot
 * remove: folders made unreadable (mode 000; opened up first) and paths deeper than PATH_MAX
 * (built with openat; Node's `rm` fails with ENAMETOOLONG): then `rm -rf` (GNU/BSD rm walk
 * with openat, so path length does not matter; `--one-file-system` on Linux) finishes it.
 * Throws an Error naming `dir` when the tree is still there after that.
 */
export async function removeTree(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true });
    return;
  } catch {
    await openUp(dir);
  }
  try {
    await rm(dir, { recursive: true, force: true });
    return;
  } catch (error) {
    if (process.platform === 'win32') throw error; // no rm(1) to fall back on
  }
  const args = process.platform === 'linux' ? ['-rf', '--one-file-system', '--', dir] : ['-rf', '--', dir];
  const result = await execa('rm', args, { reject: false, stdin: 'ignore' });
  try {
    await lstat(dir);
  } catch {
    return; // gone
  }
  throw new Error(`could not remove ${dir}: ${result.stderr.split('\n')[0] || 'rm failed'}`);
}

/** Gives the owner rwx on every folder below `dir` (lstat first: links are never followed; names as bytes). */
async function openUp(dir: string | Buffer): Promise<void> {
  try {
    await chmod(dir, 0o700);
  } catch {
    return;
  }
  let names: Buffer[];
  try {
    names = await readdir(dir, { encoding: 'buffer' });
  } catch {
    return;
  }
  for (const name of names) {
    const path = Buffer.concat([Buffer.from(dir), Buffer.from('/'), name]);
    try {
      if ((await lstat(path)).isDirectory()) await openUp(path);
    } catch {
      // gone meanwhile
    }
  }
}

/**
 * Removes the folders in `root` not modified for `maxAgeDays` days (0 = keep all), except
 * those in `keep` (in use). The age is the newer of the folder's own change time and that
 * of its direct entries, so a conversation that wrote a file yesterday is kept.
 * Returns the folders removed.
 */
export async function sweepScratchRoot(root: string, options: { maxAgeDays: number; keep?: ReadonlySet<string>; now?: number }): Promise<string[]> {
  if (options.maxAgeDays <= 0) return [];
  const cutoff = (options.now ?? Date.now()) - options.maxAgeDays * DAY_MS;
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const dir = join(root, name);
    if (options.keep?.has(resolve(dir))) continue;
    if ((await lastTouched(dir)) >= cutoff) continue;
    // Warm spares (".spare-…") a crashed window left behind are swept like the rest.
    if (await removeScratchFolder(root, dir).catch(() => false)) removed.push(dir);
  }
  return removed;
}

async function lastTouched(dir: string): Promise<number> {
  let newest: number;
  try {
    const stat = await lstat(dir);
    if (!stat.isDirectory()) return Number.POSITIVE_INFINITY;
    newest = stat.mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch {
    return newest;
  }
  for (const name of names.slice(0, 1_000)) {
    try {
      newest = Math.max(newest, (await lstat(join(dir, name))).mtimeMs);
    } catch {
      // gone meanwhile
    }
  }
  return newest;
}
