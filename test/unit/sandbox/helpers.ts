// Shared set-up for the sandbox tests: real Python, real bubblewrap when available.
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCodeRunner, detectIsolation, type CodeRunner, type SandboxLimits } from '../../../src/sandbox/index';

export const isolation = await detectIsolation();
export const IS_ROOT = process.getuid?.() === 0;

/** The uid and gid `nobody` (65534 on Debian, Ubuntu and Fedora). */
export const NOBODY = 65534;

/** Runs `fn` with the host's file access of an unprivileged user (as root: effective uid and gid nobody, put back after; as another user: as it is). Throws when seteuid is missing. */
export function asUnprivileged<T>(fn: () => T): T {
  const { seteuid, setegid } = process;
  if (!IS_ROOT) return fn();
  if (seteuid === undefined || setegid === undefined) throw new Error('seteuid is missing on this POSIX platform');
  setegid(NOBODY);
  seteuid(NOBODY);
  try {
    return fn();
  } finally {
    seteuid(0);
    setegid(0);
  }
}
/**
 * Tiers a test must run on. On Linux the isolated tier is required whoever runs the tests (root
 * in CI, an ordinary user following the README): a bubblewrap that does not work fails the suite
 * (test/support/sandboxSetup.ts says why, once; startRunner throws) instead of skipping the
 * isolated half. Elsewhere only the basic tier exists.
 */
export const REQUIRED_TIERS: ReadonlyArray<'isolated' | 'basic'> = process.platform === 'linux' ? ['isolated', 'basic'] : ['basic'];

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `r1ci-test-${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * A runner of `tier` (throws when that tier is not what this machine gives). Without
 * `scratchDir` its scratch folder is a temporary one that its `dispose` removes too: the disk
 * tests leave hundreds of MiB there, which must not pile up in /tmp run after run.
 */
export async function startRunner(tier: 'isolated' | 'basic', options: { limits?: Partial<SandboxLimits>; mode?: 'persistent' | 'stateless'; scratchDir?: string; pythonPath?: string } = {}): Promise<CodeRunner> {
  const temporary = options.scratchDir === undefined ? tempDir('scratch') : undefined;
  const runner = await createCodeRunner({
    scratchDir: options.scratchDir ?? join(temporary ?? '', 'scratch'),
    isolation: tier === 'basic' ? 'basic' : 'auto',
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.mode ? { mode: options.mode } : {}),
    ...(options.pythonPath ? { pythonPath: options.pythonPath } : {}),
  });
  if (temporary !== undefined) {
    const dispose = runner.dispose.bind(runner);
    runner.dispose = async () => {
      await dispose();
      removeDir(temporary);
    };
  }
  if (runner.tier !== tier) {
    await runner.dispose();
    throw new Error(`wanted tier ${tier}, got ${runner.tier}`);
  }
  return runner;
}

/** Host pids whose command line contains `token`. */
export function pidsWithCommandLine(token: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'latin1');
      if (cmdline.includes(token) && Number(entry) !== process.pid) found.push(Number(entry));
    } catch {
      // exited
    }
  }
  return found;
}

/** Host pids living in the pid namespace `nsLink` ("pid:[4026...]"). */
export function pidsInNamespace(nsLink: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/ns/pid`) === nsLink) found.push(Number(entry));
    } catch {
      // exited
    }
  }
  return found;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The host pid of the process in pid namespace `ns` (a `/proc/PID/ns/pid` link text) whose innermost pid is `pid`; throws when there is none. */
export function hostPidInNamespace(ns: string, pid: number): number {
  for (const hostPid of pidsInNamespace(ns)) {
    try {
      const nspid = /^NSpid:\s*(.*)$/m
        .exec(readFileSync(`/proc/${hostPid}/status`, 'latin1'))?.[1]
        ?.trim()
        .split(/\s+/);
      if (nspid && Number(nspid[nspid.length - 1]) === pid) return hostPid;
    } catch {
      // exited
    }
  }
  throw new Error(`no process with pid ${pid} in ${ns}`);
}

/** utime + stime of a process (all its threads, dead ones included), in clock ticks. */
export function cpuTicks(hostPid: number): number {
  const stat = readFileSync(`/proc/${hostPid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * A Python cell that adds hard links in the folder "big" of scratch until it holds `count` names
 * (a new target every 60,000 links: the file system's link limit). Hard links take no blocks, so
 * only an entry budget sees them.
 */
export const fillWithLinks = (count: number): string =>
  [
    'import os',
    'os.makedirs("big", exist_ok=True)',
    'n = len(os.listdir("big"))',
    'target = None',
    `while n < ${count}:`,
    '    if n % 60000 == 0 or target is None:',
    '        target = "t%d" % n',
    '        open(target, "w").close()',
    '    os.link(target, "big/%07d" % n)',
    '    n += 1',
    'print("made", n)',
  ].join('\n');

/**
 * A Python bytes literal: the first 33 bytes of a 1×1 PNG (signature and IHDR chunk). The host
 * copies a file named as a picture only when it can read its size from its header
 * (src/sandbox/imageSize.ts), so a cell that stands in for a plot writes at least this.
 */
export const PNG_1X1_PY = 'b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00\\rIHDR\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x01\\x08\\x06\\x00\\x00\\x00\\x1f\\x15\\xc4\\x89"';
