// Files a cell created or changed in its scratch folder, copied out to host-private storage.
// Scratch belongs to the sandboxed code, and every name in it may have become a link, a FIFO or
// another file by the time the host looks. So the host never follows a path there. On Linux
// each name is resolved one folder at a time through the handle of the one before, with O_PATH
// and O_NOFOLLOW (nothing outside scratch, not even a device or a FIFO, is ever opened), and the
// file is checked with fstat (a regular file with one link, the very dev/inode the supervisor
// listed) before it is opened for reading. Elsewhere it is opened without following links and
// without blocking (O_NOFOLLOW | O_NONBLOCK), checked the same way and checked to lie inside
// scratch. Then it is read up to a cap, asynchronously, into a new file of the runner's private
// folder. Only that copy is ever served (notebook, webviews). Anything else is "not an artifact".
import { constants, type BigIntStats } from 'node:fs';
import { open, readlink, realpath, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import type { ListedFile } from './protocol';
import type { Artifact } from './types';
import { makeFolders } from '../files/makeFolders';
import { imageDimensions, imageMimeType, oversizedImage } from './imageSize';

/** Caps on what is copied out per cell; bigger files are listed without a copy. */
export const ARTIFACT_COPY_LIMITS = {
  /** Largest single file copied (bytes). */
  fileBytes: 32 * 1024 ** 2,
  /** All copies of one cell together (bytes). */
  cellBytes: 128 * 1024 ** 2,
} as const;

/**
 * What one copy or one folder holds on the host's disk at least (bytes): a block. The host copy
 * budgets count these, not file bytes alone, so empty files and the folders around them are not
 * free (a cell could otherwise leave thousands of host inodes per cell at no cost).
 */
const HOST_ENTRY_BYTES = 4096;

/** Host disk a copy of `size` bytes takes: whole blocks, one at least. */
function copyCost(size: number): number {
  return Math.max(1, Math.ceil(size / HOST_ENTRY_BYTES)) * HOST_ENTRY_BYTES;
}

const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
/**
 * Linux O_PATH (not in Node's constants; 010000000 on every Linux architecture Node runs on but
 * alpha, parisc and sparc): a handle on a name that does not open the file itself, so a device or
 * a FIFO there sees no open(), and no fsnotify open event is sent.
 */
const O_PATH = 0o10000000;
const PATH_FLAGS = O_PATH | constants.O_NOFOLLOW;
const CREATE_FLAGS = constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const CHUNK_BYTES = 1024 * 1024;
/** How much of a picture is read first for its header. */
const IMAGE_HEAD_BYTES = 256 * 1024;

/** Up to `length` bytes of `file` from its start. */
async function readStart(file: FileHandle, length: number): Promise<Buffer> {
  const bytes = Buffer.alloc(length);
  let offset = 0;
  while (offset < length) {
    const { bytesRead } = await file.read(bytes, offset, length - offset, offset);
    if (bytesRead === 0) break;
    offset += bytesRead;
  }
  return bytes.subarray(0, offset);
}

/**
 * Why the copy `copy` (`size` bytes) of a file named as a picture must not be handed to a decoder
 * (its header claims more pixels than any view decodes, or its size cannot be read: imageSize.ts),
 * or undefined. Only for names of raster pictures (an SVG is never drawn: imageSize.ts
 * DRAWN_IMAGE_TYPES). The copy is what the views get, so the copy is what is read (the file in scratch may
 * change after its check). A header past the first 256 KiB (a JPEG's frame header after large
 * metadata) is looked for in the whole copy (at most ARTIFACT_COPY_LIMITS.fileBytes), and a GIF is
 * read whole: its size grows to hold every frame, and a frame past the head may claim any size.
 */
async function refusedPicture(copy: FileHandle, mimeType: string, size: number): Promise<string | undefined> {
  if (!mimeType.startsWith('image/') || mimeType === 'image/svg+xml') return undefined;
  let bytes = await readStart(copy, Math.min(size, IMAGE_HEAD_BYTES));
  if (bytes.length < size && (imageDimensions(bytes) === undefined || imageMimeType(bytes) === 'image/gif')) bytes = await readStart(copy, size);
  const reason = oversizedImage(bytes);
  return reason === undefined ? undefined : `a picture whose header ${reason}`;
}

/** A relative name the supervisor reported, or undefined when it could escape the folder. */
function safeSegments(name: string): string[] | undefined {
  const parts = name.split('/');
  const ok = parts.every((part) => part !== '' && part !== '.' && part !== '..' && !part.includes('\0') && !part.includes('\\'));
  return ok ? parts : undefined;
}

function isInside(child: string, parent: string): boolean {
  return child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

/**
 * Opens `path` for reading only if it is (still) a regular file, optionally the listed
 * dev/inode, and (Linux) really inside `insideDir`. Never follows a final link, never
 * blocks on a FIFO or device. Returns the open handle and its stat, or a reason.
 */
export async function openRegularFile(path: string, expect: { dev?: string; ino?: string; insideDir?: string } = {}): Promise<{ handle: FileHandle; stat: BigIntStats } | { reason: string }> {
  let handle: FileHandle;
  try {
    handle = await open(path, READ_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { reason: code === 'ELOOP' ? 'a link' : `cannot be opened (${code ?? 'error'})` };
  }
  try {
    const stat = await handle.stat({ bigint: true });
    if (!stat.isFile()) throw new Error('not a regular file');
    // A second name for the same file may lie outside the folder that was checked.
    if (stat.nlink !== 1n) throw new Error('a file with more than one link');
    if ((expect.dev !== undefined && String(stat.dev) !== expect.dev) || (expect.ino !== undefined && String(stat.ino) !== expect.ino)) {
      throw new Error('replaced after it was listed');
    }
    if (expect.insideDir !== undefined && process.platform === 'linux') {
      // The kernel's name for what was opened: a folder on the way swapped for a link shows here.
      const opened = await readlink(`/proc/self/fd/${handle.fd}`);
      if (!isInside(opened, expect.insideDir)) throw new Error('outside the scratch folder');
    }
    return { handle, stat };
  } catch (error) {
    await handle.close();
    return { reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Linux: opens `segments` below `rootDir` one name at a time, each through the handle of the
 * folder before it (`/proc/self/fd/N/NAME`) and without following a link (O_PATH | O_NOFOLLOW),
 * checks the last is the regular file the supervisor listed (dev/inode, one link), and only then
 * opens that very file for reading (through its O_PATH handle). A folder on the way that the
 * sandbox swapped for a link after its listing is refused before anything outside scratch is
 * opened: a device or a FIFO there never sees an open(), however briefly the sandbox ran.
 */
async function openListedFile(rootDir: string, segments: readonly string[], expect: { dev: string; ino: string }): Promise<{ handle: FileHandle; stat: BigIntStats } | { reason: string }> {
  let at: FileHandle;
  try {
    at = await open(rootDir, O_PATH | constants.O_DIRECTORY);
  } catch (error) {
    return { reason: `cannot be opened (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  try {
    for (const [i, name] of segments.entries()) {
      const last = i === segments.length - 1;
      const next = await open(`/proc/self/fd/${at.fd}/${name}`, last ? PATH_FLAGS : PATH_FLAGS | constants.O_DIRECTORY);
      await at.close();
      at = next;
    }
    const stat = await at.stat({ bigint: true });
    if (!stat.isFile()) return { reason: 'not a regular file' };
    if (stat.nlink !== 1n) return { reason: 'a file with more than one link' };
    if (String(stat.dev) !== expect.dev || String(stat.ino) !== expect.ino) return { reason: 'replaced after it was listed' };
    // The magic link reopens the inode just checked, whatever its name has become meanwhile.
    const handle = await open(`/proc/self/fd/${at.fd}`, constants.O_RDONLY | constants.O_NONBLOCK);
    return { handle, stat };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { reason: code === 'ELOOP' || code === 'ENOTDIR' ? 'a link' : `cannot be opened (${code ?? 'error'})` };
  } finally {
    await at.close();
  }
}

/**
 * Copies up to `maxBytes` from `source` into a new file at `dest` (mode 0600) and returns the
 * bytes copied, or, when `refuse` finds a reason in the copy (read back through the descriptor
 * that wrote it), removes the copy and returns that reason.
 */
async function copyBounded(source: FileHandle, dest: string, maxBytes: number, refuse: (copy: FileHandle, size: number) => Promise<string | undefined>): Promise<{ copied: number } | { refused: string }> {
  const out = await open(dest, CREATE_FLAGS, 0o600);
  let refused: string | undefined;
  try {
    const buffer = Buffer.alloc(Math.min(CHUNK_BYTES, Math.max(1, maxBytes)));
    let copied = 0;
    while (copied < maxBytes) {
      const { bytesRead } = await source.read(buffer, 0, Math.min(buffer.length, maxBytes - copied), copied);
      if (bytesRead === 0) break;
      await out.write(buffer, 0, bytesRead);
      copied += bytesRead;
    }
    refused = await refuse(out, copied);
    if (refused === undefined) return { copied };
  } finally {
    await out.close();
  }
  // Our own new file in the host-private folder: nothing of the sandbox can have replaced it.
  await unlink(dest);
  return { refused };
}

/**
 * Copies the files the supervisor listed for one cell from `scratchDir` into `destDir`
 * (created, host-private). Entries that are not regular files of scratch any more are
 * dropped; files over the caps, and pictures whose header claims more pixels than a view
 * decodes (imageSize.ts), are listed without a copy (`path` unset, `notCopied` says why). `hostBytesLeft`: what is left of the runner's budget for all its copies
 * (SandboxLimits.artifactHostBytes). `hostBytes`: what the copies take on the host's disk, as
 * the budgets count it: each file in whole blocks and each folder made for them one block
 * (HOST_ENTRY_BYTES). Artifacts sorted by name.
 */
export async function copyOutArtifacts(scratchDir: string, listed: readonly ListedFile[], destDir: string, hostBytesLeft: number): Promise<{ artifacts: Artifact[]; hostBytes: number }> {
  if (listed.length === 0) return { artifacts: [], hostBytes: 0 };
  const realScratch = await realpath(scratchDir);
  const artifacts: Artifact[] = [];
  let cellLeft: number = ARTIFACT_COPY_LIMITS.cellBytes;
  let hostLeft = hostBytesLeft;
  // Folders made under destDir (a new folder for each cell), destDir itself as "".
  const made = new Set<string>();
  for (const file of [...listed].sort((a, b) => a.name.localeCompare(b.name))) {
    const segments = safeSegments(file.name);
    if (!segments) continue;
    const opened =
      process.platform === 'linux'
        ? await openListedFile(scratchDir, segments, { dev: file.dev, ino: file.ino })
        : await openRegularFile(join(scratchDir, ...segments), { dev: file.dev, ino: file.ino, insideDir: realScratch });
    if ('reason' in opened) continue;
    try {
      const size = Number(opened.stat.size);
      const base = { name: file.name, sizeBytes: size, mimeType: guessMimeType(file.name) };
      // Copies are dense (a sparse file costs its size): the caps count its size in whole
      // blocks, and a block for each folder the copy needs that is not there yet.
      const folders = ['', ...segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join('/'))].filter((folder) => !made.has(folder));
      const cost = copyCost(size) + folders.length * HOST_ENTRY_BYTES;
      const notCopied = size > ARTIFACT_COPY_LIMITS.fileBytes ? 'larger than the copy cap' : cost > hostLeft ? 'host copy budget used up' : cost > cellLeft ? "over this cell's copy cap" : undefined;
      if (notCopied !== undefined) {
        artifacts.push({ ...base, notCopied });
        continue;
      }
      const dest = join(destDir, ...segments);
      await makeFolders(dirname(dest), 0o700);
      for (const folder of folders) made.add(folder);
      // Charged before the copy: a copy that fails half-way still left its folders.
      cellLeft -= cost;
      hostLeft -= cost;
      // A picture that no view may decode is not kept, so no view (chat, notebook, a tool's image) has it.
      const copy = await copyBounded(opened.handle, dest, size, (file, copied) => refusedPicture(file, base.mimeType, copied));
      if ('refused' in copy) {
        cellLeft += copyCost(size);
        hostLeft += copyCost(size);
        artifacts.push({ ...base, notCopied: copy.refused });
        continue;
      }
      artifacts.push({ ...base, sizeBytes: copy.copied, path: dest });
    } catch {
      // A copy that failed (disk full, a name clash) is not an artifact.
    } finally {
      await opened.handle.close();
    }
  }
  return { artifacts, hostBytes: hostBytesLeft - hostLeft };
}

/**
 * Reads an artifact's host-private copy for display (notebook outputs), up to `maxBytes`;
 * undefined when it is missing, not a regular file, or larger. Never follows a link. With
 * `insideDir` (the private root), also undefined when `path` does not lie inside it: a path that
 * came with a trajectory handed to a command (any extension, a `command:` link) names any file.
 */
export async function readArtifactCopy(path: string, maxBytes: number, insideDir?: string): Promise<Buffer | undefined> {
  let root: string | undefined;
  if (insideDir !== undefined) {
    if (!isInside(resolve(path), resolve(insideDir))) return undefined;
    // The kernel's name for the opened file is the real one: compare it with the root's real path.
    root = await realpath(insideDir).catch(() => undefined);
    if (root === undefined) return undefined;
  }
  const opened = await openRegularFile(path, root !== undefined ? { insideDir: root } : {});
  if ('reason' in opened) return undefined;
  try {
    const size = Number(opened.stat.size);
    if (size > maxBytes) return undefined;
    const bytes = Buffer.alloc(size);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await opened.handle.read(bytes, offset, size - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return bytes.subarray(0, offset);
  } finally {
    await opened.handle.close();
  }
}

const MIME_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
  '.csv': 'text/csv',
  '.tsv': 'text/tab-separated-values',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.json': 'application/json',
  '.html': 'text/html',
  '.py': 'text/x-python',
  '.npy': 'application/octet-stream',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.zip': 'application/zip',
};

export function guessMimeType(name: string): string {
  return MIME_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
}
