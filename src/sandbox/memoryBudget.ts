// One budget for the whole sandbox, not per process.
//  - Memory: all the sandbox's processes and its tmpfs mounts together. A memory cgroup
//    where one can be had (cgroup.ts), else the host watches the sum while a cell runs
//    and kills the sandbox when it goes over.
//  - Disk: the scratch folder's allocated bytes and entries, checked after each cell and
//    every second while a long cell runs.
//  - Nothing keeps running after its cell: processes a cell leaves behind are killed when
//    it returns (docs/sandbox-tiers.md says why this rather than a CPU budget).
import { closeSync, type Dir, fstatSync, opendirSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, statfsSync, statSync } from 'node:fs';
import { SandboxCgroup, findCgroupParent, readCounter, systemdScopeWorks, type CgroupParent } from './cgroup';
import {
  fdTableHidden,
  HELD_SCAN_LIMITS,
  HIDDEN_FDS,
  heldDeletedBytes,
  hidesDescriptors,
  holdsDescriptorsInFlight,
  holdsOnlyOwnDescriptors,
  type ControlSocket,
  IN_FLIGHT_FDS,
  measureScratch,
  overDiskBudget,
  type ScratchUsage,
} from './diskBudget';
import { formatBytes } from './format';
import { readProcText } from './procText';
import { findDescendants, freezeAndKill } from './process-tree';
import type { KillReason, MemoryMechanism, SandboxLimits } from './types';
import type { WorkerLaunch } from './worker-process';

/** How often the watcher measures while a cell runs (ms). */
export const WATCH_INTERVAL_MS = 100;
/** How often the scratch folder is measured while a cell runs (ms). */
const DISK_CHECK_INTERVAL_MS = 1_000;
/** A scratch walk younger than this may be reused when statfs proves nothing grew enough (ms). */
const RECENT_WALK_MS = 1_000;
/**
 * Looks of one running cell (one each WATCH_INTERVAL_MS) that may find descriptors in flight while
 * the host sees more grow than the budget has room for, before the sandbox is stopped: about a
 * second of holding in all. A program that passes descriptors (multiprocessing's forkserver) has
 * some in flight now and then; a look that finds none takes the growth for other programs', so
 * its looks stop counting.
 */
const IN_FLIGHT_LOOKS = 10;

/** How one configuration enforces its budget; chosen once per setup. */
export interface BudgetPlan {
  readonly mechanism: MemoryMechanism;
  readonly parent?: CgroupParent;
  /** tmpfs mounts inside the sandbox (isolated tier) the watcher adds to the sum. */
  readonly tmpfsMounts: readonly string[];
  /** The sandbox has its own pid namespace (isolated tier): its /proc lists only its processes. */
  readonly pidNamespace: boolean;
  /** For the tier note, e.g. "memory: cgroup v1 (2 GiB for all processes and tmpfs)". */
  readonly note: string;
}

let systemdProbe: Promise<boolean> | undefined;
let parentProbe: CgroupParent | null | undefined;

/** Picks the strongest memory mechanism this machine offers (probes are cached per process). */
export async function planBudget(options: { memoryEnforcement?: 'auto' | 'watched'; memoryBytes: number; tmpfsMounts: readonly string[]; pidNamespace: boolean }): Promise<BudgetPlan> {
  const size = formatBytes(options.memoryBytes);
  const plan = (mechanism: MemoryMechanism, detail: string, parent?: CgroupParent): BudgetPlan => ({
    mechanism,
    tmpfsMounts: options.tmpfsMounts,
    pidNamespace: options.pidNamespace,
    note: `Memory: ${detail}.`,
    ...(parent ? { parent } : {}),
  });
  if (process.platform !== 'linux') return plan('per-process', `${size} per process (RLIMIT_AS where the OS honours it); no whole-sandbox limit on this OS`);
  const watched = plan('watched', `watched, ${size} for all processes and tmpfs together (the host measures every ${WATCH_INTERVAL_MS} ms and kills the sandbox when over)`);
  if (options.memoryEnforcement === 'watched') return watched;
  if (parentProbe === undefined) parentProbe = findCgroupParent() ?? null;
  if (parentProbe) {
    const version = parentProbe.version === 1 ? 'cgroup v1' : 'cgroup v2';
    return plan(parentProbe.version === 1 ? 'cgroup-v1' : 'cgroup-v2', `${version}, ${size} for all processes and tmpfs together`, parentProbe);
  }
  systemdProbe ??= systemdScopeWorks();
  if (await systemdProbe) return plan('systemd-scope', `systemd scope (MemoryMax), ${size} for all processes and tmpfs together`);
  return watched;
}

/** What the budget saw during one cell. */
export interface BudgetVerdict {
  /** The memory limit hit: the kernel killed a process (cgroup) or the watcher killed the sandbox. */
  readonly memoryHit: boolean;
  /** Why the watcher could not measure the sandbox's memory, when that is what ended it. */
  readonly memoryProblem?: string;
  /** Scratch usage after the cell, and whether it is over the disk budget. */
  readonly disk: ScratchUsage & { readonly over: boolean };
  /** True when the disk watch killed the sandbox during the cell. */
  readonly diskKilled: boolean;
  /**
   * True when the cell left processes (now killed) or zombies behind. Killed children of the
   * interpreter stay its zombies, holding the sandbox's process budget (RLIMIT_NPROC), until it
   * waits for them: the runner then tells it to (worker.py `reap`).
   */
  readonly leftProcesses: boolean;
}

/** A cell being watched; `finish` once the worker has answered (or died). */
export interface CellWatch {
  /**
   * Stops watching, kills leftovers, measures scratch; kills the sandbox when its memory is over.
   * `spawned`: a process or thread may have been made during the cell (the supervisor's "done"
   * says so; true when unknown), so the write counters may miss its writes (see `scratchUsage`).
   */
  finish(spawned?: boolean): Promise<BudgetVerdict>;
}

/**
 * The budget of one sandbox (one runner). The runner wraps each worker launch, reports the
 * started worker, and brackets each cell with `watchCell` / `finish`.
 */
