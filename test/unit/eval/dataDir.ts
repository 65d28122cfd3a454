// The shared benchmark sample (tasks/dataset_gather of the shared folder), located the one way
// all tests use: test/support/sharedTasks.ts.
import { sharedTasksDir } from '../../support/sharedTasks';

export const TASKS_DIR = sharedTasksDir();
