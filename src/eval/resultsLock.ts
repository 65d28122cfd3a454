// A results file is written by one evaluation at a time, across processes too: `r1ci eval` in two
// terminals, or the CLI and VS Code, on the same tasks and model would append the same questions
// twice and each resume from the other's half. The writer holds `<results file>.lock`, created
// exclusively (O_EXCL), naming its process and host; a lock whose process is gone (a crash, a
// kill -9) is taken over. The lock lies beside the results file, by default in the task folder,
// which a cloned dataset controls: O_EXCL never follows a link, a lock is read with O_NOFOLLOW and
// O_NONBLOCK (a link or FIFO planted there reads as unreadable), and its age is taken with lstat.
import { hostname } from 'node:os';
import { constants } from 'node:fs';
import { lstat, open, unlink } from 'node:fs/promises';
import { z } from 'zod';

/** What a lock file holds (JSON): the writer's pid on `host`, since `since` (ISO 8601). */
const lockOwnerSchema = z.object({ pid: z.number().int(), host: z.string(), since: z.string() });
type LockOwner = z.infer<typeof lockOwnerSchema>;

/** A lock file we cannot read as a LockOwner is taken over once it is this old (ms): a writer died between creating and filling it. */
const UNREADABLE_LOCK_AGE_MS = 60_000;
/** Lock files are a few dozen bytes; more is not ours. */
const MAX_LOCK_BYTES = 4096;

/** The lock file's path for `resultsFile`. */
function lockPathOf(resultsFile: string): string {
  return `${resultsFile}.lock`;
}

/**
 * Takes the lock of `resultsFile` (an absolute path) for this process. Resolves with the
 * function that releases it (idempotent; removes the lock only while it is still this process's).
 * Throws an Error naming the other writer (pid, host, since when) and the lock file to delete if
 * no such run is going on, when a live process holds it, a process on another host does (its
 * liveness cannot be checked from here), or an unreadable lock is under a minute old; other file
 * errors (EACCES, ENOENT of the folder) are thrown as they are.
 */
export async function lockResultsFile(resultsFile: string): Promise<() => Promise<void>> {
  const path = lockPathOf(resultsFile);
  const own: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o644);
      try {
        await handle.writeFile(`${JSON.stringify(own)}\n`);
      } finally {
        await handle.close();
      }
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        const now = await readOwner(path);
        if (now?.pid === own.pid && now.host === own.host && now.since === own.since) await unlink(path).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await readOwner(path);
    const stale = owner ? owner.host === own.host && !processAlive(owner.pid) : await olderThan(path, UNREADABLE_LOCK_AGE_MS);
    if (!stale || attempt > 0) throw new Error(heldMessage(resultsFile, path, owner));
    // Gone (or half-written long ago): removed, then created again exclusively (a third process
    // taking it over at the same time wins or loses that race cleanly).
    await unlink(path).catch(() => undefined);
  }
}

function heldMessage(resultsFile: string, path: string, owner: LockOwner | undefined): string {
  const who = owner ? `process ${owner.pid}${owner.host === hostname() ? '' : ` on ${owner.host}`}, since ${owner.since}` : 'a process that is starting';
  return `Another evaluation is writing ${resultsFile} now (${who}): wait for it to end (or cancel it), or write to another results file. If no such run is going on, delete ${path}.`;
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      if (!(await handle.stat()).isFile()) return undefined;
      const buffer = Buffer.alloc(MAX_LOCK_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, MAX_LOCK_BYTES, 0);
      const parsed = lockOwnerSchema.safeParse(JSON.parse(buffer.toString('utf8', 0, bytesRead)));
      return parsed.success ? parsed.data : undefined;
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

/** True when a process with this pid exists (signal 0: EPERM means it exists as another user's). */
function processAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function olderThan(path: string, ms: number): Promise<boolean> {
  const info = await lstat(path).catch(() => undefined);
  return info === undefined || Date.now() - info.mtimeMs > ms;
}
