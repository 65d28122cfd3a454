// `mkdir -p` that always ends. Node's own recursive mkdir (`fs.mkdir(p, { recursive: true })`,
// sync and async, Node 18–22) spins forever at 100% CPU when a parent exists but the kernel
// answers ENOENT for a child: a path under procfs, such as `--out /proc/results`, gives
// mkdir("/proc/results") = ENOENT, mkdir("/proc") = EEXIST, and again, without end (the async
// form never settles and holds a libuv thread; the sync form freezes the event loop). Reported
// for Node (Kewton/CommandMate#1774) and Bun (oven-sh/bun#40600). Here each missing folder is
// made once, from the nearest existing ancestor down, and the first failure is final.
import { mkdirSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { errnoCode } from '../text/fileErrors';

/**
 * `folder` as the system reads it: not normalized (`link/..` is the parent of the link's target,
 * as for mkdir -p and every later open of the same path; path.resolve would drop it unread). Only
 * an empty path becomes the current folder.
 */
function asGiven(folder: string): string {
  return folder === '' ? resolve(folder) : folder;
}

/** The error Node's mkdir gives when a file (not a folder) already holds the name. */
function existsNotFolder(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`EEXIST: file already exists, mkdir '${path}'`), { code: 'EEXIST', errno: -17, syscall: 'mkdir', path });
}

/**
 * Creates `folder` and its missing parents, as `fs.mkdir(folder, { recursive: true })` would,
 * but in a bounded number of steps (one stat and at most one mkdir per path component) on every
 * file system. Does nothing when `folder` is already a folder (a link to a folder counts, as with
 * `mkdir -p`).
 *
 * @param folder absolute, or relative to the current folder.
 * @param mode for the folders it creates (the umask applies); 0o777 by default, as Node's.
 * @throws the failing mkdir's own Node error, unchanged (`code`, `syscall: 'mkdir'`, `path`):
 *   ENOENT (a parent exists but cannot hold folders, e.g. procfs), EEXIST (a file, or a
 *   dangling link, holds the name of `folder` or of a folder above it: `path` names it),
 *   EACCES, EROFS, …; or the `stat` error of an ancestor it could not look at.
 */
export async function makeFolders(folder: string, mode = 0o777): Promise<void> {
  const path = asGiven(folder);
  const missing: string[] = [];
  for (let current = path; !(await folderAt(current));) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const dir of missing) await mkdirOnce(dir, mode);
}

/** The synchronous form of makeFolders (same arguments, result and errors), for start-up paths. */
export function makeFoldersSync(folder: string, mode = 0o777): void {
  const path = asGiven(folder);
  const missing: string[] = [];
  for (let current = path; !folderAtSync(current);) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const dir of missing) {
    try {
      mkdirSync(dir, { mode });
    } catch (e) {
      // Made meanwhile by someone else: fine, when it is a folder.
      if (errnoCode(e) !== 'EEXIST' || !isFolderSync(dir)) throw e;
    }
  }
}

async function mkdirOnce(dir: string, mode: number): Promise<void> {
  try {
    await mkdir(dir, { mode });
  } catch (e) {
    // Made meanwhile by someone else: fine, when it is a folder.
    if (errnoCode(e) !== 'EEXIST' || !(await isFolder(dir))) throw e;
  }
}

/**
 * True when `p` is a folder; false when missing (ENOENT), or below a file (ENOTDIR: looked for
 * further up, where that file is then named). A file at `p` throws mkdir's EEXIST naming it.
 */
async function folderAt(p: string): Promise<boolean> {
  try {
    if ((await stat(p)).isDirectory()) return true;
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return false;
    throw e;
  }
  throw existsNotFolder(p);
}

function folderAtSync(p: string): boolean {
  try {
    if (statSync(p).isDirectory()) return true;
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return false;
    throw e;
  }
  throw existsNotFolder(p);
}

async function isFolder(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

function isFolderSync(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
