// The name of a task set given as one file: the file's name without its data extension (`.jsonl`,
// `.json` or `.csv`) and a `.tasks` before it. The default results file is named after it
// (resultsLocation.ts), and it is the task name of our task files' records without `task`
// (loaders/taskfile.ts), so `my.tasks.jsonl` gives `my` in the summary and `my.<model>.results.jsonl`.

/** A task file's data extension, with an optional `.tasks` before it. */
const TASK_EXTENSION = /\.(tasks\.)?(jsonl|json|csv)$/i;

/**
 * `fileName` (a base name, not a path) without its data extension and a `.tasks` before it:
 * `my.tasks.jsonl` → `my`, `24.csv` → `24`, `geo.json` → `geo`; any other name as it is (a folder's).
 * The whole name when nothing would be left (`.tasks.jsonl` stays itself).
 */
export function taskSetName(fileName: string): string {
  const stem = fileName.replace(TASK_EXTENSION, '');
  return stem === '' ? fileName : stem;
}
