// vitest globalSetup: checks once, before any test file loads, that the shared reference data is
// there, so a clone without it fails with one message naming what is missing (not an ENOENT per file).
import { sharedDir, sharedTasksDir } from './sharedTasks';

export default function setup(): void {
  sharedDir();
  sharedTasksDir();
}
