// How much disk a sandbox's scratch folder takes, measured the way a quota would: allocated
// blocks (a sparse file costs what it really holds), each inode once (hard links are not
// counted twice), and files and folders as entries. The walk stops one entry past the
// entry budget, so a folder of 200,000 empty folders costs milliseconds, not seconds.
// Names are read as bytes (a name that is not UTF-8 must not hide what it holds), and the
// walk never skips what it cannot stat: only "gone meanwhile" (ENOENT) is skipped, any
// other failure makes the measure incomplete (over budget). On Linux every folder is opened
// (O_NOFOLLOW) through its already open parent and read through that descriptor
// (/proc/self/fd/N/…): a path never has more than one component below an open folder, so a
// folder the sandbox swaps for a link while the walk runs (it runs during cells) is never
// followed into a host folder, and paths deeper than PATH_MAX never grow.
import { closeSync, constants, lstatSync, opendirSync, openSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { formatBytes } from './format';
import { readProcText } from './procText';

export interface ScratchUsage {
  /** Bytes allocated on disk (st_blocks × 512) by the entries seen. */
  readonly bytes: number;
  /** Files, folders, links and other entries seen (the scratch folder itself excluded). */
  readonly entries: number;
  /** False when the walk stopped early (more than `maxEntries` entries) or an entry could not be measured. */
  readonly complete: boolean;
  /** Why an entry could not be measured (e.g. "a folder in scratch cannot be read"), when that made it incomplete. */
  readonly problem?: string;
}

/**
 * Folders held open at once by the walk (Linux). Only folders whose subfolders are still to be
 * walked stay open: a chain of any depth needs two, but a "comb" (a folder beside each level)
 * one per level. Past this the measure is incomplete (over budget) rather than taking the
 * host's descriptors.
 */
const MAX_OPEN_FOLDERS = 512;
/** Opening a folder failed because the sandbox changed it since it was listed (removed, renamed, swapped for a link or a file). */
const CHANGED_MEANWHILE = new Set(['ENOENT', 'ELOOP', 'ENOTDIR']);
const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
const ROOT_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY;
const SLASH = Buffer.from('/');
/** Entries a folder listing reads from the kernel at a time (opendir's buffer), so a walk reads at most this many past its budget. */
const LISTING_BATCH = 256;

/** An open folder the paths below it are relative to; closed once nothing pending refers to it. */
interface Anchor {
  readonly fd: number;
  readonly prefix: Buffer;
  pending: number;
}

interface Pending {
  readonly anchor: Anchor | undefined;
  /** Relative to `anchor`, or absolute without one. */
  readonly path: Buffer;
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'error';
}

/**
 * Walks `dir` without following links; stops after `maxEntries` + 1 entries. Never throws.
 * Linux: holds one file descriptor per folder whose subfolders are still to be walked (at most
 * MAX_OPEN_FOLDERS; more makes the measure incomplete).
 */
export function measureScratch(dir: string, maxEntries: number): ScratchUsage {
  const seen = new Set<string>();
  const anchors = new Set<Anchor>();
  let bytes = 0;
  let entries = 0;
  let problem: string | undefined;
  const full = (entry: Pending): Buffer => (entry.anchor ? Buffer.concat([entry.anchor.prefix, entry.path]) : entry.path);
  /** Counts the entry; true when it is a folder to walk into. */
  const count = (path: Buffer): boolean => {
    try {
      const stat = lstatSync(path, { bigint: false });
      const key = `${stat.dev}:${stat.ino}`;
      if (!seen.has(key)) {
        seen.add(key);
        bytes += stat.blocks * 512;
      }
      return stat.isDirectory();
    } catch (error) {
      // Only "removed meanwhile" may be skipped; anything else (ENAMETOOLONG, EACCES…) could hide bytes.
      if (errorCode(error) !== 'ENOENT') problem ??= `an entry in scratch cannot be measured (${errorCode(error)})`;
      return false;
    }
  };
  const release = (anchor: Anchor | undefined): void => {
    if (anchor && --anchor.pending <= 0 && anchors.delete(anchor)) closeSync(anchor.fd);
  };
  const root: Pending = { anchor: undefined, path: Buffer.from(dir) };
  const stack: Pending[] = [root];
  count(root.path);
  try {
    while (stack.length > 0) {
      const current = stack.pop();
      if (current === undefined) break;
      let base = current;
      try {
        if (process.platform === 'linux') {
          if (anchors.size >= MAX_OPEN_FOLDERS) {
            return { bytes, entries, complete: false, problem: `folders in scratch are nested too deeply to be measured (more than ${MAX_OPEN_FOLDERS} levels with folders beside them)` };
          }
          // The root is the host's own path (a link there is the user's); below it, never a link.
          const fd = openSync(full(current), current === root ? ROOT_FLAGS : DIR_FLAGS);
          const anchor: Anchor = { fd, prefix: Buffer.from(`/proc/self/fd/${fd}/`), pending: 1 };
          anchors.add(anchor);
          base = { anchor, path: Buffer.alloc(0) };
        }
        // Read entry by entry, not listed whole (readdirSync): one folder of a million names cost
        // every walk ~3 s and ~400 MiB of host memory before the entry budget could stop it.
        const listing = opendirSync(full(base), { encoding: 'latin1', bufferSize: LISTING_BATCH });
        try {
          for (let dirent = listing.readSync(); dirent !== null; dirent = listing.readSync()) {
            entries++;
            if (entries > maxEntries) return { bytes, entries, complete: false };
            // latin1 maps each byte of the name to one character: the bytes come back exactly (names need not be UTF-8).
            const name = Buffer.from(dirent.name, 'latin1');
            const child: Pending = { anchor: base.anchor, path: base.path.length === 0 ? name : Buffer.concat([base.path, SLASH, name]) };
            if (count(full(child))) {
              if (child.anchor) child.anchor.pending++;
              stack.push(child);
            }
          }
        } finally {
          listing.closeSync();
        }
      } catch (error) {
        // A folder the sandbox made unreadable (mode 000) would hide what it holds: it counts as
        // over. One changed while the walk ran is skipped like one removed (the walk when the
        // cell has ended, with nothing of the sandbox running, is the one that counts).
        // The root too: the sandbox owns it (the code's uid, or the user's own on the basic tier and
        // in bubblewrap's user namespace), and a host that is not root could not list one the cell
        // made write-only (chmod 0o300): a walk that skipped it saw nothing, and 1.4 GiB written
        // there passed a 512 MiB budget, cell after cell. Only a root that is gone measures nothing.
        if (current === root) {
          if (errorCode(error) !== 'ENOENT') problem ??= `a folder the sandbox writes cannot be listed, ${errorCode(error)}; chmod 700 lets it be measured`;
        } else if (!CHANGED_MEANWHILE.has(errorCode(error))) problem ??= 'a folder in scratch cannot be read';
      } finally {
        if (base !== current) release(base.anchor);
        release(current.anchor);
      }
    }
  } finally {
    for (const anchor of anchors) closeSync(anchor.fd);
  }
  return problem === undefined ? { bytes, entries, complete: true } : { bytes, entries, complete: false, problem };
}

/** True when `usage` is past either budget, or could not be measured completely. */
export function overDiskBudget(usage: ScratchUsage, limits: { readonly diskBytes: number; readonly diskEntries: number }): boolean {
  return !usage.complete || usage.bytes > limits.diskBytes || usage.entries > limits.diskEntries;
}

/**
 * Work heldDeletedBytes may do per measure, all the sandbox's processes together. It runs every
 * second of a cell, synchronously: a process can hold its descriptor limit of duplicates (dup) and
 * vm.max_map_count (65,530) mappings of one deleted file, and there are up to 256 processes, so
 * unbounded it blocked the host for seconds a measure (held-files-attacks.test.ts). Past either
 * cap the measure is incomplete, which the disk budget counts as over. A Python process holds a
 * few dozen descriptors and a few thousand mapping lines (torch: ~5,000 lines, ~0.5 MiB).
 */
export const HELD_SCAN_LIMITS = {
  /** Descriptors (/proc/PID/fd entries) plus distinct deleted files among the mappings. */
  entries: 16_384,
  /** Bytes of /proc/PID/maps text read. */
  mapsBytes: 16 * 1024 ** 2,
} as const;

/**
 * Why a measure that met a process whose descriptors the host may not read is incomplete. A
 * process that runs a program it may not read (an execute-only copy of Python, `chmod 111`) is
 * made non-dumpable by the kernel, and its /proc/PID/fd then belongs to root: a host that is not
 * root cannot list it. Skipped as if empty, such a process held 540 MiB of deleted scratch files
 * under a 64 MiB disk budget, and 540 MiB of memfds under a 256 MiB watched memory budget, for
 * as long as its cell ran (both tiers; `hidden-holder-attacks.test.ts`).
 */
export const HIDDEN_FDS = 'include a process whose open files the host may not look at (it runs a program it may not read)';

/**
 * True when `error`, from listing the descriptors of the process at `procDir`, means it hides
 * them (HIDDEN_FDS): access denied while the process still has an address space (a `VmSize` line
 * in its status). A zombie, or a process past the point of its exit where its memory is gone,
 * shows its fd table as root's too (the kernel makes /proc files of a process without memory
 * root's), but holds nothing any more.
 */
export function hidesDescriptors(procDir: string, error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'EACCES' && code !== 'EPERM') return false;
  try {
    return /^VmSize:/m.test(readFileSync(`${procDir}/status`, 'latin1'));
  } catch {
    return false; // gone
  }
}

