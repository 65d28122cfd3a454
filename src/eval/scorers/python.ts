// Custom checkers written in Python: `check(answer, record) -> bool` in a user's file.
// Running Python is the sandbox's job, so eval only defines the contract.

import type { TaskRecord } from '../types';

/**
 * Implemented by the sandbox: load `checkerFile`, call `check(answer, record)` and report
 * its truthiness, or `{ error }` when the checker could not run (syntax error, exception,
 * timeout, no `check` function). `record` is passed as JSON (a dict in Python).
 */
export interface PythonCheckRunner {
  check(checkerFile: string, answer: string, record: TaskRecord): Promise<boolean | { error: string }>;
}
