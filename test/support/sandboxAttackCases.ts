// The hostile cells of ../shared/cases/sandbox-attacks (one Python cell per file).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export function sandboxAttacksDir(repoRoot: string): string {
  const dir = resolve(process.env['R1CI_SHARED_DIR'] ?? resolve(repoRoot, '..', 'shared'), 'cases', 'sandbox-attacks');
  if (!existsSync(dir)) throw new Error(`Shared sandbox attack cases not found at ${dir} (set R1CI_SHARED_DIR to the shared folder).`);
  return dir;
}

/** The code of one attack cell, e.g. "06-background-burners.py". */
export function sandboxAttackCell(repoRoot: string, file: string): string {
  return readFileSync(join(sandboxAttacksDir(repoRoot), file), 'utf8');
}
