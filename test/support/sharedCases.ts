// Locates the shared hostile cells (../shared/cases beside the repository, in CI too).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The folder of one shared case set, e.g. "sandbox-attacks"; one clear error when it is missing. */
export function sharedCasesDir(repoRoot: string, set: string): string {
  const fromEnv = process.env['R1CI_CASES_DIR'];
  const dir = resolve(fromEnv ?? resolve(repoRoot, '..', 'shared', 'cases'), set);
  if (!existsSync(dir)) throw new Error(`Shared cases not found at ${dir} (set R1CI_CASES_DIR to the cases folder).`);
  return dir;
}

/** The Python source of one cell of ../shared/cases/sandbox-attacks, e.g. "06-background-burners.py". */
export function sandboxAttackCell(repoRoot: string, file: string): string {
  return readFileSync(join(sharedCasesDir(repoRoot, 'sandbox-attacks'), file), 'utf8');
}
