// Locates the shared attack and model cases (../shared/cases beside the repository, in CI too).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export function sharedCasesDir(repoRoot: string): string {
  const fromEnv = process.env['R1CI_CASES_DIR'];
  const dir = fromEnv ? resolve(fromEnv) : resolve(repoRoot, '..', 'shared', 'cases');
  if (!existsSync(dir)) throw new Error(`Shared cases not found at ${dir} (set R1CI_CASES_DIR).`);
  return dir;
}

/** The Python source of one cell of ../shared/cases/sandbox-attacks, e.g. "07-reply-channel-flood.py". */
export function sandboxAttackCell(repoRoot: string, file: string): string {
  return readFileSync(join(sharedCasesDir(repoRoot), 'sandbox-attacks', file), 'utf8');
}