/** True when the process at `procDir` exists and hides its descriptors from the host (see hidesDescriptors). */
export function fdTableHidden(procDir: string): boolean {
  try {
    closeSync(openSync(`${procDir}/fd`, constants.O_RDONLY | constants.O_DIRECTORY));
    return false;
  } catch (error) {
    return hidesDescriptors(procDir, error);
  }
}

/**
 * Why a sandbox whose interpreter holds descriptors in flight after its cell is over its budget. A
 * descriptor sent over a unix socket (SCM_RIGHTS) and not yet received is in no process's
 * descriptor table: the file it names (a deleted scratch file, a memfd) is held by the receiving
 * socket's queue, where no look at /proc/PID/fd finds it, for as long as a process holds that
 * socket. A cell that sent them to a socket pair of its own kept 160 MiB of deleted scratch files
 * under a 32 MiB disk budget and 384 MiB of memfds under a 256 MiB watched memory budget, on both
 * tiers, through every later cell (`inflight-holder-attacks.test.ts`).
 */
export const IN_FLIGHT_FDS = 'hold files in flight in a socket (descriptors sent with SCM_RIGHTS and not received), which the host cannot look at';

/**
 * How many descriptors the interpreter holds after a cell that ended normally when the cell left
 * none of its own: stdin, stdout, stderr and the code channel (fds 0, 1, 2 and 5, which the
 * supervisor proves are still the files it gave before it reports the cell: worker.py `sabotage`),
 * its control socket (without which no "done" reaches the supervisor) and the cell's source file.
 */
