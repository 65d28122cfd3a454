// Finds the real Python interpreter once. `python3` on PATH may be a shell shim
// (pyenv: 135–240 ms per start), so we ask it for `sys.executable` a single time
// and spawn that binary directly afterwards.
import { ExecaError, execa } from 'execa';
import { startupProbe } from './startupProbe';
import { z } from 'zod';
import { knob } from '../text/frontEnd';

export interface ResolvedPython {
  readonly executable: string;
  readonly version: string;
}

const probeReply = z.object({ executable: z.string().min(1), version: z.string().min(1) });

const PROBE = 'import json,sys;print(json.dumps({"executable":sys.executable,"version":sys.version.split()[0]}))';

const cache = new Map<string, Promise<ResolvedPython>>();

/** Why a candidate could not be started at all, by errno of the spawn, in words (Node says "spawn /tmp EACCES"). */
const SPAWN_FAILURES: Readonly<Partial<Record<string, string>>> = {
  ENOENT: 'no such program',
  EACCES: 'not a program that can be run (a folder, or a file without permission to execute)',
  ENOTDIR: 'a part of the path is not a folder',
  ENOEXEC: 'not a program this system can run',
};

async function probe(candidate: string): Promise<ResolvedPython> {
  try {
    const { stdout } = await startupProbe(
      execa(candidate, ['-I', '-c', PROBE], { detached: process.platform !== 'win32', timeout: 15_000, windowsHide: true, cwd: process.platform === 'win32' ? undefined : '/', stdin: 'ignore' }),
    );
    return probeReply.parse(JSON.parse(stdout.trim()));
  } catch (error) {
    // "spawn python3 ENOENT" says more than execa's message, which repeats the whole probe script.
    if (error instanceof ExecaError) {
      const reason = error.code === undefined ? undefined : SPAWN_FAILURES[error.code];
      if (reason !== undefined) throw new Error(reason);
      const firstLine = String(error.stderr ?? '')
        .trim()
        .split('\n')[0];
      throw new Error(error.originalMessage || (error.timedOut ? 'timed out' : `exit code ${error.exitCode ?? error.signal}${firstLine ? `: ${firstLine}` : ''}`));
    }
    throw error instanceof Error ? error : new Error(String(error));
  }
}

async function resolveUncached(configured: string | undefined): Promise<ResolvedPython> {
  const candidates = configured ? [configured] : ['python3', 'python'];
  const failures: string[] = [];
  for (const candidate of candidates) {
    try {
      const found = await probe(candidate);
      if (!found.version.startsWith('3.')) {
        failures.push(`${candidate}: Python ${found.version} is not Python 3`);
        continue;
      }
      return found;
    } catch (error) {
      failures.push(`${candidate}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
  throw new Error(`No usable Python 3 interpreter (${failures.join('; ')}). Install Python 3 or set ${knob('pythonPath')}.`);
}

/** Resolves `configured` (or python3/python on PATH) to the real interpreter binary; cached per input. */
export function resolvePython(configured?: string): Promise<ResolvedPython> {
  const key = configured ?? '';
  let pending = cache.get(key);
  if (!pending) {
    pending = resolveUncached(configured);
    // A failure is not cached: the user may install Python and retry.
    pending.catch(() => cache.delete(key));
    cache.set(key, pending);
  }
  return pending;
}
