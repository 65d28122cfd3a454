// Removes scratch folders nobody needs any more: a deleted conversation's at once, and
// every folder untouched for longer than the `r1ci.sandbox.scratchMaxAgeDays` setting.
// The folders hold what sandboxed code wrote, so nothing here follows a link, and only
// direct children of the scratch root are ever removed.
import { constants, type Dir, type Dirent } from 'node:fs';
import { chmod, lstat, open, opendir, readdir, rm, type FileHandle } from 'node:fs/promises';
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
 * link; nothing to do when it is missing. The tree may still be changing under the remover: the
 * age sweep meets folders whose sandbox still runs (a notebook kernel's, another window's), and
 * a remover that lstats a path and then lists and unlinks by path deletes a host folder's files
 * when the sandbox swaps a folder for a link in between (test/unit/sandbox/janitor-race-attacks).
 * So outside Windows the tree goes with rm(1) (GNU and BSD rm walk with fts: each folder opened
 * through its parent without following links, its dev/inode checked, each entry unlinked by name
 * in its parent; `--one-file-system` on Linux), never Node's path-based `rm`. Folders the code
 * made unreadable (mode 000: rm fails on them unless root) are opened up first, through handles
 * as well (openUp, which visits at most OPEN_UP_MAX_ENTRIES entries), and rm runs again. Throws
 * an Error naming `dir` when the tree is still there, or when openUp stopped at its bound.
 */
