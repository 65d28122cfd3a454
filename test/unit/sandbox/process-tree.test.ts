// Finding and killing a process tree from a list the kernel keeps (a sandbox's cgroup members)
// instead of a scan of the host's whole /proc: real processes, Linux only (the /proc walk is).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { findDescendants, killProcessTree } from '../../../src/sandbox/process-tree';
import { eventually } from '../../support/processTree';

const started: ChildProcess[] = [];

afterEach(() => {
  for (const child of started.splice(0)) if (child.pid !== undefined) killProcessTree(child.pid);
});

/** A shell with two sleeping children, its own process group; resolves once both children run. */
async function tree(): Promise<{ root: number; children: number[]; exited: Promise<void> }> {
  const child = spawn('/bin/sh', ['-c', 'sleep 60 & sleep 60 & wait'], { detached: true, stdio: 'ignore' });
  started.push(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const root = child.pid ?? -1;
  // Polled with the suite's patience (a fixed 200 looks of 10 ms can pass before a loaded machine starts them).
  if (!(await eventually(() => findDescendants(root).length === 2, undefined, 10))) throw new Error('the children did not start');
  return { root, children: findDescendants(root), exited };
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function gone(pids: readonly number[]): Promise<boolean> {
  return eventually(() => pids.every((pid) => !alive(pid)), undefined, 10);
}

describe.runIf(process.platform === 'linux')('process tree from a member list', () => {
  it('finds descendants only among the listed processes when given a list', async () => {
    const { root, children } = await tree();
    const [first = -1, second = -1] = children;
    expect(findDescendants(root, { among: [root, first, second] }).sort()).toEqual([...children].sort());
    // A descendant not on the list is not looked at: the list is the whole search.
    expect(findDescendants(root, { among: [root, first] })).toEqual([first]);
    expect(findDescendants(root, { among: [] })).toEqual([]);
  });

  it('kills every listed process and the root when given the members', async () => {
    const { root, children, exited } = await tree();
    let asked = 0;
    killProcessTree(root, () => {
      asked++;
      return [root, ...children];
    });
    await exited;
    expect(asked).toBeGreaterThan(0);
    expect(await gone(children)).toBe(true);
  });

  it('falls back to the /proc scan when the member list is unknown or empty', async () => {
    for (const members of [() => undefined, () => []]) {
      const { root, children, exited } = await tree();
      killProcessTree(root, members);
      await exited;
      expect(await gone(children)).toBe(true);
    }
  });
});