export class SandboxBudget {
  private cgroup: SandboxCgroup | undefined;
  private mechanism: MemoryMechanism;
  /** Host pids of the launched process and its descendants at start-up (bwrap, its init, the worker). */
  private chain: readonly number[] = [];
  /** `chain` as a set, for the leftover check after every cell. */
  private chainSet: ReadonlySet<number> = new Set();
  /** The same processes as `listProcesses` names them: never leftovers. */
  private chainListed: ReadonlySet<number> = new Set();
  /**
   * The start-up chain's processes whose descriptors the host may not read (the supervisor makes
   * itself non-dumpable; as `listProcesses` names them), found before any user code ran. Any other
   * process of the sandbox with an unreadable fd table hides what it holds (see `fdTableHidden`).
   */
  private opaqueChain: ReadonlySet<number> = new Set();
  private lastUsage: ScratchUsage = { bytes: 0, entries: 0, complete: true };
  /** When scratch was last walked, and its file system's used bytes and inodes then. */
  private lastWalk: { at: number; fsBytes: number; fsInodes: number; writes: number | undefined } = { at: Number.NEGATIVE_INFINITY, fsBytes: 0, fsInodes: 0, writes: undefined };
  /** The cgroup's OOM-kill counter after the previous cell. */
  private oomSeen = 0;
  /** Tasks (processes and threads) of the start-up chain without the interpreter; undefined when unknown. */
  private fixedTasks: number | undefined;
  /** /proc/INTERPRETER/stat, kept open for the leftover check (a pid reused later cannot be read through it). */
  private interpreterStat: ProcFile | undefined;
  /** /proc/PID/io of the supervisor and of the interpreter, for the disk check's shortcut (see `sandboxWrites`). */
  private supervisorIo: ProcFile | undefined;
  private interpreterIo: ProcFile | undefined;
  /** /proc/SUPERVISOR/task/SUPERVISOR/children: after a reset, its one child is the new interpreter. */
  private supervisorChildren: ProcFile | undefined;
  /** /proc/INTERPRETER/fd, whose size is its descriptor count (see `holdsOnlyOwnDescriptors`). */
  private interpreterFds: ProcFile | undefined;
  /** The interpreter's control socket as the supervisor made it (see `holdsOnlyOwnDescriptors`); set by workerStarted and workerReset. */
  private interpreterControl: ControlSocket | undefined;
  /**
   * Used bytes of scratch's file system when the sandbox last rested (its start, a reset, the end
   * of the last cell; statfs taken then anyway): a running cell's files in flight show there and
   * nowhere else (see `unseenGrowth`).
   */
  private fsAtRest: number | undefined;

  /**
   * `writableElsewhere`: host folders besides scratch that the sandbox's code writes (the basic
   * tier's $HOME and $TMPDIR). They are walked with scratch and count in its disk budget: they
   * hold host disk too, and only then is statfs a sound bound for the shortcut in `scratchUsage`
   * (what a cell frees there while it grows scratch leaves the sandbox's total unchanged).
   */
  constructor(
    private readonly plan: BudgetPlan,
    private readonly limits: SandboxLimits,
    private readonly scratchDir: () => string,
    private readonly writableElsewhere: readonly string[] = [],
  ) {
    this.mechanism = plan.mechanism;
  }

  /** The launch, placed in the sandbox's memory cgroup when there is one. */
  wrap(launch: WorkerLaunch): WorkerLaunch {
    if (this.mechanism === 'systemd-scope') {
      this.cgroup ??= SandboxCgroup.systemdScope(this.limits.memoryBytes);
    } else if ((this.mechanism === 'cgroup-v1' || this.mechanism === 'cgroup-v2') && this.plan.parent && !this.cgroup) {
      try {
        this.cgroup = SandboxCgroup.direct(this.plan.parent, this.limits.memoryBytes);
      } catch {
        this.mechanism = 'watched'; // the kernel refused this time: watch instead
      }
    }
    if (!this.cgroup) return launch;
    const wrapped = this.cgroup.wrap(launch);
    return this.plan.pidNamespace ? { ...wrapped, members: () => this.members().among } : wrapped;
  }

  /** Call once the worker answered "ready" (before any user code ran). */
  workerStarted(rootPid: number | undefined, control?: ControlSocket): void {
    if (rootPid === undefined) return;
    this.interpreterControl = control;
    this.cgroup?.attach(rootPid);
    this.oomSeen = this.cgroup?.oomKills() ?? 0;
    this.chain = [rootPid, ...findDescendants(rootPid, this.members())];
    this.chainSet = new Set(this.chain);
    const listed = this.listProcesses();
    this.chainListed = new Set(listed.pids);
    this.opaqueChain = new Set(listed.pids.filter((pid) => fdTableHidden(listed.proc(pid))));
    this.fsAtRest = fileSystemUse(this.scratchDir())?.bytes;
    this.watchChain();
  }

  /**
   * Opens what the per-cell checks read through kept descriptors: the tasks of the chain without
   * the interpreter (`noLeftovers`) and the supervisor's io file (`sandboxWrites`), once per
   * worker; then the interpreter's (see `watchInterpreter`).
   */
  private watchChain(): void {
    this.closeChainFiles();
    if (this.chain.length < 2) return;
    const supervisor = this.chain[this.chain.length - 2] ?? -1;
    this.supervisorIo = ProcFile.open(supervisor, 'io');
    this.supervisorChildren = ProcFile.open(supervisor, 'children');
    if (this.cgroup) {
      let fixed = 0;
      for (const pid of this.chain.slice(0, -1)) {
        const file = ProcFile.open(pid, 'stat');
        const threads = parseStat(file?.text())?.threads;
        file?.close();
        if (threads === undefined) return this.watchInterpreter();
        fixed += threads;
      }
      this.fixedTasks = fixed;
    }
    this.watchInterpreter();
  }

  /** (Re)opens the interpreter's stat and io files: at the start and after each reset (a new interpreter). */
  private watchInterpreter(): void {
    this.interpreterStat?.close();
    this.interpreterIo?.close();
    this.interpreterFds?.close();
    const interpreter = this.workerPid;
    this.interpreterStat = this.cgroup && interpreter !== undefined ? ProcFile.open(interpreter, 'stat') : undefined;
    this.interpreterIo = interpreter !== undefined ? ProcFile.open(interpreter, 'io') : undefined;
    this.interpreterFds = interpreter !== undefined ? ProcFile.open(interpreter, 'fd') : undefined;
  }

  private closeChainFiles(): void {
    for (const file of [this.interpreterStat, this.interpreterIo, this.interpreterFds, this.supervisorIo, this.supervisorChildren]) file?.close();
    this.interpreterStat = undefined;
    this.interpreterIo = undefined;
    this.interpreterFds = undefined;
    this.supervisorIo = undefined;
    this.supervisorChildren = undefined;
    this.fixedTasks = undefined;
  }

