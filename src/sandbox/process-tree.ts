// Finding and killing a process tree on the basic tier (Linux /proc).
// The worker makes itself a child subreaper, so children that setsid() or double-fork
// are re-parented to it rather than to init and stay findable by ancestry while it
// lives. Once it is dead (a cell can kill it: same uid) ancestry finds nothing, so on the
// basic tier the worker's seccomp filter makes setsid and setpgid no-ops: every process
// stays in the worker's process group, which is killed too. On macOS/Windows only the
// process group is killed.
import { readdirSync, readFileSync } from 'node:fs';

function parentOf(pid: number): { ppid: number; zombie: boolean } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Field 3 (state) and 4 (ppid) follow the command name, which may itself contain ") ".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    return Number.isInteger(ppid) ? { ppid, zombie: fields[0] === 'Z' } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every descendant of `root` (excluding root), found by a /proc scan, in depth-first order
 * (a chain of single children comes out parent first). Zombies (exited, not yet reaped) are
 * left out with `live`; their children are still found. `among`: the only processes that can
 * be descendants (a sandbox's cgroup members, where the kernel keeps every process it starts):
 * then only their /proc/PID/stat is read, not every process's on the host (one read per
 * process, ~13 µs each: a scan of a desktop's 500 processes costs milliseconds).
 */
export function findDescendants(root: number, options: { live?: boolean; among?: readonly number[] } = {}): number[] {
  if (process.platform !== 'linux') return [];
  let entries: readonly (string | number)[];
  try {
    entries = options.among ?? readdirSync('/proc');
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  const zombies = new Set<number>();
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const parent = parentOf(pid);
    if (parent === undefined) continue;
    if (parent.zombie) zombies.add(pid);
    const list = children.get(parent.ppid) ?? [];
    list.push(pid);
    children.set(parent.ppid, list);
  }
  const found: number[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const current = frontier.pop();
    if (current === undefined) break;
    for (const child of children.get(current) ?? []) {
      if (!options.live || !zombies.has(child)) found.push(child);
      frontier.push(child);
    }
  }
  return found;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * Freezes (SIGSTOP) what `list` returns, round by round so a forking tree cannot outrun
 * the scan, then kills them all.
 */
export function freezeAndKill(list: () => readonly number[]): void {
  const frozen = new Set<number>();
  for (let round = 0; round < 50; round++) {
    const found = list().filter((pid) => !frozen.has(pid));
    if (found.length === 0) break;
    for (const pid of found) {
      signal(pid, 'SIGSTOP');
      frozen.add(pid);
    }
  }
  for (const pid of frozen) signal(pid, 'SIGKILL');
}

/**
 * Kills `root`, its process group and every descendant. Descendants are frozen first
 * (freezeAndKill); the root dies last so it keeps adopting orphans until then. `members`:
 * every process of the tree, from a list the kernel keeps (a cgroup's), used instead of
 * scans of the host's /proc while it names any process; undefined or empty falls back to
 * the scan.
 */
export function killProcessTree(root: number, members?: () => readonly number[] | undefined): void {
  const listed = members?.();
  if (listed && listed.length > 0) freezeAndKill(() => (members?.() ?? []).filter((pid) => pid !== root));
  else freezeAndKill(() => findDescendants(root));
  signal(-root, 'SIGKILL');
  signal(root, 'SIGKILL');
}
