// Memory cgroups: one per sandbox, so its memory limit covers every process it starts and
// every tmpfs page it writes (shmem is charged to the cgroup of the process that wrote it).
// Which kind a machine offers is found by trying it once:
//   - root with a writable cgroup v1 memory hierarchy (a child of our own memory cgroup),
//   - root with cgroup v2 where our cgroup delegates the memory controller to children,
//   - a systemd scope (`systemd-run [--user] --scope -p MemoryMax=…`), desktop users.
// Kernel documentation: Documentation/admin-guide/cgroup-v1/memory.rst and cgroup-v2.rst.
import { execa } from 'execa';
import { startupProbe } from './startupProbe';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { freezeAndKill } from './process-tree';
import { readProcText } from './procText';
import type { WorkerLaunch } from './worker-process';

/** A place where per-sandbox memory cgroups can be made directly (root). */
export interface CgroupParent {
  readonly version: 1 | 2;
  /** Our own memory cgroup's folder in the cgroup file system; children go inside. */
  readonly dir: string;
  /**
   * Where each sandbox also gets a pids cgroup, whose `pids.current` (tasks: processes and
   * threads) lets the host see in one read that a cell left no process behind: v1, our own
   * cgroup in the pids hierarchy; v2, `dir` itself when the pids controller is delegated.
   * Absent when the machine has no usable pids controller (the host then lists processes).
   */
  readonly pidsDir?: string;
}

/** Where this process's memory cgroup lives, v1 and v2, from /proc/self/cgroup and /proc/self/mountinfo text. */
export function ownMemoryCgroupDirs(cgroupText: string, mountinfoText: string): { v1?: string; v2?: string } {
  const v1 = ownV1CgroupDir('memory', cgroupText, mountinfoText);
  const v2 = ownV2CgroupDir(cgroupText, mountinfoText);
  return { ...(v1 ? { v1 } : {}), ...(v2 ? { v2 } : {}) };
}

/** This process's cgroup folder in the v1 hierarchy of `controller` (e.g. pids), or undefined. */
export function ownV1CgroupDir(controller: string, cgroupText: string, mountinfoText: string): string | undefined {
  const path = cgroupPaths(cgroupText).find((entry) => entry.controllers.includes(controller))?.path;
  const mount = cgroupMounts(mountinfoText).find((entry) => entry.fstype === 'cgroup' && entry.superOptions.includes(controller));
  return placeCgroup(path, mount);
}

function ownV2CgroupDir(cgroupText: string, mountinfoText: string): string | undefined {
  const path = cgroupPaths(cgroupText).find((entry) => entry.controllers.length === 1 && entry.controllers[0] === '')?.path;
  return placeCgroup(
    path,
    cgroupMounts(mountinfoText).find((entry) => entry.fstype === 'cgroup2'),
  );
}

/** `/proc/PID/cgroup` lines: `id:controllers:path` (controllers empty for v2). */
function cgroupPaths(cgroupText: string): Array<{ controllers: string[]; path: string }> {
  const entries: Array<{ controllers: string[]; path: string }> = [];
  for (const line of cgroupText.split('\n')) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line.trim()) ?? [];
    if (path !== undefined && controllers !== undefined) entries.push({ controllers: controllers.split(','), path });
  }
  return entries;
}

/** cgroup mounts from mountinfo, in order. */
function cgroupMounts(mountinfoText: string): Array<{ fstype: string; superOptions: string[]; root: string; point: string }> {
  const mounts: Array<{ fstype: string; superOptions: string[]; root: string; point: string }> = [];
  for (const line of mountinfoText.split('\n')) {
    // id parent major:minor root mountpoint options [optional…] - fstype source superoptions
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const fields = left.split(' ');
    const [fstype = '', , superOptions = ''] = right.split(' ');
    if (fstype === 'cgroup' || fstype === 'cgroup2') mounts.push({ fstype, superOptions: superOptions.split(','), root: unescapeMount(fields[3] ?? ''), point: unescapeMount(fields[4] ?? '') });
  }
  return mounts;
}

function placeCgroup(path: string | undefined, mount: { root: string; point: string } | undefined): string | undefined {
  if (path === undefined || !mount) return undefined;
  const relative = posix.relative(mount.root, path);
  if (relative.startsWith('..')) return undefined; // our cgroup is outside what is mounted
  return posix.join(mount.point, relative);
}