  /**
   * Bytes the sandbox has written to files so far (pages it dirtied, mmap writes included), as the
   * kernel counts them per process: the supervisor's and the interpreter's /proc/PID/io, which
   * include the children each of them reaped (leftovers are reaped by the supervisor). Unlike
   * statfs, deletions elsewhere on the file system cannot hide them. Not being root, the host
   * cannot read the supervisor's (it is not dumpable): then the interpreter's alone, and statfs
   * still sees what orphans wrote. Undefined when unreadable.
   */
  private sandboxWrites(): number | undefined {
    const interpreter = parseWriteBytes(this.interpreterIo?.text());
    if (interpreter === undefined || !this.supervisorIo) return interpreter;
    const supervisor = parseWriteBytes(this.supervisorIo.text());
    return supervisor === undefined ? undefined : interpreter + supervisor;
  }

  /**
   * Call after the supervisor reset the sandbox (a new interpreter in place of the old one).
   * False unless the sandbox holds exactly as many processes as when it started: anything of
   * the last question still alive would otherwise be taken for part of the worker.
   */
  workerReset(rootPid: number | undefined, control?: ControlSocket): boolean {
    if (rootPid === undefined || this.chain[0] !== rootPid || this.chain.length < 2) return false;
    this.interpreterControl = control;
    // The interpreter is the last of the chain, the supervisor before it: its one child now is
    // the new interpreter (/proc/PID/task/TID/children, cheaper than a scan of the host's /proc).
    const children = parseChildren(this.supervisorChildren?.text());
    const chain = children === undefined ? [rootPid, ...findDescendants(rootPid, this.members())] : children.length === 1 ? [...this.chain.slice(0, -1), ...children] : [];
    if (chain.length !== this.chain.length) return false;
    const listedBefore = this.chainListed.size;
    this.chain = chain;
    this.chainSet = new Set(chain);
    this.watchInterpreter();
    // With a pids cgroup, its task count proves it in two reads (the new interpreter runs no
    // user code yet, so its thread count holds still); else the sandbox's processes are listed.
    const interpreter = parseStat(this.interpreterStat?.text());
    if (this.fixedTasks !== undefined && interpreter !== undefined && this.cgroup?.tasks() === this.fixedTasks + interpreter.threads) {
      this.chainListed = new Set(chain); // what the cgroup's list names them: host pids
    } else {
      const listed = this.listProcesses(chain).pids;
      if (listed.length !== listedBefore) return false;
      this.chainListed = new Set(listed);
    }
    this.oomSeen = this.cgroup?.oomKills() ?? 0;
    // Scratch was emptied and nothing of the last question holds a deleted file any more: a
    // walk of the (empty) folder is the whole measure, and counts as the last walk.
    const dir = this.scratchDir();
    const fs = fileSystemUse(dir);
    this.lastUsage = this.walk(this.limits.diskEntries);
    this.lastWalk = { at: performance.now(), fsBytes: fs?.bytes ?? 0, fsInodes: fs?.inodes ?? 0, writes: this.sandboxWrites() };
    this.fsAtRest = fs?.bytes;
    return true;
  }

  /** Starts watching a cell; `kill` ends the whole sandbox (the worker and everything it started). */
  watchCell(kill: () => Promise<void>): CellWatch {
    const oomBefore = this.oomSeen;
    const diskFloor = Math.max(this.limits.diskBytes, this.lastUsage.bytes);
    const entryFloor = Math.max(this.limits.diskEntries, this.lastUsage.entries);
    // After a capped walk the real count is unknown: only bytes are watched then (a cell
    // that starts over the entry budget must be able to delete; the end-of-cell check reports).
    const entriesKnown = this.lastUsage.complete;
    let watcherHit = false;
    let memoryProblem: string | undefined;
    /** The watcher's last measure (bytes). */
    let memoryUse = 0;
    let unsettled = 0;
    /**
     * Watcher: true (and the sandbox is to be killed) when the sandbox is over its memory budget or
     * cannot be measured, or its measure stayed unsettled (see memoryInUse) for UNSETTLED_TICKS.
     */
    const overMemory = (): boolean => {
      const use = this.memoryInUse();
      memoryUse = use.bytes;
      memoryProblem ??= use.problem;
      unsettled = use.unsettled ? unsettled + 1 : 0;
      if (use.unsettled) return unsettled >= UNSETTLED_TICKS;
      return use.problem !== undefined || use.bytes > this.limits.memoryBytes;
    };
    let diskKilled = false;
    /** The measure that ended the cell: the message names it, even when the killed processes took what they held with them. */
    let killedBy: ScratchUsage | undefined;
    const watching = this.mechanism === 'watched' && this.chain.length > 0;
    // Baselines for files in flight while the cell runs (see `unseenGrowth`): shared memory is
    // read only where the watcher stands in for a memory cgroup (a cgroup charges memfds wherever they are).
    const shmemAtStart = watching ? shmemBytes() : undefined;
    const fsAtStart = this.fsAtRest;
    const usageAtStart = this.lastUsage;
    // Growth that other programs made meanwhile, as found at the last look that saw nothing of the
    // sandbox in flight (see below): bytes of scratch's file system and of the host's shared memory.
    const others = { disk: 0, shmem: 0 };
    /** Looks of this cell that found growth past the room while descriptors were in flight. */
    let inFlightLooks = 0;
    let nextDiskCheck = performance.now() + DISK_CHECK_INTERVAL_MS;
    /** A measure of scratch during the cell: over the budget (or over what scratch already held when the cell started, so a cell may still delete) ends it. */
    const overDisk = (usage: ScratchUsage): boolean => {
      if (usage.bytes > diskFloor || (entriesKnown && (!usage.complete || usage.entries > entryFloor))) {
        diskKilled = true;
        killedBy = usage;
        void kill();
      }
      return diskKilled;
    };
    const timer = setInterval(() => {
      if (watching && !watcherHit && overMemory()) {
        watcherHit = true;
        void kill();
      }
      if (diskKilled || watcherHit) return;
      // Files in flight (IN_FLIGHT_FDS) are in no descriptor table and no folder: only the whole
      // file system (or the host's shared memory) shows them. Nothing is looked at while its growth
      // fits in the room the budget left. Past it, a look that finds descriptors in flight counts;
      // IN_FLIGHT_LOOKS of them in one cell, together or not (a cell that lets go for an instant
      // every 0.7 s had one each time), stop the sandbox. A look that finds none takes the growth
      // that the budget's own measure does not explain for other programs' (it holds nothing in flight then).
      const unseen = this.unseenGrowth({ fsAtStart, usageAtStart: usageAtStart.bytes, diskFloor, shmemAtStart, memoryUse, others });
      if (unseen !== undefined) {
        if (this.sandboxHoldsInFlight()) {
          if (++inFlightLooks >= IN_FLIGHT_LOOKS) {
            const problem = `the sandbox's processes ${IN_FLIGHT_FDS}`;
            if (unseen.memory) {
              watcherHit = true;
              memoryProblem = problem;
            } else {
              diskKilled = true;
              killedBy = { bytes: unseen.diskBytes, entries: usageAtStart.entries, complete: false, problem };
            }
            void kill();
            return;
          }
        } else {
          if (unseen.memory) others.shmem = Math.max(0, unseen.shmemGrowth - memoryUse);
          if (unseen.disk) {
            const usage = this.measureDisk(entryFloor);
            if (overDisk(usage)) return;
            others.disk = unseen.fsGrowth - (usage.bytes - usageAtStart.bytes);
          }
        }
      }
      if (performance.now() < nextDiskCheck) return;
      nextDiskCheck = performance.now() + DISK_CHECK_INTERVAL_MS;
      // A long cell may not fill the disk while it runs.
      overDisk(this.measureDisk(entryFloor));
    }, WATCH_INTERVAL_MS);
    return {
      finish: async (spawned = true) => {
        clearInterval(timer);
        // The watcher only samples: a last look catches what grew since its last tick
        // (tmpfs files outlive the cell: only ending the sandbox frees them).
        if (watching && !watcherHit && overMemory()) {
          watcherHit = true;
          await kill();
        }
        // The two-read check first: the listing (and its promise) only when it cannot tell.
        const alone = this.noLeftovers() || !(await this.killLeftovers());
        // Files the interpreter keeps in flight in a socket of its own (IN_FLIGHT_FDS), now that it
        // is the only process that ran the cells' code: watched, the sandbox is stopped (they may be
        // memfds); else the disk budget is over, as for a file in scratch, until they are let go.
        const worker = this.workerPid;
        const inFlight = worker !== undefined && !holdsOnlyOwnDescriptors(`/proc/${worker}`, this.interpreterFds?.size(), this.interpreterControl) && holdsDescriptorsInFlight(`/proc/${worker}`);
        if (inFlight && watching && !watcherHit) {
          watcherHit = true;
          memoryProblem = `the sandbox's processes ${IN_FLIGHT_FDS}`;
          await kill();
        }
        const measured = this.scratchUsage(alone && !spawned);
        const usage = inFlight && !watcherHit ? { ...measured, complete: false, problem: `the sandbox's processes ${IN_FLIGHT_FDS}` } : measured;
        const oomAfter = this.cgroup?.oomKills() ?? 0;
        this.oomSeen = oomAfter;
        return {
          memoryHit: watcherHit || oomAfter > oomBefore,
          ...(watcherHit && memoryProblem !== undefined ? { memoryProblem } : {}),
          disk: killedBy && !overDiskBudget(usage, this.limits) ? { ...killedBy, over: true } : { ...usage, over: overDiskBudget(usage, this.limits) },
          diskKilled,
          leftProcesses: !alone,
        };
      },
    };
  }

