// The live descendants of a process, read from /proc (Linux): how tests check that no process of
// a sandbox outlived a cancel, a reset or an idle timeout.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** argv joined with spaces. */
  readonly cmdline: string;
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Zombies are dead already (only waiting for their parent to reap them).
    if (fields[0] === 'Z') return undefined;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return { pid, ppid: Number(fields[1]), cmdline };
  } catch {
    return undefined;
  }
}

/** Every live process below `rootPid` (children, grandchildren, ...). */
export function descendants(rootPid: number): ProcessInfo[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((p): p is ProcessInfo => p !== undefined);
  const children = new Map<number, ProcessInfo[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: ProcessInfo[] = [];
  const stack = [rootPid];
  while (stack.length > 0) {
    for (const child of children.get(stack.pop() ?? -1) ?? []) {
      out.push(child);
      stack.push(child.pid);
    }
  }
  return out;
}

/**
 * How long a test waits for something that must happen (a process gone, a line printed), in ms.
 * A bound for a hung test, not a timing goal: generous, because a loaded two-core machine is slow.
 */
export const PATIENCE_MS = 60_000;

/** Polls until `check` holds (returns true) or `timeoutMs` passes; returns the last answer. */
export async function eventually(check: () => boolean, timeoutMs = PATIENCE_MS, intervalMs = 100): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