export async function removeTree(dir: string): Promise<void> {
  if (process.platform === 'win32') {
    // No rm(1), and no sandbox tier on Windows runs code as another user than the one removing.
    await rm(dir, { recursive: true, force: true });
    return;
  }
  const args = process.platform === 'linux' ? ['-rf', '--one-file-system', '--', dir] : ['-rf', '--', dir];
  let result = await execa('rm', args, { reject: false, stdin: 'ignore' });
  if (result.exitCode !== 0 && (await exists(dir))) {
    try {
      await openUp(dir);
    } catch (error) {
      // The bound on its work: what was opened up goes, the rest stays and is said.
      await execa('rm', args, { reject: false, stdin: 'ignore' });
      throw new Error(`could not remove ${dir}: ${error instanceof Error ? error.message : String(error)}`);
    }
    result = await execa('rm', args, { reject: false, stdin: 'ignore' });
  }
  if (await exists(dir)) throw new Error(`could not remove ${dir}: ${result.stderr.split('\n')[0] || 'rm failed'}`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Linux O_PATH (not in Node's constants; the same value as in artifacts.ts): a handle on a folder
 * that needs no read permission, so a mode-000 folder can be held and chmod-ed through it.
 */
const O_PATH = 0o10000000;
const FOLDER_HANDLE = O_PATH | constants.O_NOFOLLOW | constants.O_DIRECTORY;

/** Entries openUp visits at most in one tree (files and folders, every level together): a bound on its host work. */
export const OPEN_UP_MAX_ENTRIES = 1_000_000;

/** Names openUp reads from a folder at a time (opendir's buffer): a folder of millions is never listed whole. */
const OPEN_UP_BATCH = 256;

/** openUp stopped at its bound of entries: the tree is left as it is and rm reports what remains. */
export class OpenUpBoundError extends Error {}

/** The entries openUp may still visit in the tree it opens up. */
interface OpenUpBudget {
  readonly dir: string;
  readonly max: number;
  visited: number;
}

/**
 * Gives the owner rwx on `dir` and every folder below it, never through a link. On Linux each
 * folder is opened through the handle of its parent (`/proc/self/fd/N/NAME`, O_PATH | O_NOFOLLOW |
 * O_DIRECTORY) and changed through its own handle, so a folder swapped for a link meanwhile is
 * refused (ELOOP, ENOTDIR), never followed. Elsewhere (no O_PATH) each path is lstat-ed first:
 * a swap between the lstat and the chmod can still redirect one chmod (noted in docs/sandbox-tiers.md).
 * Each folder is read a batch of OPEN_UP_BATCH names at a time (the sandbox can plant millions in
 * one), and at most `maxEntries` entries of the whole tree are visited. Folders that cannot be
 * read or are gone are skipped (rm reports them).
 * @throws OpenUpBoundError naming `dir` and the bound when the tree holds more than `maxEntries` entries.
 */
export async function openUp(dir: string, maxEntries: number = OPEN_UP_MAX_ENTRIES): Promise<void> {
  const budget: OpenUpBudget = { dir, max: maxEntries, visited: 0 };
  if (process.platform !== 'linux') {
    await openUpByPath(dir, budget);
    return;
  }
  let top: FileHandle;
  try {
    top = await open(dir, FOLDER_HANDLE);
  } catch {
    return;
  }
  await openUpHandle(top, 0, budget);
}

/** Counts one entry of the tree against `budget`; throws OpenUpBoundError past its bound. */
function visit(budget: OpenUpBudget): void {
  if (++budget.visited > budget.max) {
    throw new OpenUpBoundError(`opening up ${budget.dir} stopped after ${budget.max} entries (the most the janitor visits in one tree); remove what is left by hand`);
  }
}

/**
 * Calls `each` for every entry of the folder `path`, read OPEN_UP_BATCH names at a time, each
 * counted against `budget`. Resolves without a call when the folder cannot be read (or is gone).
 * @throws OpenUpBoundError past the budget's bound (and whatever `each` throws).
 */
async function forEachEntry(path: string | Buffer, budget: OpenUpBudget, each: (entry: Dirent<Buffer>) => Promise<void>): Promise<void> {
  let listing: Dir;
  try {
    // Names as bytes (a name that is not UTF-8 must still be opened); Node takes 'buffer' here, its types do not say so.
    listing = await opendir(path, { encoding: 'buffer' as BufferEncoding, bufferSize: OPEN_UP_BATCH });
  } catch {
    return; // unreadable or gone: rm reports what is left
  }
  try {
    for (;;) {
      let entry: Dirent<Buffer> | null;
      try {
        entry = (await listing.read()) as Dirent<Buffer> | null;
      } catch {
        return; // gone meanwhile
      }
      if (entry === null) return;
      visit(budget);
      await each(entry);
    }
  } finally {
    await listing.close().catch(() => undefined);
  }
}

/** Folder levels openUp holds open at once (one handle each); deeper folders stay as they are and rm reports them. */
const MAX_OPEN_LEVELS = 512;

/** A directory entry that is surely no folder (its type is known): not opened at all. */
function surelyNotFolder(entry: Dirent<Buffer>): boolean {
  return !entry.isDirectory() && (entry.isFile() || entry.isSymbolicLink() || entry.isFIFO() || entry.isSocket() || entry.isCharacterDevice() || entry.isBlockDevice());
}

async function openUpHandle(folder: FileHandle, depth: number, budget: OpenUpBudget): Promise<void> {
  const self = `/proc/self/fd/${folder.fd}`;
  try {
    // The magic link names the very folder held, whatever its name has become.
    await chmod(self, 0o700);
    if (depth >= MAX_OPEN_LEVELS) return;
    await forEachEntry(self, budget, async (entry) => {
      if (surelyNotFolder(entry)) return;
      let child: FileHandle;
      try {
        child = await open(Buffer.concat([Buffer.from(`${self}/`), entry.name]), FOLDER_HANDLE);
      } catch {
        return; // not a folder (a link), or gone meanwhile
      }
      await openUpHandle(child, depth + 1, budget);
    });
  } catch (error) {
    if (error instanceof OpenUpBoundError) throw error;
    // unreadable or gone: rm reports what is left
  } finally {
    await folder.close();
  }
}

async function openUpByPath(dir: string | Buffer, budget: OpenUpBudget): Promise<void> {
  try {
    if (!(await lstat(dir)).isDirectory()) return;
    await chmod(dir, 0o700);
  } catch {
    return;
  }
  await forEachEntry(dir, budget, async (entry) => {
    if (!surelyNotFolder(entry)) await openUpByPath(Buffer.concat([Buffer.from(dir), Buffer.from('/'), entry.name]), budget);
  });
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
  for (const name of await firstNames(dir, AGE_ENTRIES)) {
    try {
      newest = Math.max(newest, (await lstat(join(dir, name))).mtimeMs);
    } catch {
      // gone meanwhile
    }
  }
  return newest;
}

/** Direct entries of a scratch folder whose change times the age sweep looks at. */
const AGE_ENTRIES = 1_000;

/**
 * Up to `max` names in `dir` (none when it cannot be read), read a batch at a time: the folder is
 * the sandbox's, and a cell over its entry budget may still add names (it must be able to delete),
 * so it can hold millions; listed whole, one of a million names cost the sweep 5 s of a libuv
 * thread and ~100 MiB of host memory.
 */
async function firstNames(dir: string, max: number): Promise<string[]> {
  const names: string[] = [];
  try {
    const listing = await opendir(dir, { bufferSize: Math.min(max, 256) });
    try {
      while (names.length < max) {
        const entry = await listing.read();
        if (entry === null) break;
        names.push(entry.name);
      }
    } finally {
      await listing.close();
    }
  } catch {
    // unreadable or gone: its own change time stands
  }
  return names;
}