  /**
   * While a cell runs: what may be held where the budgets' measures do not look, or undefined when
   * nothing is. Files in flight (IN_FLIGHT_FDS) show only in the whole file system's use (statfs
   * of scratch's: deleted scratch files) and the host's shared memory (memfds, watched budget only):
   * `memory` when the watcher's last measure (`memoryUse`) plus the growth of the host's shared
   * memory since the cell began (`shmemGrowth`), less what other programs grew (`others.shmem`), is
   * over the memory budget; `disk` when scratch's use at the cell's start plus the file system's
   * growth since the sandbox last rested (`fsGrowth`), less `others.disk`, is over the disk budget
   * (`diskFloor`; `diskBytes` that sum). Other programs grow both too: this only says when to look
   * for descriptors in flight (`sandboxHoldsInFlight`). A statfs, and a read of /proc/meminfo when
   * watched.
   */
  private unseenGrowth(at: {
    fsAtStart: number | undefined;
    usageAtStart: number;
    diskFloor: number;
    shmemAtStart: number | undefined;
    memoryUse: number;
    others: { readonly disk: number; readonly shmem: number };
  }): { memory: boolean; shmemGrowth: number; disk: boolean; fsGrowth: number; diskBytes: number } | undefined {
    const shmem = at.shmemAtStart === undefined ? undefined : shmemBytes();
    const shmemGrowth = shmem === undefined || at.shmemAtStart === undefined ? 0 : shmem - at.shmemAtStart;
    const memory = shmem !== undefined && at.memoryUse + shmemGrowth - at.others.shmem > this.limits.memoryBytes;
    const fs = at.fsAtStart === undefined ? undefined : fileSystemUse(this.scratchDir());
    const fsGrowth = fs === undefined || at.fsAtStart === undefined ? 0 : fs.bytes - at.fsAtStart;
    const diskBytes = at.usageAtStart + fsGrowth - at.others.disk;
    const disk = fs !== undefined && diskBytes > at.diskFloor;
    return memory || disk ? { memory, shmemGrowth, disk, fsGrowth, diskBytes } : undefined;
  }

  /**
   * True when a socket of one of the sandbox's processes holds descriptors in flight
   * (`holdsDescriptorsInFlight`), or when they hold more descriptors than the host looks at
   * (HELD_SCAN_LIMITS, all together). The start-up chain's opaque processes (the supervisor)
   * run no code of the cells and are skipped. Never throws.
   */
  private sandboxHoldsInFlight(): boolean {
    const listed = this.listProcesses();
    const budget = { left: HELD_SCAN_LIMITS.entries };
    return listed.pids.some((pid) => !this.opaqueChain.has(pid) && holdsDescriptorsInFlight(listed.proc(pid), budget));
  }