export const INTERPRETER_OWN_FDS = 6;

/** The interpreter's control socket: its descriptor number and its /proc/PID/fd link (`socket:[INODE]`), as the supervisor said (protocol.ts `controlSocketSchema`). */
export interface ControlSocket {
  readonly fd: number;
  readonly link: string;
}

/**
 * True when the interpreter at `procDir`, holding `count` descriptors (the size /proc/PID/fd
 * reports, Linux 6.2 and later; 0 or undefined where unknown), can hold no socket of its own, so
 * `holdsDescriptorsInFlight` need not look: at most its own descriptors (INTERPRETER_OWN_FDS), its
 * control socket still the one the supervisor made (`control`, from its "ready" and "reset" replies), and when all
 * six, fd 3 a regular file (then fd 3 is the one that is not a protocol descriptor, and no
 * socket). A cell that closed its source file and kept a socket in its place is looked at; so is
 * one that put its holding socket at the control socket's number and passed its "done" on through
 * a copy of the real one, closed before the interpreter stopped (`inflight-holder-attacks.test.ts`:
 * 384 MiB of memfds under a 256 MiB watched budget). One stat and one readlink instead of a
 * listing, a readlink per descriptor and an fdinfo read per socket (~200 µs a cell on the slowed
 * development VM). Call only for a stopped interpreter after a cell whose "done" came (its other
 * processes gone). Never throws.
 */
export function holdsOnlyOwnDescriptors(procDir: string, count: number | undefined, control: ControlSocket | undefined): boolean {
  if (control === undefined || count === undefined || count === 0 || count > INTERPRETER_OWN_FDS) return false;
  try {
    if (readlinkSync(`${procDir}/fd/${control.fd}`) !== control.link) return false;
    return count < INTERPRETER_OWN_FDS || statSync(`${procDir}/fd/3`).isFile();
  } catch {
    return false;
  }
}

/**
 * True when a socket of the process at `procDir` holds descriptors in flight: the `scm_fds` line
 * of a socket's /proc/PID/fdinfo (unix sockets, Linux 5.7 and later; without it, false). Also
 * true when the process holds more than `maxFds` descriptors (the look stops there: what it did
 * not read could hold them); `maxFds` as `{ left }` is a budget several looks share, charged with
 * this process's descriptors. False when the process is gone. Never throws.
 *
 * Asked only after a cell, of its interpreter, when no other process of the sandbox runs: while a
 * cell runs, a program that passes descriptors has some in flight at any moment
 * (multiprocessing's forkserver: a quarter of 100 ms samples saw one), which is no hold.
 */
export function holdsDescriptorsInFlight(procDir: string, maxFds: number | { left: number } = HELD_SCAN_LIMITS.entries): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`${procDir}/fd`);
  } catch {
    return false;
  }
  // A shared budget (several processes looked at together) is charged with what this one holds.
  const budget = typeof maxFds === 'number' ? { left: maxFds } : maxFds;
  budget.left -= fds.length;
  if (budget.left < 0) return true;
  for (const fd of fds) {
    try {
      if (!readlinkSync(`${procDir}/fd/${fd}`).startsWith('socket:')) continue;
    } catch {
      continue; // closed meanwhile
    }
    const text = readProcText(`${procDir}/fdinfo/${fd}`, 4096);
    const match = text === undefined ? null : /^scm_fds:\s*(\d+)/m.exec(text);
    if (match && Number(match[1]) > 0) return true;
  }
  return false;
}

