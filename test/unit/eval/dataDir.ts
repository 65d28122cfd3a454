// Where the shared benchmark sample lives: ../shared/tasks/dataset_gather beside the repo
// (also in CI), or R1CI_TASKS_DIR when set.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const TASKS_DIR = process.env.R1CI_TASKS_DIR ?? path.resolve(repoRoot, '..', 'shared', 'tasks', 'dataset_gather');