  /**
   * Scratch usage after a cell. The walk is skipped only when the last one is under a second
   * old and found scratch under budget, and neither statfs of scratch's whole file system nor
   * the bytes the sandbox's processes wrote (`sandboxWrites`) grew by the room that was left
   * (so the sandbox cannot be over); the warm round trip then pays a statfs and two reads of
   * /proc/PID/io instead. Deletions elsewhere on that file system can hide growth from statfs,
   * but not from the write counters; what neither may see at once (space reserved with
   * fallocate, which writes nothing, while other files on the same file system are deleted) is
   * found by the next walk, at most a second later. Not taken after a cell that left processes, or made any (`trusted` false): a leftover
   * the host kills stays a zombie of the supervisor, and its writes reach no counter until it is
   * reaped; a child the kernel reaps at once (SIGCHLD ignored) takes its writes with it, and
   * other processes deleting files on the same file system at that moment hid them from statfs
   * too (seen in CI: the cell over its budget and the next one both passed).
   */
  private scratchUsage(trusted: boolean): ScratchUsage {
    const dir = this.scratchDir();
    const fs = fileSystemUse(dir);
    this.fsAtRest = fs?.bytes;
    const writes = this.sandboxWrites();
    const now = performance.now();
    const last = this.lastWalk;
    const room = this.limits.diskBytes - this.lastUsage.bytes;
    if (
      trusted &&
      fs &&
      writes !== undefined &&
      last.writes !== undefined &&
      !overDiskBudget(this.lastUsage, this.limits) &&
      now - last.at < RECENT_WALK_MS &&
      fs.bytes - last.fsBytes < room &&
      writes - last.writes < room &&
      fs.inodes - last.fsInodes < this.limits.diskEntries - this.lastUsage.entries
    ) {
      return this.lastUsage;
    }
    this.lastUsage = this.measureDisk(this.limits.diskEntries);
    this.lastWalk = { at: now, fsBytes: fs?.bytes ?? 0, fsInodes: fs?.inodes ?? 0, writes };
    return this.lastUsage;
  }

  /**
   * (fix-disk) The scratch walk plus deleted files the sandbox's processes keep open or
   * mapped: both hold host disk. Any shortcut that skips the walk must still rest on a
   * measure that sees these (statfs of the whole file system does; a scan of names does not).
   */
  private measureDisk(maxEntries: number): ScratchUsage {
    const usage = this.walk(maxEntries);
    const listed = this.listProcesses();
    const held = heldDeletedBytes(this.scratchDir(), listed.pids, listed.proc, this.opaqueChain);
    if (held.problem !== undefined) return { ...usage, bytes: usage.bytes + held.bytes, complete: false, problem: usage.problem ?? held.problem };
    return held.bytes === 0 ? usage : { ...usage, bytes: usage.bytes + held.bytes };
  }

  /** Scratch and `writableElsewhere` walked (measureScratch), their bytes and entries added up. */
  private walk(maxEntries: number): ScratchUsage {
    let usage = measureScratch(this.scratchDir(), maxEntries);
    for (const dir of this.writableElsewhere) {
      if (!usage.complete) break;
      const more = measureScratch(dir, maxEntries - usage.entries);
      // Each walk counts its own root folder as bytes but not as an entry.
      usage = { bytes: usage.bytes + more.bytes, entries: usage.entries + more.entries, complete: more.complete, ...(more.problem ? { problem: more.problem } : {}) };
    }
    return usage;
  }

  /** Kills every process of the sandbox, removes its cgroup; resolves once it is gone. */
  async dispose(): Promise<void> {
    this.closeChainFiles();
    this.chain = [];
    this.chainSet = new Set();
    this.chainListed = new Set();
    this.opaqueChain = new Set();
    await this.cgroup?.remove();
  }

  /**
   * Where the sandbox's processes are looked for (its chain, and what a kill must reach): the
   * cgroup's member list, so the host's other processes are never read (a /proc scan reads every
   * process's stat: milliseconds on a desktop, several times per sandbox start and end); else
   * all of /proc. The list holds every process of the sandbox only where none can move itself
   * out: the isolated tier (an unprivileged uid, no cgroup file system mounted inside). On the
   * basic tier the code runs as the user, root in CI, who could write another cgroup's
   * cgroup.procs: there the scan by ancestry stays.
   */
  private members(): { among?: readonly number[] } {
    const pids = this.plan.pidNamespace && this.cgroup?.path ? this.cgroup.pids() : [];
    return pids.length > 0 ? { among: pids } : {};
  }

  /** The host pid of the worker (the deepest process of the start-up chain). */
  private get workerPid(): number | undefined {
    return this.chain[this.chain.length - 1];
  }

  /**
   * The sandbox's processes, cheaply: its cgroup's list; else, with a pid namespace, the
   * sandbox's own /proc (a few entries; pids as the sandbox sees them); else a host /proc
   * scan for the worker's descendants. `proc(pid)` is where that process's /proc files are.
   */
  private listProcesses(chain: readonly number[] = this.chain): { pids: number[]; proc: (pid: number) => string } {
    const worker = chain[chain.length - 1];
    if (this.cgroup?.path) return { pids: this.cgroup.pids(), proc: (pid) => `/proc/${pid}` };
    if (worker === undefined) return { pids: [], proc: (pid) => `/proc/${pid}` };
    if (this.plan.pidNamespace) {
      const procRoot = `/proc/${worker}/root/proc`;
      try {
        const pids = readdirSync(procRoot)
          .filter((name) => /^\d+$/.test(name))
          .map(Number);
        return { pids, proc: (pid) => `${procRoot}/${pid}` };
      } catch {
        // the worker is gone: fall through to the host scan (which then finds nothing)
      }
    }
    // (sandbox-core) From the chain's root: orphans are re-parented to the supervisor, whose
    // child the interpreter (possibly the last of the chain) is.
    const root = chain[0] ?? worker;
    return { pids: [root, ...findDescendants(root)], proc: (pid) => `/proc/${pid}` };
  }

