// Where an evaluation's results go when the user names no file — one rule for the extension and
// the CLI: `<folder>/.r1ci/results/<tasks>.<model>[.text-only].results.jsonl`, where <folder> is
// the workspace folder holding the tasks (extension) or the folder the tasks are in. <tasks> is
// the task file's name without its data extension (`.jsonl`, `.json` or `.csv`, and a `.tasks`
// before it), a folder's name as it is: `24.csv` and `24.jsonl` both give `24.<model>…`.
import { basename, dirname, join } from 'node:path';
import { ensureFolderWithoutLinks } from './safeWrite';
import { taskSetName } from './taskSetName';

/** The results folder under `folder`: `.r1ci/results`, kept out of the way of the user's own files. */
export function resultsFolder(folder: string): string {
  return join(folder, ...RESULTS_PARTS);
}

const RESULTS_PARTS = ['.r1ci', 'results'] as const;

/**
 * Creates `<folder>/.r1ci/results` (if missing) and returns it. The folder is the user's; the
 * two below it may come with a cloned dataset, so each must be a real folder, not a link:
 * UnsafeOutputPathError (naming it) otherwise, before anything is written.
 */
export function ensureResultsFolder(folder: string): Promise<string> {
  return ensureFolderWithoutLinks(folder, RESULTS_PARTS);
}

/**
 * The default results file for evaluating `target` (a task file or folder, absolute) with
 * `model`: `<folder>/.r1ci/results/<tasks>.<model>[.text-only].results.jsonl`, <tasks> being
 * `target`'s name without its data extension (taskSetName; `.csv` had been kept). `folder` defaults to the folder
 * containing `target`. The model and mode are in the name, so runs of two models (or code vs.
 * text only) never resume each other's file; two task files differing only in type share one
 * results file, which keeps both (their question ids name the file).
 */
export function defaultResultsFile(target: string, model: string, textOnly: boolean, folder: string = dirname(target)): string {
  const name = `${taskSetName(basename(target))}.${model.replace(/[^\w.-]+/g, '_')}${textOnly ? '.text-only' : ''}.results.jsonl`;
  return join(resultsFolder(folder), name);
}
