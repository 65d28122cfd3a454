// Locates resources/sandbox/worker.py in every way the sandbox is run:
// bundled (dist/extension.js, dist/cli.js, dist/bench/*.js) and from source (vitest).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const RELATIVE = join('resources', 'sandbox', 'worker.py');

/** Candidate locations, most specific first. */
export function workerScriptCandidates(baseDir: string = __dirname): string[] {
  const fromEnv = process.env['R1CI_RESOURCES_DIR'];
  const candidates: string[] = [];
  if (fromEnv) candidates.push(join(fromEnv, 'sandbox', 'worker.py'));
  // dist/ -> .., dist/bench/ -> ../.., src/sandbox/ -> ../..
  for (const up of ['..', join('..', '..'), join('..', '..', '..')]) candidates.push(resolve(baseDir, up, RELATIVE));
  candidates.push(resolve(process.cwd(), RELATIVE));
  return candidates;
}

/** Absolute path of worker.py; throws with the places tried when it is missing. */
export function findWorkerScript(baseDir?: string): string {
  const candidates = workerScriptCandidates(baseDir);
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) {
    throw new Error(`Sandbox worker script not found (tried ${candidates.join(', ')}). Set R1CI_RESOURCES_DIR to the extension's resources folder.`);
  }
  return found;
}