  /**
   * Kills what the cell left running. The worker is a child subreaper, so orphans of the
   * cell are re-parented to it and stay its descendants (the cgroup, where there is one,
   * holds them all). Cheap when nothing is left: one small listing. Zombies (killed, not
   * yet reaped by the worker) need no kill. True when the sandbox held any process besides its
   * start-up chain, a zombie included.
   */
  private async killLeftovers(): Promise<boolean> {
    const worker = this.workerPid;
    if (worker === undefined) return true;
    const chain = this.chainSet;
    // Host pids of the chain are excluded too, in case the listing fell back to a host scan.
    const others = (): { pids: number[]; proc: (pid: number) => string } => {
      const listed = this.listProcesses();
      return { pids: listed.pids.filter((pid) => !this.chainListed.has(pid) && !chain.has(pid)), proc: listed.proc };
    };
    const leftovers = (): number[] => {
      const listed = others();
      return listed.pids.filter((pid) => !isZombie(listed.proc(pid)));
    };
    const found = others();
    if (found.pids.length === 0) return false;
    if (found.pids.every((pid) => isZombie(found.proc(pid)))) return true;
    // (sandbox-core) From the root of the chain: the worker is two processes (supervisor and
    // interpreter), and orphans are re-parented to the supervisor, not the interpreter.
    const root = this.chain[0] ?? worker;
    const candidates = (): number[] => (this.cgroup?.path ? this.cgroup.pids().filter((pid) => !chain.has(pid)) : findDescendants(root, { live: true }).filter((pid) => !chain.has(pid)));
    freezeAndKill(candidates);
    // SIGKILL is delivered asynchronously: the cell returns once they are really gone.
    // (sandbox-core) A process forked just after the kill (a double fork still under way when
    // the cell returned) is killed in a later round.
    for (let wait = 0; wait < 100 && leftovers().length > 0; wait++) {
      if (wait % 5 === 4) freezeAndKill(candidates);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return true;
  }

  /**
   * The leftover check in two reads, where the sandbox has a pids cgroup: its task count
   * equals the chain's own tasks plus the interpreter's threads. Before it reports a cell the
   * supervisor has stopped the interpreter (state T, every thread), so no thread of it can start
   * or end between the two reads (the interpreter's read comes first: one that began meanwhile,
   * were it continued, would only add to the count).
   * Any process the cell left behind, a zombie included, is at least one task more.
   * False means "look closer" (the listing below), never "there are leftovers".
   */
  private noLeftovers(): boolean {
    if (this.fixedTasks === undefined) return false;
    const interpreter = parseStat(this.interpreterStat?.text());
    if (interpreter?.state !== 'T') return false;
    return this.cgroup?.tasks() === this.fixedTasks + interpreter.threads;
  }

  /**
   * Watcher: bytes the sandbox holds now (anonymous memory of its processes, the shared memory
   * they map, memfds, tmpfs mounts); with `problem` when it could not all be looked at
   * (WATCH_FD_LIMIT, WATCH_MAPS_BYTES), which counts as over.
   *
   * Anonymous memory is first counted as each process's resident anonymous pages (RssAnon, one
   * cheap read). That counts a page once for every process that maps it, and forked processes
   * share their parent's pages copy-on-write: 256 sleeping children of a fresh interpreter read
   * as 2 GiB and were killed at a 2 GiB budget while they held a few MiB of their own (a memory
   * cgroup, which charges a page once, let them run). So when that count is over the budget, it
   * is checked again with each page divided among the processes that map it (Pss_Anon of
   * /proc/PID/smaps_rollup), whose sum over all the sandbox's processes counts each page once.
   * That sum holds only when every process sharing a page is read and none goes meanwhile
   * (measureMemory). When a process went during each of the PSS_ATTEMPTS checks of a tick (code
   * that forks and ends children without pause, so that a parent's pages look shared with a
   * child the check never reads), the sandbox is over if even the smallest of those sums is;
   * otherwise the measure is `unsettled`, and the watcher ends the sandbox when that lasts
   * UNSETTLED_TICKS measures in a row.
   */
  private memoryInUse(): { bytes: number; problem?: string; unsettled?: boolean } {
    const rss = this.measureMemory('rss');
    if (rss.problem !== undefined || rss.bytes <= this.limits.memoryBytes) return rss;
    let smallest = rss.bytes;
    for (let attempt = 0; attempt < PSS_ATTEMPTS; attempt++) {
      const pss = this.measureMemory('pss');
      if (pss.problem !== undefined || pss.consistent) return pss;
      smallest = Math.min(smallest, pss.bytes);
    }
    return smallest > this.limits.memoryBytes ? { bytes: smallest } : { bytes: rss.bytes, unsettled: true };
  }

  /**
   * One measure of memoryInUse. 'pss': processes that appeared while it ran (a fork flood) are
   * read too, in up to PSS_ROUNDS listings, since a parent read before its child was forked counted
   * its pages whole; `consistent` when no process read went meanwhile (a parent read while a child
   * shared its pages would then have been counted at half) and none was left unread.
   */
  private measureMemory(anonymous: 'rss' | 'pss'): { bytes: number; problem?: string; consistent?: boolean } {
    const worker = this.workerPid;
    if (worker === undefined) return { bytes: 0 };
    let listed = this.listProcesses();
    let total = 0;
    const measure: MeasureState = { fds: { left: WATCH_FD_LIMIT }, mapsBytes: { left: WATCH_MAPS_BYTES }, shared: new Set(), anonymous };
    const read = new Set<number>();
    let pending = listed.pids;
    for (let round = 0; pending.length > 0; round++) {
      for (const pid of pending) {
        read.add(pid);
        const bytes = processMemory(listed.proc(pid), measure, this.opaqueChain.has(pid));
        if (bytes === undefined) {
          const problem = measure.hidden
            ? HIDDEN_FDS
            : measure.fds.left < 0
              ? `hold more open descriptors than the host checks (${WATCH_FD_LIMIT})`
              : `map shared memory in more places than the host checks (${formatBytes(WATCH_MAPS_BYTES)} of mappings)`;
          return { bytes: total, problem: `the sandbox's processes ${problem}` };
        }
        total += bytes;
      }
      if (anonymous === 'rss') break;
      listed = this.listProcesses();
      const now = new Set(listed.pids);
      if ([...read].some((pid) => !now.has(pid))) measure.unread = true;
      pending = listed.pids.filter((pid) => !read.has(pid));
      if (round + 1 >= PSS_ROUNDS && pending.length > 0) {
        measure.unread = true;
        break;
      }
    }
    for (const mount of this.plan.tmpfsMounts) total += tmpfsUsed(`/proc/${worker}/root${mount}`);
    return anonymous === 'rss' ? { bytes: total } : { bytes: total, consistent: !measure.unread };
  }
}

const procBuffer = Buffer.alloc(4096);

/**
 * One /proc file of one process, read with pread from a descriptor kept open: once the process
 * is gone, reads fail rather than show a later process that got the same pid.
 */
class ProcFile {
  private constructor(private fd: number | undefined) {}

  /** Undefined when the process is gone or the file cannot be opened. */
  static open(pid: number, name: 'stat' | 'io' | 'children' | 'fd'): ProcFile | undefined {
    try {
      // children: of its main thread (/proc/PID/task/PID/children), for a single-threaded process all of them.
      return new ProcFile(openSync(name === 'children' ? `/proc/${pid}/task/${pid}/children` : `/proc/${pid}/${name}`, 'r'));
    } catch {
      return undefined;
    }
  }

  /** The file's text now, or undefined when unreadable. */
  text(): string | undefined {
    if (this.fd === undefined) return undefined;
    try {
      return procBuffer.toString('latin1', 0, readSync(this.fd, procBuffer, 0, procBuffer.length, 0));
    } catch {
      return undefined;
    }
  }

