// A results file is written by one evaluation at a time, across processes too: `r1ci eval` in two
// terminals, or the CLI and VS Code, on the same tasks and model would append the same questions
// twice and each resume from the other's half. The writer holds `<results file>.lock`, created
// exclusively (O_EXCL), naming its process, when that process started (Linux: boot id and start
// time, so a pid the system gave to another process since is not taken for the writer) and its
// host; a lock whose process is gone (a crash, a kill -9) is taken over. Taking over renames the
// stale lock away and checks it was the one judged stale (same inode), so two runs taking over
// at once never remove each other's fresh lock. The lock lies beside the results file, by default in the task folder,
// which a cloned dataset controls: O_EXCL never follows a link, a lock is read with O_NOFOLLOW and
// O_NONBLOCK (a link or FIFO planted there reads as unreadable), and its age is taken with lstat.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { constants, readFileSync } from 'node:fs';
import { link, lstat, open, rename, unlink } from 'node:fs/promises';
import { z } from 'zod';

/**
 * What a lock file holds (JSON): the writer's pid on `host`, since `since` (ISO 8601), and
 * `started`, which process that pid was (processStartOf; absent off Linux and in older locks).
 */
const lockOwnerSchema = z.object({ pid: z.number().int(), host: z.string(), since: z.string(), started: z.string().optional() });
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
  const started = processStartOf(process.pid);
  const own: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString(), ...(started === undefined ? {} : { started }) };
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
    const judged = await lstat(path).catch(() => undefined);
    const owner = await readOwner(path);
    const stale = owner ? owner.host === own.host && !ownerAlive(owner) : await olderThan(path, UNREADABLE_LOCK_AGE_MS);
    if (!stale || attempt > 0) throw new Error(heldMessage(resultsFile, path, owner));
    if (judged !== undefined) await removeStale(path, judged.ino, () => new Error(heldMessage(resultsFile, path, undefined)));
    // Gone (or half-written long ago): removed, then created again exclusively (a third process
    // taking it over at the same time wins or loses that race cleanly).
  }
}

/**
 * Removes the lock at `path` when it is still the file (inode `ino`) judged stale: it is renamed
 * away first (atomic), so a fresh lock another process made there in between is never deleted —
 * it is linked back and `held()` is thrown. A lock already gone is fine.
 */
async function removeStale(path: string, ino: number, held: () => Error): Promise<void> {
  const aside = `${path}.${randomBytes(6).toString('hex')}.stale`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = await lstat(aside).catch(() => undefined);
  if (moved !== undefined && moved.ino !== ino) {
    // Another run took the stale lock over first: its fresh lock goes back (never over a newer one).
    await link(aside, path).catch(() => undefined);
    await unlink(aside).catch(() => undefined);
    throw held();
  }
  await unlink(aside).catch(() => undefined);
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

/**
 * True when the lock's writer still runs: its pid exists and, when the lock says when that
 * process started and this system can tell (Linux), it is the same process — after a crash the
 * pid may have been given to another process, which must not keep the lock alive.
 */
function ownerAlive(owner: LockOwner): boolean {
  if (!processAlive(owner.pid)) return false;
  if (owner.started === undefined) return true;
  const now = processStartOf(owner.pid);
  return now === undefined || now === owner.started;
}

/**
 * Which process `pid` is, as text that differs for two processes ever given the same pid:
 * "<boot id>:<start time in clock ticks since boot>" from /proc (Linux); undefined where /proc
 * does not tell (another OS, the process gone, /proc not mounted).
 */
export function processStartOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses): state is field 3, starttime field 22.
    const startTicks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    if (startTicks === undefined || !/^\d+$/.test(startTicks)) return undefined;
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return `${boot}:${startTicks}`;
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
