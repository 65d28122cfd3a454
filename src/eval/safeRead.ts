// Reading dataset and checker files without following links out of the dataset.
//
// A cloned dataset is not trusted: a `question.txt` that is a symlink to ~/.ssh/id_rsa would
// otherwise be sent to the model server, and a checker at `python:../../x.py` would run a file
// from anywhere (issue 10, "evaluation integrity"). loadTasks resolves the dataset root with
// realpath once and the walk never descends into linked folders, so every path handed to a
// loader has no link in it; this module checks that on every read: the file is opened with
// O_NOFOLLOW (the last component is not a link), its folder's realpath must equal the folder's
// path as given (no linked folder above it), and fstat must show a regular file under the cap.
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import path from 'node:path';
import { formatBytes } from '../sandbox/format';
import { errnoCode, fileErrorText } from '../text/fileErrors';

/** Largest dataset or checker file read (bytes); a bigger one is reported, never read. */
export const DATASET_FILE_CAP_BYTES = 64 * 1024 ** 2;

/**
 * The error for a file that is a link, lies behind a linked folder, is not a regular file or is
 * over the cap. `message` names the file; `detail` is the same without it ("is a symbolic
 * link …"), for a caller that names the file itself.
 */
export class UnsafeDatasetPathError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}${detail.startsWith('is ') ? ' ' : ': '}${detail}`);
  }
}

/**
 * Reads `file` (an absolute path below a realpath'd dataset root) as UTF-8, without a leading BOM.
 * Throws UnsafeDatasetPathError when the file is a symlink, a folder above it is a symlink,
 * or it is not a regular file (FIFO, device, folder) or is larger than `capBytes`;
 * throws the usual fs errors (ENOENT, EACCES) otherwise.
 */
export async function readDatasetText(file: string, capBytes = DATASET_FILE_CAP_BYTES): Promise<string> {
  // Synchronous calls: each asynchronous one is a thread-pool round trip, and a loaded folder
  // is tens of thousands of small files (bench/evalScale: 4.4 s → about 1 s for 20,000
  // questions). Callers yield between files (load.ts), so the host stays responsive.
  const absolute = path.resolve(file);
  const dir = path.dirname(absolute);
  if (realpathSync.native(dir) !== dir) throw new UnsafeDatasetPathError(file, 'a folder on its path is a symbolic link (not followed in a dataset)');
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat below then rejects it.
    fd = openSync(absolute, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    if (errnoCode(e) === 'ELOOP' || errnoCode(e) === 'EMLINK') {
      throw new UnsafeDatasetPathError(file, 'is a symbolic link (not followed in a dataset)');
    }
    throw e;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new UnsafeDatasetPathError(file, 'is not a regular file');
    if (info.size > capBytes) throw new UnsafeDatasetPathError(file, `is larger than ${formatBytes(capBytes)}, the most a dataset file may hold`);
    const buffer = Buffer.alloc(info.size);
    let filled = 0;
    while (filled < buffer.length) {
      const bytesRead = readSync(fd, buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    // A leading byte-order mark (Windows editors and PowerShell write one) is not text: JSON.parse
    // would fail on it and the first record would be lost.
    return decodeUtf8(file, buffer.subarray(0, filled)).replace(/^\uFEFF/, '');
  } finally {
    closeSync(fd);
  }
}

/** The error for a file that is not UTF-8 text (Latin-1, UTF-16, a binary file). */
export class NotUtf8Error extends Error {}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * `bytes` of `file` as UTF-8 text. Throws NotUtf8Error naming the line of the first byte that is
 * not UTF-8: replaced by U+FFFD, a Latin-1 "café" would reach the model and the scorer garbled,
 * without a word.
 */
function decodeUtf8(file: string, bytes: Buffer): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    // The line of the first bad byte: a newline never lies inside a UTF-8 sequence, so the valid
    // prefixes ending at a line end are the first ones; binary search over the line ends.
    const ends: number[] = [];
    for (let nl = bytes.indexOf(10); nl !== -1; nl = bytes.indexOf(10, nl + 1)) ends.push(nl + 1);
    let lo = 0; // lines 1..lo are known to be UTF-8
    let hi = ends.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (isUtf8(bytes.subarray(0, ends[mid - 1]))) lo = mid;
      else hi = mid - 1;
    }
    throw new NotUtf8Error(`line ${lo + 1} is not UTF-8 text (a file saved as Latin-1, Windows-1252 or UTF-16?): save ${path.basename(file)} as UTF-8`);
  }
}

/**
 * The absolute path of a `python:` checker named in a task file in `baseDir`, or an error
 * sentence. The name must be relative, with no `..` segment, so it stays inside the task file's
 * folder; readDatasetText then refuses links on the way, so the real file is inside it too.
 * A name with nothing there (a typo, ENOENT; any error of `lstat`) is an error when the task file
 * loads, not a wrong verdict for every answer after the model has answered them all.
 */
export function checkerPathInside(baseDir: string, name: string): { ok: true; file: string } | { ok: false; error: string } {
  const parts = name.split(/[\\/]+/);
  if (path.isAbsolute(name) || path.win32.isAbsolute(name) || parts.includes('..')) {
    return { ok: false, error: `checker "python:${name}" must be a path inside the task file's folder (relative, no "..")` };
  }
  const file = path.join(baseDir, ...parts.filter((p) => p !== '' && p !== '.'));
  try {
    lstatSync(file);
  } catch (e) {
    return { ok: false, error: `checker "python:${name}": ${fileErrorText(e)} (the path is relative to the task file's folder)` };
  }
  return { ok: true, file };
}
