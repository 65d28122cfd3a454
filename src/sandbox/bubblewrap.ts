// Builds the bubblewrap command line for the isolated tier (Linux).
// The sandbox sees: /usr and /lib* read-only (shared libraries), the interpreter's
// prefix and library folders read-only, the scratch folder read-write at /scratch,
// fresh tmpfs on /tmp and $HOME, its own /proc and /dev, and no network, no host
// pids, no IPC. The root folder and /dev are read-only: RAM-backed, they would hold files no
// budget counts. We never `--ro-bind / /`: Unix sockets (docker.sock, D-Bus,
// ssh-agent) would stay reachable through a read-only mount.
import { execa } from 'execa';
import { startupProbe } from './startupProbe';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, normalize, sep } from 'node:path';
import { z } from 'zod';

/** Where the scratch folder appears inside the sandbox. */
export const SANDBOX_SCRATCH = '/scratch';
/** The sandbox's $HOME: an empty tmpfs. */
export const SANDBOX_HOME = '/home/sandbox';
/**
 * RAM-backed mounts of the sandbox. Each is sized to the memory budget, and the budget
 * (memoryBudget.ts) counts them together with the processes: files there are memory.
 */
export const SANDBOX_TMPFS_MOUNTS: readonly string[] = ['/tmp', SANDBOX_HOME, '/dev/shm'];
/** nobody/nogroup: the unprivileged identity the code runs as. */
export const SANDBOX_UID = 65534;
export const SANDBOX_GID = 65534;

const layoutSchema = z.object({
  prefixes: z.array(z.string()),
  path: z.array(z.string()),
  executable: z.string(),
});
export type PythonLayout = z.infer<typeof layoutSchema>;

// --- sandbox-core: layout probe and user namespaces (begin) ---
// The library folders are the standard library and the site-packages folders only:
// never sys.path, which holds folders named in .pth files (editable installs point
// into projects, with their .env files) and, without -I, the user site.
const LAYOUT_PROBE =
  'import json,site,sys,sysconfig;p=sysconfig.get_paths();' +
  'print(json.dumps({"prefixes":[sys.prefix,sys.base_prefix,sys.exec_prefix,sys.base_exec_prefix],' +
  '"path":[p[k] for k in ("stdlib","platstdlib","purelib","platlib") if k in p]+list(site.getsitepackages()),"executable":sys.executable}))';

const disableUsernsCache = new Map<string, Promise<boolean>>();

/** Whether this bwrap has `--disable-userns` (bubblewrap 0.8+), read from `bwrap --help`; cached. */
export function bwrapSupportsDisableUserns(bwrapPath: string): Promise<boolean> {
  let pending = disableUsernsCache.get(bwrapPath);
  if (!pending) {
    pending = startupProbe(execa(bwrapPath, ['--help'], { detached: true, timeout: 10_000, cwd: '/', env: { PATH: '/usr/bin:/bin' }, extendEnv: false, stdin: 'ignore', reject: false })).then(({ stdout }) =>
      /--disable-userns\b/.test(stdout),
    );
    disableUsernsCache.set(bwrapPath, pending);
  }
  return pending;
}
// --- sandbox-core: layout probe and user namespaces (end) ---

const layoutCache = new Map<string, Promise<PythonLayout>>();

/** The interpreter's prefixes and library folders (what it must be able to read). */
export function pythonLayout(executable: string): Promise<PythonLayout> {
  let pending = layoutCache.get(executable);
  if (!pending) {
    // Like the worker: -I (no user site, no PYTHON* variables, no script folder on the
    // path) and cwd / , so a json.py in the caller's folder never runs on the host.
    pending = startupProbe(execa(executable, ['-I', '-c', LAYOUT_PROBE], { detached: true, timeout: 15_000, cwd: '/', env: { PATH: '/usr/bin:/bin' }, extendEnv: false, stdin: 'ignore' })).then(({ stdout }) =>
      layoutSchema.parse(JSON.parse(stdout.trim())),
    );
    pending.catch(() => layoutCache.delete(executable));
    layoutCache.set(executable, pending);
  }
  return pending;
}

function isInside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

/** System folders bound read-only for shared libraries and /usr/bin tools. */
const SYSTEM_DIRS = ['/usr', '/lib', '/lib64', '/lib32', '/libx32', '/bin', '/sbin'];
/** Single /etc entries the dynamic loader and time functions need; nothing with secrets. */
// /etc/fonts: public font configuration (without it fc-list, which matplotlib runs, prints errors).
// /etc/matplotlibrc: Debian's python3-matplotlib keeps its default settings there and will not
// import without them.
const ETC_ENTRIES = ['/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/localtime', '/etc/alternatives', '/etc/fonts', '/etc/matplotlibrc'];

