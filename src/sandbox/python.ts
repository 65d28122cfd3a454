// Finds the real Python interpreter once. `python3` on PATH may be a shell shim
// (pyenv: 135–240 ms per start), so we ask it for `sys.executable` a single time
// and spawn that binary directly afterwards.
import { execFile } from 'node:child_process';
import { z } from 'zod';

export interface ResolvedPython {
  readonly executable: string;
  readonly version: string;
}

const probeReply = z.object({ executable: z.string().min(1), version: z.string().min(1) });

const PROBE = 'import json,sys;print(json.dumps({"executable":sys.executable,"version":sys.version.split()[0]}))';

const cache = new Map<string, Promise<ResolvedPython>>();

function probe(candidate: string): Promise<ResolvedPython> {
  return new Promise((resolve, reject) => {
    execFile(candidate, ['-I', '-c', PROBE], { timeout: 15_000, windowsHide: true, cwd: process.platform === 'win32' ? undefined : '/' }, (error, stdout) => {
      if (error) {
        reject(error);
        return;
      }
      try {
        resolve(probeReply.parse(JSON.parse(stdout.trim())));
      } catch (parseError) {
        reject(parseError instanceof Error ? parseError : new Error(String(parseError)));
      }
    });
  });
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
  throw new Error(
    `No usable Python 3 interpreter (${failures.join('; ')}). Install Python 3 or set the interpreter path in the settings.`,
  );
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
