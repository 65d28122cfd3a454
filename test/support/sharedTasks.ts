// The one way tests reach the shared reference data: a `shared` folder beside the repository
// (`tasks/` benchmark samples, `cases/`, `conformance/` corpora), or wherever R1CI_SHARED_DIR
// points. When it is missing every caller gets the same message naming what is missing and how to
// provide it, instead of a raw ENOENT per test. scripts/test-all.sh runs the same check up front.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Points at the shared folder when it is not beside the repository. */
export const SHARED_DIR_ENV = 'R1CI_SHARED_DIR';
/** Older override for the benchmark samples alone (tasks/dataset_gather); still honoured. */
export const TASKS_DIR_ENV = 'R1CI_TASKS_DIR';

const PACKAGE_NAME = 'r1ci-vscode';

/** The repository root, found from this file whether it runs from source (vitest) or bundled in dist/test/. */
function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && readFileSync(manifest, 'utf8').includes(`"name": "${PACKAGE_NAME}"`)) return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the ${PACKAGE_NAME} repository above ${start}`);
  }
}

/** Thrown when the shared data (or a part of it) is not there. */
export class SharedDataMissing extends Error {
  constructor(missing: string) {
    super(
      `The shared reference data is missing: ${missing} does not exist.\n` +
        'The tests read benchmark samples (tasks/), cases (cases/) and conformance corpora (conformance/) ' +
        `from a folder named "shared" beside the repository. Put it there, or set ${SHARED_DIR_ENV} to its path.`,
    );
    this.name = 'SharedDataMissing';
  }
}

/** The shared folder (`../shared`, or $R1CI_SHARED_DIR). @throws SharedDataMissing */
export function sharedDir(repoRoot: string = findRepoRoot(__dirname)): string {
  const fromEnv = process.env[SHARED_DIR_ENV];
  const dir = fromEnv ? resolve(fromEnv) : resolve(repoRoot, '..', 'shared');
  if (!existsSync(dir)) throw new SharedDataMissing(dir);
  return dir;
}

/** A path inside the shared folder, e.g. sharedPath('conformance', 'symbench.jsonl'). @throws SharedDataMissing */
export function sharedPath(...parts: string[]): string {
  const path = join(sharedDir(), ...parts);
  if (!existsSync(path)) throw new SharedDataMissing(path);
  return path;
}

/** The benchmark samples in their published layout: shared/tasks/dataset_gather (or $R1CI_TASKS_DIR). @throws SharedDataMissing */
export function sharedTasksDir(repoRoot?: string): string {
  const fromEnv = process.env[TASKS_DIR_ENV];
  if (fromEnv) {
    if (!existsSync(resolve(fromEnv))) throw new SharedDataMissing(resolve(fromEnv));
    return resolve(fromEnv);
  }
  const dir = join(sharedDir(repoRoot), 'tasks', 'dataset_gather');
  if (!existsSync(dir)) throw new SharedDataMissing(dir);
  return dir;
}

/** The question text of a SymBench sample, e.g. ("new_operator_dataset", 0). */
export function symbenchQuestion(repoRoot: string | undefined, family: string, sample: number): string {
  return readFileSync(join(sharedTasksDir(repoRoot), family, `sample_${sample}`, 'question.txt'), 'utf8');
}

export function symbenchSolution(repoRoot: string | undefined, family: string, sample: number): unknown {
  return JSON.parse(readFileSync(join(sharedTasksDir(repoRoot), family, `sample_${sample}`, 'solution.json'), 'utf8'));
}

/** The text of one case file under ../shared/cases, e.g. ("real-models", "progress-bar-redraws.json"). */
export function sharedCaseText(repoRoot: string, group: string, name: string): string {
  const file = resolve(process.env['R1CI_SHARED_DIR'] ?? resolve(repoRoot, '..', 'shared'), 'cases', group, name);
  if (!existsSync(file)) throw new Error(`Shared case not found at ${file} (set R1CI_SHARED_DIR to the shared folder).`);
  return readFileSync(file, 'utf8');
}

/** The python block of a shared case's first turn (a real-models scenario: `{"turns": [string, …]}`). */
export function sharedCaseCode(repoRoot: string, group: string, name: string): string {
  const data = JSON.parse(sharedCaseText(repoRoot, group, name)) as { turns: unknown[] };
  const first = data.turns[0];
  const code = typeof first === 'string' ? /```python\n([\s\S]*?)```/.exec(first)?.[1] : undefined;
  if (code === undefined) throw new Error(`${group}/${name}: no python block in the first turn`);
  return code;
}

/** A conformance corpus in ../shared/conformance (symbench.jsonl, reasoning_gym.jsonl), one parsed object per line. */
export function sharedConformanceCases(repoRoot: string, name: string): unknown[] {
  const fromEnv = process.env['R1CI_CONFORMANCE_DIR'];
  const dir = fromEnv ? resolve(fromEnv) : resolve(repoRoot, '..', 'shared', 'conformance');
  const file = join(dir, name);
  if (!existsSync(file)) throw new Error(`Conformance corpus not found at ${file} (set R1CI_CONFORMANCE_DIR).`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
}
