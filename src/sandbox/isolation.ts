// Picks the isolation tier by actually running a tiny sandboxed interpreter once.
import { execa } from 'execa';
import { startupProbe } from './startupProbe';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBwrapPlan, pythonLayout } from './bubblewrap';
import { resolvePython } from './python';
import type { IsolationTier } from './types';
import { findWorkerScript } from './worker-script';

export interface IsolationInfo {
  readonly tier: IsolationTier;
  readonly note: string;
  /** Absolute path of bwrap when the isolated tier is available. */
  readonly bwrapPath?: string;
  /** bwrap takes `--size` for tmpfs mounts (0.5 and later); without it they are unsized. */
  readonly sizedTmpfs?: boolean;
}

const BWRAP_CANDIDATES = ['/usr/bin/bwrap', '/usr/local/bin/bwrap', '/bin/bwrap'];

export const ISOLATED_NOTE = 'Isolated: bubblewrap sandbox (no network, own process tree, only the scratch folder is writable, runs as an unprivileged user).';

function basicNote(reason: string): string {
  if (process.platform === 'win32') {
    return 'Basic: the code runs as you with only time, output and environment limits (no file or network confinement on Windows).';
  }
  if (process.platform === 'darwin') {
    return 'Basic: the code runs as you with resource limits, a clean environment and time/output limits (no file or network confinement).';
  }
  return `Basic: the code runs as you with resource limits, a clean environment and time/output limits; it can read your files and reach the network. ${reason}`;
}

async function run(file: string, args: string[]): Promise<{ ok: boolean; output: string }> {
  const result = await startupProbe(execa(file, args, { detached: true, timeout: 20_000, env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' }, extendEnv: false, stdin: 'ignore', stripFinalNewline: false, reject: false }));
  return { ok: !result.failed, output: `${result.stdout}${result.stderr}`.trim() };
}

async function detectUncached(pythonPath: string | undefined): Promise<IsolationInfo> {
  if (process.platform !== 'linux') return { tier: 'basic', note: basicNote('') };
  const bwrapPath = BWRAP_CANDIDATES.find((candidate) => existsSync(candidate));
  if (!bwrapPath) {
    return {
      tier: 'basic',
      note: basicNote('Install bubblewrap (`sudo apt install bubblewrap`, `sudo dnf install bubblewrap`) to get the isolated tier.'),
    };
  }
  const python = await resolvePython(pythonPath);
  const layout = await pythonLayout(python.executable);
  const scratch = mkdtempSync(join(tmpdir(), 'r1ci-probe-'));
  try {
    const attempt = async (tmpfsBytes?: number): Promise<{ ok: boolean; output: string }> => {
      const plan = buildBwrapPlan({
        layout,
        scratchDir: scratch,
        workerScript: findWorkerScript(),
        isRoot: process.getuid?.() === 0,
        ...(tmpfsBytes ? { tmpfsBytes } : {}),
      });
      const result = await run(bwrapPath, [...plan.args, python.executable, '-I', '-c', 'import os;print("ok", os.getpid())']);
      return { ok: result.ok && result.output.startsWith('ok'), output: result.output };
    };
    if ((await attempt(64 * 1024 ** 2)).ok) return { tier: 'isolated', note: ISOLATED_NOTE, bwrapPath, sizedTmpfs: true };
    const probe = await attempt();
    if (probe.ok) {
      const note = `${ISOLATED_NOTE} This bubblewrap cannot size its tmpfs mounts (--size, bubblewrap 0.5+): they count towards the memory budget but are not capped on their own.`;
      return { tier: 'isolated', note, bwrapPath, sizedTmpfs: false };
    }
    return {
      tier: 'basic',
      note: basicNote(
        `bubblewrap could not start a sandbox (${probe.output.split('\n')[0] ?? 'no output'}): unprivileged user namespaces may be blocked ` +
          '(on Ubuntu: `sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0`, or an AppArmor profile for bwrap).',
      ),
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const cache = new Map<string, Promise<IsolationInfo>>();

/** The best tier this machine offers for `pythonPath` (default interpreter when omitted); cached. */
export function detectIsolation(pythonPath?: string): Promise<IsolationInfo> {
  const key = pythonPath ?? '';
  let pending = cache.get(key);
  if (!pending) {
    pending = detectUncached(pythonPath);
    pending.catch(() => cache.delete(key));
    cache.set(key, pending);
  }
  return pending;
}
