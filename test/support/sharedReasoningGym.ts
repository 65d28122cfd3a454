// Reasoning-Gym items and their conformance corpus in ../shared (one clear error when missing).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

function sharedRoot(repoRoot: string): string {
  const dir = resolve(repoRoot, '..', 'shared');
  if (!existsSync(dir)) throw new Error(`Shared data not found at ${dir} (the repository's sibling folder "shared").`);
  return dir;
}

/** ../shared/tasks/reasoning_gym: one `<dataset>.jsonl` per dataset. */
export function reasoningGymTasksDir(repoRoot: string): string {
  const dir = resolve(sharedRoot(repoRoot), 'tasks', 'reasoning_gym');
  if (!existsSync(dir)) throw new Error(`Reasoning-Gym items not found at ${dir}.`);
  return dir;
}

/** One scored candidate of ../shared/conformance/reasoning_gym.jsonl (see its README). */
export interface RgConformanceCase {
  readonly dataset: string;
  readonly index: number;
  readonly candidate: string;
  readonly rg_score: number;
  readonly kind: string;
  readonly desc: string;
  readonly case_id: string;
}

export function reasoningGymConformance(repoRoot: string): RgConformanceCase[] {
  const file = resolve(sharedRoot(repoRoot), 'conformance', 'reasoning_gym.jsonl');
  if (!existsSync(file)) throw new Error(`Conformance corpus not found at ${file}.`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as RgConformanceCase);
}