/** What heldDeletedBytes found: bytes held, and why it stopped early when it did. */
export interface HeldDeleted {
  /** st_blocks × 512 of the deleted files seen, each inode once. */
  readonly bytes: number;
  /** Set when a HELD_SCAN_LIMITS cap stopped the look (the bytes are then a lower bound). */
  readonly problem?: string;
}

/**
 * Bytes (st_blocks × 512) of files on scratch's file system that have no name any more but
 * are kept alive by the sandbox's processes: open descriptors (/proc/PID/fd) and mappings
 * (/proc/PID/map_files; readable as root) of deleted files. The walk cannot see them, yet
 * they hold host disk until the process ends. `pids`/`proc` list the sandbox's processes as
 * memoryBudget.ts does. memfd files are not counted here (they are memory). Mappings are
 * told apart by the device and inode their maps line names, so a file mapped 60,000 times is
 * looked at once. Bounded by HELD_SCAN_LIMITS. A process whose descriptors the host may not list
 * (HIDDEN_FDS) makes the look incomplete (`problem`), except those in `opaque` (the sandbox's own
 * start-up chain, found so before any user code ran). Never throws.
 */
export function heldDeletedBytes(dir: string, pids: readonly number[], proc: (pid: number) => string, opaque: ReadonlySet<number> = new Set()): HeldDeleted {
  let dev: number;
  try {
    dev = lstatSync(dir).dev;
  } catch {
    return { bytes: 0 };
  }
  const seen = new Set<number>();
  let total = 0;
  let entries = 0;
  let mapsBytes = 0;
  const tooMany = `the sandbox's processes hold more open descriptors and mappings than the host checks (${HELD_SCAN_LIMITS.entries})`;
  const add = (link: string): void => {
    try {
      const stat = statSync(link);
      if (stat.dev !== dev || stat.nlink !== 0 || seen.has(stat.ino)) return;
      seen.add(stat.ino);
      total += stat.blocks * 512;
    } catch {
      // closed or unmapped meanwhile
    }
  };
  for (const pid of pids) {
    const procDir = proc(pid);
    const fds = listFds(procDir, opaque.has(pid));
    if (fds === undefined) return { bytes: total, problem: `the sandbox's processes ${HIDDEN_FDS}` };
    entries += fds.length;
    if (entries > HELD_SCAN_LIMITS.entries) return { bytes: total, problem: tooMany };
    for (const fd of fds) {
      const link = `${procDir}/fd/${fd}`;
      try {
        const target = readlinkSync(link);
        if (target.endsWith(' (deleted)') && !target.startsWith('/memfd:')) add(link);
      } catch {
        // closed meanwhile
      }
    }
    // A mapping outlives the descriptor it was made from: "start-end perms offset dev inode path (deleted)".
    const maps = readProcText(`${procDir}/maps`, HELD_SCAN_LIMITS.mapsBytes - mapsBytes);
    if (maps === undefined) continue;
    mapsBytes += maps.length;
    if (mapsBytes >= HELD_SCAN_LIMITS.mapsBytes) return { bytes: total, problem: `the sandbox's processes hold more memory mappings than the host checks (${formatBytes(HELD_SCAN_LIMITS.mapsBytes)} of /proc maps)` };
    const files = new Set<string>();
    for (const line of maps.split('\n')) {
      if (!line.endsWith(' (deleted)') || line.includes(' /memfd:')) continue;
      const fields = line.split(' ', 5);
      const file = `${fields[3] ?? ''} ${fields[4] ?? ''}`;
      if (files.has(file)) continue;
      files.add(file);
      if (++entries > HELD_SCAN_LIMITS.entries) return { bytes: total, problem: tooMany };
      add(`${procDir}/map_files/${line.slice(0, line.indexOf(' '))}`); // needs CAP_SYS_ADMIN (root)
    }
  }
  return { bytes: total };
}

/**
 * The names in the /proc/PID/fd folder of the process at `procDir`: none when it is gone or is
 * `opaque` (the start-up chain's, not looked into further), undefined when it hides them
 * (hidesDescriptors).
 */
function listFds(procDir: string, opaque: boolean): string[] | undefined {
  try {
    return readdirSync(`${procDir}/fd`);
  } catch (error) {
    return opaque || !hidesDescriptors(procDir, error) ? [] : undefined;
  }
}