function unescapeMount(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** True when a child made in `dir` gets its own memory limit file (so a limit can be set there). */
function canMakeLimitedChild(parent: CgroupParent): boolean {
  const probe = join(parent.dir, `r1ci-probe-${randomBytes(4).toString('hex')}`);
  try {
    mkdirSync(probe);
  } catch {
    return false;
  }
  try {
    if (parent.version === 1) {
      writeFileSync(join(probe, 'memory.limit_in_bytes'), String(64 * 1024 ** 2));
      return true;
    }
    if (!existsSync(join(probe, 'memory.max'))) return false;
    writeFileSync(join(probe, 'memory.max'), String(64 * 1024 ** 2));
    return true;
  } catch {
    return false;
  } finally {
    try {
      rmdirSync(probe);
    } catch {
      // an empty cgroup we just made; nothing else can hold it
    }
  }
}

/** True when a child made in `dir` gets a `pids.current` counter. */
function canMakePidsChild(dir: string): boolean {
  const probe = join(dir, `r1ci-probe-${randomBytes(4).toString('hex')}`);
  try {
    mkdirSync(probe);
  } catch {
    return false;
  }
  try {
    return existsSync(join(probe, 'pids.current'));
  } finally {
    try {
      rmdirSync(probe);
    } catch {
      // an empty cgroup we just made; nothing else can hold it
    }
  }
}

/**
 * Root only: a memory cgroup parent under our own cgroup that accepts limited children (v2
 * first), with the pids place beside it when the machine has a pids controller.
 */
export function findCgroupParent(): CgroupParent | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return undefined;
  let cgroupText: string;
  let mountinfoText: string;
  try {
    cgroupText = readFileSync('/proc/self/cgroup', 'utf8');
    mountinfoText = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return undefined;
  }
  const dirs = ownMemoryCgroupDirs(cgroupText, mountinfoText);
  const pidsV1 = ownV1CgroupDir('pids', cgroupText, mountinfoText);
  for (const dir of [dirs.v2, dirs.v1, pidsV1]) if (dir) removeStaleCgroups(dir);
  if (dirs.v2) {
    const v2: CgroupParent = { version: 2, dir: dirs.v2 };
    // cgroup v2 allows controllers in children only when our cgroup delegates them.
    const subtree = readText(join(dirs.v2, 'cgroup.subtree_control')).split(/\s+/);
    if (!subtree.includes('memory')) tryWrite(join(dirs.v2, 'cgroup.subtree_control'), '+memory');
    if (!subtree.includes('pids')) tryWrite(join(dirs.v2, 'cgroup.subtree_control'), '+pids');
    if (canMakeLimitedChild(v2)) return canMakePidsChild(dirs.v2) ? { ...v2, pidsDir: dirs.v2 } : v2;
  }
  if (dirs.v1) {
    const v1: CgroupParent = { version: 1, dir: dirs.v1 };
    if (canMakeLimitedChild(v1)) return pidsV1 && canMakePidsChild(pidsV1) ? { ...v1, pidsDir: pidsV1 } : v1;
  }
  return undefined;
}

/** A sandbox cgroup older than this with no process left is a crashed host's leftover (ms). */
const STALE_CGROUP_MS = 60 * 60 * 1000;

/**
 * Removes empty per-sandbox cgroups a crashed host left behind (a v1 cgroup outlives its
 * processes until someone removes it). Young ones may belong to a live sibling host that
 * has not moved its worker in yet, and rmdir refuses any that still has a process.
 */
function removeStaleCgroups(parent: string): void {
  let names: string[];
  try {
    names = readdirSync(parent).filter((name) => name.startsWith('r1ci-sandbox-') || name.startsWith('r1ci-probe-'));
  } catch {
    return;
  }
  for (const name of names) {
    try {
      const dir = join(parent, name);
      if (Date.now() - statSync(dir).mtimeMs > STALE_CGROUP_MS) rmdirSync(dir);
    } catch {
      // in use (EBUSY) or gone
    }
  }
}

/**
 * True when `systemd-run --scope` (with `--user` unless root) starts a process under a
 * working MemoryMax: the probe prints the memory.max of its own scope.
 */
export function systemdScopeWorks(): Promise<boolean> {
  if (process.platform !== 'linux') return Promise.resolve(false);
  const probeBytes = 96 * 1024 ** 2;
  const script = 'p=$(sed -n "s/^0:://p" /proc/self/cgroup); cat "/sys/fs/cgroup$p/memory.max"';
  return startupProbe(
    execa('systemd-run', [...systemdRunArgs(probeBytes, `r1ci-probe-${randomBytes(4).toString('hex')}`), '/bin/sh', '-c', script], {
      detached: true,
      timeout: 10_000,
      env: { PATH: '/usr/bin:/bin', ...userBusEnv() },
      extendEnv: false,
      stdin: 'ignore',
      reject: false,
    }),
  ).then((result) => !result.failed && result.stdout.trim() === String(probeBytes));
}