  /** The file's size now (for /proc/PID/fd: the process's descriptor count, Linux 6.2 and later, else 0); undefined when unknown. */
  size(): number | undefined {
    if (this.fd === undefined) return undefined;
    try {
      return fstatSync(this.fd).size;
    } catch {
      return undefined;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** State letter (field 3) and thread count (field 20) from /proc/PID/stat text. */
function parseStat(text: string | undefined): { state: string; threads: number } | undefined {
  if (text === undefined) return undefined;
  // The command name (field 2) may contain spaces and ")": fields follow the last ")".
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ', 18);
  const threads = Number(fields[17]);
  return fields[0] && Number.isInteger(threads) ? { state: fields[0], threads } : undefined;
}

/** `write_bytes` from /proc/PID/io text: bytes whose pages the process (and the children it reaped) dirtied. */
function parseWriteBytes(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  // "write_bytes: N" lines: the counter parser of the cgroup files reads them too.
  return /^write_bytes: \d+$/m.test(text) ? readCounter(text, 'write_bytes:') : undefined;
}

/** Pids from a /proc/PID/task/TID/children text; undefined where the kernel does not list them. */
function parseChildren(text: string | undefined): number[] | undefined {
  return text?.split(' ').filter(Boolean).map(Number);
}

function isZombie(procDir: string): boolean {
  try {
    const stat = readFileSync(`${procDir}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true; // gone
  }
}

/**
 * Descriptors the watcher reads per measure, all the sandbox's processes together (their
 * /proc/PID/fd, to find memfds). It measures every WATCH_INTERVAL_MS, synchronously on the host's
 * main thread: unbounded, 100 processes holding 19,000 descriptors each stalled it for 10 s at a
 * time. Past it the measure counts as over the budget: a memfd could hide behind the rest.
 */
const WATCH_FD_LIMIT = HELD_SCAN_LIMITS.entries;

/**
 * Bytes of /proc/PID/maps the watcher reads per measure, all the sandbox's processes together, and
 * only of processes that map shared memory (see `mappedSharedMemory`): a process may hold 65,530
 * mappings (6 MiB of text). Past it the measure counts as over the budget, as with WATCH_FD_LIMIT.
 */
const WATCH_MAPS_BYTES = 4 * 1024 ** 2;

/**
 * What one measure of the watcher has left to read (`fds`: descriptors, `mapsBytes`: bytes of maps
 * files) and the shared memory objects it counted already (`shared`: their inodes, so an object
 * mapped by several processes counts once).
 */
export interface MeasureState {
  fds: { left: number };
  mapsBytes: { left: number };
  shared: Set<string>;
  /** Set when a process's descriptors could not be read (see `fdTableHidden`): the measure is incomplete. */
  hidden?: boolean;
  /**
   * How anonymous pages are counted: 'rss' (default), all the process's resident ones (RssAnon of
   * /proc/PID/status: a page shared copy-on-write with another process counts in both); 'pss', each
   * divided among the processes that map it (Pss_Anon of /proc/PID/smaps_rollup, Linux 5.8+).
   */
  anonymous?: 'rss' | 'pss';
  /** Set ('pss') when a process read went meanwhile, or one was left unread: the sum is not one of a fixed set. */
  unread?: boolean;
}

/**
 * Times per tick the watcher tries a 'pss' measure over a stable set of processes before the
 * measure is unsettled. One: a smaps_rollup read costs about twice a status read (250 processes:
 * 80 ms against 46 ms on the loaded VM), and an unsettled measure is tried again next tick.
 */
const PSS_ATTEMPTS = 1;
/** Listings a 'pss' measure takes to read processes that appeared while it ran, before it is unsettled. */
const PSS_ROUNDS = 4;
/**
 * Unsettled measures in a row (each over the budget by RssAnon, no stable set to divide it among)
 * after which the watcher ends the sandbox: a second of WATCH_INTERVAL_MS ticks. A fork flood
 * settles once its last fork fails; code that keeps its processes changing to hide memory does not.
 */
const UNSETTLED_TICKS = 10;

/** A fresh MeasureState with no limits (a single process measured on its own). */
function unboundedMeasure(): MeasureState {
  return { fds: { left: Number.POSITIVE_INFINITY }, mapsBytes: { left: Number.POSITIVE_INFINITY }, shared: new Set() };
}

/** A field in kB of /proc/PID/status text ("RssAnon:   1234 kB") in bytes, 0 when missing. */
function statusBytes(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s*(\\d+) kB$`, 'm').exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/**
 * The process's share of its resident anonymous pages (bytes): each page divided by the number of
 * processes that map it (Pss_Anon of /proc/PID/smaps_rollup). Undefined when the process is gone,
 * the file cannot be read (it needs ptrace read access, as /proc/PID/fd does) or has no such field
 * (kernels before 5.8).
 */
function anonymousShare(procDir: string): number | undefined {
  try {
    const rollup = readFileSync(`${procDir}/smaps_rollup`, 'latin1');
    const match = /^Pss_Anon:\s*(\d+) kB$/m.exec(rollup);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Shared memory the process maps from objects no mount of the sandbox shows and no descriptor may
 * hold: anonymous shared mappings (`mmap(-1, n)`, "/dev/zero (deleted)"), memfds whose descriptor
 * was closed, SysV segments. Their pages are shmem, which the anonymous count leaves out: 4
 * processes holding 150 MiB of them each went unseen by a 256 MiB budget. Each object counts once
 * (its inode in `measure.shared`), at the extent mapped (its pages need not all be touched).
 * /dev/shm and other tmpfs files are left out: their mounts count. Undefined when the maps file
 * is longer than what is left of `measure.mapsBytes`.
 */
function mappedSharedMemory(procDir: string, measure: MeasureState): number | undefined {
  let text: string;
  try {
    const fd = openSync(`${procDir}/maps`, 'r');
    try {
      const room = Math.min(measure.mapsBytes.left, WATCH_MAPS_BYTES) + 1;
      const buffer = Buffer.alloc(Math.max(1, room));
      let length = 0;
      for (let got = -1; got !== 0 && length < buffer.length; length += got) got = readSync(fd, buffer, length, buffer.length - length, null);
      measure.mapsBytes.left -= length;
      if (measure.mapsBytes.left < 0) return undefined;
      text = buffer.toString('latin1', 0, length);
    } finally {
      closeSync(fd);
    }
  } catch {
    return 0; // gone
  }
  const extents = new Map<string, number>();
  // "start-end perms offset dev inode path": shared ("s") mappings of shmem objects no mount shows.
  for (const match of text.matchAll(/^([0-9a-f]+)-([0-9a-f]+) \S{3}s \S+ \S+ (\d+) +(\/dev\/zero \(deleted\)|\/memfd:.*|\/SYSV.*)$/gm)) {
    const [, start = '0', end = '0', inode = ''] = match;
    extents.set(inode, (extents.get(inode) ?? 0) + (parseInt(end, 16) - parseInt(start, 16)));
  }
  let total = 0;
  for (const [inode, bytes] of extents) {
    if (measure.shared.has(inode)) continue;
    measure.shared.add(inode);
    total += bytes;
  }
  return total;
}

/**
 * Resident anonymous memory of the process whose /proc folder is `procDir`, plus the shared memory
 * it maps from no mount (`mappedSharedMemory`) and the memfd files it holds open (bytes); 0 when it
 * is gone. Each descriptor looked at takes one from `measure.fds.left`; undefined when they (or
 * `measure.mapsBytes`) run out: the measure is then incomplete. Undefined too, with
 * `measure.hidden` set, when the host may not list the process's descriptors (HIDDEN_FDS: its
 * memfds could be anywhere), unless `opaque` (a process of the sandbox's start-up chain).
 */
export function processMemory(procDir: string, measure: MeasureState = unboundedMeasure(), opaque = false): number | undefined {
  const fds = measure.fds;
  let total = 0;
  try {
    // RssAnon: private anonymous pages; RssShmem: shared memory pages (tmpfs files and the objects above).
    const status = readFileSync(`${procDir}/status`, 'latin1');
    if (measure.anonymous === 'pss' && !/^State:\s+Z/m.test(status)) {
      // (A zombie holds no pages, and has no smaps_rollup to read.) Where the share cannot be read
      // (the non-dumpable supervisor, for a host that is neither root nor the owner of the
      // sandbox's user namespace), all its pages count: never less than its share.
      total += anonymousShare(procDir) ?? statusBytes(status, 'RssAnon');
    } else {
      total += statusBytes(status, 'RssAnon');
    }
    if (statusBytes(status, 'RssShmem') > 0) {
      const shared = mappedSharedMemory(procDir, measure);
      if (shared === undefined) return undefined;
      total += shared;
    }
  } catch {
    if (measure.anonymous === 'pss') measure.unread = true;
    return 0;
  }
  let table: Dir;
  try {
    // Read entry by entry: the listing stops at the cap, however many descriptors the process holds.
    table = opendirSync(`${procDir}/fd`, { bufferSize: 256 });
  } catch (error) {
    // Gone, or the start-up chain's own (opaque): what was counted stands. Else it hides its memfds.
    if (opaque || !hidesDescriptors(procDir, error)) return total;
    measure.hidden = true;
    return undefined;
  }
  try {
    for (let entry = table.readSync(); entry !== null; entry = table.readSync()) {
      if (--fds.left < 0) return undefined;
      const link = `${procDir}/fd/${entry.name}`;
      try {
        if (readlinkSync(link).startsWith('/memfd:')) {
          // Once, however many processes hold or map it.
          const stat = statSync(link);
          if (!measure.shared.has(String(stat.ino))) total += stat.blocks * 512;
          measure.shared.add(String(stat.ino));
        }
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    // the process exited meanwhile: what was counted stands
  } finally {
    table.closeSync();
  }
  return total;
}

/** The host's shared memory (tmpfs files, memfds, shared anonymous pages: `Shmem` of /proc/meminfo) in bytes, or undefined. */
function shmemBytes(): number | undefined {
  const text = readProcText('/proc/meminfo', 8192);
  const match = text === undefined ? null : /^Shmem:\s*(\d+) kB$/m.exec(text);
  return match ? Number(match[1]) * 1024 : undefined;
}

/** Used bytes and inodes of the file system holding `path`, or undefined. */
function fileSystemUse(path: string): { bytes: number; inodes: number } | undefined {
  try {
    const stat = statfsSync(path);
    return { bytes: (stat.blocks - stat.bfree) * stat.bsize, inodes: stat.files - stat.ffree };
  } catch {
    return undefined;
  }
}

/**
 * Host kernel memory one file or folder of a tmpfs holds besides its data (bytes): its inode and
 * its dentry (shmem_inode_cache and dentry slabs; measured ~1,000 bytes per empty file on Linux 6.x).
 */
const TMPFS_ENTRY_BYTES = 1024;

/**
 * Memory a tmpfs holds (bytes): its data blocks, and TMPFS_ENTRY_BYTES for each inode in use.
 * Empty files hold no block: 1.2 million of them held 1.1 GiB of host kernel memory, across
 * cells, that a count of blocks alone never saw (the watcher's budget is for tmpfs too).
 */
function tmpfsUsed(path: string): number {
  try {
    const stat = statfsSync(path);
    return (stat.blocks - stat.bfree) * stat.bsize + (stat.files - stat.ffree) * TMPFS_ENTRY_BYTES;
  } catch {
    return 0;
  }
}

/** The result fields for a budget that hit, or undefined. `workerLost`: the interpreter was restarted. */
export function describeBudgetKill(verdict: BudgetVerdict, limits: SandboxLimits, workerLost: boolean): { reason: KillReason; message: string } | undefined {
  const lost = workerLost ? '; the Python interpreter was restarted, so variables from earlier cells are gone' : '';
  if (verdict.memoryHit) {
    const what = workerLost ? lost : '; a process the cell started was killed';
    const why = verdict.memoryProblem === undefined ? '' : `: ${verdict.memoryProblem}`;
    return { reason: 'memory', message: `killed: sandbox memory limit (${formatBytes(limits.memoryBytes)})${why}${what}` };
  }
  if (verdict.diskKilled || verdict.disk.over) {
    const usage = verdict.disk;
    const detail =
      usage.entries > limits.diskEntries
        ? `more than ${limits.diskEntries.toLocaleString('en-US')} files and folders`
        : !usage.complete
          ? (usage.problem ?? 'a folder in scratch cannot be read')
          : `${formatBytes(usage.bytes, 'up')} of ${formatBytes(limits.diskBytes)}`;
    const prefix = verdict.diskKilled ? 'killed: ' : '';
    return { reason: 'disk', message: `${prefix}disk budget of the sandbox used up (${detail}): delete files in the scratch folder to go on${lost}` };
  }
  return undefined;
}