/** Read-only folders the interpreter needs, outside the system folders, without nesting. */
export function interpreterBinds(layout: PythonLayout): string[] {
  const wanted = new Set<string>();
  const add = (p: string): void => {
    if (!isAbsolute(p) || !existsSync(p)) return;
    wanted.add(normalize(p));
    try {
      wanted.add(realpathSync(p));
    } catch {
      // a dangling entry on sys.path: nothing to bind
    }
  };
  for (const prefix of layout.prefixes) add(prefix);
  for (const entry of layout.path) add(entry.endsWith('.zip') ? dirname(entry) : entry);
  add(dirname(layout.executable));
  const sorted = [...wanted].filter((p) => p !== '/').sort((a, b) => a.length - b.length);
  const result: string[] = [];
  for (const candidate of sorted) {
    if (SYSTEM_DIRS.some((dir) => isInside(candidate, dir))) continue;
    if (result.some((kept) => isInside(candidate, kept))) continue;
    result.push(candidate);
  }
  return result;
}

/** Every ancestor folder of `p` below `/`, outermost first. */
function ancestors(p: string): string[] {
  const out: string[] = [];
  let current = dirname(p);
  while (current !== '/' && current !== '.') {
    out.unshift(current);
    current = dirname(current);
  }
  return out;
}

export interface BwrapPlan {
  readonly args: string[];
  /** True when the process inside starts as root and must drop to SANDBOX_UID itself. */
  readonly dropPrivileges: boolean;
}

/**
 * Arguments for `bwrap ... <executable> <rest>`.
 * As root we deliberately do NOT create a user namespace: a namespace created by root
 * maps the sandbox uid to kernel uid 0, for which RLIMIT_NPROC is never enforced (a fork
 * bomb would be unbounded). Instead bwrap (holding real privileges) builds the mount/pid/
 * net/ipc/uts namespaces and the worker switches to nobody before running any user code.
 * As a normal user, bwrap's user namespace is the boundary and the kernel uid stays the
 * user's own, so RLIMIT_NPROC counts only this sandbox's processes.
 */
export function buildBwrapPlan(options: {
  layout: PythonLayout;
  scratchDir: string;
  workerScript: string;
  isRoot: boolean;
  /** Add `--disable-userns` (needs a bwrap that has it; only with the user namespace of the non-root plan). */
  disableUserns?: boolean;
  /** Size of each tmpfs mount (bytes); the sandbox's memory budget. */
  tmpfsBytes?: number;
}): BwrapPlan {
  const size = options.tmpfsBytes ? ['--size', String(options.tmpfsBytes)] : [];
  const args: string[] = [];
  if (options.isRoot) {
    args.push('--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-cgroup-try');
  } else {
    args.push('--unshare-all', '--unshare-user', '--uid', String(SANDBOX_UID), '--gid', String(SANDBOX_GID));
    // sandbox-core: no nested user namespaces (the worker's seccomp filter covers the root plan too).
    if (options.disableUserns) args.push('--disable-userns');
  }
  args.push('--die-with-parent', '--new-session');
  // tmpfs first, so a bind below /tmp (a venv there) is not hidden by it.
  args.push('--perms', '1777', ...size, '--tmpfs', '/tmp');
  args.push('--perms', '0777', ...size, '--tmpfs', SANDBOX_HOME);
  for (const dir of SYSTEM_DIRS) if (existsSync(dir)) args.push('--ro-bind', dir, dir);
  // sandbox-core: /etc itself 0755 (bwrap would create it 0700, so the dropped uid could not reach the entries).
  args.push('--perms', '0755', '--dir', '/etc');
  for (const entry of ETC_ENTRIES) if (existsSync(entry)) args.push('--ro-bind', entry, entry);
  const readOnly = [...interpreterBinds(options.layout), dirname(options.workerScript)];
  // bwrap copies the host's folder modes for created parents (/root is 0700), so
  // every parent of a bind is created 0755 explicitly or nobody could traverse it.
  const made = new Set<string>();
  for (const dir of readOnly) {
    for (const parent of ancestors(dir)) {
      if (made.has(parent) || SYSTEM_DIRS.includes(parent)) continue;
      made.add(parent);
      args.push('--perms', '0755', '--dir', parent);
    }
    args.push('--ro-bind', dir, dir);
  }
  args.push('--bind', options.scratchDir, SANDBOX_SCRATCH, '--chdir', SANDBOX_SCRATCH);
  args.push('--proc', '/proc', '--dev', '/dev');
  // multiprocessing needs /dev/shm; its own sized tmpfs rather than a folder of /dev's.
  args.push('--perms', '1777', ...size, '--tmpfs', '/dev/shm');
  // Last, once every mount point exists: the root folder and /dev are unsized tmpfs that no budget
  // counts, and in the user-namespace plan the code's own uid owns them. Writable, a cell kept GiBs
  // of host RAM in /, and could rename /home and plant a link where the host measures home
  // (/proc/PID/root/home/sandbox): read-only, only scratch and the sized mounts above take files.
  args.push('--remount-ro', '/dev', '--remount-ro', '/');
  return { args, dropPrivileges: options.isRoot };
}