/** `systemd-run` arguments for a transient scope with a hard memory limit and no swap. */
export function systemdRunArgs(memoryBytes: number, unit: string): string[] {
  const user = process.getuid?.() !== 0;
  return [...(user ? ['--user'] : []), '--scope', '--quiet', '--collect', `--unit=${unit}`, `--property=MemoryMax=${memoryBytes}`, '--property=MemorySwapMax=0', '--'];
}

/** A desktop user's systemd needs its bus address; nothing else of our environment is passed. */
function userBusEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['XDG_RUNTIME_DIR', 'DBUS_SESSION_BUS_ADDRESS']) {
    const value = process.env[key];
    if (value) env[key] = value;
  }
  return env;
}

/**
 * The pids cgroup of a directly made sandbox cgroup: v1, a cgroup of the same name in the pids
 * hierarchy (made here; undefined when the kernel refuses); v2, the memory cgroup itself.
 */
function pidsPlace(parent: CgroupParent, name: string, memoryDir: string): string | undefined {
  if (!parent.pidsDir) return undefined;
  if (parent.version === 2) return existsSync(join(memoryDir, 'pids.current')) ? memoryDir : undefined;
  const dir = join(parent.pidsDir, name);
  try {
    mkdirSync(dir);
    return dir;
  } catch {
    return undefined;
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function tryWrite(path: string, text: string): boolean {
  try {
    writeFileSync(path, text);
    return true;
  } catch {
    return false;
  }
}

/** The `key value` counter from a flat-keyed cgroup file (memory.events, memory.oom_control). */
export function readCounter(text: string, key: string): number {
  // Line by line, not a RegExp built per call: this runs after every cell.
  const prefix = `${key} `;
  for (let start = 0; start < text.length;) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    if (text.startsWith(prefix, start)) {
      const value = text.slice(start + prefix.length, end);
      return /^\d+$/.test(value) ? Number(value) : 0;
    }
    start = end + 1;
  }
  return 0;
}

/** Reused by the counter reads below (one sandbox's cgroup files are a few hundred bytes). */
const readBuffer = Buffer.alloc(16 * 1024);

/**
 * One sandbox's memory cgroup. Made directly (root, v1 or v2) or by systemd (a scope, whose
 * folder is found from the first process once it runs). Every process the sandbox starts
 * stays inside: the launch enters the cgroup before bwrap/python is executed.
 */
export class SandboxCgroup {
  private dir: string | undefined;
  /** memory.oom_control (v1) or memory.events (v2), open once the counter was first read. */
  private eventsFd: number | undefined;
  /** The folder whose pids.current counts the sandbox's tasks (v1: its own cgroup in the pids hierarchy). */
  private pidsDir: string | undefined;
  /** pids.current, open once first read (re-read with pread: it shows the live count). */
  private pidsFd: number | undefined;

  private constructor(
    readonly kind: 'cgroup-v1' | 'cgroup-v2' | 'systemd-scope',
    private readonly memoryBytes: number,
    dir: string | undefined,
    private readonly unit: string,
    pidsDir?: string,
  ) {
    this.dir = dir;
    this.pidsDir = pidsDir;
  }

  /** Makes a limited child of `parent` (root), and its pids cgroup where there is one. Throws when the kernel refuses. */
  static direct(parent: CgroupParent, memoryBytes: number): SandboxCgroup {
    const name = `r1ci-sandbox-${randomBytes(6).toString('hex')}`;
    const dir = join(parent.dir, name);
    mkdirSync(dir);
    try {
      if (parent.version === 1) {
        writeFileSync(join(dir, 'memory.limit_in_bytes'), String(memoryBytes));
        // No swapping past the limit where swap accounting exists (memsw ≥ the memory limit).
        if (existsSync(join(dir, 'memory.memsw.limit_in_bytes'))) tryWrite(join(dir, 'memory.memsw.limit_in_bytes'), String(memoryBytes));
      } else {
        writeFileSync(join(dir, 'memory.max'), String(memoryBytes));
        tryWrite(join(dir, 'memory.swap.max'), '0');
      }
    } catch (error) {
      rmdirSync(dir);
      throw error;
    }
    return new SandboxCgroup(parent.version === 1 ? 'cgroup-v1' : 'cgroup-v2', memoryBytes, dir, name, pidsPlace(parent, name, dir));
  }

  /** A systemd scope made when the worker starts (`systemd-run` then runs the launch). */
  static systemdScope(memoryBytes: number): SandboxCgroup {
    return new SandboxCgroup('systemd-scope', memoryBytes, undefined, `r1ci-sandbox-${randomBytes(6).toString('hex')}`);
  }

  /** The launch, started inside this cgroup. */
  wrap(launch: WorkerLaunch): WorkerLaunch {
    if (this.kind === 'systemd-scope') {
      return {
        ...launch,
        command: 'systemd-run',
        args: [...systemdRunArgs(this.memoryBytes, `${this.unit}-${randomBytes(3).toString('hex')}`), launch.command, ...launch.args],
        env: { ...launch.env, ...userBusEnv() },
      };
    }
    // The shell moves itself into the cgroup(s) and then becomes the launch: nothing the
    // launch starts can run before it is inside.
    const memoryProcs = join(this.requireDir(), 'cgroup.procs');
    const separatePids = this.pidsDir !== undefined && this.pidsDir !== this.dir;
    return {
      ...launch,
      command: '/bin/sh',
      args: separatePids
        ? ['-c', 'echo $$ > "$0" && echo $$ > "$1" && shift && exec "$@"', memoryProcs, join(this.pidsDir ?? '', 'cgroup.procs'), launch.command, ...launch.args]
        : ['-c', 'echo $$ > "$0" && exec "$@"', memoryProcs, launch.command, ...launch.args],
    };
  }

  /** Call with the launched process's pid once it runs (a systemd scope's folder is found from it). */
  attach(pid: number): void {
    if (this.kind !== 'systemd-scope') return;
    const dirs = ownMemoryCgroupDirs(readText(`/proc/${pid}/cgroup`), readText('/proc/self/mountinfo'));
    // Each worker gets a scope of its own: the counter file of the last one is closed.
    this.closeEvents();
    this.dir = dirs.v2;
    this.pidsDir = dirs.v2 && existsSync(join(dirs.v2, 'pids.current')) ? dirs.v2 : undefined;
  }

  /**
   * Tasks (processes and threads, zombies until reaped) in the sandbox now: its pids
   * cgroup's `pids.current` (kernel: Documentation/admin-guide/cgroup-v1/pids.rst). Undefined
   * when there is no pids cgroup or it cannot be read.
   */
  tasks(): number | undefined {
    if (!this.pidsDir) return undefined;
    try {
      this.pidsFd ??= openSync(join(this.pidsDir, 'pids.current'), 'r');
      const text = readBuffer.toString('latin1', 0, readSync(this.pidsFd, readBuffer, 0, 64, 0)).trim();
      return /^\d+$/.test(text) ? Number(text) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Processes the kernel ever killed here for going over the limit (a counter). */
  oomKills(): number {
    if (!this.dir) return 0;
    try {
      // Read after every cell. Unlike cgroup.procs, these files show the live counters on
      // every read from offset 0, so one descriptor is kept open (an open and a close less).
      this.eventsFd ??= openSync(join(this.dir, this.kind === 'cgroup-v1' ? 'memory.oom_control' : 'memory.events'), 'r');
      return readCounter(readBuffer.toString('latin1', 0, readSync(this.eventsFd, readBuffer, 0, readBuffer.length, 0)), 'oom_kill');
    } catch {
      return 0;
    }
  }

  /** Pids of every live process in the cgroup (exited ones have left it). */
  pids(): number[] {
    if (!this.dir) return [];
    return (readProcText(join(this.dir, 'cgroup.procs')) ?? '')
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .filter((pid) => Number.isInteger(pid) && pid > 0);
  }

  /** Kills every process in the cgroup (frozen first, so a forking tree cannot outrun it). */
  killAll(): void {
    freezeAndKill(() => this.pids());
  }

  /** Kills what is left and removes the cgroup folder; resolves once it is gone (at most ~5 s). */
  async remove(): Promise<void> {
    this.closeEvents();
    const dir = this.dir;
    if (!dir || this.kind === 'systemd-scope') {
      // systemd removes a scope (--collect) as soon as its last process exits.
      this.killAll();
      return;
    }
    const dirs = this.pidsDir && this.pidsDir !== dir ? [dir, this.pidsDir] : [dir];
    for (let attempt = 0; attempt < 100 && dirs.length > 0; attempt++) {
      this.killAll();
      for (const folder of [...dirs]) {
        try {
          rmdirSync(folder);
          dirs.splice(dirs.indexOf(folder), 1);
        } catch (error) {
          // ENOENT: gone already; EBUSY while killed processes are still exiting.
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') dirs.splice(dirs.indexOf(folder), 1);
        }
      }
      if (dirs.length > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The cgroup folder (systemd scope: known after attach). */
  get path(): string | undefined {
    return this.dir;
  }

  private closeEvents(): void {
    if (this.eventsFd !== undefined) closeSync(this.eventsFd);
    this.eventsFd = undefined;
    if (this.pidsFd !== undefined) closeSync(this.pidsFd);
    this.pidsFd = undefined;
  }

  private requireDir(): string {
    if (!this.dir) throw new Error('cgroup folder unknown');
    return this.dir;
  }
}
