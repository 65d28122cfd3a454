// Writing results and exports without following links (issue: red team, "results file link").
//
// The default results file lies inside the task folder (`.r1ci/results/…`), and a cloned dataset
// can ship a symlink there — at the file, or at `.r1ci` or `results` — so that the host would
// create, append to or truncate any file the user can write (~/.bash_aliases), with text partly
// taken from the task file. Every open here uses O_NOFOLLOW (a link as the last component is
// refused), fstat must show a regular file with no other hard link, and truncation goes
// through the same descriptor (ftruncate), never by path. The folders the host creates under a
// user-given folder are made one component at a time and lstat'ed: a link there is refused.
import { constants } from 'node:fs';
import { lstat, mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode } from '../text/fileErrors';

/** A results or export path that is (or lies behind) a link, or is not a plain file or folder; nothing was written. */
export class UnsafeOutputPathError extends Error {}

/**
 * Opens `file` with `flags` (O_RDONLY, O_RDWR, O_WRONLY|O_APPEND|O_CREAT …) plus O_NOFOLLOW and
 * O_NONBLOCK (a FIFO never blocks the open). Throws UnsafeOutputPathError naming the path when
 * the file is a symbolic link, not a regular file, or (for a writable open) has another hard
 * link; the usual fs errors (ENOENT, EACCES) otherwise. The caller closes the handle.
 */
export async function openNoFollow(file: string, flags: number): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(file, flags | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o644);
  } catch (e) {
    if (errnoCode(e) === 'ELOOP' || errnoCode(e) === 'EMLINK') {
      throw new UnsafeOutputPathError(`${file} is a symbolic link; r1ci never reads or writes results through a link (a cloned dataset could point it at any of your files). Remove the link; nothing was written.`);
    }
    if (errnoCode(e) === 'ENXIO') throw new UnsafeOutputPathError(`${file} is not a regular file; nothing was written.`);
    throw e;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new UnsafeOutputPathError(`${file} is not a regular file; nothing was written.`);
    const writable = (flags & (constants.O_WRONLY | constants.O_RDWR)) !== 0;
    // A hard link made by an unpacked archive points at another file just like a symlink does.
    if (writable && info.nlink > 1) throw new UnsafeOutputPathError(`${file} has ${info.nlink} hard links; r1ci writes only files with one name. Remove it; nothing was written.`);
    return handle;
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/** Opens `file` for appending (created 0644 when missing), refusing links as openNoFollow does. */
export function openForAppend(file: string): Promise<FileHandle> {
  return openNoFollow(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT);
}

/**
 * Replaces the content of `file` with `text` (UTF-8): opened without following a link, then
 * truncated through the descriptor, so a link or hard link is refused before any byte changes.
 */
export async function writeFileNoFollow(file: string, text: string): Promise<void> {
  const handle = await openNoFollow(file, constants.O_WRONLY | constants.O_CREAT);
  try {
    await handle.truncate(0);
    await handle.writeFile(text, 'utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Creates `base/parts[0]/parts[1]/…` one folder at a time and returns its path. `base` is the
 * user's own folder (links above and at it are the user's choice and followed); each component
 * below it must be a real folder: a symbolic link (even to a folder) or a file there throws
 * UnsafeOutputPathError naming it, before anything is written.
 */
export async function ensureFolderWithoutLinks(base: string, parts: readonly string[]): Promise<string> {
  let current = base;
  for (const part of parts) {
    current = path.join(current, part);
    try {
      await mkdir(current);
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') throw e;
    }
    const info = await lstat(current);
    if (info.isSymbolicLink())
      throw new UnsafeOutputPathError(`${current} is a symbolic link; r1ci never writes results through a linked folder (a cloned dataset could point it anywhere). Remove the link; nothing was written.`);
    if (!info.isDirectory()) throw new UnsafeOutputPathError(`${current} is not a folder; nothing was written.`);
  }
  return current;
}
