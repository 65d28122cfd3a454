// Locates and reads the real-model cases (../shared/cases/real-models beside the repository):
// scenario files rebuilt from public bug reports, in the shape of caseFileSchema.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { caseFileSchema, type CaseFile } from './scripted-server/scenarioSchema';

export interface RealModelCase {
  /** The file name without .json, e.g. "reasoning-then-answer". */
  readonly name: string;
  readonly file: CaseFile;
}

/** The cases folder ($R1CI_CASES_DIR, else ../shared/cases/real-models); one clear error when it is missing. */
export function realModelCasesDir(repoRoot: string): string {
  const fromEnv = process.env['R1CI_CASES_DIR'];
  const dir = fromEnv ? resolve(fromEnv) : resolve(repoRoot, '..', 'shared', 'cases', 'real-models');
  if (!existsSync(dir)) throw new Error(`Real-model cases not found at ${dir}: check out the shared data beside the repository (../shared) or set R1CI_CASES_DIR.`);
  return dir;
}

/** Every case, validated (a malformed file fails with its name and the field). */
export function loadRealModelCases(repoRoot: string): RealModelCase[] {
  const dir = realModelCasesDir(repoRoot);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const parsed = caseFileSchema.safeParse(JSON.parse(readFileSync(join(dir, f), 'utf8')));
      if (!parsed.success) throw new Error(`Invalid case file ${join(dir, f)}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      return { name: basename(f, '.json'), file: parsed.data };
    });
}
