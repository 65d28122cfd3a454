// Locates the shared benchmark data (../shared/tasks beside the repository, in CI too).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export function sharedTasksDir(repoRoot: string): string {
  const fromEnv = process.env['R1CI_TASKS_DIR'];
  const dir = fromEnv ? resolve(fromEnv) : resolve(repoRoot, '..', 'shared', 'tasks', 'dataset_gather');
  if (!existsSync(dir)) throw new Error(`Shared task data not found at ${dir} (set R1CI_TASKS_DIR).`);
  return dir;
}

/** The question text of a SymBench sample, e.g. ("new_operator_dataset", 0). */
export function symbenchQuestion(repoRoot: string, family: string, sample: number): string {
  return readFileSync(join(sharedTasksDir(repoRoot), family, `sample_${sample}`, 'question.txt'), 'utf8');
}

export function symbenchSolution(repoRoot: string, family: string, sample: number): unknown {
  return JSON.parse(readFileSync(join(sharedTasksDir(repoRoot), family, `sample_${sample}`, 'solution.json'), 'utf8'));
}

/** The text of one case file under ../shared/cases, e.g. ("real-models", "progress-bar-redraws.json"). */
export function sharedCaseText(repoRoot: string, group: string, name: string): string {
  const file = resolve(process.env['R1CI_SHARED_DIR'] ?? resolve(repoRoot, '..', 'shared'), 'cases', group, name);
  if (!existsSync(file)) throw new Error(`Shared case not found at ${file} (set R1CI_SHARED_DIR to the shared folder).`);
  return readFileSync(file, 'utf8');
}
